"""Previews: an idle worker lays out the opening half of a long PDF so that classifying starts
while another worker reads the whole; the results are those of reading it alone."""

from __future__ import annotations

import os
from pathlib import Path

import pymupdf
import pytest

from gcmalign.errors import InputError
from gcmalign.extract import activity_stubs
from gcmalign.ingest.pdf import PREVIEW_MIN_PAGES, read_pdf

TOPICS = [
    "the identification of victims of trafficking at border posts",
    "lowering the cost of sending remittances through mobile money",
    "consular assistance to nationals stranded abroad",
    "the recognition of skills and diplomas of returning migrants",
    "alternatives to immigration detention for families with children",
    "search and rescue and the identification of missing migrants",
]
CITIES = ["Dakar", "Rabat", "Niamey", "Accra", "Tunis", "Abuja", "Bamako", "Lomé"]


BANNER = "Objective 5: Enhance availability and flexibility of pathways for regular migration"


def _report(path: Path, pages: int, banner_pages: int = 0) -> Path:
    """A one-column report: a running header, a page number and three activities per page; the
    first ``banner_pages`` pages carry a coloured objective banner (a callout in the whole
    document, a running header to a preview of its first half, where most pages have it)."""
    pdf = pymupdf.open()
    for n in range(1, pages + 1):
        page = pdf.new_page(width=595, height=842)
        page.insert_text((72, 50), "Regional Dialogue on Migration - Activity Report", fontsize=8)
        page.insert_text((290, 815), f"Page {n}", fontsize=8)
        if n <= banner_pages:
            page.insert_text((72, 80), BANNER, fontsize=10, color=(0.0, 0.3, 0.8))
        y = 100.0
        for k in range(3):
            number = 3 * (n - 1) + k
            text = (
                f"In {2010 + number % 12}, the Dialogue held workshop number {number} in "
                f"{CITIES[number % len(CITIES)]} on {TOPICS[number % len(TOPICS)]}, with officials "
                "from ministries, civil society and international partners of the region."
            )
            rect = pymupdf.Rect(72, y, 523, 780)
            left = page.insert_textbox(rect, text, fontsize=10)
            assert left >= 0
            y = rect.y1 - left + 14
    pdf.save(path)
    pdf.close()
    return path


def test_a_preview_reads_the_opening_half_as_the_whole_document_reads_it(tmp_path):
    path = _report(tmp_path / "long.pdf", 2 * PREVIEW_MIN_PAGES)
    whole = activity_stubs(read_pdf(path))
    preview = activity_stubs(read_pdf(path, options={"preview": True}))
    assert len(whole) == 3 * 2 * PREVIEW_MIN_PAGES
    assert {a.page for a in preview} == set(range(1, PREVIEW_MIN_PAGES + 1))
    assert [(a.id, a.text) for a in preview] == [(a.id, a.text) for a in whole[: len(preview)]]


def test_a_short_or_scanned_pdf_is_not_previewed(tmp_path):
    with pytest.raises(InputError, match="too short to preview"):
        read_pdf(_report(tmp_path / "short.pdf", PREVIEW_MIN_PAGES - 1), options={"preview": True})
    scan = pymupdf.open()
    for _ in range(PREVIEW_MIN_PAGES):
        page = scan.new_page(width=595, height=842)
        page.insert_image(page.rect, pixmap=pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 60, 80), 0))
    scan.save(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match="does not OCR"):
        read_pdf(tmp_path / "scan.pdf", options={"preview": True})


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a preview needs a second worker")
def test_a_long_pdf_alone_is_classified_from_its_preview_first_and_nothing_twice(tmp_path, monkeypatch):
    from gcmalign.classify import Classifier
    from gcmalign.pipeline import analyze_file, analyze_paths

    classifier = Classifier("gcm", config="sparse")
    # the preview (the opening half) races the whole read in another worker, which starts first;
    # the margin is half the whole read's layout less a worker's start-up. These pages lay out in
    # about 2 ms each: at 144 pages the margin was 0.06-0.14 s and the preview lost in a fresh
    # clone's CI run; at 576 it is 0.35-0.6 s
    pages = 576
    path = _report(tmp_path / "long.pdf", pages)
    batches: list[list[int]] = []
    real_predict = classifier.predict

    def recording(items, **kwargs):
        batches.append([int(item.text.split("workshop number ")[1].split()[0]) for item in items])
        return real_predict(items, **kwargs)

    monkeypatch.setattr(classifier, "predict", recording)
    [result] = analyze_paths([path], classifier=classifier)  # workers not given: as the CLI runs
    monkeypatch.setattr(classifier, "predict", real_predict)
    numbers = [n for batch in batches for n in batch]
    assert sorted(numbers) == list(range(3 * pages))  # every activity classified once
    assert max(batches[0]) < 3 * pages // 2  # the first batch came from the preview of the opening half
    assert result.to_json() == analyze_file(path, classifier=classifier).to_json()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a preview needs a second worker")
def test_a_preview_that_lays_out_callouts_differently_changes_nothing(tmp_path):
    from gcmalign.classify import Classifier
    from gcmalign.pipeline import analyze_file, analyze_paths

    classifier = Classifier("gcm", config="sparse")
    path = _report(tmp_path / "banner.pdf", 32, banner_pages=10)
    alone = analyze_file(path, classifier=classifier)
    assert any(a.callouts for a in alone.activities)  # the banner is a callout in the whole
    [result] = analyze_paths([path], classifier=classifier)
    assert result.to_json() == alone.to_json()


def test_no_preview_when_the_number_of_workers_is_given(tmp_path):
    from gcmalign.batch import read_files

    files = [_report(tmp_path / "short.pdf", 2), _report(tmp_path / "long.pdf", 64)]
    calls: list[str] = []
    read_files(files, workers=2, on_stubs=lambda source, stubs: calls.append(source))
    assert calls.count(str(files[1])) <= 1
