"""OCR for scanned PDFs and images, through the ``tesseract`` command.

A PDF page without a text layer is rendered once (grey, at the resolution of its biggest image)
and piped to ``tesseract``, which returns its words with their boxes as hOCR; the words become a
``get_text("dict")``-shaped page, so the page goes through the same layout code as a page with a
text layer (``pdf_layout``). OCR knows nothing of fonts: each line gets one size from its words'
boxes, snapped to the page's body size when close to it, and no bold or italic. Images are
wrapped into a one-page PDF and read as a scanned PDF.

Tesseract runs in its own process, so a page that takes too long can be stopped (``timeout``)
and an alarm in the caller can interrupt the wait. It runs with one OpenMP thread unless
``OMP_THREAD_LIMIT`` says otherwise: on two busy cores its default threading was about 5 times
slower, and the batch layer already reads several files in parallel.

Tesseract and its language data come from Debian (``tesseract-ocr``, ``tesseract-ocr-eng``,
``tesseract-ocr-fra``); ``TESSDATA_PREFIX`` or ``pymupdf.get_tessdata()`` finds the data.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import statistics
import subprocess
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from gcmalign.errors import InputError
from gcmalign.ingest.common import file_sha256, read_bytes
from gcmalign.ingest.pdf_layout import union
from gcmalign.model import Document

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra"
MISSING = f"OCR needs Tesseract: install it with `{INSTALL}`"
LANGS = {"en": "eng", "fr": "fra", "eng": "eng", "fra": "fra"}
DEFAULT_LANG = "en+fr"
OCR_DPI = 300
MIN_DPI, MAX_DPI = 150, 400
MAX_PIXELS = 50_000_000  # per rendered page
MAX_IMAGE_BYTES = 50 * 1024 * 1024
# OCR of a whole file, as long as the batch layer's default time limit (``batch.DEFAULT_TIMEOUT``)
MAX_OCR_SECONDS = 120.0
SNAP_SHARE = 0.12  # a line within this share of the page's body size gets the body size
GAP_HEIGHTS = 1.2  # a gap between words wider than this many word heights cuts the line
WIDTH_TO_SIZE = 2.0  # a proportional font's average character is about half its size wide
MIN_WIDTH_CHARS = 8
SPECK_CHARS, SPECK_SHARE = 3, 0.25
BLOCK_SHARE = 0.25  # a line this close to its block's median size gets it
MIN_SIZE_SHARE = 0.5  # smaller lines are specks or cut-off letters
JOIN_HEIGHTS = 0.9  # a line this many heights under the one above still joins its block
# A line of this many letters or more that is this many times taller than wide reads vertically
# (Tesseract reads vertical text but does not always say so with a textangle).
VERTICAL_CHARS, VERTICAL_RATIO = 4, 2.0
PSM = 3  # Tesseract's own default page segmentation: it finds the columns and blocks
_DEBRIS = re.compile(r"^[\W_]{1,3}$")  # "|", "—", "..": rules and specks read as characters
_BBOX = re.compile(r"\bbbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_ANGLE = re.compile(r"\btextangle (\d+)")
_LINE_CLASSES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"})
_TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata")


def tesseract_langs(lang: str | None) -> str:
    """Our ``lang`` option ("en", "fr", "en+fr") as Tesseract's ("eng", "fra", "eng+fra")."""
    parts = [p.strip().lower() for p in (lang or DEFAULT_LANG).replace(",", "+").split("+") if p.strip()]
    unknown = [p for p in parts if p not in LANGS]
    if unknown or not parts:
        raise ValueError(f"unknown OCR language {lang!r} (use en, fr or en+fr)")
    return "+".join(dict.fromkeys(LANGS[p] for p in parts))


def find_tessdata() -> str | None:
    """The folder holding Tesseract's ``*.traineddata``, or None when Tesseract is missing."""
    if not shutil.which("tesseract"):
        return None
    candidates = [os.environ.get("TESSDATA_PREFIX", "")]
    try:
        import pymupdf

        candidates.append(pymupdf.get_tessdata() or "")
    except Exception:  # no tessdata found by PyMuPDF: try the usual places
        pass
    candidates.extend(_TESSDATA_DIRS)
    for folder in candidates:
        if folder and Path(folder, "eng.traineddata").exists():
            return str(folder)
    return None


