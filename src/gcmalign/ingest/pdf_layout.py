"""Page geometry for the PDF reader: lines with their style, roles, columns, reading order, paragraphs.

Works on plain records built from PyMuPDF's ``page.get_text("dict")`` so it can be tested
without a PDF. Roles are decided per PyMuPDF block (running headers and footers per line):

* ``header``/``footer``: a line near the top or bottom whose text, digits replaced by ``#``,
  recurs on at least half the pages (and on two at least), or a lone page number there;
* ``footnote``: a small-font block in the lower part of the page that starts with a number;
* ``links``: a block made only of URLs;
* ``callout``: a short block outside the main text band (a margin note), or set apart by its
  style (italic, in a vivid colour, clearly larger than the body);
* ``heading``: a short block, bold or larger than the body, without final punctuation;
* ``body``: everything else, grouped into paragraphs across blocks, columns and pages.

A row of a ruled table (``pdf_tables``) comes as one line with its ``cells``, alone in its block:
it is a paragraph of its own, ``body`` (``heading`` for a table's first row of column titles), and
never a running header or footer, nor part of the main text band.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from gcmalign.layout.paragraphs import ends_sentence

EDGE_SHARE = 0.12  # top and bottom share of the page where running heads live
FOOTNOTE_ZONE = 0.55  # footnotes start below this share of the page height
MAX_CALLOUT_WORDS = 60
MAX_STYLED_CALLOUT_WORDS = 40
RARE_STYLE_SHARE = 0.15
MAX_HEADING_WORDS = 20
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-•▪◦·*–]|\[?\d{1,3}[.)\]]?)$")
_PAGE_NUMBER = re.compile(r"^\W*(?:page|p\.)?\s*\d{1,4}(?:\s*(?:of|/|sur|de)\s*\d{1,4})?\W*$", re.IGNORECASE)
_FOOTNOTE_START = re.compile(r"^\s*(?:\d{1,3}|[*†‡])(?:\s|[.)]|(?=[A-Za-zÀ-ÿ]))")


@dataclass
class PLine:
    page: int  # 1-based
    block: int  # PyMuPDF block number on the page
    text: str
    bbox: tuple[float, float, float, float]
    size: float
    bold: bool = False
    italic: bool = False
    color: int = 0
    role: str = ""
    col: tuple[int, int] = (0, 0)  # (segment, side) on the page
    cells: tuple[tuple[str, ...], ...] | None = None  # a table row: its cells' lines, in column order
    header: bool = False  # a table's row of column titles


@dataclass
class PBlock:
    page: int
    number: int
    lines: list[PLine] = field(default_factory=list)
    role: str = ""
    margin: bool = False

    @property
    def text(self) -> str:
        return " ".join(ln.text for ln in self.lines)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return union(ln.bbox for ln in self.lines)

    @property
    def size(self) -> float:
        return statistics.median(ln.size for ln in self.lines)


@dataclass
class PageInfo:
    number: int
    width: float
    height: float
    blocks: list[PBlock] = field(default_factory=list)


def union(boxes) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def page_lines(raw: dict, page_no: int) -> list[PBlock]:
    """Blocks of horizontal text lines from a ``get_text("dict")`` result."""
    blocks: list[PBlock] = []
    for bno, b in enumerate(raw.get("blocks", [])):
        if b.get("type", 0) != 0:
            continue
        block = PBlock(page_no, bno)
        for line in b.get("lines", []):
            direction = line.get("dir", (1, 0))
            if abs(direction[1]) > 0.1:
                continue  # rotated text: margin stamps, table headers
            spans = [s for s in line.get("spans", []) if s.get("text", "").strip()]
            if not spans:
                continue
            text = " ".join("".join(s["text"] for s in line["spans"]).split())
            main = max(spans, key=lambda s: len(s["text"].strip()))
            font = main.get("font", "")
            flags = main.get("flags", 0)
            pl = PLine(
                page=page_no,
                block=bno,
                text=text,
                bbox=tuple(line["bbox"]),
                size=round(float(main.get("size", 0.0)), 1),
                bold=bool(flags & 16) or "bold" in font.lower() or "black" in font.lower(),
                italic=bool(flags & 2) or "italic" in font.lower() or "oblique" in font.lower(),
                color=int(main.get("color", 0)),
            )
            prev = block.lines[-1] if block.lines else None
            if prev and _same_row(prev, pl):
                prev.text = f"{prev.text} {pl.text}"
                prev.bbox = union([prev.bbox, pl.bbox])
            else:
                block.lines.append(pl)
        if block.lines:
            blocks.append(block)
    return blocks


def _same_row(a: PLine, b: PLine) -> bool:
    top, bottom = max(a.bbox[1], b.bbox[1]), min(a.bbox[3], b.bbox[3])
    height = min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]) or 1.0
    return (bottom - top) / height > 0.6 and 0 <= b.bbox[0] - a.bbox[2] < 3 * max(a.size, 1)


def body_style(pages: list[PageInfo]) -> tuple[float, int]:
    """The body text's font size and colour: the ones that carry the most characters."""
    sizes: Counter[float] = Counter()
    colors: Counter[int] = Counter()
    for page in pages:
        for block in page.blocks:
            for ln in block.lines:
                sizes[round(ln.size * 2) / 2] += len(ln.text)
                colors[ln.color] += len(ln.text)
    if not sizes:
        return 10.0, 0
    return sizes.most_common(1)[0][0], colors.most_common(1)[0][0]


