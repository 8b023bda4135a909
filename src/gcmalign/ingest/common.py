"""Helpers every reader shares: safe file reading and hashing."""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterable
from pathlib import Path

from gcmalign.errors import InputError

# Byte-order marks and the codec each one means, longest first (UTF-32 LE starts like UTF-16 LE).
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: str | Path, *, max_bytes: int) -> bytes:
    """Read a whole file, refusing directories, missing files and files over ``max_bytes``."""
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(source, "no such file")
    if p.is_dir():
        raise InputError(source, "is a directory, not a file")
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(source, f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB)")
    try:
        return p.read_bytes()
    except PermissionError as exc:
        raise InputError(source, "permission denied") from exc
    except OSError as exc:
        raise InputError(source, f"cannot be read ({exc.strerror or exc})") from exc


def source_links(urls: Iterable[str | None]) -> list[str]:
    """Distinct link targets in first-seen order: no blanks, in-page anchors, script or data URLs."""
    out: list[str] = []
    for url in urls:
        url = (url or "").strip()
        if not url or url.startswith("#") or url.lower().startswith(("javascript:", "data:")):
            continue
        if url not in out:
            out.append(url)
    return out


def squash(text: str) -> str:
    """Runs of whitespace (newlines and tabs included) as one space, none at the ends."""
    return " ".join(text.split())