def tessdata_for(source: str, languages: str) -> str:
    """The tessdata folder with every language in ``languages``; InputError when missing."""
    folder = find_tessdata()
    if folder is None:
        raise InputError(source, MISSING)
    for code in languages.split("+"):
        if not Path(folder, f"{code}.traineddata").exists():
            raise InputError(source, f"OCR needs Tesseract's {code} data: install it with `{INSTALL}`")
    return folder


def needs_ocr(page, raw: dict) -> bool:
    """A page with no text but something drawn as an image (a scan)."""
    if any(
        s.get("text", "").strip()
        for b in raw.get("blocks", [])
        for ln in b.get("lines", [])
        for s in ln["spans"]
    ):
        return False
    try:
        return bool(page.get_image_info())
    except Exception:
        return bool(page.get_images())


class OcrTimeout(Exception):
    """Tesseract did not finish a page within the time left."""


def ocr_page(
    page, *, languages: str, tessdata: str, dpi: int = OCR_DPI, timeout: float | None = None
) -> dict:
    """The page's words OCR'd, as a ``get_text("dict")`` result with one size per line.

    Boxes are in the coordinates of the page as shown (``page.rect``): a rotated page is read upright.
    OcrTimeout when Tesseract takes longer than ``timeout`` seconds (None: no limit).
    """
    if timeout is not None and timeout <= 0:
        raise OcrTimeout(f"no time left to OCR page {page.number + 1}")
    pix = render_page(page, dpi)
    # PNG, not raw PNM: Tesseract is slow to read a big stdin, and a PNG is a tenth of the bytes
    hocr = run_tesseract(pix.tobytes("png"), languages=languages, tessdata=tessdata, dpi=dpi, timeout=timeout)
    raw = read_hocr(hocr, page.rect.width / pix.width, page.rect.height / pix.height)
    return clean_ocr({"width": page.rect.width, "height": page.rect.height, **raw})


def render_page(page, dpi: int):
    """The page as a grey pixmap at ``dpi`` (Tesseract reads grey: colour would be turned grey)."""
    import pymupdf

    return page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)


def tesseract_command(languages: str, tessdata: str | None, dpi: int) -> list[str]:
    """``tesseract`` reading an image from stdin and writing hOCR to stdout."""
    command = [shutil.which("tesseract") or "tesseract", "stdin", "stdout", "-l", languages]
    if tessdata:
        command += ["--tessdata-dir", tessdata]
    return [*command, "--psm", str(PSM), "--dpi", str(dpi), "hocr"]


def tesseract_env() -> dict[str, str]:
    """The environment for Tesseract: one OpenMP thread unless the user set a limit."""
    return {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}


