"""The lexicon scorer: curated English and French terms per target and per action.

Terms and text are compared as sequences of folded, stemmed words, so case, accents,
plurals and common derivations do not matter: the term ``victime de la traite`` matches
"Victimes de la Traite", and ``smuggling network`` matches "smuggling networks". French
elisions are split (``l'intégration`` -> ``integration``) and hyphens separate words
(``anti-trafficking`` = ``anti trafficking``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from gcmalign.frameworks import Framework
from gcmalign.textutil import Sentence, fold, sentences, stem

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_ELISIONS = frozenset(["l", "d", "qu", "n", "s", "j", "c", "m", "t", "jusqu", "lorsqu", "puisqu"])
ACTION_WEIGHT = 0.5
# A sentence "quotes" a target's title when it holds this share of the title's content words,
# and at least this many: alignment reports name objectives in the Compact's words ("adverse
# drivers and structural factors that compel people to leave"). Measured on our labelled items
# (train and test, 4,184): it fires 3 times, each time on the item's primary objective.
TITLE_QUOTE_SHARE = 0.7
TITLE_QUOTE_WORDS = 4
METHOD = "gcmalign.lexicon.v1"


@lru_cache(maxsize=200_000)
def _token_stem(tok: str) -> str:
    if "'" in tok:
        head, _, tail = tok.partition("'")
        tok = tail if head in _ELISIONS else head
    return stem(tok)


def term_stems(text: str) -> list[str]:
    """Folded, stemmed tokens with French elisions split off."""
    return list(_text_stems(text))


@lru_cache(maxsize=8192)
def _text_stems(text: str) -> tuple[str, ...]:
    # the lexicon, the sparse scorer and evidence picking all stem the same sentences
    return tuple(_token_stem(tok) for tok in _TOKEN.findall(fold(text)))


@dataclass
class LexiconHit:
    target: str
    term: str
    action: str | None
    sentence: int


@dataclass
class LexiconResult:
    """Per-target lexicon evidence for one text."""

    scores: dict[str, float] = field(default_factory=dict)
    actions: dict[str, list[str]] = field(default_factory=dict)
    hits: dict[str, list[LexiconHit]] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)
    quotes: dict[str, int] = field(default_factory=dict)  # target -> first sentence quoting its title

    def lead_score(self, target: str) -> float:
        """Distinct terms of ``target`` in the first sentence, where reports name the topic."""
        return float(len({h.term for h in self.hits.get(target, []) if h.sentence == 0}))

    def hit_count(self, target: str) -> int:
        """All hits of ``target``, repeats included (a word used four times weighs more)."""
        return len({(h.term, h.sentence, h.action) for h in self.hits.get(target, [])})

    def evidence(self, target: str) -> Sentence | None:
        """The sentence with the most hits for ``target``."""
        hits = self.hits.get(target)
        if not hits:
            return None
        counts: dict[int, int] = {}
        for h in hits:
            counts[h.sentence] = counts.get(h.sentence, 0) + 1
        best = max(counts, key=lambda s: (counts[s], -s))
        return self.sentences[best]


class LexiconScorer:
    """Scores texts against the lexicon terms of one framework."""

    name = "lexicon"

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        # content stems of each title (all languages): reports often paraphrase a title
        self._titles = [
            [set(w for w in term_stems(title) if len(w) > 3) for title in target.titles()]
            for target in framework.targets
        ]
        # content stem -> the (target index, title index) pairs whose title holds it
        self._title_words: dict[str, list[tuple[int, int]]] = {}
        for ti, titles in enumerate(self._titles):
            for k, words in enumerate(titles):
                for word in words:
                    self._title_words.setdefault(word, []).append((ti, k))
        # first stem -> [(stems, target, action letter or None, term)]
        self._index: dict[str, list[tuple[tuple[str, ...], str, str | None, str]]] = {}
        for target in framework.targets:
            for terms in target.lexicon.values():
                for term in terms:
                    self._add(term, target.id, None)
            for action in target.actions:
                for terms in action.lexicon.values():
                    for term in terms:
                        self._add(term, target.id, action.id)

    def _add(self, term: str, target: str, action: str | None) -> None:
        key = tuple(term_stems(term))
        if key:
            self._index.setdefault(key[0], []).append((key, target, action, term))

    def _shared_title_words(self, text: str) -> dict[tuple[int, int], int]:
        """How many content words of each title, keyed (target index, title index), ``text`` holds."""
        shared: dict[tuple[int, int], int] = {}
        for word in set(term_stems(text)):
            for key in self._title_words.get(word, ()):
                shared[key] = shared.get(key, 0) + 1
        return shared

    def title_coverage(self, text: str) -> list[float]:
        """Per target, the largest share of a title's content words that the text contains."""
        cover = [0.0] * len(self._titles)
        for (ti, k), count in self._shared_title_words(text).items():
            cover[ti] = max(cover[ti], count / len(self._titles[ti][k]))
        return cover

    def title_quotes(self, sents: list[Sentence]) -> dict[str, int]:
        """Targets whose title one of ``sents`` quotes or closely paraphrases, with that sentence."""
        found: dict[str, int] = {}
        for si, sent in enumerate(sents):
            for (ti, k), count in self._shared_title_words(sent.text).items():
                target = self.framework.targets[ti].id
                size = len(self._titles[ti][k])
                if target not in found and count >= TITLE_QUOTE_WORDS and count >= TITLE_QUOTE_SHARE * size:
                    found[target] = si
        return found

    def score(self, text: str) -> LexiconResult:
        sents = sentences(text) or [Sentence(text, 0, len(text))]
        result = LexiconResult(sentences=sents, quotes=self.title_quotes(sents))
        seen: set[tuple[str, str | None, str]] = set()
        for si, sent in enumerate(sents):
            toks = term_stems(sent.text)
            for i, tok in enumerate(toks):
                for key, target, action, term in self._index.get(tok, ()):
                    if tuple(toks[i : i + len(key)]) != key:
                        continue
                    result.hits.setdefault(target, []).append(LexiconHit(target, term, action, si))
                    if (target, action, term) in seen:
                        continue
                    seen.add((target, action, term))
                    weight = ACTION_WEIGHT if action else 1.0
                    result.scores[target] = result.scores.get(target, 0.0) + weight
                    if action:
                        label = f"{target}{action}"
                        acts = result.actions.setdefault(target, [])
                        if label not in acts:
                            acts.append(label)
        return result
