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
    ]
)
_WORD = re.compile(r"[a-zà-ÿ]+")


def detect_language(text: str) -> str:
    """Return ``"fr"`` or ``"en"`` for ``text``."""
    tokens = _WORD.findall(text.lower())
    en = sum(t in _EN for t in tokens)
    fr = sum(t in _FR for t in tokens)
    return "fr" if fr > en else "en"
