"""Years and months an activity paragraph states, in English or French."""

from __future__ import annotations

import re

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = re.compile(r"(?<![\d.,/-])(19[5-9]\d|20\d\d)(?![\d%])")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_ALT})\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(19[5-9]\d|20\d\d)\b", re.I)
# A four-digit number that names something or counts something is no date.
_NOT_A_YEAR_AFTER = re.compile(
    r"^\s*(?:Agenda|agenda|Vision|migrants|people|persons|participants|returnees|refugees|"
    r"children|women|men|euros?|EUR|USD|dollars|km|households|%|personnes|participants)\b"
)
_NOT_A_YEAR_BEFORE = re.compile(r"(?:Agenda|Agenda for|Vision|Horizon|USD|EUR|€|\$|No\.|n°)\s*$")
_ANAPHORA = re.compile(
    r"\b(?:above-?mentioned|aforementioned|afore-mentioned|same (?:meeting|roundtables?|workshop|"
    r"event)|susmentionn\w*|précité\w*|mentionn\w* ci-dessus)\b",
    re.I,
)


def extract_years(text: str, *, latest: int = 2100) -> list[int]:
    """Distinct years the text states as dates, in order of first mention."""
    years: list[int] = []
    for m in _YEAR.finditer(text):
        if _NOT_A_YEAR_AFTER.match(text[m.end() :]) or _NOT_A_YEAR_BEFORE.search(text[: m.start()]):
            continue
        year = int(m.group(1))
        if year <= latest and year not in years:
            years.append(year)
    return years


def extract_months(text: str) -> list[tuple[int, int]]:
    """(year, month) pairs the text states, e.g. "December 2021" -> (2021, 12)."""
    out = []
    for m in _MONTH_YEAR.finditer(text):
        pair = (int(m.group(2)), MONTHS[m.group(1).lower()])
        if pair not in out:
            out.append(pair)
    return out


def refers_back(text: str) -> bool:
    """True when the paragraph continues an activity described before ("the abovementioned")."""
    return bool(_ANAPHORA.search(text))
