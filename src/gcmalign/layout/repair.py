"""Joining wrapped lines and repairing the OCR slips that recur in common words."""

from __future__ import annotations

import re

from gcmalign.layout.lines import is_garbage_token

# Prefixes that keep their hyphen when a line break falls after them ("anti-" + "trafficking").
KEEP_HYPHEN_PREFIXES = frozenset(
    [
        "anti",
        "non",
        "co",
        "self",
        "cross",
        "multi",
        "inter",
        "intra",
        "pre",
        "post",
        "well",
        "long",
        "short",
        "high",
        "low",
        "socio",
        "ex",
        "sub",
        "counter",
        "pan",
        "semi",
        "post-covid",
    ]
)
# Whole-token OCR slips in very common words; each is a misreading, never a real word.
OCR_WORD_FIXES = {
    "pf": "of",
    "tbe": "the",
    "tlie": "the",
    "thc": "the",
    "aud": "and",
    "wlth": "with",
    "witli": "with",
    "ofthe": "of the",
    "inthe": "in the",
    "andthe": "and the",
    "tbat": "that",
}
_ORDINAL = re.compile(r"\b(\d{1,2})[\"”″](?=\s+[A-Z])")
_DOUBLE_APOS = re.compile(r"['’]{2,}(?=[a-z])")
_WORD = re.compile(r"\b[a-z]+\b")
_HYPHENATED_END = re.compile(r"([^\W\d_]+)-$")


def _ordinal(match: re.Match[str]) -> str:
    n = int(match.group(1))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def repair_ocr(text: str) -> str:
    """Fix OCR slips: ``2" Regional`` -> ``2nd Regional``, ``person'’s`` -> ``person’s``, ``pf``."""
    text = _ORDINAL.sub(_ordinal, text)
    text = _DOUBLE_APOS.sub("’", text)
    return _WORD.sub(lambda m: OCR_WORD_FIXES.get(m.group(), m.group()), text)


def strip_trailing_debris(text: str) -> str:
    """Drop debris left at the end of a line: a stray ``’`` after a word, dot leaders.

    A trailing run of punctuation-only tokens goes as a whole when any of it is debris
    (``. . " .. ,``); alone, a closing quote (``»,``) is text and stays.
    """
    parts = text.split()
    while parts and is_garbage_token(parts[-1]):
        parts.pop()
        run = 0
        while run < len(parts) and not any(ch.isalnum() for ch in parts[-1 - run]):
            run += 1
        if run:
            del parts[-run:]
    return " ".join(parts)


def join_lines(lines: list[str], known_hyphenated: set[str] | None = None) -> str:
    """Join wrapped lines into one paragraph, repairing words hyphenated at a line break.

    The hyphen is kept when the first part is a prefix that keeps it (``anti-``) or when the
    document spells the word with a hyphen elsewhere; otherwise the parts are joined.
    """
    known = known_hyphenated or set()
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        m = _HYPHENATED_END.search(out[-80:])  # only the tail: `out` grows with the paragraph
        if m and line[:1].isalpha() and line[:1].islower():
            first = m.group(1)
            second = re.match(r"[^\W\d_]+", line)
            joined = f"{first}-{second.group() if second else ''}".lower()
            out = out + line if first.lower() in KEEP_HYPHEN_PREFIXES or joined in known else out[:-1] + line
        else:
            out = f"{out} {line}"
    return re.sub(r"[ \t]{2,}", " ", out)
