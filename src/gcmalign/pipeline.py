"""The pipeline: ingest -> layout -> extract -> classify, as plain functions over plain data.

The CLI, the web app and library users all call these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from gcmalign.batch import (
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_TIMEOUT,
    Reader,
    collect_files,
    document_suffixes,
    read_files,
)
from gcmalign.classify import Classifier, ClassifyItem
from gcmalign.extract import extract_activities
from gcmalign.ingest import read_document
from gcmalign.ingest.common import file_sha256
from gcmalign.layout import layout_text
from gcmalign.model import Activity, Document, DocumentResult
from gcmalign.model import Mapping as ObjectiveMapping


def _item(activity: Activity, classifier: Classifier) -> ClassifyItem:
    framework = classifier.framework.id
    callouts = {c.target for c in activity.callouts if c.target and c.framework == framework}
    return ClassifyItem(text=activity.text, lang=activity.language, callouts=callouts)


# Mappings classified ahead (see ``read_files``' ``on_stubs``), by activity id and all that
# classifying it reads: a preview may lay out a paragraph with other callouts than the whole.
AheadKey = tuple[str, str, str | None, frozenset[str]]
Classified = dict[AheadKey, list[ObjectiveMapping]]


def _ahead_key(activity: Activity, item: ClassifyItem) -> AheadKey:
    return (activity.id, item.text, item.lang, frozenset(item.callouts))


def classify_ahead(stubs: list[Activity], classifier: Classifier, known: Classified) -> None:
    """Classify the activity stubs not yet in ``known`` into it, for :func:`classify_activities`."""
    items = [_item(a, classifier) for a in stubs]
    fresh = [(a, it) for a, it in zip(stubs, items, strict=True) if _ahead_key(a, it) not in known]
    if fresh:
        predicted = classifier.predict([it for _, it in fresh])
        known.update({_ahead_key(a, it): m for (a, it), m in zip(fresh, predicted, strict=True)})


def classify_activities(
    activities: list[Activity],
    classifier: Classifier,
    progress: Callable[[int], None] | None = None,
    ahead: Classified | None = None,
) -> None:
    """Attach mappings to each activity, in place. Callouts beside an activity count.

    Activities found in ``ahead`` (classified from their stubs) take those mappings.
    """
    ahead = ahead or {}
    todo: list[tuple[Activity, ClassifyItem]] = []
    for a in activities:
        item = _item(a, classifier)
        known = ahead.get(_ahead_key(a, item))
        if known is None:
            todo.append((a, item))
        else:
            a.mappings = known
    if progress and len(todo) < len(activities):
        progress(len(activities) - len(todo))
    if todo:
        predicted = classifier.predict([it for _, it in todo], progress=progress)
        for (activity, _), mappings in zip(todo, predicted, strict=True):
            activity.mappings = mappings


def analyze_document(doc: Document, classifier: Classifier | None) -> DocumentResult:
    activities = extract_activities(doc)
    if classifier is not None:
        classify_activities(activities, classifier)
    return DocumentResult(source=doc.source, document=doc, activities=activities)


def analyze_file(path: str | Path, *, classifier: Classifier | None = None) -> DocumentResult:
    """Read, lay out, extract and classify one file. Raises :class:`GcmalignError` on bad input."""
    classifier = classifier or Classifier()
    return analyze_document(read_document(path), classifier)


def analyze_text(
    text: str, *, source: str = "<text>", classifier: Classifier | None = None
) -> DocumentResult:
    """The same as :func:`analyze_file` for text already in memory."""
    classifier = classifier or Classifier()
    doc = layout_text(text, source=source, sha256=file_sha256(text.encode("utf-8")))
    return analyze_document(doc, classifier)


def analyze_paths(
    paths: Iterable[str | Path],
    *,
    classifier: Classifier | None,
    on_done: Callable[[DocumentResult], None] | None = None,
    on_classified: Callable[[int], None] | None = None,
    on_files: Callable[[int], None] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_memory_mb: int | None = DEFAULT_MAX_MEMORY_MB,
    workers: int | None = None,
    readers: Mapping[str, Reader] | None = None,
    options: dict | None = None,
) -> list[DocumentResult]:
    """Analyse many files and folders; a file that cannot be read is reported in its result.

    Folders are walked recursively (see :func:`gcmalign.batch.collect_files`); files are read
    in parallel worker processes (:func:`gcmalign.batch.read_files`), each with ``timeout``
    seconds and ``max_memory_mb`` of memory; each file's activities are classified here with
    ``classifier`` as soon as it is read, while the workers read the next files.

    ``on_done`` is called as each file is read (before its activities are classified),
    ``on_classified`` with the number of activities classified in each classifier batch,
    ``on_files`` with the number of files found once folders are walked; ``options`` go to the
    readers (e.g. ``{"lang": "fr"}``, the OCR languages). Results keep the order of ``paths``
    (folders expanded in sorted order; an empty folder's failure in its place).
    """
    entries = collect_files(paths, suffixes=document_suffixes(readers or ()))
    files = [e for e in entries if isinstance(e, Path)]
    if on_files:
        on_files(len(files))

    ahead: dict[str, Classified] = {}

    def laid_out(source: str, stubs: list[Activity]) -> None:
        # classified here while the worker extracts their fields (or reads the rest of the file:
        # a preview of its opening pages comes first, and its stubs are not classified twice)
        classify_ahead(stubs, classifier, ahead.setdefault(source, {}))  # type: ignore[arg-type]

    def read(result: DocumentResult) -> None:
        if on_done:
            on_done(result)
        done_ahead = ahead.pop(result.source, None)
        if classifier is not None and result.activities:
            classify_activities(result.activities, classifier, progress=on_classified, ahead=done_ahead)

    reads = iter(
        read_files(
            files,
            timeout=timeout,
            max_memory_mb=max_memory_mb,
            workers=workers,
            readers=readers,
            options=options,
            on_done=read,
            on_stubs=laid_out if classifier is not None else None,
        )
    )
    return [next(reads) if isinstance(e, Path) else e for e in entries]


def results_to_json(results: list[DocumentResult]) -> dict[str, Any]:
    return {"documents": [r.to_json() for r in results]}
