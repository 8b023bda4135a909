"""The data that flows through the pipeline: plain dataclasses, no behaviour beyond helpers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["body", "callout", "links", "heading", "header", "footer", "footnote", "noise"]


@dataclass
class Block:
    """A run of text on one page with its role in the layout.

    ``start``/``end`` are character offsets into ``Document.text`` for body blocks (the
    cleaned text the activities are cut from); other kinds keep their raw text only.
    ``language`` is set for body, heading and footnote blocks (a report may mix languages).
    """

    kind: BlockKind
    text: str
    page: int
    start: int = -1
    end: int = -1
    links: list[str] = field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = None
    language: str | None = None


@dataclass
class Callout:
    """A margin quote of a framework target (e.g. a GCM objective title) found beside the body."""

    page: int
    text: str
    framework: str | None = None
    target: str | None = None
    score: float = 0.0
    beside: int | None = None  # index of the body block (paragraph) it stands beside

    def to_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "text": self.text,
            "framework": self.framework,
            "target": self.target,
            "score": round(self.score, 3),
        }


@dataclass
class Page:
    number: int  # 1-based
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """A document after ingestion and layout: its clean text and its blocks."""

    source: str
    sha256: str
    text: str = ""
    pages: list[Page] = field(default_factory=list)
    callouts: list[Callout] = field(default_factory=list)
    language: str = "en"
    title: str | None = None
    date: str | None = None  # publication date from the document's metadata, ISO 8601
    warnings: list[str] = field(default_factory=list)

    @property
    def body_blocks(self) -> list[Block]:
        return [b for p in self.pages for b in p.blocks if b.kind == "body"]


@dataclass
class Evidence:
    """A sentence that supports a mapping, with its offsets in the activity text."""

    text: str
    start: int
    end: int


@dataclass
class Mapping:
    """One activity mapped to one framework target."""

    framework: str
    target: str
    label: str
    score: float
    predicted: bool
    evidence: Evidence | None = None
    actions: list[str] = field(default_factory=list)
    method: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "target": self.target,
            "label": self.label,
            "score": round(self.score, 4),
            "predicted": self.predicted,
            "evidence": self.evidence.text if self.evidence else None,
            "evidence_start": self.evidence.start if self.evidence else None,
            "evidence_end": self.evidence.end if self.evidence else None,
            "actions": self.actions,
            "method": self.method,
        }


@dataclass
class Activity:
    """An activity paragraph with the fields extracted from it."""

    id: str
    page: int
    text: str
    start: int
    end: int
    years: list[int] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    callouts: list[Callout] = field(default_factory=list)
    language: str = "en"
    mappings: list[Mapping] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("callouts")
        data["mappings"] = [m.to_json() for m in self.mappings]
        return data


@dataclass
class DocumentResult:
    """A document with its activities (classified or not yet); ``error`` is set when it could not be read."""

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
            "date": doc.date,
            "warnings": doc.warnings,
            "callouts": [c.to_json() for c in doc.callouts],
            "activities": [a.to_json() for a in self.activities],
        }
