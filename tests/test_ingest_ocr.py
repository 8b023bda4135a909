"""OCR: scanned PDFs and images give the same activities as the text-layer PDF they were made from.

OCR costs seconds a page, so few pages are OCR'd here: the English report (2 pages), the French
report (2 pages) and one image.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rapidfuzz import fuzz
from typer.testing import CliRunner

from gcmalign.cli import app
from gcmalign.errors import InputError
from gcmalign.ingest import ocr, read_document, reader_for
from gcmalign.ingest.pdf import read_pdf
from test_ingest_pdf import EN, FR, _render

pymupdf = pytest.importorskip("pymupdf")

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason=ocr.MISSING)
FIELDS = ("years", "types", "partners", "countries")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _scan(src: Path, dst: Path, dpi: int = 200) -> None:
    """``src`` as a scan: each page rasterised, and a PDF of the images only."""
    with pymupdf.open(src) as pdf, pymupdf.open() as out:
        for page in pdf:
            pix = page.get_pixmap(dpi=dpi)
            new = out.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, pixmap=pix)
        out.save(dst)


def _compare(scanned: list[dict], clean: list[dict]) -> None:
    """Same activities, same primary objectives, fields equal but for one, texts similar."""
    assert len(scanned) == len(clean)
    differences = []
    for a, b in zip(scanned, clean, strict=True):
        assert fuzz.ratio(_norm(a["text"]), _norm(b["text"])) >= 90, (a["text"], b["text"])
        assert a["mappings"][0]["target"] == b["mappings"][0]["target"], a["text"]
        differences += [(name, a[name], b[name]) for name in FIELDS if a[name] != b[name]]
    assert len(differences) <= 1, differences


def _fields(activity) -> dict:
    return {
        "text": activity.text,
        "mappings": [{"target": m.target} for m in activity.mappings],
        **{name: getattr(activity, name) for name in FIELDS},
    }


def test_images_are_dispatched():
    for name in ("scan.png", "scan.JPG", "scan.jpeg", "scan.tif", "scan.TIFF"):
        assert reader_for(name) is ocr.read_image


def test_languages():
    assert ocr.tesseract_langs(None) == "eng+fra"
    assert ocr.tesseract_langs("fr") == "fra"
    assert ocr.tesseract_langs("en+fr") == "eng+fra"
    with pytest.raises(ValueError, match="unknown OCR language"):
        ocr.tesseract_langs("de")


@needs_tesseract
def test_scanned_english_report_matches_the_text_layer(tmp_path):
    from gcmalign.classify import Classifier
    from gcmalign.pipeline import analyze_paths

    clean, scanned = tmp_path / "report.pdf", tmp_path / "scan.pdf"
    _render(EN, clean)
    _scan(clean, scanned)
    ours, theirs = analyze_paths([scanned, clean], classifier=Classifier("gcm", config="sparse"))
    assert ours.error is None and theirs.error is None, (ours.error, theirs.error)
    _compare([_fields(a) for a in ours.activities], [_fields(a) for a in theirs.activities])
    assert len(ours.document.pages) == 2
    kinds = {b.kind for p in ours.document.pages for b in p.blocks}
    assert {"header", "footer", "heading"} <= kinds


@needs_tesseract
def test_scanned_french_report_through_the_cli(tmp_path):
    clean, scanned = tmp_path / "rapport.pdf", tmp_path / "scan.pdf"
    _render(FR, clean)
    _scan(clean, scanned)
    runner = CliRunner()
    docs = {}
    for path in (scanned, clean):
        result = runner.invoke(
            app, ["analyze", str(path), "--no-embeddings", "--lang", "fr", "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        [docs[path]] = json.loads(result.stdout)["documents"]
    _compare(docs[scanned]["activities"], docs[clean]["activities"])
    assert docs[scanned]["language"] == "fr"


@needs_tesseract
def test_png_paragraph_is_read(tmp_path):
    text = EN["paragraphs"][3]
    with pymupdf.open() as pdf:
        page = pdf.new_page(width=420, height=200)
        page.insert_textbox(pymupdf.Rect(30, 30, 390, 180), text, fontsize=11, fontname="helv")
        page.get_pixmap(dpi=200).save(tmp_path / "para.png")
    doc = read_document(tmp_path / "para.png", options={"lang": "en"})
    [block] = doc.body_blocks
    assert fuzz.ratio(_norm(block.text), _norm(text)) >= 90, block.text
    assert doc.source == str(tmp_path / "para.png")


def test_missing_tesseract_is_one_clear_message(tmp_path, monkeypatch):
    clean, scanned = tmp_path / "report.pdf", tmp_path / "scan.pdf"
    with pymupdf.open() as pdf:
        pdf.new_page(width=300, height=200).insert_text((30, 60), "In 2020, a workshop in Dakar.")
        pdf.save(clean)
    _scan(clean, scanned, dpi=72)
    monkeypatch.setattr(ocr, "find_tessdata", lambda: None)
    with pytest.raises(InputError) as err:
        read_document(scanned)
    assert ocr.INSTALL in str(err.value) and str(scanned) in str(err.value)


HOCR = b"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body><div class='ocr_page' title='bbox 0 0 1000 1000'>
 <div class='ocr_carea' title="bbox 100 100 500 300"><p class='ocr_par'>
  <span class='ocr_line' title="bbox 100 100 500 130; baseline 0 -5; x_size 30">
   <span class='ocrx_word' title='bbox 100 100 220 130; x_wconf 96'>Dakar</span>
   <span class='ocrx_word' title='bbox 240 108 300 126; x_wconf 90'>&amp;</span>
  </span>
  <span class='ocr_line' title="bbox 10 400 40 900; textangle 90; x_size 30">
   <span class='ocrx_word' title='bbox 10 400 40 900; x_wconf 90'>sideways</span>
  </span>
  <span class='ocr_line' title="bbox 600 400 630 900; x_size 30">
   <span class='ocrx_word' title='bbox 600 400 630 900; x_wconf 90'>vertical</span>
  </span>
 </p></div>
</div></body></html>"""


