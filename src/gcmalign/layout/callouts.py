"""Margin callouts that OCR wove into body lines: find them, take them out, identify them.

An alignment report quotes objective titles in its margin (“Invest in skills development and
facilitate mutual recognition ...”). OCR reads the page row by row, so the quote's words land
at the ends of body lines, often garbled, and its last words on lines of their own::

    ... projects which promote investing in skills ... such as THAMM de;e;"p,l”?te:t
    C . . . . . . . . ana jacutate
    ... Methods to achieve this mutual
    ... promoting recognition of qualifications and skills recognition of
    prior to departure and upon return. skills,
    qualifications &
    competences”.

No general tool separates such fragments, so this module aligns line tails with the titles of
the framework targets: starting at a line that looks like a callout (debris, an opening quote,
a short quoted line), it walks down the page and, per line, takes the longest tail whose words
follow the title's words in order (debris tokens stand in for words OCR could not read). The
title that aligns best names the callout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from gcmalign.frameworks import Framework
from gcmalign.layout.lines import Line, Token, is_garbage_token, is_junk_line
from gcmalign.model import Callout
from gcmalign.textutil import fold

TITLE_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "all",
        "as",
        "at",
        "by",
        "for",
        "in",
        "of",
        "on",
        "the",
        "to",
        "with",
        "throughout",
        "et",
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "en",
        "pour",
    ]
)
MAX_TAIL_TOKENS = 5
MAX_CALLOUT_LINES = 16
LOOKAHEAD = 3
_OPEN_QUOTES = ("“", '"', "«")
_CLOSE_QUOTES = ("”", '"', "»")


@dataclass(frozen=True)
class TitleRef:
    framework: str
    target: str
    text: str
    words: tuple[str, ...]

    @property
    def content_words(self) -> int:
        return sum(w not in TITLE_STOPWORDS for w in self.words)


def title_refs(frameworks: list[Framework]) -> list[TitleRef]:
    """Every title (all languages and aliases) of every target, as word sequences."""
    refs = []
    for fw in frameworks:
        for target in fw.targets:
            for title in target.titles():
                refs.append(TitleRef(fw.id, target.id, title, tuple(_norm_words(title))))
    return refs


def _norm_word(text: str) -> str:
    core = Token(0, 0, text).core
    return "and" if core in ("&", "") and "&" in text else fold(core)


def _norm_words(text: str) -> list[str]:
    return [w for w in (_norm_word(t) for t in text.replace(",", " ").split()) if w]


def _word_matches(word: str, title_word: str) -> bool:
    if len(word) <= 3 or len(title_word) <= 3:
        return word == title_word
    return fuzz.ratio(word, title_word) >= 80


@dataclass
class _Alignment:
    ref: TitleRef
    fragments: list[tuple[int, int]] = field(default_factory=list)  # (line index, char start)
    content: int = 0
    debris: int = 0
    opened: bool = False
    closed: bool = False
    words: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        covered = self.content + 0.5 * min(self.debris, 3)
        return min(1.0, covered / max(1, self.ref.content_words))


def _match_suffix(
    tokens: list[Token], ref: TitleRef, pointer: int, debris_before: int, first: bool
) -> tuple[int, int, int, list[str]] | None:
    """Match tokens, in order, to the title from ``pointer``.

    Returns (new pointer, content words matched, debris tokens, matched words) or None.
    """
    content = debris = 0
    matched: list[str] = []
    slack = LOOKAHEAD + 3 * debris_before
    for tok in tokens:
        if is_garbage_token(tok.text):
            debris += 1
            slack += 3
            continue
        word = _norm_word(tok.text)
        if not word:
            return None
        stop = word in TITLE_STOPWORDS
        limit = len(ref.words) if (first and not matched and not stop) else pointer + slack + 1
        for j in range(pointer, min(limit, len(ref.words))):
            if _word_matches(word, ref.words[j]):
                pointer = j + 1
                content += 0 if stop else 1
                matched.append(word)
                slack = LOOKAHEAD
                break
        else:
            return None
    return pointer, content, debris, matched


def _align(lines: list[Line], start: int, ref: TitleRef) -> _Alignment:
    al = _Alignment(ref)
    pointer = 0
    gap = 0
    debris_pending = 0
    for li in range(start, min(start + MAX_CALLOUT_LINES, len(lines))):
        line = lines[li]
        if line.is_link or line.page != lines[start].page:
            break
        if line.blank or line.removed:
            continue
        if is_junk_line(line.raw):
            # A line of debris inside a callout: take all of it, let its readable words advance.
            for tok in line.tokens:
                res = _match_suffix([tok], ref, pointer, debris_pending, False)
                if res:
                    pointer, c, _, w = res
                    al.content += c
                    al.words += w
            al.fragments.append((li, 0))
            al.debris += 1
            debris_pending += 1
            gap = 0
            continue
        tokens = line.tokens
        standalone = len(tokens) <= 4
        max_k = len(tokens) if standalone else min(MAX_TAIL_TOKENS, len(tokens) - 1)
        best = None
        for k in range(max_k, 0, -1):
            res = _match_suffix(tokens[-k:], ref, pointer, debris_pending, not al.fragments)
            if (res and (res[1] or res[2])) or (res and k == len(tokens)):
                best = (k, res)
                break
        if best is None:
            if li == start:
                return al
            gap += 1
            if gap > 1:
                break
            continue
        k, (pointer, content, debris, words) = best
        first_tok = tokens[-k]
        if not al.fragments and first_tok.text.startswith(_OPEN_QUOTES):
            al.opened = True
        al.fragments.append((li, first_tok.start))
        al.content += content
        al.debris += debris
        al.words += words
        debris_pending = debris
        gap = 0
        last = tokens[-1].text.rstrip(".,;:")
        if last.endswith(_CLOSE_QUOTES) or pointer >= len(ref.words):
            al.closed = last.endswith(_CLOSE_QUOTES)
            break
    return al


def _acceptable(al: _Alignment, unique_first_word: bool) -> bool:
    if not al.fragments:
        return False
    quoted = al.opened or al.closed
    if (al.content >= 2 and (quoted or al.debris)) or al.content >= 4:
        return True
    # Only the first word of a quote survived (“Create): enough when no other title starts so.
    return al.opened and al.content == 1 and len(al.fragments) == 1 and unique_first_word


def _is_seed(line: Line) -> bool:
    if line.removed or line.blank or line.is_link:
        return False
    if is_junk_line(line.raw):
        return True
    tokens = line.tokens
    if is_garbage_token(tokens[-1].text):
        return True
    if len(tokens) <= 4 and (
        tokens[0].text.startswith(_OPEN_QUOTES) or tokens[-1].text.rstrip(".,;").endswith(_CLOSE_QUOTES)
    ):
        return True
    return any(t.text.startswith(_OPEN_QUOTES) and t.core[:1].isupper() for t in tokens[-3:])


def extract_callouts(lines: list[Line], refs: list[TitleRef]) -> list[tuple[Callout, list[int]]]:
    """Find callouts in ``lines``, mark their fragments as removed, and return them.

    Each callout comes with the indices of the lines that held its fragments.
    """
    first_words: dict[str, set[str]] = {}
    for ref in refs:
        if ref.words:
            first_words.setdefault(ref.words[0], set()).add(ref.target)
    found: list[tuple[Callout, list[int]]] = []
    i = 0
    while i < len(lines):
        if not _is_seed(lines[i]):
            i += 1
            continue
        best: _Alignment | None = None
        for ref in refs:
            al = _align(lines, i, ref)
            unique = len(first_words.get(ref.words[0] if ref.words else "", ())) == 1
            if not _acceptable(al, unique):
                continue
            if best is None or (al.content, al.score) > (best.content, best.score):
                best = al
        if best is None:
            i += 1
            continue
        texts = []
        for li, cut in best.fragments:
            line = lines[li]
            texts.append(line.raw[cut:].strip())
            if cut == 0 or not line.raw[:cut].strip():
                line.removed = True
            else:
                line.keep_until = cut
        while texts and not any(ch.isalnum() for ch in texts[0]):
            texts.pop(0)  # a stray mark before the quote is debris, not part of it
        callout = Callout(
            page=lines[i].page,
            text=" ".join(texts),
            framework=best.ref.framework,
            target=best.ref.target,
            score=best.score if best.content > 1 else 0.5,
        )
        found.append((callout, [lines[li].index for li, _ in best.fragments]))
        i = best.fragments[-1][0] + 1
    return found
