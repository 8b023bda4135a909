"""PDF reader: ruled tables read row by row, their text kept out of running headers and paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CORPUS
from gcmalign.ingest.pdf import read_pdf
from gcmalign.ingest.pdf_tables import TableReader, rulings

pymupdf = pytest.importorskip("pymupdf")

MATRIX = CORPUS / "HoA_EU_JI_Final_Eval_-_Management_Response_Matrix_-_Final.pdf"
HEADER = "Coastal Dialogue - Management Response 2023"
INTRO = (
    "The Coastal Dialogue secretariat reviewed the recommendations of the final evaluation with the "
    "member states and sets out below the actions it will take, who is responsible and when."
)
COLUMNS = (40, 200, 420, 555)  # the table's vertical rulings
TITLES = ("Recommendation", "Key action", "Responsible unit")
ACTIONS = {
    1: (
        "Train consular officers of Ghana and Togo on assistance to migrants in distress abroad.",
        "Consular unit",
    ),
    2: (
        "Hold a regional workshop in Dakar on sharing labour migration statistics.",
        "Data and research unit",
    ),
    3: ("Publish a study on climate change and mobility in coastal fishing communities.", "Regional office"),
}
PRIORITY = "Priority level {n}: complete within the next two years, subject to funding."


def _rows(n: int, header: bool) -> list[tuple[str, ...]]:
    action, unit = ACTIONS[n]
    rows = [TITLES] if header else []
    rows.append((f"Evaluation recommendation {n}:", action, unit))
    rows.append(
        (PRIORITY.format(n=n), "Report on progress to the steering committee every year.", "Secretariat")
    )
    return rows


def _table(page, top: float, rows: list[tuple[str, ...]], height: float = 60) -> float:
    """Draw a ruled table from ``top``, one textbox per cell; return its bottom."""
    bottom = top + height * len(rows)
    for x in COLUMNS:
        page.draw_line((x, top), (x, bottom), width=0.5)
    for i, row in enumerate(rows):
        y = top + i * height
        page.draw_line((COLUMNS[0], y), (COLUMNS[-1], y), width=0.5)
        for j, text in enumerate(row):
            rect = pymupdf.Rect(COLUMNS[j] + 4, y + 4, COLUMNS[j + 1] - 4, y + height - 2)
            font = "hebo" if i == 0 and text in TITLES else "helv"
            assert page.insert_textbox(rect, text, fontsize=9, fontname=font) >= 0, text
    page.draw_line((COLUMNS[0], bottom), (COLUMNS[-1], bottom), width=0.5)
    return bottom


def _matrix(path: Path) -> None:
    """Three pages: a running header, a page number, a paragraph above the first table, one table a page
    whose row label (near the top of pages 2 and 3, where running heads live) repeats with its number."""
    pdf = pymupdf.open()
    for n in (1, 2, 3):
        page = pdf.new_page(width=595, height=842)
        page.insert_text((40, 30), HEADER, fontsize=8, fontname="helv")
        page.insert_text((290, 815), f"Page {n}", fontsize=8, fontname="helv")
        top = 42
        if n == 1:
            rect = pymupdf.Rect(40, 60, 555, 200)
            top = rect.y1 - page.insert_textbox(rect, INTRO, fontsize=10, fontname="helv") + 20
        _table(page, top, _rows(n, header=n == 1))
    pdf.save(path)
    pdf.close()


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    path = tmp_path_factory.mktemp("tables") / "matrix.pdf"
    _matrix(path)
    return read_pdf(path)


def test_each_row_is_one_body_block_with_its_cells_in_order(matrix):
    for n in (1, 2, 3):
        page = matrix.pages[n - 1]
        body = [b.text for b in page.blocks if b.kind == "body"]
        for row in _rows(n, header=False):
            assert " | ".join(row) in body, (n, row, body)


def test_header_row_is_a_heading_and_the_paragraph_above_is_unchanged(matrix):
    first = matrix.pages[0].blocks
    assert [b.text for b in first if b.kind == "heading"] == [" | ".join(TITLES)]
    body = [b.text for b in first if b.kind == "body"]
    assert body[0] == INTRO  # in reading order: the paragraph, then the table's rows
    assert body[1].startswith("Evaluation recommendation 1:")


def test_repeated_row_labels_stay_in_the_body_on_their_pages(matrix):
    for page in matrix.pages:
        labels = [b for b in page.blocks if "Evaluation recommendation" in b.text]
        assert [(b.kind, b.text.split(" | ")[0]) for b in labels] == [
            ("body", f"Evaluation recommendation {page.number}:")
        ]
        assert [b.text for b in page.blocks if b.kind == "header"] == [HEADER]
        assert [b.text for b in page.blocks if b.kind == "footer"] == [f"Page {page.number}"]


def test_no_cell_text_is_duplicated_and_rows_keep_their_boxes(matrix):
    for page in matrix.pages:
        text = " ".join(b.text for b in page.blocks)
        for row in _rows(page.number, header=page.number == 1):
            for cell in row:
                assert text.count(cell) == 1, (page.number, cell)
        for block in page.blocks:
            if " | " in block.text:
                assert block.page == page.number
                assert block.bbox is not None and block.bbox[0] == pytest.approx(COLUMNS[0], abs=1)
                assert block.bbox[2] == pytest.approx(COLUMNS[-1], abs=1)


def test_boxes_without_borders_are_not_tables(tmp_path):
    """Coloured panels (filled, unstroked) side by side, as in a brief, are read as text."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for x0, x1 in ((40, 290), (305, 555)):
        for y0 in (60, 260, 460):
            page.draw_rect(pymupdf.Rect(x0, y0, x1, y0 + 190), color=None, fill=(0.9, 0.93, 0.95))
            page.insert_textbox(pymupdf.Rect(x0 + 8, y0 + 8, x1 - 8, y0 + 180), INTRO, fontsize=10)
    assert rulings(page.get_drawings()) == (set(), set())
    path = tmp_path / "panels.pdf"
    pdf.save(path)
    doc = read_pdf(path)
    assert [b.text for b in doc.body_blocks] == [INTRO] * 6


def test_looking_for_tables_stops_when_its_time_is_spent(tmp_path):
    path = tmp_path / "matrix.pdf"
    _matrix(path)
    flags = pymupdf.TEXTFLAGS_DICT
    warnings: list[str] = []
    reader = TableReader(flags, budget=1e-6)
    with pymupdf.open(path) as pdf:
        assert len(reader.read(pdf[0], warnings)) == 1  # the page it started on is finished
        assert reader.read(pdf[1], warnings) == []
    assert warnings == ["tables after page 1 were read as plain text (too slow to find)"]


@pytest.mark.skipif(not MATRIX.exists(), reason="the shared corpus is not on this machine")
def test_real_matrix_keeps_each_recommendation_on_its_page():
    pdf = pymupdf.open(MATRIX)
    expected = {
        (int(m.group(1)), page.number + 1)
        for page in pdf
        for m in re.finditer(r"Evaluation recommendation (\d+):", page.get_text())
    }
    pdf.close()
    assert len(expected) >= 5
    doc = read_pdf(MATRIX)
    for n, page_no in sorted(expected):
        label = f"Evaluation recommendation {n}:"
        blocks = [(b.kind, b.page) for p in doc.pages for b in p.blocks if label in b.text]
        assert blocks == [("body", page_no)], (label, blocks)
        row = next(b for b in doc.pages[page_no - 1].blocks if label in b.text)
        assert len(row.text) > len(label) + 20  # the recommendation itself is in its row
