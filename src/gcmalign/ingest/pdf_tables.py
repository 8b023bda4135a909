"""Ruled tables on text-layer pages, found by PyMuPDF's ``page.find_tables()``.

``find_tables`` builds a Python record per character of the page (80 to 200 ms a page), so it
only runs where the page's vector graphics hold a grid: ruling lines (stroked lines, thin filled
rectangles, edges of stroked rectangles) at three heights and three abscissas at least. Filled
boxes without a border (coloured sidebars, page bands) are not rulings (the ``lines_strict``
strategy). A table is kept when it has two rows and two columns at least and most of its cells
hold words. Each word on the page goes to the cell its centre falls in, so every word in a
table lands in one row once; a row becomes one line of the layout (``PLine.cells``) that stands
for all the page's lines inside the table. A scanned page has no text layer, so no table: its OCR'd
lines are read as they are. Looking for tables stops when a file has spent MAX_TABLE_SECONDS on it.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field

from gcmalign.ingest.pdf_layout import PBlock, PLine
from gcmalign.layout.paragraphs import ends_sentence
from gcmalign.layout.repair import join_lines

Box = tuple[float, float, float, float]
THIN = 2.0  # a filled rectangle no thicker than this is a ruling line
MIN_RULE = 8.0  # shorter strokes are glyph parts or bullets, not rulings
MIN_RULINGS = 3  # distinct heights, and abscissas, of rulings a grid needs
MIN_FILLED_SHARE = 0.5  # of a table's cells that hold words
MAX_HEADER_WORDS = 8  # per cell of a header row
# Seconds a file may spend looking for tables, out of the 60 s the PDF reader gives itself
# (pdf.MAX_SECONDS, time for OCR apart): about 150 pages of tables.
MAX_TABLE_SECONDS = 15.0


@dataclass
class TableRow:
    bbox: Box
    cells: tuple[tuple[str, ...], ...]  # the non-empty cells in column order, each its lines
    header: bool = False


@dataclass
class PdfTable:
    bbox: Box
    rows: list[TableRow] = field(default_factory=list)


def row_text(cells: tuple[tuple[str, ...], ...], known_hyphenated: set[str] | None = None) -> str:
    """A row's text: each cell's lines joined, the cells joined with `` | `` (as HTML and DOCX rows)."""
    return " | ".join(text for cell in cells if (text := join_lines(list(cell), known_hyphenated)))


def _segments(item: tuple, stroked: bool) -> list[Box]:
    """The straight strokes a drawing item shows: a line, a thin rectangle, a bordered box's edges."""
    if item[0] == "l":
        return [(item[1].x, item[1].y, item[2].x, item[2].y)] if stroked else []
    if item[0] not in ("re", "qu"):
        return []
    r = item[1] if item[0] == "re" else item[1].rect
    if min(r.width, r.height) <= THIN:
        return [(r.x0, r.y0, r.x1, r.y1)]
    if not stroked:
        return []
    return [
        (r.x0, r.y0, r.x1, r.y0),
        (r.x0, r.y1, r.x1, r.y1),
        (r.x0, r.y0, r.x0, r.y1),
        (r.x1, r.y0, r.x1, r.y1),
    ]


def rulings(paths: list[dict]) -> tuple[set[int], set[int]]:
    """Heights of the horizontal and abscissas of the vertical ruling lines among vector paths."""
    across: set[int] = set()
    down: set[int] = set()
    for path in paths:
        stroked = "s" in (path.get("type") or "")
        for item in path.get("items", ()):
            for x0, y0, x1, y1 in _segments(item, stroked):
                width, height = abs(x1 - x0), abs(y1 - y0)
                if height <= THIN and width >= MIN_RULE:
                    across.add(round((y0 + y1) / 2))
                elif width <= THIN and height >= MIN_RULE:
                    down.add(round((x0 + x1) / 2))
    return across, down


def _find(page, paths: list[dict]):
    os.environ.setdefault("PYMUPDF_SUGGEST_LAYOUT_ANALYZER", "0")  # else PyMuPDF prints advice on stdout
    try:
        return page.find_tables(strategy="lines_strict", paths=paths, use_layout=False)
    except TypeError:  # PyMuPDF before 1.27 has no layout option
        return page.find_tables(strategy="lines_strict", paths=paths)


def find_tables(page, flags: int) -> list[PdfTable]:
    """The page's ruled tables, their rows' cells read from the text layer with ``flags``."""
    if page.rotation:  # find_tables unrotates the page; its boxes would not match the text's
        return []
    paths = page.get_drawings()
    across, down = rulings(paths)
    if len(across) < MIN_RULINGS or len(down) < MIN_RULINGS:
        return []
    found = _find(page, paths).tables
    if not found:
        return []
    words = page.get_text("words", flags=flags)
    tables = [_read(table, words) for table in found if table.col_count >= 2 and table.row_count >= 2]
    return [t for t in tables if t is not None]


