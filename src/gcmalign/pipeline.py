"""The pipeline: ingest -> layout -> extract -> classify, as plain functions over plain data.

The CLI, the web app and library users all call these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gcmalign.classify import Classifier, ClassifyItem
from gcmalign.errors import GcmalignError
from gcmalign.extract import extract_activities
from gcmalign.ingest import read_document
from gcmalign.ingest.common import file_sha256
from gcmalign.layout import layout_text
from gcmalign.model import Activity, Document


@dataclass
class DocumentResult:
    """A document with its activities; ``error`` is set when it could not be read."""

    source: str
    document: Document | None = None
    activities: list[Activity] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        doc = self.document
        if doc is None:
            return {"source": self.source, "error": self.error}
        return {
            "source": doc.source,
            "sha256": doc.sha256,
            "pages": len(doc.pages),
            "language": doc.language,
            "title": doc.title,
            "warnings": doc.warnings,
            "callouts": [c.to_json() for c in doc.callouts],
            "activities": [a.to_json() for a in self.activities],
        }


def classify_activities(activities: list[Activity], classifier: Classifier) -> None:
    """Attach mappings to each activity, in place. Callouts beside an activity count."""
    items = [
        ClassifyItem(
            text=a.text,
            lang=a.language,
            callouts={c.target for c in a.callouts if c.target and c.framework == classifier.framework.id},
        )
        for a in activities
    ]
    for activity, mappings in zip(activities, classifier.predict(items), strict=True):
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
) -> list[DocumentResult]:
    """Analyse many files; a file that cannot be read is reported in its result, not raised."""
    results = []
    for path in paths:
        try:
            result = analyze_document(read_document(path), classifier)
        except GcmalignError as exc:
            result = DocumentResult(source=str(path), error=str(exc))
        results.append(result)
        if on_done:
            on_done(result)
    return results


def results_to_json(results: list[DocumentResult]) -> dict[str, Any]:
    return {"documents": [r.to_json() for r in results]}
