"""End-to-end throughput on PDFs: pages per second and peak memory, reading alone and classified.

Usage: python benchmarks/bench_ingest.py [--pages 50] [--ocr-pages 3] [--repeat 2]

The input is a two-column activity report generated deterministically with PyMuPDF: sentences
of the labelled development set recombined with ``random.Random(42)`` into paragraphs, with a
running header, a page number and one link on every page. Each figure runs
``gcmalign.pipeline.analyze_paths`` on that one file with ``workers=1``, so it is the time of
one file in this process: reading alone (ingest + layout + extract), then read + extract +
classify with the ``--fast`` classifier and with the default one. Model loading is timed apart;
encoder caches are reset to their state after loading before each classified run, so no run
reuses another's embeddings. Peak memory is the process's resident high-water mark
(ru_maxrss) after each stage.

A few pages are also rasterised at 200 dpi into a scanned PDF and gcmalign's reading of it is
timed ("OCR: not available (reason)" while the reader refuses scans); when ``tesseract`` is on
PATH, ``tesseract page.png stdout -l <same languages>`` on the same images is timed beside it, with the
ratio (the target: gcmalign within 1.3x of Tesseract's own time).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WIDTH, HEIGHT = 595, 842
COLUMNS = ((60, 290), (305, 535))
TOP, BOTTOM = 90, 780
WARM_UP = "A meeting was held."
HEADER = "Regional Migration Dialogue - Activities Report 2023"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_paragraphs(rng: random.Random, n: int) -> list[str]:
    """``n`` paragraphs of 2 to 4 English development-set sentences."""
    rows = [json.loads(line) for line in (ROOT / "data" / "devset" / "train.jsonl").read_text().splitlines()]
    sentences = [
        s.strip().rstrip(".") + "."
        for r in rows
        if r.get("lang") == "en"
        for s in r["text"].split(". ")
        if len(s) > 30
    ]
    return [" ".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(n)]


def make_report(path: Path, pages: int) -> int:
    """Write the two-column report; return the number of paragraphs on its pages."""
    import pymupdf

    rng = random.Random(42)
    paragraphs = iter(make_paragraphs(rng, 20 * pages))  # a page holds about 8
    pdf = pymupdf.open()
    placed = 0
    for number in range(1, pages + 1):
        page = pdf.new_page(width=WIDTH, height=HEIGHT)
        page.insert_text((60, 50), HEADER, fontsize=8, fontname="helv")
        page.insert_text((290, 815), f"Page {number}", fontsize=8, fontname="helv")
        link_at = rng.randrange(4)
        on_page = 0
        for x0, x1 in COLUMNS:
            y = TOP
            while y < BOTTOM - 40:
                text = next(paragraphs)
                rect = pymupdf.Rect(x0, y, x1, BOTTOM)
                left = page.insert_textbox(rect, text, fontsize=10, fontname="helv")
                if left < 0:  # does not fit: nothing was written, the column is full
                    break
                bottom = rect.y1 - left
                if on_page == link_at:
                    uri = f"https://example.org/report-2023/activity-{number}-{on_page + 1}"
                    page.insert_link(
                        {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(x0, y, x1, bottom), "uri": uri}
                    )
                on_page += 1
                y = bottom + 10
        placed += on_page
    pdf.save(path)
    pdf.close()
    return placed


def make_scan(source: Path, out_dir: Path, pages: int, dpi: int = 200) -> tuple[Path, list[Path]]:
    """Rasterise the first ``pages`` pages: one PNG each and a scanned PDF of those images."""
    import pymupdf

    src = pymupdf.open(source)
    scan = pymupdf.open()
    images = []
    for i in range(pages):
        png = out_dir / f"page-{i + 1}.png"
        src[i].get_pixmap(dpi=dpi).save(png)
        images.append(png)
        scan.new_page(width=WIDTH, height=HEIGHT).insert_image(
            pymupdf.Rect(0, 0, WIDTH, HEIGHT), filename=png
        )
    path = out_dir / "scanned.pdf"
    scan.save(path)
    scan.close()
    src.close()
    return path, images


def reset_caches(snapshots: dict) -> None:
    # CachedEncoder keeps vectors by text: back to what loading left, so runs share nothing
    for encoder, cache in snapshots.items():
        encoder._cache = dict(cache)


def run(label: str, path: Path, pages: int, classifier, repeat: int, snapshots: dict) -> None:
    from gcmalign.pipeline import analyze_paths

    times = []
    for _ in range(repeat):
        reset_caches(snapshots)
        start = time.perf_counter()
        [result] = analyze_paths([path], classifier=classifier, workers=1)
        times.append(time.perf_counter() - start)
        if result.error:
            raise SystemExit(f"{label}: {result.error}")
    best = min(times)
    print(
        f"  {label:<34} {best:7.2f} s  {pages / best:7.1f} pages/s  "
        f"{len(result.activities):>4} activities  peak {peak_mb():6.0f} MB"
    )


def bench_ocr(report: Path, pages: int, tmp: Path) -> None:
    """gcmalign reading a scan against the tesseract CLI on the same page images, same languages.

    Tesseract runs with one OpenMP thread: on 2 busy cores its default threading was about 8
    times slower, so one thread is the stricter comparison.
    """
    from gcmalign.errors import InputError
    from gcmalign.pipeline import analyze_paths

    tesseract = shutil.which("tesseract")
    scan, images = make_scan(report, tmp, pages)
    print(f"\nOCR: {pages} pages rasterised at 200 dpi")
    for lang, tess_lang in (("en", "eng"), ("en+fr", "eng+fra")):
        start = time.perf_counter()
        try:
            [result] = analyze_paths([scan], classifier=None, workers=1, timeout=None, options={"lang": lang})
            error = result.error
        except InputError as exc:  # a reader called outside the batch layer raises instead
            error = str(exc)
        if error:
            print(f"  OCR: not available ({error})")
            return
        ours = time.perf_counter() - start
        print(
            f"  gcmalign --lang {lang:<6} {ours:7.2f} s  {pages / ours:7.2f} pages/s  "
            f"{len(result.activities):>4} activities  peak {peak_mb():6.0f} MB"
        )
        if tesseract is None:
            print("  tesseract: not on PATH, no Tesseract figure or ratio")
            continue
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        start = time.perf_counter()
        for png in images:
            subprocess.run(
                [tesseract, str(png), "stdout", "-l", tess_lang], check=True, capture_output=True, env=env
            )
        theirs = time.perf_counter() - start
        print(f"  tesseract -l {tess_lang:<9} {theirs:7.2f} s  {pages / theirs:7.2f} pages/s")
        print(f"  ratio gcmalign / tesseract ({lang})  {ours / theirs:5.2f}x  (target <= 1.3x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure; the fastest is shown")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from gcmalign.classify import Classifier, ClassifyItem
    from gcmalign.classify.encoders import get_encoder
    from gcmalign.pipeline import analyze_paths

    print(f"cores available: {os.cpu_count()}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        report = tmp / "report.pdf"
        start = time.perf_counter()
        paragraphs = make_report(report, args.pages)
        print(
            f"generated {args.pages}-page two-column report: {paragraphs} paragraphs, "
            f"{report.stat().st_size / 1024:.0f} KB, {time.perf_counter() - start:.2f} s"
        )
        start = time.perf_counter()
        analyze_paths([report], classifier=None, workers=1)
        print(
            f"first read (imports, framework titles): {time.perf_counter() - start:.2f} s, peak {peak_mb():.0f} MB"
        )

        start = time.perf_counter()
        fast = Classifier("gcm", config="fast")
        fast.predict([ClassifyItem(WARM_UP)])  # encoders load on first use: count it here
        print(
            f"load fast classifier (lexicon + usem3): {time.perf_counter() - start:.2f} s, peak {peak_mb():.0f} MB"
        )
        start = time.perf_counter()
        default = Classifier("gcm", config="default")
        default.predict([ClassifyItem(WARM_UP)])  # unsure enough to cascade to e5
        print(f"load default classifier (+ e5): {time.perf_counter() - start:.2f} s, peak {peak_mb():.0f} MB")
        encoders = [e for e in (get_encoder("usem3"), get_encoder("e5")) if e is not None]
        snapshots = {e: dict(getattr(e, "_cache", {})) for e in encoders if hasattr(e, "_cache")}

        print(f"\n{args.pages} pages, one file, workers=1 (best of {args.repeat})")
        run("read alone (ingest+layout+extract)", report, args.pages, None, args.repeat, snapshots)
        run("read + classify --fast", report, args.pages, fast, args.repeat, snapshots)
        run("read + classify (default)", report, args.pages, default, args.repeat, snapshots)
        bench_ocr(report, args.ocr_pages, tmp)


if __name__ == "__main__":
    main()