def run_tesseract(
    image: bytes, *, languages: str, tessdata: str | None, dpi: int, timeout: float | None = None
) -> bytes:
    """Tesseract's hOCR for ``image`` (any format Leptonica reads); OcrTimeout after ``timeout`` s."""
    try:
        done = subprocess.run(
            tesseract_command(languages, tessdata, dpi),
            input=image,
            capture_output=True,
            timeout=timeout,
            env=tesseract_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed it
        raise OcrTimeout(f"Tesseract ran past {timeout:g} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"tesseract failed ({message[-1] if message else f'exit {done.returncode}'})")
    return done.stdout


def read_hocr(hocr: bytes, scale_x: float, scale_y: float) -> dict:
    """Tesseract's hOCR as ``get_text("dict")`` blocks (``ocr_carea``) of lines of word spans.

    Pixel boxes are scaled to points by ``scale_x``, ``scale_y``.
    """
    blocks = []
    for area in ElementTree.fromstring(hocr).iter():
        if area.get("class") != "ocr_carea":
            continue
        lines = [
            line
            for element in area.iter()
            if element.get("class") in _LINE_CLASSES and (line := _hocr_line(element, scale_x, scale_y))
        ]
        if lines:
            blocks.append({"type": 0, "bbox": union(ln["bbox"] for ln in lines), "lines": lines})
    return {"blocks": blocks}


def _hocr_line(element, scale_x: float, scale_y: float) -> dict | None:
    """One hOCR line as a ``get_text("dict")`` line, one span per word.

    As MuPDF's OCR text layer did (what :func:`clean_ocr` was tuned on), every word spans its
    line's height, and its size is the geometric mean of that height and the size its width
    implies (``WIDTH_TO_SIZE`` times its average character width).
    """
    words = []
    for word in element.iter():
        text = "".join(word.itertext()).strip() if word.get("class") == "ocrx_word" else ""
        box = _BBOX.search(word.get("title", "")) if text else None
        if box:
            words.append((text, [int(v) for v in box.groups()]))
    if not words:
        return None
    top, bottom = min(b[1] for _, b in words) * scale_y, max(b[3] for _, b in words) * scale_y
    spans = []
    for text, (x0, _, x1, _) in words:
        width = (x1 - x0) * scale_x
        size = math.sqrt(max(bottom - top, 0.0) * WIDTH_TO_SIZE * width / len(text))
        bbox = (x0 * scale_x, top, x1 * scale_x, bottom)
        spans.append({"text": text, "bbox": bbox, "size": size, "flags": 0, "font": "OCR", "color": 0})
    box = union(s["bbox"] for s in spans)
    return {"bbox": box, "dir": _direction(element, box, words), "wmode": 0, "spans": spans}


def _direction(element, box: tuple[float, float, float, float], words: list) -> tuple[float, float]:
    """The line's writing direction, ``(cos, sin)`` with y growing downwards."""
    angle = _ANGLE.search(element.get("title", ""))
    if angle:
        radians = math.radians(int(angle.group(1)))
        return round(math.cos(radians), 6), round(-math.sin(radians), 6)
    chars = sum(len(text) for text, _ in words)
    if chars >= VERTICAL_CHARS and box[3] - box[1] > VERTICAL_RATIO * (box[2] - box[0]):
        return 0.0, -1.0  # which way up is unknown: vertical is all the layout needs to know
    return 1.0, 0.0


def clean_ocr(raw: dict) -> dict:
    """Rebuild OCR'd words into blocks of lines the layout code can read.

    Tesseract may run a line across both columns of a page and put a margin note in the same
    block as the text beside it: lines are cut at wide gaps between words, then stacked into
    blocks again (a segment joins the block above when it lies just under it, overlapping it
    horizontally). Debris words (rules and specks read as "|") are dropped; each line gets one
    font size, snapped to the page's body size when close to it; OCR gives no bold or italic.
    """
    segments: list[tuple[tuple[float, float, float, float], list[str], float]] = []
    for block in raw.get("blocks", []):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", []):
            direction = line.get("dir", (1, 0))
            if abs(direction[1]) > 0.1:
                continue
            words = [
                s
                for s in line.get("spans", [])
                if s.get("text", "").strip() and not _DEBRIS.match(s["text"].strip())
            ]
            words.sort(key=lambda s: s["bbox"][0])
            current: list[dict] = []
            for word in words:
                if current:
                    height = max(1.0, word["bbox"][3] - word["bbox"][1])
                    if word["bbox"][0] - current[-1]["bbox"][2] > GAP_HEIGHTS * height:
                        segments.append(_segment(current))
                        current = []
                current.append(word)
            if current:
                segments.append(_segment(current))
    segments = [s for s in segments if any(ch.isalnum() for ch in "".join(s[1]))]
    counts: Counter[int] = Counter()
    for _, words, size in segments:
        counts[round(size)] += sum(len(w) for w in words)
    body = counts.most_common(1)[0][0] if counts else 0
    segments = [s for s in segments if s[2] >= MIN_SIZE_SHARE * body and not _speck(s, body)]
    blocks: list[list[tuple[tuple[float, float, float, float], list[str], float]]] = []
    for seg in sorted(segments, key=lambda s: (s[0][1], s[0][0])):
        box = seg[0]
        height = min(box[3] - box[1], 1.3 * seg[2])  # boxes of lines run into a column are too tall
        for stack in reversed(blocks):
            last = stack[-1][0]
            overlap = min(last[2], box[2]) - max(last[0], box[0])
            if overlap > 0.3 * min(last[2] - last[0], box[2] - box[0]) and -0.5 * height < box[1] - last[
                3
            ] < (JOIN_HEIGHTS * height):
                stack.append(seg)
                break
        else:
            blocks.append([seg])
    out = []
    for stack in blocks:
        lines = []
        middle = statistics.median(seg[2] for seg in stack)
        for box, words, size in stack:
            if abs(size - middle) <= BLOCK_SHARE * middle:
                size = middle  # one size per block: short lines give poor estimates
            size = float(body) if body and abs(size - body) <= SNAP_SHARE * body else round(size * 2) / 2
            span = {"text": " ".join(words), "bbox": box, "size": size, "flags": 0, "font": "OCR", "color": 0}
            lines.append({"bbox": box, "dir": (1.0, 0.0), "wmode": 0, "spans": [span]})
        out.append({"type": 0, "bbox": union(ln["bbox"] for ln in lines), "lines": lines})
    return {"width": raw.get("width"), "height": raw.get("height"), "blocks": out}


def _speck(segment: tuple[tuple[float, float, float, float], list[str], float], body: float) -> bool:
    """A word of a few letters far from the body size: a speck or a letter cut off by OCR."""
    _, words, size = segment
    return len("".join(words)) <= SPECK_CHARS and abs(size - body) > SPECK_SHARE * body


def _segment(words: list[dict]) -> tuple[tuple[float, float, float, float], list[str], float]:
    box = union(w["bbox"] for w in words)
    texts = [w["text"].strip() for w in words]
    size = statistics.median(w.get("size", 0.0) for w in words)
    chars = sum(len(t) for t in texts) + len(texts) - 1
    if chars >= MIN_WIDTH_CHARS:
        # Tesseract's line boxes grow when a line runs into the next column at another height;
        # the width per character does not, so the smaller estimate is the better one.
        size = min(size, WIDTH_TO_SIZE * (box[2] - box[0]) / chars)
    return box, texts, size


def ocr_dpi(page) -> int:
    """The resolution that renders the page's biggest image at its own size, within limits."""
    best = 0.0
    try:
        for info in page.get_image_info():
            x0, _, x1, _ = info["bbox"]
            if x1 > x0 and info.get("width"):
                best = max(best, info["width"] * 72 / (x1 - x0))
    except Exception:
        best = 0.0
    dpi = min(MAX_DPI, max(MIN_DPI, best)) if best else OCR_DPI
    # a huge page must not become a pixmap of gigabytes: cap the rendered pixels
    width_in, height_in = page.rect.width / 72, page.rect.height / 72
    if width_in * height_in > 0:
        dpi = min(dpi, (MAX_PIXELS / (width_in * height_in)) ** 0.5)
    return max(1, int(dpi))


def read_image(
    path: str | Path, *, options: dict | None = None, max_ocr_seconds: float | None = MAX_OCR_SECONDS
) -> Document:
    """Read a scanned image (PNG, JPEG, TIFF) by OCR, as a one-page scanned PDF.

    ``max_ocr_seconds``: OCR past this raises InputError (None: no limit).
    """
    import pymupdf

    from gcmalign.ingest.pdf import read_pdf_data

    source = str(path)
    data = read_bytes(path, max_bytes=MAX_IMAGE_BYTES)
    if not data.strip():
        raise InputError(source, "empty file (no image to read)")
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    try:
        with pymupdf.open(stream=data, filetype=Path(source).suffix.lstrip(".").lower() or "png") as image:
            pdf_data = image.convert_to_pdf()
    except Exception as exc:
        raise InputError(source, f"not a readable image ({exc})") from exc
    return read_pdf_data(
        pdf_data, source, sha256=file_sha256(data), options=options, max_ocr_seconds=max_ocr_seconds
    )