def test_hocr_words_become_spans_in_points():
    [block] = ocr.read_hocr(HOCR, 0.5, 0.5)["blocks"]
    line, angled, tall = block["lines"]
    assert [s["text"] for s in line["spans"]] == ["Dakar", "&"]
    assert line["dir"] == (1.0, 0.0)
    dakar, amp = line["spans"]
    assert dakar["bbox"] == (50.0, 50.0, 110.0, 65.0)
    assert amp["bbox"][1::2] == (50.0, 65.0)  # every word spans its line's height
    assert dakar["size"] == pytest.approx((15 * 2 * 60 / 5) ** 0.5)
    assert angled["dir"] == (0.0, -1.0) and abs(tall["dir"][1]) == 1.0


@needs_tesseract
def test_rotated_scan_is_read_upright(tmp_path):
    """A landscape scan stored on its side in a page rotated to show it upright."""
    text = "In 2021, a workshop on labour migration was held in Dakar."
    with pymupdf.open() as pdf, pymupdf.open() as out:
        page = pdf.new_page(width=420, height=200)
        page.insert_textbox(pymupdf.Rect(30, 30, 390, 180), text, fontsize=11, fontname="helv")
        sideways = out.new_page(width=200, height=420)
        sideways.insert_image(sideways.rect, pixmap=page.get_pixmap(dpi=200), rotate=90)
        sideways.set_rotation(90)
        out.save(tmp_path / "rotated.pdf")
    doc = read_pdf(tmp_path / "rotated.pdf", options={"lang": "en"})
    [block] = doc.body_blocks
    assert fuzz.ratio(_norm(block.text), text) >= 90, block.text


@needs_tesseract
@pytest.mark.parametrize("budget", [0, 0.01])
def test_ocr_time_budget_names_the_file(tmp_path, budget):
    """No time left: refused before Tesseract starts; too little: Tesseract is stopped."""
    clean, scanned = tmp_path / "report.pdf", tmp_path / "scan.pdf"
    _render(EN, clean)
    _scan(clean, scanned)
    with pytest.raises(InputError, match=f"OCR took longer than {budget:g} s") as err:
        read_pdf(scanned, max_ocr_seconds=budget)
    assert str(scanned) in str(err.value)


def test_unknown_language_is_refused_by_the_cli(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("In 2020, a workshop was held in Dakar.\n")
    result = CliRunner().invoke(app, ["analyze", str(path), "--no-embeddings", "--lang", "de"])
    assert result.exit_code == 1
    assert "unknown OCR language" in result.output
