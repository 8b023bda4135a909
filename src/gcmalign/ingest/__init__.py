"""Readers, one per format, dispatched through one table.

Every reader has the signature ``read_x(path, *, options=None) -> Document``. Text, HTML, DOCX,
PDF and images are supported; PDF pages without a text layer and images are OCR'd (``ocr.py``,
``options["lang"]``: "en", "fr" or "en+fr").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from gcmalign.model import Document


@dataclass(frozen=True)
class Format:
    name: str
    module: str
    function: str
    suffixes: tuple[str, ...]


FORMATS: tuple[Format, ...] = (
    Format("text", "gcmalign.ingest.text", "read_text", (".txt", ".text", ".md", "")),
    Format("html", "gcmalign.ingest.html", "read_html", (".html", ".htm")),
    Format("docx", "gcmalign.ingest.docx", "read_docx", (".docx",)),
    Format("pdf", "gcmalign.ingest.pdf", "read_pdf", (".pdf",)),
    Format("image", "gcmalign.ingest.ocr", "read_image", (".png", ".jpg", ".jpeg", ".tif", ".tiff")),
)


def format_for(path: str | Path) -> Format | None:
    """The format of ``path`` by its suffix, or None for a suffix no reader lists."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt in FORMATS if suffix in fmt.suffixes), None)


def reader_for(path: str | Path) -> Callable[..., Document]:
    """The reader for ``path``, chosen by its suffix (text is the fallback for unknown ones)."""
    fmt = format_for(path)
    if fmt is None:
        return import_module("gcmalign.ingest.text").read_text
    return getattr(import_module(fmt.module), fmt.function)


def read_document(path: str | Path, *, options: dict | None = None) -> Document:
    """Read any supported file into a :class:`Document`."""
    return reader_for(path)(path, options=options)
