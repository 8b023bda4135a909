"""Raw lines of a text document and the tests that tell OCR noise from body text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,;:!?…*•-–—"
# Characters that do not occur inside an ordinary word; two of them in one token mark OCR debris.
_ODD_INNER = set('{}[]|\\~^<>;:?!“”"‘’,.()*=+_#$%@')
_HARD_ODD = set("{}|\\~^<>=")
_STANDALONE_PUNCT = set('«»“”"()[]—–-&:;!?.,…/')
_DOT_RUN = re.compile(r"(?:\.\s*){3,}")


@dataclass
class Token:
    start: int
    end: int
    text: str

    @property
    def core(self) -> str:
        """The token without surrounding punctuation and quotes."""
        return self.text.strip(_EDGE_PUNCT + "&")


@dataclass
class Line:
    index: int
    raw: str
    page: int = 1
    is_link: bool = False
    keep_until: int | None = None  # body text ends here; the rest is callout debris
    removed: bool = False  # the whole line is noise or callout
    tokens: list[Token] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tokens = [Token(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(self.raw)]

    @property
    def blank(self) -> bool:
        return not self.raw.strip()

    @property
    def body(self) -> str:
        """The line's body text once callout fragments and noise are taken out."""
        if self.removed:
            return ""
        text = self.raw if self.keep_until is None else self.raw[: self.keep_until]
        return text.strip()

    @property
    def indented(self) -> bool:
        return bool(self.raw) and self.raw[0] in " \t"


def is_garbage_token(token: str) -> bool:
    """True for OCR debris such as ``eStZ{’“S:’d`` or ``trz;gg/:i:;em``.

    A token is debris when its inside (edges stripped) holds a character no word has (``{``,
    ``|``, ``=``...) or two or more punctuation marks, or when it has almost no letters.
    ``Declaration/UNODC``, ``no-one`` and ``person’s`` are not debris.
    """
    core = token.strip(_EDGE_PUNCT)
    if not core:
        # Punctuation alone: a closing quote or a dash is text ("»," "—"); a lone apostrophe
        # or a run of dots is OCR debris.
        if not token or set(token) <= set(".,·"):
            return bool(token)
        return not set(token) <= _STANDALONE_PUNCT
    inner = core[1:-1] if len(core) > 2 else ""
    odd = [ch for ch in inner if ch in _ODD_INNER]
    if any(ch in _HARD_ODD for ch in core):
        return True
    if len(odd) >= 2:
        return True
    letters = sum(ch.isalnum() for ch in core)
    return len(core) >= 4 and letters / len(core) < 0.6


def is_junk_line(text: str) -> bool:
    """A line of OCR noise: mostly dots and symbols (``. . . . " .. coordtnate:``)."""
    stripped = text.strip()
    if not stripped:
        return False
    if URL_LINE.match(stripped):
        return False
    if _DOT_RUN.search(stripped):
        # Dot leaders with at most two words among them are debris; a sentence that OCR
        # merely followed with dots keeps its words (the dots are stripped as debris later).
        real_words = [w for w in re.findall(r"[^\W\d_]{2,}", stripped)]
        if len(real_words) <= 2:
            return True
    alnum = sum(ch.isalnum() for ch in stripped)
    if alnum == 0:
        return True
    return len(stripped) >= 6 and alnum / len(stripped) < 0.45


def split_lines(text: str) -> list[Line]:
    """Split text into :class:`Line` objects, numbering pages at form feeds."""
    lines: list[Line] = []
    page = 1
    for raw in text.split("\n"):
        if "\f" in raw:
            before, _, after = raw.partition("\f")
            if before.strip():
                lines.append(Line(len(lines), before, page))
            page += 1 + after.count("\f")
            raw = after.replace("\f", "")
        line = Line(len(lines), raw.rstrip(), page)
        line.is_link = bool(URL_LINE.match(raw))
        lines.append(line)
    return lines
