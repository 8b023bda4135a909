"""From raw lines to clean blocks: pages, callouts, paragraphs, headings and source links."""

from __future__ import annotations

import re
from itertools import groupby

from gcmalign.frameworks import Framework, load_framework
from gcmalign.lang import detect_language
from gcmalign.layout.callouts import extract_callouts, title_refs
from gcmalign.layout.lines import Line, is_junk_line, split_lines
from gcmalign.layout.links import assign_links
from gcmalign.layout.paragraphs import Paragraph, group_paragraphs, is_heading
from gcmalign.layout.repair import join_lines, repair_ocr, strip_trailing_debris
from gcmalign.model import Block, Callout, Document, Page

__all__ = ["finish_document", "layout_text"]


def _number_pages(lines: list[Line]) -> None:
    """A run of link lines closes a page (reports list each page's sources after its text)."""
    extra = 0
    in_links = False
    for line in lines:
        if line.is_link:
            in_links = True
        elif not line.blank and in_links:
            extra += 1
            in_links = False
        line.page += extra


def _clean_noise(lines: list[Line]) -> None:
    for line in lines:
        if line.removed or line.blank or line.is_link:
            continue
        if is_junk_line(line.raw):
            line.removed = True
            continue
        kept = strip_trailing_debris(line.body)
        if kept != line.body:
            line.keep_until = line.raw.find(kept) + len(kept) if kept else 0
            if not kept:
                line.removed = True


def _beside(callout_lines: list[int], lines: list[Line], paragraphs: list[Paragraph]) -> int | None:
    """Index of the paragraph a callout stands beside."""
    owner: dict[int, int] = {}
    for pi, para in enumerate(paragraphs):
        for line in para.lines:
            owner[line.index] = pi
    votes = [owner[li] for li in callout_lines if li in owner]
    if votes:
        return max(set(votes), key=votes.count)
    first, last = min(callout_lines), max(callout_lines)
    for pi, para in enumerate(paragraphs):
        if para.first < first < para.last:
            return pi
    page = lines[first].page
    after = [pi for pi, p in enumerate(paragraphs) if p.first > last and p.page == page]
    before = [pi for pi, p in enumerate(paragraphs) if p.last < first and p.page == page]
    if after:
        return after[0]
    return before[-1] if before else None


def layout_text(
    text: str,
    *,
    source: str,
    sha256: str,
    frameworks: list[Framework] | None = None,
) -> Document:
    """Rebuild pages, paragraphs, callouts and links from plain or OCR'd text."""
    frameworks = frameworks if frameworks is not None else [load_framework("gcm")]
    lines = split_lines(text)
    _number_pages(lines)
    refs = title_refs(frameworks)
    callouts: list[tuple[Callout, list[int]]] = []
    for _, page_lines in groupby(lines, key=lambda ln: ln.page):
        callouts.extend(extract_callouts(list(page_lines), refs))
    _clean_noise(lines)

    known_hyphenated = {w.lower() for w in re.findall(r"\b[^\W\d_]+-[^\W\d_]+\b", text)}
    doc = Document(source=source, sha256=sha256)
    paragraphs: list[Paragraph] = []
    for page_no, page_iter in groupby(lines, key=lambda ln: ln.page):
        page_lines = list(page_iter)
        page = Page(number=page_no)
        for para in group_paragraphs(page_lines):
            body = repair_ocr(join_lines(para.text_lines(), known_hyphenated))
            kind = "heading" if is_heading(body) else "body"
            page.blocks.append(Block(kind=kind, text=body, page=page_no))
            if kind == "body":
                paragraphs.append(para)
        links = [ln.raw.strip() for ln in page_lines if ln.is_link]
        if links:
            page.blocks.append(Block(kind="links", text="\n".join(links), page=page_no))
        doc.pages.append(page)

    body_blocks = doc.body_blocks
    all_texts = [b.text for b in body_blocks]
    for page in doc.pages:
        page_body = [b for b in page.blocks if b.kind == "body"]
        for link_block in (b for b in page.blocks if b.kind == "links"):
            urls = link_block.text.split("\n")
            placement = assign_links(urls, [b.text for b in page_body], all_texts)
            for url, target in zip(urls, placement, strict=True):
                page_body[target].links.append(url)

    for callout, line_ids in callouts:
        callout.beside = _beside(line_ids, lines, paragraphs)
    doc.callouts = [c for c, _ in callouts]

    return finish_document(doc)


def finish_document(doc: Document) -> Document:
    """Number the text of body and heading blocks into ``doc.text``; set title and languages.

    The document's language is that of its body text; each body, heading and footnote block
    gets its own.

    Every reader ends with this, so offsets and titles mean the same for every format.
    """
    pieces: list[str] = []
    offset = 0
    for page in doc.pages:
        for block in page.blocks:
            if block.kind in ("body", "heading", "footnote"):
                block.language = detect_language(block.text)
            if block.kind in ("body", "heading"):
                block.start, block.end = offset, offset + len(block.text)
                pieces.append(block.text)
                offset = block.end + 2
    doc.text = "\n\n".join(pieces)
    if doc.title is None:
        headings = []
        for block in doc.pages[0].blocks if doc.pages else []:
            if block.kind != "heading":
                break
            headings.append(block.text)
        doc.title = " ".join(headings) or None
    doc.language = detect_language(" ".join(b.text for b in doc.body_blocks))
    return doc
