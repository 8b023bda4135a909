"""Grouping body lines into paragraphs.

Text pulled from a PDF keeps neither paragraph marks nor widths, so the breaks are inferred:

* a blank line ends a paragraph when the line before it ends a sentence, or is too short to
  be a wrapped line (a heading); a full-width line without final punctuation wraps on;
* without a blank line, a sentence-final line ends a paragraph when it is short, when the next
  line is indented, or when the next line opens a new activity ("More recently, in 2021, ...")
  with a year the paragraph has not mentioned.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from gcmalign.layout.lines import Line

_TERMINAL = re.compile(r"[.!?…](?:[\"”’)\]]*)$|[\"”]\.$")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
    "décembre|decembre"
)
_ACTIVITY_LEAD = re.compile(
    rf"^(?:(?:In|During|Since|By|From|Early|Late|At the end of|En|Depuis|Au cours de|Fin|Début)"
    rf"\s+(?:early\s+|late\s+|mid-?)?(?:(?:{_MONTHS})\s+)?(19|20)\d\d\b"
    rf"|(?:More recently|Most recently|Later|Subsequently|Thereafter|Plus récemment|"
    rf"Par la suite|Ensuite)\b[^.]{{0,40}}?\b((?:19|20)\d\d)\b)",
    re.IGNORECASE,
)


@dataclass
class Paragraph:
    lines: list[Line] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def first(self) -> int:
        return self.lines[0].index

    @property
    def last(self) -> int:
        return self.lines[-1].index

    def text_lines(self) -> list[str]:
        return [ln.body for ln in self.lines]


def ends_sentence(text: str) -> bool:
    return bool(_TERMINAL.search(text.rstrip()))


def typical_width(lines: list[Line]) -> float:
    """The width of a full body line: the upper median of the longer lines."""
    lengths = [len(ln.raw.strip()) for ln in lines if len(ln.raw.strip()) > 40 and not ln.is_link]
    if not lengths:
        return 80.0
    lengths.sort()
    return float(statistics.median(lengths[len(lengths) // 2 :]))


def opens_new_activity(line_text: str, years_so_far: set[str]) -> bool:
    m = _ACTIVITY_LEAD.match(line_text.strip())
    if not m:
        return False
    year = m.group(0)[-4:]
    return year not in years_so_far


def group_paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Group the body lines of one page (callouts and noise already removed) into paragraphs."""
    width = typical_width(lines)
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    years: set[str] = set()
    blank_since_last = False
    for line in lines:
        if line.is_link:
            continue
        if line.blank:
            blank_since_last = True
            continue
        text = line.body
        if not text:
            continue  # a line that held only callout fragments or noise
        if current is not None:
            prev = current.lines[-1]
            prev_text = prev.body
            final = ends_sentence(prev_text)
            short = len(prev.raw.strip()) < 0.6 * width
            if blank_since_last:
                new = final or short
            else:
                new = final and (
                    len(prev.raw.strip()) < 0.8 * width or line.indented or opens_new_activity(text, years)
                )
            if line.page != prev.page:
                new = True
            if new:
                paragraphs.append(current)
                current = None
        if current is None:
            current = Paragraph()
            years = set()  # the years this paragraph has mentioned so far
        current.lines.append(line)
        years.update(_YEAR.findall(text))
        blank_since_last = False
    if current is not None:
        paragraphs.append(current)
    return paragraphs


def is_heading(text: str) -> bool:
    """A short block without final punctuation (a title or section heading)."""
    return len(text.split()) <= 12 and not ends_sentence(text)
