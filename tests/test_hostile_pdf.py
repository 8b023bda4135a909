"""Hostile PDFs: bombs of nested objects, of decompression and of page counts each end, through
the command, in one line naming the file and the reason, quickly, alone or beside good files.

The files are written byte by byte, so that they are exactly as hostile as meant (PyMuPDF would
repair or refuse to write most of them).
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from gcmalign import batch

TEXT = b"BT /F1 12 Tf 72 720 Td (In March 2019, a workshop on migration statistics was held in Dakar.) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
RESOURCES = b"/Resources << /Font << /F1 5 0 R >> >>"
GB = 1 << 30


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table; ``objects[0]`` is object 1, the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, keys: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), keys, data)


def _page(parent: bytes = b"2 0 R", resources: bytes = RESOURCES, contents: bytes = b"4 0 R") -> bytes:
    box = b"/MediaBox [0 0 612 792]"
    return b"<< /Type /Page /Parent %s %s %s /Contents %s >>" % (parent, box, resources, contents)


def _one_page(page: bytes = _page(), contents: bytes = _stream(TEXT), catalog: bytes = CATALOG) -> bytes:
    """Objects 1-5: catalog, page tree root, its one page, the page's content, the font."""
    return _pdf([catalog, PAGES, page, contents, FONT])


