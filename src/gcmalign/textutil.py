"""Small text helpers shared by layout, extraction and classification."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})

# fmt: off
STOPWORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in",
    "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to",
    "was", "were", "which", "with", "all", "both", "such", "than", "these", "those", "our",
    "we", "they", "been", "being", "le", "la", "les", "de", "des", "du", "un", "une", "et",
    "en", "au", "aux", "pour", "par", "sur", "dans", "avec", "que", "qui", "est", "sont",
    "ou", "d", "l", "à", "ce", "ces", "se", "sa", "son", "ses", "leur", "leurs",
])
# fmt: on


def _fold_table() -> dict[int, str]:
    table = {ord("œ"): "oe", ord("æ"): "ae", ord("’"): "'", ord("‘"): "'"}
    for cp in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(cp)) if not unicodedata.combining(c))
        if base != chr(cp) and base:
            table[cp] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Casefold and strip accents: ``"Réunion"`` -> ``"reunion"``, ``"main-d’œuvre"`` ->
    ``"main-d'oeuvre"``."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    folded = folded.translate(_FOLD)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_quotes(text: str) -> str:
    return text.translate(_QUOTES)


def normalize_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Folded word tokens (letters and digits; inner hyphens and apostrophes kept)."""
    return WORD_RE.findall(fold(text))


# fmt: off
_SUFFIXES = (
    # French first (longer), then English; a crude stemmer is enough to make plural and
    # derived forms meet, and needs no model.
    "issements", "issement", "ations", "ation", "ements", "ement", "ments", "ment", "ités",
    "ites", "ité", "ite", "euses", "euse", "eurs", "eur", "ives", "ive", "ifs", "if",
    "ingly", "ings", "ing", "edly", "ies", "ied", "ers", "er", "ed", "es", "s", "e",
)
# fmt: on


def stem(word: str) -> str:
    """A light suffix-stripping stem for English and French words (already folded)."""
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“(]?[A-ZÀ-ÖØ-Þ0-9])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|St|No|vs|cf|al|Art|para)\.|\b[A-Z]\.)$")


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences with character offsets (rule-based; no model needed)."""
    out: list[Sentence] = []
    start = 0
    for m in _SENT_END.finditer(text):
        candidate = text[start : m.start()]
        if _ABBREV.search(candidate.rstrip('"”’)')):
            continue
        end = m.start()
        if candidate.strip():
            out.append(Sentence(text[start:end].strip(), start, end))
        start = m.end()
    if text[start:].strip():
        tail = text[start:].rstrip()
        out.append(Sentence(tail.strip(), start, start + len(tail)))
    return out