class TableReader:
    """Finds each page's tables until the file's time for them is spent; then pages are read line by line."""

    def __init__(self, flags: int, budget: float = MAX_TABLE_SECONDS) -> None:
        self.flags = flags
        self.left = budget

    def read(self, page, warnings: list[str]) -> list[PdfTable]:
        """The page's tables; a failure or the end of the time is told in ``warnings``."""
        number = page.number + 1
        if self.left <= 0:
            return []
        started = time.monotonic()
        try:
            return find_tables(page, self.flags)
        except Exception as exc:  # the page is still read, line by line
            warnings.append(f"tables on page {number} could not be read ({exc})")
            return []
        finally:
            self.left -= time.monotonic() - started
            if self.left <= 0 and number < page.parent.page_count:
                warnings.append(f"tables after page {number} were read as plain text (too slow to find)")


def _box(rect) -> Box:
    return float(rect[0]), float(rect[1]), float(rect[2]), float(rect[3])


def _centre(box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _inside(point: tuple[float, float], box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _cell_of(point: tuple[float, float], cells: list[tuple[int, int, Box]]) -> tuple[int, int]:
    """The (row, column) of the cell holding ``point``, else of the nearest one."""
    holding = [(i, j) for i, j, box in cells if _inside(point, box)]
    if holding:
        return holding[0]

    def distance(cell: tuple[int, int, Box]) -> float:
        box = cell[2]
        return max(box[0] - point[0], 0, point[0] - box[2]) + max(box[1] - point[1], 0, point[1] - box[3])

    best = min(cells, key=distance)
    return best[0], best[1]


def _read(table, words: list[tuple]) -> PdfTable | None:
    """The table's rows with their cells' lines, or None when too few cells hold words."""
    cells = [(i, j, _box(box)) for i, row in enumerate(table.rows) for j, box in enumerate(row.cells) if box]
    if not cells:
        return None
    bbox = _box(table.bbox)
    texts: dict[tuple[int, int], list[tuple]] = {}
    for word in words:
        point = _centre(word)
        if _inside(point, bbox):
            texts.setdefault(_cell_of(point, cells), []).append(word)
    if len(texts) < MIN_FILLED_SHARE * len(cells):
        return None
    out = PdfTable(bbox)
    for i, row in enumerate(table.rows):
        lines = tuple(_lines(texts[i, j]) for j in range(len(row.cells)) if (i, j) in texts)
        if lines:
            out.rows.append(TableRow(_box(row.bbox), lines, header=i == 0 and _is_header(lines)))
    return out


def _lines(words: list[tuple]) -> tuple[str, ...]:
    """A cell's words as its lines, in the text layer's order (block, line, word)."""
    lines: dict[tuple[int, int], list[str]] = {}
    for word in sorted(words, key=lambda w: (w[5], w[6], w[7])):
        lines.setdefault((word[5], word[6]), []).append(word[4])
    return tuple(" ".join(line) for line in lines.values())


def _is_header(cells: tuple[tuple[str, ...], ...]) -> bool:
    """A first row of column titles: two cells at least, each short and not a sentence."""
    texts = [" ".join(cell) for cell in cells]
    return len(texts) >= 2 and all(
        len(text.split()) <= MAX_HEADER_WORDS and not ends_sentence(text) for text in texts
    )


def with_tables(blocks: list[PBlock], tables: list[PdfTable], page_no: int) -> list[PBlock]:
    """The page's blocks with the lines inside tables replaced by one block per table row."""
    if not tables:
        return blocks
    kept: list[PBlock] = []
    dropped: list[PLine] = []
    for block in blocks:
        inside = [any(_inside(_centre(ln.bbox), t.bbox) for t in tables) for ln in block.lines]
        dropped.extend(ln for ln, drop in zip(block.lines, inside, strict=True) if drop)
        block.lines = [ln for ln, drop in zip(block.lines, inside, strict=True) if not drop]
        if block.lines:
            kept.append(block)
    number = max((b.number for b in blocks), default=0) + 1
    for table in tables:
        for row in table.rows:
            size = _size([ln for ln in dropped if _inside(_centre(ln.bbox), row.bbox)] or dropped)
            line = PLine(
                page_no, number, row_text(row.cells), row.bbox, size, cells=row.cells, header=row.header
            )
            kept.append(PBlock(page_no, number, [line]))
            number += 1
    return kept


def _size(lines: list[PLine]) -> float:
    return statistics.median(ln.size for ln in lines) if lines else 10.0
