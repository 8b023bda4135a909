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


def _ahead_key(activity: Activity, classifier: Classifier) -> AheadKey:
    item = _item(activity, classifier)
    return (activity.id, item.text, item.lang, frozenset(item.callouts))


def classify_ahead(stubs: list[Activity], classifier: Classifier) -> Classified:
    """The mappings of activity stubs, for :func:`classify_activities` to use later."""
    predicted = classifier.predict([_item(a, classifier) for a in stubs])
    return {_ahead_key(a, classifier): m for a, m in zip(stubs, predicted, strict=True)}


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
    todo = []
    for a in activities:
        known = ahead.get(_ahead_key(a, classifier))
        if known is None:
            todo.append(a)
        else:
            a.mappings = known
    if progress and len(todo) < len(activities):
        progress(len(activities) - len(todo))
    if todo:
        items = [_item(a, classifier) for a in todo]
        for activity, mappings in zip(todo, classifier.predict(items, progress=progress), strict=True):
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
        known = ahead.setdefault(source, {})
        fresh = [s for s in stubs if _ahead_key(s, classifier) not in known]  # type: ignore[arg-type]
        if fresh:
            known.update(classify_ahead(fresh, classifier))  # type: ignore[arg-type]

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
