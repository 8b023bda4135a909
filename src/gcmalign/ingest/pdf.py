"""PDF files with a text layer, through PyMuPDF.

The text of each page comes from ``page.get_text("dict")`` (blocks, lines, spans with their
boxes, sizes and fonts); ``pdf_layout`` gives each block a role (running header or footer,
footnote, margin callout, heading, list of links, body) and the reading order (one or two
columns), and groups body lines into paragraphs that may cross columns and pages. This module
opens and checks the file, attaches links (link annotations by position, printed URLs, pages'
lists of URLs by :func:`assign_links`) and identifies the framework target a callout quotes.
A page without a text layer but with an image (a scan) is OCR'd by Tesseract (``ocr.py``)
and its words go through the same layout; a document with no text even after OCR is refused.
Ruled tables (``pdf_tables``) are read row by row: each row one block, its cells joined with `` | ``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

from rapidfuzz import fuzz

from gcmalign.errors import InputError
from gcmalign.frameworks import load_framework
from gcmalign.ingest.common import file_sha256, read_bytes
from gcmalign.ingest.ocr import MAX_OCR_SECONDS
from gcmalign.ingest.pdf_layout import (
    URL,
    PageInfo,
    PBlock,
    PLine,
    classify_blocks,
    group_paragraphs,
    order_blocks,
    page_lines,
    union,
)
from gcmalign.ingest.pdf_tables import TableReader, row_text, with_tables
from gcmalign.layout import finish_document
from gcmalign.layout.callouts import TitleRef, title_refs
from gcmalign.layout.links import assign_links
from gcmalign.layout.repair import join_lines
from gcmalign.model import Block, Callout, Document, Page
from gcmalign.textutil import fold

MAX_PDF_BYTES = 100 * 1024 * 1024
MAX_PAGES = 2000
# A preview (``options["preview"]``) reads the opening half of a document of at least this
# many pages, and never OCRs: a first look at its activities, classified while the whole
# document is read (see ``gcmalign.batch``).
PREVIEW_MIN_PAGES = 16
MAX_SECONDS = 60.0
CALLOUT_THRESHOLD = 0.8
# Even a compressed empty page costs about 10 bytes, an object at least 2; fewer is a lie.
MIN_BYTES_PER_PAGE = 8
MIN_BYTES_PER_OBJECT = 2
# MuPDF's page map gives up past 256 levels and falls back to a lookup that grows with the square of
# the depth (seconds a page at 100,000 levels); real page trees are a few levels deep.
MAX_TREE_DEPTH = 256
# The page content streams may decompress to this much, or this many times the file's size if more:
# a 1 GB stream of zeros (a few KB compressed) takes MuPDF 15 s to get through.
MIN_CONTENT_BUDGET = 128 * 1024 * 1024
CONTENT_BUDGET_RATIO = 20
# Signs in MuPDF's warnings or errors of a file built to defeat it, most specific first, and the
# reason to give ("limit error" is how MuPDF words every limit it enforces).
HOSTILE = {
    "stack overflow": "objects nested too deeply to read",
    "too many indirections": "references chained too deeply to follow",
    "compression bomb": "a stream decompresses to an absurd size",
    "limit error": "exceeds the PDF reader's limits",
}
_REFS: list[TitleRef] | None = None


def _refs() -> list[TitleRef]:
    global _REFS
    if _REFS is None:
        _REFS = title_refs([load_framework("gcm")])
    return _REFS


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w&]+", " ", fold(text)).split())


def identify_callout(text: str, refs: list[TitleRef]) -> tuple[TitleRef | None, float]:
    """The framework title a callout quotes, and how well it matches (0..1).

    A short fragment only counts in proportion to how much of the title it covers, so
    "migrants" alone matches nothing.
    """
    quote = _norm(text)
    if not quote:
        return None, 0.0
    best: tuple[TitleRef | None, float] = (None, 0.0)
    for ref in refs:
        title = _norm(ref.text)
        if not title:
            continue
        cover = min(1.0, len(quote) / (0.6 * len(title)))
        score = cover * max(fuzz.partial_ratio(quote, title), fuzz.token_set_ratio(quote, title)) / 100
        if score > best[1]:
            best = (ref, score)
    return best if best[1] >= CALLOUT_THRESHOLD else (None, best[1])


def _open(data: bytes, source: str):
    import pymupdf

    if not data.strip():
        raise InputError(source, "empty file (no PDF to read)")
    if b"%PDF-" not in data[:1024]:
        raise InputError(source, "not a PDF (no %PDF header)")
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    pymupdf.TOOLS.reset_mupdf_warnings()  # _check reads those of this file
    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise InputError(source, f"corrupt or truncated PDF ({exc})") from exc
    try:
        _check(pdf, source, len(data))
    except BaseException:
        pdf.close()
        raise
    return pdf


def _check(pdf, source: str, size: int) -> None:
    """Refuse encrypted PDFs, counts the file's size cannot hold, and hostile object graphs."""
    import pymupdf

    if pdf.needs_pass:
        raise InputError(source, "encrypted PDF (a password is needed)")
    try:
        pages, objects = pdf.page_count, pdf.xref_length()
    except Exception as exc:
        raise InputError(source, _claimed_pages(pdf, size) or f"corrupt or truncated PDF ({exc})") from exc
    if pages > max(100, size // MIN_BYTES_PER_PAGE):
        raise InputError(source, f"claims {pages} pages in a {size}-byte file")
    if objects > max(10_000, size // MIN_BYTES_PER_OBJECT):
        raise InputError(source, f"claims {objects} objects in a {size}-byte file")
    try:
        _check_page_tree(pdf, source, max(MIN_CONTENT_BUDGET, CONTENT_BUDGET_RATIO * size))
    except InputError:
        raise
    except Exception as exc:  # a broken page tree: MuPDF reads what it can, unless it is hostile
        _refuse_hostile(source, _error_text(exc))
    _refuse_hostile(source, pymupdf.TOOLS.mupdf_warnings())
    if pages == 0:
        raise InputError(source, "no pages (an empty, truncated or corrupt PDF)")


def _claimed_pages(pdf, size: int) -> str | None:
    """Why MuPDF refused the page count, when it is the count written in the file that is absurd."""
    try:
        kind, value = pdf.xref_get_key(-1, "Root/Pages/Count")
        claimed = int(value) if kind == "int" else 0
    except Exception:
        return None
    if claimed > max(100, size // MIN_BYTES_PER_PAGE):
        return f"claims {claimed} pages in a {size}-byte file"
    return None


def _error_text(exc: Exception) -> str:
    """A MuPDF error's message, worded as in MuPDF's warnings."""
    from pymupdf import mupdf

    return f"limit error: {exc}" if isinstance(exc, mupdf.FzErrorLimit) else str(exc)


def _refuse_hostile(source: str, text: str) -> None:
    """Raise if MuPDF's ``text`` (an error or its warnings) shows a file built to defeat it."""
    lowered = text.lower()
    for sign, reason in HOSTILE.items():
        if sign in lowered:
            raise InputError(source, f"{reason} (a malformed or hostile PDF)")


def _check_page_tree(pdf, source: str, budget: int) -> None:
    """Refuse a page tree deeper than MAX_TREE_DEPTH, or whose first MAX_PAGES pages' content
    decompresses to more than ``budget`` bytes."""
    from pymupdf import mupdf

    doc = mupdf.pdf_document_from_fz_document(pdf.this)
    root = mupdf.pdf_dict_getp(mupdf.pdf_trailer(doc), "Root/Pages")
    left = budget
    for index, page in enumerate(_pages(mupdf, root, source)):
        if index == MAX_PAGES:
            break
        try:
            left -= _content_size(mupdf, mupdf.pdf_dict_gets(page, "Contents"), left)
        except Exception as exc:  # a broken stream: MuPDF skips it too, unless it is hostile
            _refuse_hostile(source, _error_text(exc))
        if left < 0:
            problem = f"page content decompresses to more than {budget >> 20} MB (by page {index + 1})"
            raise InputError(source, problem)


def _pages(mupdf, root, source: str) -> Iterator:
    """The page tree's leaves in order, each node once, walked with a stack no deeper than the tree."""
    seen: set[int] = set()
    frames: list[list] = []  # [kids array, its length, next index, depth of the kids]
    node, depth = root, 1
    while True:
        number = mupdf.pdf_to_num(node)
        if depth > MAX_TREE_DEPTH:
            raise InputError(source, f"page tree nested more than {MAX_TREE_DEPTH} levels deep")
        if not number or number not in seen:  # else a loop, which MuPDF breaks too
            seen.add(number)
            kids = mupdf.pdf_dict_gets(node, "Kids")
            if mupdf.pdf_is_array(kids):
                frames.append([kids, mupdf.pdf_array_len(kids), 0, depth + 1])
            else:
                yield node
        while frames and frames[-1][2] >= frames[-1][1]:
            frames.pop()
        if not frames:
            return
        frame = frames[-1]
        node, depth = mupdf.pdf_array_get(frame[0], frame[2]), frame[3]
        frame[2] += 1


def _content_size(mupdf, contents, limit: int) -> int:
    """Decompressed size of a page's content streams, reading at most ``limit`` + 1 bytes."""
    streams = (
        (mupdf.pdf_array_get(contents, i) for i in range(mupdf.pdf_array_len(contents)))
        if mupdf.pdf_is_array(contents)
        else [contents]
    )
    total = 0
    for stream in streams:
        if total > limit:
            break
        if mupdf.pdf_is_stream(stream):
            total += mupdf.fz_skip(mupdf.pdf_open_stream(stream), limit + 1 - total)
    return total


def _read_pages(
    pdf,
    source: str,
    warnings: list[str],
    options: dict | None = None,
    max_ocr_seconds: float | None = MAX_OCR_SECONDS,
) -> tuple[list[PageInfo], dict[int, list], int]:
    import pymupdf

    from gcmalign.ingest import ocr

    flags = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_LIGATURES & ~pymupdf.TEXT_PRESERVE_IMAGES
    started = time.monotonic()
    tables = TableReader(flags)
    pages: list[PageInfo] = []
    links: dict[int, list] = {}
    ocr_done, ocr_seconds = 0, 0.0
    tessdata: str | None = None
    try:
        languages = ocr.tesseract_langs((options or {}).get("lang"))
    except ValueError as exc:
        raise InputError(source, str(exc)) from None
    last = min(pdf.page_count, MAX_PAGES)
    preview = bool((options or {}).get("preview"))
    if preview:
        if pdf.page_count < PREVIEW_MIN_PAGES:
            raise InputError(source, f"too short to preview ({pdf.page_count} pages)")
        last //= 2
    elif pdf.page_count > MAX_PAGES:
        warnings.append(f"only the first {MAX_PAGES} of {pdf.page_count} pages were read")
    for index in range(last):
        if time.monotonic() - started - ocr_seconds > MAX_SECONDS:  # OCR has the file's time limit
            raise InputError(
                source, f"gave up after {MAX_SECONDS:.0f} s at page {index + 1} (too slow to read)"
            )
        try:
            page = pdf.load_page(index)
            raw = page.get_text("dict", flags=flags, sort=False)
            if ocr.needs_ocr(page, raw):
                if preview:
                    raise InputError(source, "a preview does not OCR")
                tessdata = tessdata or ocr.tessdata_for(source, languages)
                ocr_started = time.monotonic()
                left = None if max_ocr_seconds is None else max_ocr_seconds - ocr_seconds
                try:
                    raw = ocr.ocr_page(
                        page, languages=languages, tessdata=tessdata, dpi=ocr.ocr_dpi(page), timeout=left
                    )
                except ocr.OcrTimeout:
                    raise InputError(
                        source, f"OCR took longer than {max_ocr_seconds:g} s (stopped at page {index + 1})"
                    ) from None
                finally:  # a page Tesseract failed on took time too
                    ocr_seconds += time.monotonic() - ocr_started
                ocr_done += 1
            links[index + 1] = [
                (tuple(link["from"]), link["uri"])
                for link in page.get_links()
                if link.get("kind") == pymupdf.LINK_URI and link.get("uri")
            ]
            rect = page.rect
            blocks = with_tables(page_lines(raw, index + 1), tables.read(page, warnings), index + 1)
        except InputError:
            raise
        except Exception as exc:
            if index == 0 and pdf.page_count == 1:
                raise InputError(source, f"corrupt or truncated PDF ({exc})") from exc
            warnings.append(f"page {index + 1} could not be read ({exc})")
            continue
        pages.append(PageInfo(index + 1, rect.width, rect.height, blocks))
    return pages, links, ocr_done


def _join(lines: list[PLine], known_hyphenated: set[str]) -> str:
    """The text of a paragraph's lines, or of a table row (its cells joined with `` | ``)."""
    if len(lines) == 1 and lines[0].cells is not None:
        return row_text(lines[0].cells, known_hyphenated)
    return join_lines([x.text for x in lines], known_hyphenated)


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _urls(text: str) -> list[str]:
    return [m.group().rstrip(".,;:") for m in URL.finditer(text)]


def _add_link(block: Block, url: str) -> None:
    if url not in block.links:
        block.links.append(url)


def read_pdf(
    path: str | Path, *, options: dict | None = None, max_ocr_seconds: float | None = MAX_OCR_SECONDS
) -> Document:
    """Read a PDF into a :class:`Document` (pages without a text layer are OCR'd).

    ``options["lang"]``: the OCR languages, "en", "fr" or "en+fr" (the default).
    ``options["preview"]``: read only the opening half of the pages, without OCR (InputError
    for a document shorter than :data:`PREVIEW_MIN_PAGES` or one that needs OCR).
    ``max_ocr_seconds``: OCR of the whole file past this raises InputError (None: no limit).
    """
    data = read_bytes(path, max_bytes=MAX_PDF_BYTES)
    return read_pdf_data(data, str(path), options=options, max_ocr_seconds=max_ocr_seconds)


def read_pdf_data(
    data: bytes,
    source: str,
    *,
    sha256: str | None = None,
    options: dict | None = None,
    max_ocr_seconds: float | None = MAX_OCR_SECONDS,
) -> Document:
    """Read a PDF held in ``data``; ``source`` names it in messages, ``sha256`` overrides its hash."""
    pdf = _open(data, source)
    doc = Document(source=source, sha256=sha256 or file_sha256(data))
    try:
        infos, page_links, ocr_done = _read_pages(pdf, source, doc.warnings, options, max_ocr_seconds)
        title = (pdf.metadata or {}).get("title") or ""
    finally:
        pdf.close()
    if not any(ln.text.strip() for info in infos for b in info.blocks for ln in b.lines):
        if ocr_done:
            raise InputError(source, "no text layer, and OCR found no text (a blank or unreadable scan)")
        raise InputError(source, "no text layer and no scanned image to OCR (a blank PDF)")

    classify_blocks(infos)
    ordered = {info.number: order_blocks(info) for info in infos}
    body_lines: list[PLine] = []
    for info in infos:
        for block in ordered[info.number]:
            if block.role == "body":
                body_lines.extend(ln for ln in block.lines if ln.role == "body")
    all_text = " ".join(ln.text for ln in body_lines)
    known_hyphenated = {w.lower() for w in re.findall(r"\b[^\W\d_]+-[^\W\d_]+\b", all_text)}
    paragraphs = group_paragraphs(body_lines)
    first_line = {id(p[0]): p for p in paragraphs}
    fragments: dict[int, list[PLine]] = {}  # id(Block) -> its lines

    pages = {info.number: Page(number=info.number) for info in infos}
    raw_blocks: dict[int, list[tuple[PBlock, Block]]] = {info.number: [] for info in infos}
    for info in infos:
        page = pages[info.number]
        heads = [ln for b in info.blocks for ln in b.lines if ln.role in ("header", "footer")]
        for ln in sorted(heads, key=lambda ln: ln.bbox[1]):
            if ln.role == "header":
                page.blocks.append(Block("header", ln.text, info.number, bbox=ln.bbox))
        for pb in ordered[info.number]:
            if pb.role == "head":
                continue
            lines = [ln for ln in pb.lines if ln.role == pb.role]
            if pb.role == "body":
                for ln in lines:
                    para = first_line.get(id(ln))
                    if para is None:
                        continue
                    text = _join(para, known_hyphenated)
                    here = [x for x in para if x.page == ln.page]
                    block = Block("body", text, ln.page, bbox=union(x.bbox for x in here))
                    for url in _urls(text):
                        _add_link(block, url)
                    fragments[id(block)] = para
                    page.blocks.append(block)
                continue
            text = "\n".join(_urls(pb.text)) if pb.role == "links" else _join(lines, known_hyphenated)
            block = Block(pb.role, text, info.number, bbox=pb.bbox)  # type: ignore[arg-type]
            page.blocks.append(block)
            raw_blocks[info.number].append((pb, block))
        for ln in sorted(heads, key=lambda ln: ln.bbox[1]):
            if ln.role == "footer":
                page.blocks.append(Block("footer", ln.text, info.number, bbox=ln.bbox))
    doc.pages = [pages[info.number] for info in infos]
    if not doc.body_blocks and not any(b.kind == "heading" for p in doc.pages for b in p.blocks):
        raise InputError(source, "no body text found (only running headers, footers or notes)")

    body = doc.body_blocks
    on_page: dict[int, list[tuple[int, Block, list[PLine]]]] = {}
    for index, block in enumerate(body):
        for page_no in sorted({ln.page for ln in fragments[id(block)]}):
            lines = [ln for ln in fragments[id(block)] if ln.page == page_no]
            on_page.setdefault(page_no, []).append((index, block, lines))

    # Link annotations: on the body paragraph whose lines they overlap most.
    for page_no, annots in page_links.items():
        for rect, uri in annots:
            scored = [
                (sum(_overlap(rect, ln.bbox) for ln in lines), block)
                for _, block, lines in on_page.get(page_no, [])
            ]
            scored = [s for s in scored if s[0] > 0]
            if scored:
                _add_link(max(scored, key=lambda s: s[0])[1], uri)

    # A page's list of URLs: placed on the page's paragraphs by their words.
    all_texts = [b.text for b in body]
    for page in doc.pages:
        page_body = [block for _, block, _ in on_page.get(page.number, [])]
        for link_block in (b for b in page.blocks if b.kind == "links"):
            urls = link_block.text.split("\n")
            if not page_body or not urls:
                continue
            for url, target in zip(
                urls, assign_links(urls, [b.text for b in page_body], all_texts), strict=True
            ):
                _add_link(page_body[target], url)

    # Callouts: the title each quotes, and the paragraph it stands beside.
    refs = _refs()
    for page in doc.pages:
        for block in (b for b in page.blocks if b.kind == "callout"):
            ref, score = identify_callout(block.text, refs)
            if ref is None:
                continue
            doc.callouts.append(
                Callout(
                    page=page.number,
                    text=block.text,
                    framework=ref.framework,
                    target=ref.target,
                    score=score,
                    beside=_beside(block.bbox, on_page.get(page.number, [])),
                )
            )

    if title.strip() and not title.lower().startswith(("microsoft word", "untitled")):
        doc.title = " ".join(title.split())
    return finish_document(doc)


def _beside(bbox, candidates: list[tuple[int, Block, list[PLine]]]) -> int | None:
    """The body paragraph nearest the callout vertically (then horizontally)."""
    best = None
    for index, _, lines in candidates:
        box = union(ln.bbox for ln in lines)
        dy = max(0.0, box[1] - bbox[3], bbox[1] - box[3])
        dx = max(0.0, box[0] - bbox[2], bbox[0] - box[2])
        shared = min(box[3], bbox[3]) - max(box[1], bbox[1])
        key = (dy, -shared, dx)
        if best is None or key < best[0]:
            best = (key, index)
    return best[1] if best else None
