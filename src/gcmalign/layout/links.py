"""Attach a page's list of source links to the paragraphs that cite them.

Reports print each page's links after its text, in the order the paragraphs cite them, but
the citation marks are lost. So the links are placed by a monotone alignment: link *i* goes to
a paragraph at or after the paragraph of link *i-1*, choosing the placement that best matches
the words of each URL (its path slug) to the words of the paragraph, with a small bonus for
each paragraph that gets a link (reports rarely leave a paragraph uncited between two cited
ones).
"""

from __future__ import annotations

import math
import re
from urllib.parse import unquote, urlsplit

from rapidfuzz import fuzz

from gcmalign.textutil import fold, stem

_SLUG_NOISE = frozenset(
    [
        "http",
        "https",
        "www",
        "org",
        "com",
        "int",
        "net",
        "en",
        "fr",
        "es",
        "images",
        "image",
        "img",
        "documents",
        "document",
        "docs",
        "activities",
        "activity",
        "publications",
        "publication",
        "preview",
        "pdf",
        "html",
        "htm",
        "php",
        "aspx",
        "index",
        "component",
        "repo",
        "task",
        "id",
        "ml",
        "iframe",
        "view",
        "download",
        "files",
        "file",
        "uploads",
        "sites",
        "default",
        "the",
        "of",
        "and",
        "for",
        "on",
        "in",
        "to",
        "de",
        "la",
        "le",
        "les",
        "et",
        "des",
        "du",
        "un",
        "une",
    ]
)
COVER_BONUS = 0.3
JUMP_PENALTY = 0.01


def slug_terms(url: str) -> list[str]:
    """Informative words of a URL's path and query, stemmed (host and boilerplate dropped)."""
    parts = urlsplit(url)
    raw = unquote(f"{parts.path} {parts.query}")
    tokens = re.split(r"[^0-9A-Za-zÀ-ÿ]+", raw)
    out = []
    for tok in tokens:
        t = fold(tok)
        if len(t) < 3 or t.isdigit() or t in _SLUG_NOISE:
            continue
        out.append(stem(t))
    return out


def _paragraph_stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[^\W\d_]+", fold(text)) if len(w) >= 3}


def _term_in(term: str, vocab: set[str]) -> bool:
    if term in vocab:
        return True
    return len(term) >= 5 and any(len(v) >= 5 and fuzz.ratio(term, v) >= 85 for v in vocab)


def assign_links(links: list[str], paragraphs: list[str], all_texts: list[str]) -> list[int]:
    """Return, for each link, the index of the paragraph (in ``paragraphs``) it belongs to.

    ``all_texts`` (every paragraph of the document) weighs rare words above common ones.
    """
    if not links or not paragraphs:
        return []
    vocabs = [_paragraph_stems(p) for p in paragraphs]
    doc_vocabs = [_paragraph_stems(t) for t in all_texts] or vocabs
    n_docs = len(doc_vocabs)

    def idf(term: str) -> float:
        df = sum(1 for v in doc_vocabs if _term_in(term, v))
        return math.log((n_docs + 1) / (df + 1)) + 0.1 if df else 0.0

    scores = []
    for link in links:
        terms = slug_terms(link)
        weights = {t: idf(t) for t in terms}
        scores.append([sum(w for t, w in weights.items() if _term_in(t, v)) for v in vocabs])

    n, m = len(links), len(paragraphs)
    neg = -1e9
    # best[i][j]: best total for links[: i + 1] with link i on paragraph j
    best = [[neg] * m for _ in range(n)]
    back = [[0] * m for _ in range(n)]
    for j in range(m):
        best[0][j] = scores[0][j] + COVER_BONUS - JUMP_PENALTY * j
    for i in range(1, n):
        for j in range(m):
            for k in range(j + 1):
                gain = 0.0 if k == j else COVER_BONUS
                value = best[i - 1][k] + scores[i][j] + gain - JUMP_PENALTY * (j - k)
                if value > best[i][j]:
                    best[i][j] = value
                    back[i][j] = k
    j = max(range(m), key=lambda col: best[n - 1][col])
    placement = [0] * n
    for i in range(n - 1, -1, -1):
        placement[i] = j
        j = back[i][j]
    return placement