def _head_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def mark_running_heads(pages: list[PageInfo]) -> None:
    """Mark running headers, footers and page numbers (line by line)."""
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    edges: list[tuple[PLine, str]] = []
    for page in pages:
        for block in page.blocks:
            for ln in block.lines:
                if ln.cells is not None:  # text in a table is not a running head
                    continue
                if ln.bbox[3] <= page.height * EDGE_SHARE:
                    where = "header"
                elif ln.bbox[1] >= page.height * (1 - EDGE_SHARE):
                    where = "footer"
                else:
                    continue
                edges.append((ln, where))
                seen[(where, _head_key(ln.text))].add(page.number)
    need = max(2, (len(pages) + 1) // 2)
    for ln, where in edges:
        if len(seen[(where, _head_key(ln.text))]) >= need or _PAGE_NUMBER.match(ln.text):
            ln.role = where


def is_url_block(block: PBlock) -> bool:
    tokens = [t for t in block.text.split() if not _BULLET.match(t)]
    return bool(tokens) and all(URL.match(t) for t in tokens)


def main_band(page: PageInfo, body_size: float, fallback: tuple[float, float] | None) -> tuple[float, float]:
    """The horizontal extent of the page's running text (body-size lines of some length)."""
    lines = [
        ln
        for b in page.blocks
        for ln in b.lines
        if not ln.role and ln.cells is None and abs(ln.size - body_size) < 0.6 and len(ln.text) >= 25
    ]
    if len(lines) < 3:
        return fallback or (0.0, page.width)
    x0s = sorted(ln.bbox[0] for ln in lines)
    x1s = sorted(ln.bbox[2] for ln in lines)
    return x0s[len(x0s) // 20], x1s[-1 - len(x1s) // 20]


def _vivid(color: int) -> bool:
    """A colour, not black or a grey."""
    r, g, b = (color >> 16) & 255, (color >> 8) & 255, color & 255
    return max(r, g, b) - min(r, g, b) > 60


def classify_blocks(pages: list[PageInfo]) -> None:
    """Give every block (and its remaining lines) a role."""
    mark_running_heads(pages)
    body_size, body_color = body_style(pages)
    # A style marks a callout only where it is rare (a document may set whole answers in italic).
    chars: Counter[str] = Counter()
    for page in pages:
        for ln in (ln for b in page.blocks for ln in b.lines if not ln.role):
            chars["all"] += len(ln.text)
            chars["italic"] += len(ln.text) * ln.italic
            chars["vivid"] += len(ln.text) * (ln.color != body_color and _vivid(ln.color))
    rare_italic = chars["italic"] <= RARE_STYLE_SHARE * chars["all"]
    rare_vivid = chars["vivid"] <= RARE_STYLE_SHARE * chars["all"]
    band: tuple[float, float] | None = None
    for page in pages:
        band = main_band(page, body_size, band)
        for block in page.blocks:
            lines = [ln for ln in block.lines if not ln.role]
            if not lines:
                block.role = "head"
                continue
            if lines[0].cells is not None:
                block.role = lines[0].role = "heading" if lines[0].header else "body"
                continue
            sub = PBlock(block.page, block.number, lines)
            x0, y0, x1, _ = sub.bbox
            words = len(sub.text.split())
            size = sub.size
            if (
                y0 >= page.height * FOOTNOTE_ZONE
                and size < body_size - 0.7
                and _FOOTNOTE_START.match(lines[0].text)
            ):
                role = "footnote"
            elif is_url_block(sub):
                role = "links"
            elif (x1 <= band[0] + 2 or x0 >= band[1] - 2) and words <= MAX_CALLOUT_WORDS:
                role = "callout"
                block.margin = True
            elif (
                words <= MAX_HEADING_WORDS
                and len(lines) <= 3
                and (all(ln.bold for ln in lines) or size >= body_size + 1.5)
                and not ends_sentence(sub.text)
            ):
                role = "heading"
            elif words <= MAX_STYLED_CALLOUT_WORDS and (
                (rare_italic and all(ln.italic for ln in lines))
                or (rare_vivid and all(ln.color != body_color and _vivid(ln.color) for ln in lines))
                or size >= body_size + 1.5
            ):
                role = "callout"
            else:
                role = "body"
            block.role = role
            for ln in lines:
                ln.role = role


def order_blocks(page: PageInfo) -> list[PBlock]:
    """Reading order: one or two columns, left then right, in bands cut by full-width blocks."""
    flow = [b for b in page.blocks if b.role in ("body", "heading", "callout", "links") and not b.margin]
    others = [b for b in page.blocks if b not in flow]
    if not flow:
        return sorted(page.blocks, key=lambda b: (b.bbox[1], b.bbox[0]))
    left_edge = min(b.bbox[0] for b in flow)
    right_edge = max(b.bbox[2] for b in flow)
    mid = (left_edge + right_edge) / 2
    sides = {}
    for b in flow:
        x0, _, x1, _ = b.bbox
        sides[id(b)] = 0 if x1 <= mid + 5 else (1 if x0 >= mid - 5 else 2)
    count = Counter()
    for b in flow:
        if b.role == "body":
            count[sides[id(b)]] += len(b.lines)
    two = count[0] >= 2 and count[1] >= 2
    if not two:
        ordered = sorted(flow, key=lambda b: (round(b.bbox[1]), b.bbox[0]))
        for b in ordered:
            for ln in b.lines:
                ln.col = (0, 0)
    else:
        fulls = sorted((b for b in flow if sides[id(b)] == 2), key=lambda b: b.bbox[1])
        cuts = [b.bbox[1] for b in fulls]
        ordered = []
        for seg in range(len(fulls) + 1):
            top = cuts[seg - 1] if seg else float("-inf")
            bottom = cuts[seg] if seg < len(cuts) else float("inf")
            for side in (0, 1):
                part = [b for b in flow if sides[id(b)] == side and top <= b.bbox[1] < bottom]
                for b in sorted(part, key=lambda b: b.bbox[1]):
                    for ln in b.lines:
                        ln.col = (seg, side)
                    ordered.append(b)
            if seg < len(fulls):
                for ln in fulls[seg].lines:
                    ln.col = (seg, 2)
                ordered.append(fulls[seg])
    return ordered + sorted(others, key=lambda b: b.bbox[1])


def group_paragraphs(lines: list[PLine]) -> list[list[PLine]]:
    """Body lines in reading order to paragraphs; a paragraph may cross columns and pages."""
    gaps = [
        b.bbox[1] - a.bbox[3]
        for a, b in pairwise(lines)
        if a.page == b.page
        and a.col == b.col
        and a.block == b.block
        and -3 < b.bbox[1] - a.bbox[3] < 2 * a.size
    ]
    typical = statistics.median(gaps) if gaps else 1.0
    col_right: dict[tuple[int, tuple[int, int]], float] = {}
    col_left: dict[tuple[int, tuple[int, int]], float] = {}
    for ln in lines:
        key = (ln.page, ln.col)
        col_right[key] = max(col_right.get(key, 0.0), ln.bbox[2])
        col_left[key] = min(col_left.get(key, 1e9), ln.bbox[0])
    paragraphs: list[list[PLine]] = []
    for ln in lines:
        if not paragraphs:
            paragraphs.append([ln])
            continue
        prev = paragraphs[-1][-1]
        final = ends_sentence(prev.text)
        if prev.cells is not None or ln.cells is not None:
            new = True  # a table row is a paragraph of its own, on its page
        elif prev.page != ln.page or prev.col != ln.col:
            new = final  # only an unfinished sentence carries on to the next column or page
        else:
            key = (ln.page, ln.col)
            width = col_right[key] - col_left[key]
            gap = ln.bbox[1] - prev.bbox[3]
            new = (
                gap > typical + max(2.0, 0.4 * prev.size)
                or gap < -prev.size  # went back up: another flow
                or abs(ln.size - prev.size) > 1.0
                or (final and prev.bbox[2] < col_right[key] - 0.2 * width)
                or (final and ln.bbox[0] > col_left[key] + 1.2 * ln.size)
            )
        if new:
            paragraphs.append([ln])
        else:
            paragraphs[-1].append(ln)
    return paragraphs