def _zeros(total: int) -> bytes:
    """A zlib stream of ``total`` zero bytes (a multiple of 1 MiB), made in milliseconds: one
    compressed MiB ends with a full flush, so that it can be repeated."""
    mib = 1 << 20
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = deflate.compress(bytes(mib)) + deflate.flush(zlib.Z_FULL_FLUSH)
    adler = (total % 65521) << 16 | 1  # the Adler-32 of zeros
    return b"\x78\xda" + unit * (total // mib) + deflate.flush() + adler.to_bytes(4, "big")


def _flate_bomb(total: int, twice: bool) -> bytes:
    """One page whose content stream inflates to ``total`` zeros (1 MB a GB once, 2 KB twice)."""
    data, filters = _zeros(total), b"/FlateDecode"
    if twice:
        data, filters = zlib.compress(data, 9), b"[/FlateDecode /FlateDecode]"
    return _one_page(contents=_stream(data, b"/Filter " + filters))


def nested_arrays() -> bytes:
    depth = 50_000
    return _one_page(catalog=b"<< /Type /Catalog /Pages 2 0 R /Junk %s%s >>" % (b"[" * depth, b"]" * depth))


def nested_dicts() -> bytes:
    depth = 50_000
    junk = b"<< /A " * depth + b"1" + b" >>" * depth
    return _one_page(page=_page(resources=b"/Resources << /Font << /F1 5 0 R >> /Junk %s >>" % junk))


def reference_chain() -> bytes:
    """The page's content is object 6, which is object 7, ... which is the stream at the end."""
    length = 5_000
    chain = [b"%d 0 R" % (7 + k) for k in range(length)]
    return _pdf([CATALOG, PAGES, _page(contents=b"6 0 R"), b"null", FONT, *chain, _stream(TEXT)])


def deep_page_tree() -> bytes:
    """Pages nodes 6, 7, ... nested 5,000 deep under the root, the one page at the bottom."""
    depth = 5_000
    nodes = [b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>"]
    for number in range(6, 6 + depth):
        kid = number + 1 if number < 5 + depth else 3
        parent = number - 1 if number > 6 else 2
        nodes.append(b"<< /Type /Pages /Parent %d 0 R /Kids [%d 0 R] /Count 1 >>" % (parent, kid))
    page = _page(parent=b"%d 0 R" % (5 + depth))
    return _pdf([CATALOG, nodes[0], page, _stream(TEXT), FONT, *nodes[1:]])


def absurd_page_count() -> bytes:
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>"
    return _pdf([CATALOG, pages, _page(), _stream(TEXT), FONT])


def flate_bomb_once() -> bytes:
    return _flate_bomb(GB, twice=False)


def flate_bomb_twice() -> bytes:
    return _flate_bomb(GB, twice=True)


def graphics_state_bomb() -> bytes:
    """A content stream of half a million ``q`` (save the graphics state), in 2 KB."""
    return _one_page(contents=_stream(zlib.compress(b"q " * (1 << 19), 9), b"/Filter /FlateDecode"))


def form_bomb(total: int = 8 * GB) -> bytes:
    """The page draws a form whose content inflates to ``total`` zeros: the content checks do not
    look into forms, so only the time limit stops MuPDF (a minute or so to read it)."""
    form = _stream(
        zlib.compress(_zeros(total), 9),
        b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Filter [/FlateDecode /FlateDecode]",
    )
    resources = b"/Resources << /Font << /F1 5 0 R >> /XObject << /X0 6 0 R >> >>"
    return _pdf([CATALOG, PAGES, _page(resources=resources), _stream(TEXT + b" /X0 Do"), FONT, form])


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "nested-arrays.pdf": (nested_arrays, "objects nested too deeply"),
    "nested-dicts.pdf": (nested_dicts, "objects nested too deeply"),
    "reference-chain.pdf": (reference_chain, "references chained too deeply"),
    "deep-page-tree.pdf": (deep_page_tree, "page tree nested more than 256 levels deep"),
    "absurd-page-count.pdf": (absurd_page_count, "claims 2000000000 pages in a"),
    "flate-bomb-once.pdf": (flate_bomb_once, "page content decompresses to more than 128 MB"),
    "flate-bomb-twice.pdf": (flate_bomb_twice, "page content decompresses to more than 128 MB"),
    "graphics-state-bomb.pdf": (graphics_state_bomb, "too many nested graphics states"),
}


def _run(*args):
    from typer.testing import CliRunner

    from gcmalign.cli import app

    return CliRunner().invoke(app, ["analyze", *map(str, args), "--no-embeddings"])


def _alone(path: Path, timeout: str) -> tuple[list[str], float]:
    """The CLI on ``path`` alone: its non-blank output lines (after checking it failed), its time."""
    start = time.monotonic()
    result = _run(path, "--timeout", timeout)
    elapsed = time.monotonic() - start
    assert result.exit_code == 1, result.output
    return [ln for ln in result.output.splitlines() if ln.strip()], elapsed


def _good_pdf(path: Path) -> Path:
    path.write_bytes(_one_page())
    return path


def test_the_bombs_are_small_and_the_good_page_reads(tmp_path):
    from gcmalign.ingest.pdf import read_pdf

    for name, (make, _) in HOSTILE.items():
        assert len(make()) < 2_000_000, name
    assert len(form_bomb()) < 100_000
    assert zlib.decompress(_zeros(64 << 20)) == bytes(64 << 20)
    doc = read_pdf(_good_pdf(tmp_path / "good.pdf"))
    assert "workshop on migration statistics" in doc.body_blocks[0].text


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_pdf_alone_fails_in_one_line(tmp_path, name):
    make, reason = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    lines, elapsed = _alone(path, "20")
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and reason in lines[0], lines[0]
    assert elapsed < 10, elapsed  # each is refused in about a second


def test_form_bomb_alone_is_stopped_by_the_time_limit(tmp_path, monkeypatch):
    # MuPDF reads the form in one long C call, which the worker's alarm cannot interrupt: the
    # parent kills the worker, also when the bomb is the only file.
    monkeypatch.setattr(batch, "HARD_KILL_GRACE", 0.5)
    path = tmp_path / "form-bomb.pdf"
    path.write_bytes(form_bomb())
    lines, elapsed = _alone(path, "1")
    assert lines == [f"gcmalign: error: {path}: stopped after the time limit (1 s)"], lines
    assert elapsed < 10, elapsed


def test_hostile_pdfs_beside_good_files(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name, (make, _) in HOSTILE.items():
        (folder / name).write_bytes(make())
    _good_pdf(folder / "good.pdf")
    (folder / "good.txt").write_text(
        "In March 2019, the Coastal Migration Dialogue held a regional workshop in Dakar on the "
        "collection and sharing of migration statistics, with officials from Senegal and Gambia.\n",
        encoding="utf-8",
    )
    result = _run(folder, "--format", "json", "--timeout", "20")
    assert result.exit_code == 0, result.output
    documents = json.JSONDecoder().raw_decode(result.stdout[result.stdout.index("{") :])[0]["documents"]
    assert [Path(d["source"]).name for d in documents] == ["good.pdf", "good.txt"]
    assert all(d["activities"] for d in documents)
    summary = " ".join(result.output.split())
    n = len(HOSTILE) + 2
    assert f"read 2 of {n} files; skipped {n - 2}" in summary
    for name, (_, reason) in HOSTILE.items():
        assert re.search(re.escape(f"{folder / name}: ") + "[^;]*" + re.escape(reason), summary), name
