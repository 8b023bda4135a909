"""Language of a text, English or French.

A stop-word count is enough to tell the two languages the product reads apart, works on
fragments as short as a sentence and needs no model file; other languages fall back to "en".
"""

from __future__ import annotations

import re

_EN = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "was",
        "were",
        "for",
        "with",
        "on",
        "that",
        "this",
        "by",
        "from",
        "are",
        "as",
        "an",
        "be",
        "its",
        "has",
        "have",
        "been",
        "which",
        "their",
        "at",
        "into",
        "will",
    ]
)
_FR = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "et",
        "du",
        "un",
        "une",
        "est",
        "sont",
        "pour",
        "dans",
        "sur",
        "avec",
        "par",
        "au",
        "aux",
        "qui",
        "que",
        "ont",
        "été",
        # unaccented and elided forms: OCR drops accents, and short French fragments
        # ("Rapport d'activites 2023") often carry no other stop word
        "ete",
        "de",
        "en",
        "l",
        "d",
        "ces",
        "cette",
        "entre",
        "ou",
        "il",
        "ils",
        "ne",
        "pas",
    ]
)
_WORD = re.compile(r"[a-zà-ÿ]+")
_FR_LETTERS = re.compile(r"[éèêàçùâîôûœ]")


def detect_language(text: str) -> str:
    """Return ``"fr"`` or ``"en"`` for ``text``.

    Stop words decide; a fragment with none of either language is French when it has French
    accented letters ("Atelier régional à Dakar"), English otherwise.
    """
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    en = sum(t in _EN for t in tokens)
    fr = sum(t in _FR for t in tokens)
    if en == fr == 0 and _FR_LETTERS.search(lowered):
        return "fr"
    return "fr" if fr > en else "en"
