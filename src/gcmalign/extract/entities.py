"""Named things in an activity: partner organisations, countries (ISO 3166), titles, outputs."""

from __future__ import annotations

import gettext
import json
import re
from functools import cache
from importlib import resources

import pycountry

# Country names that collide with ordinary words or organisation names are skipped.
_COUNTRY_SKIP = {"Jersey", "Chad", "Georgia", "Jordan", "Guernsey", "Man", "Turkey"}
_EXTRA_COUNTRY_NAMES = {
    "Ivory Coast": "CI",
    "The Gambia": "GM",
    "Cape Verde": "CV",
    "Türkiye": "TR",
    "Turquie": "TR",
    "Republic of Turkey": "TR",
    "Democratic Republic of the Congo": "CD",
    "DR Congo": "CD",
    "DRC": "CD",
    "République démocratique du Congo": "CD",
    "RDC": "CD",
    "Congo-Brazzaville": "CG",
    "Russia": "RU",
    "Syria": "SY",
    "Iran": "IR",
    "Laos": "LA",
    "Vietnam": "VN",
    "South Korea": "KR",
    "North Korea": "KP",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Czechia": "CZ",
    "United Kingdom": "GB",
    "UK": "GB",
    "United States": "US",
    "USA": "US",
    "Royaume-Uni": "GB",
    "États-Unis": "US",
    "Etats-Unis": "US",
    "Guinée": "GN",
    "Guinée-Bissau": "GW",
    "Guinée équatoriale": "GQ",
}


@cache
def _country_index() -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    try:
        fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:
        fr = None
    for c in pycountry.countries:
        candidates = {c.name, getattr(c, "common_name", None)}
        if fr is not None:
            candidates.add(fr.gettext(c.name))
        for name in filter(None, candidates):
            if name not in _COUNTRY_SKIP and "," not in name:
                names[name] = c.alpha_2
    names.update(_EXTRA_COUNTRY_NAMES)
    return _names_pattern(names), names


def _names_pattern(names: dict[str, str]) -> re.Pattern[str]:
    """One case-sensitive alternation of whole names, longest first (so "Guinea-Bissau" wins)."""
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])")


_WORD_START = re.compile(r"(?<![\w-])\w+")


@cache
def _first_words(names: tuple[str, ...]) -> frozenset[str] | None:
    """The first word of every name, or None when a name does not start with a word."""
    firsts = {_WORD_START.match(name) for name in names}
    if None in firsts:
        return None
    return frozenset(m.group() for m in firsts if m)


def _find_ids(index: tuple[re.Pattern[str], dict[str, str]], text: str) -> list[str]:
    """Distinct ids of the names found in ``text``, in order of first mention."""
    pattern, names = index
    # Trying the alternation of hundreds of names only where a word could begin one is
    # several times faster than letting the regex engine try it at every character.
    firsts = _first_words(tuple(names))
    if firsts is None:
        matches = list(pattern.finditer(text))
    else:
        matches, end = [], 0
        for word in _WORD_START.finditer(text):
            if word.start() >= end and word.group() in firsts:
                m = pattern.match(text, word.start())
                if m:
                    matches.append(m)
                    end = m.end()
    out: list[str] = []
    for m in matches:
        if names[m.group()] not in out:
            out.append(names[m.group()])
    return out


def extract_countries(text: str) -> list[str]:
    """ISO 3166-1 alpha-2 codes of the countries named in ``text`` (English or French names)."""
    return _find_ids(_country_index(), text)


@cache
def _partner_index() -> tuple[re.Pattern[str], dict[str, str]]:
    data = json.loads((resources.files("gcmalign.data") / "partners.json").read_text(encoding="utf-8"))
    by_alias: dict[str, str] = {}
    for org in data:
        # Matching is case-sensitive, so short acronyms that are also words ("WHO", "UE")
        # only match in capitals.
        aliases = [*org.get("aliases", []), *org.get("case_sensitive_aliases", []), org.get("name", "")]
        for alias in aliases:
            if alias:
                by_alias[alias] = org["id"]
    return _names_pattern(by_alias), by_alias


def extract_partners(text: str) -> list[str]:
    """Ids of the organisations of the curated partner list that ``text`` names."""
    return _find_ids(_partner_index(), text)


_QUOTED = re.compile(r"[“\"«]\s*([^“”\"«»]{8,250}?)\s*[”\"»]")
_TITLE_CUE = re.compile(r"(?:entitled|titled|named|called|intitulée?s?|dénommée?s?)\s*[,:]?\s*$", re.I)
_PUBLISHED_TITLE = re.compile(
    r"\b(?:An?|The|Le|La|Les|Un|Une)\s+((?:[A-Z][\w’'-]*\s+)(?:(?:of|on|for|and|in|the|de|des|"
    r"du|et|sur|pour|[A-Z][\w’'-]*)\s+){1,10}?[A-Z][\w’'-]*)\s+(?:was|were|a été|ont été)\s+"
    r"(?:published|launched|released|publiée?s?|lancée?s?)",
)


def _is_title_case(phrase: str) -> bool:
    tokens = [t for t in phrase.split() if t[:1].isalpha()]
    if len(tokens) < 3:
        return False
    caps = sum(t[0].isupper() for t in tokens)
    return caps / len(tokens) >= 0.5


def extract_titles(text: str) -> list[str]:
    """Titles of meetings and publications: quotes after "entitled"/"named", quoted Title Case,
    and a Title Case name that "was published"."""
    out: list[str] = []
    for m in _QUOTED.finditer(text):
        phrase = m.group(1).strip().rstrip(",.")
        if _TITLE_CUE.search(text[: m.start()]) or _is_title_case(phrase):
            out.append(phrase)
    for m in _PUBLISHED_TITLE.finditer(text):
        if m.group(1) not in out:
            out.append(m.group(1))
    return out


_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4,
    "cinq": 5, "six ": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
}  # fmt: skip
_OUTPUT_NOUNS = (
    r"policy briefs?|briefing papers?|background papers?|papers?|reports?|studies|study|guides?|"
    r"roundtables?|round tables?|workshops?|webinars?|meetings?|recommendations?|"
    r"training sessions?|trainings?|toolkits?|handbooks?|manuals?|notes? d'orientation|"
    r"notes?|rapports?|études?|ateliers?|tables rondes?|webinaires?|réunions?|guides?"
)
_COUNTED = re.compile(
    rf"\b(\d{{1,3}}|{'|'.join(k.strip() for k in _NUMBER_WORDS)})\s+"
    rf"(?:(?:new|technical|regional|national|thematic|virtual|short|nouvelles?|techniques?)\s+)?"
    rf"({_OUTPUT_NOUNS})\b",
    re.I,
)
_NAMED_OUTPUT = re.compile(r"\b(outcome documents?|documents? final|document de résultats)\b", re.I)


def extract_outputs(text: str) -> list[str]:
    """Outputs with their counts ("4 policy briefs", "two roundtables" -> "2 roundtables")."""
    out: list[str] = []
    for m in _COUNTED.finditer(text):
        raw = m.group(1).lower()
        count = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
        if count is None or (count == 1 and not raw.isdigit()):
            continue
        item = f"{count} {m.group(2).lower()}"
        if item not in out:
            out.append(item)
    for m in _NAMED_OUTPUT.finditer(text):
        item = m.group(1).lower()
        if item not in out:
            out.append(item)
    return out
