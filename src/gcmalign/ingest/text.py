"""Plain and OCR'd text: decode the bytes safely, then let the layout stage rebuild the structure."""

from __future__ import annotations

from pathlib import Path

from gcmalign.errors import InputError
from gcmalign.ingest.common import BOMS, file_sha256, read_bytes
from gcmalign.layout import layout_text
from gcmalign.model import Document

MAX_TEXT_BYTES = 50 * 1024 * 1024


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII text leaves a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _printable_ratio(text: str) -> float:
    if not text:
        return 0.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f")
    return ok / len(text)


def decode_text(data: bytes, source: str, *, preferred: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    Tries a BOM, UTF-16 without BOM, UTF-8, then Windows-1252 (a superset of Latin-1 in its
    printable range). Raises :class:`InputError` for empty or binary input.
    """
    if not data.strip():
        raise InputError(source, "empty file (no text to read)")
    encoding: str | None = None
    for bom, name in BOMS:
        if data.startswith(bom):
            encoding = name
            break
    encoding = encoding or _looks_like_utf16(data)
    if encoding is None and b"\x00" in data[:8192]:
        raise InputError(source, "binary file, not text (contains NUL bytes)")
    candidates = [encoding] if encoding else ["utf-8", "cp1252", "latin-1"]
    if preferred and not encoding and "16" not in preferred and "32" not in preferred:
        # a declared charset (an HTML page's) goes first; UTF-16/32 declared on bytes without a
        # BOM or NULs is a lie, and the printable check below passes over other wrong ones
        candidates.insert(0, preferred)
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _printable_ratio(text) < 0.95:
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise InputError(source, "empty file (no text to read)")
        return text, name
    raise InputError(source, "not readable as text in UTF-8, UTF-16 or Latin-1 (binary data?)")


def read_text(path: str | Path, *, options: dict | None = None) -> Document:
    """Read a plain or OCR'd text file into a laid-out :class:`Document`."""
    source = str(path)
    data = read_bytes(path, max_bytes=MAX_TEXT_BYTES)
    text, encoding = decode_text(data, source)
    doc = layout_text(text, source=source, sha256=file_sha256(data))
    if encoding not in ("utf-8", "utf-8-sig"):
        doc.warnings.append(f"decoded as {encoding}")
    return doc
