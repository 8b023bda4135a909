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

from gcmalign.frameworks import Framework
from gcmalign.textutil import Sentence, fold, sentences, stem

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_ELISIONS = frozenset(["l", "d", "qu", "n", "s", "j", "c", "m", "t", "jusqu", "lorsqu", "puisqu"])
ACTION_WEIGHT = 0.5
METHOD = "gcmalign.lexicon.v1"


def term_stems(text: str) -> list[str]:
    """Folded, stemmed tokens with French elisions split off."""
    out = []
    for tok in _TOKEN.findall(fold(text)):
        if "'" in tok or "’" in tok:
            head, _, tail = tok.replace("’", "'").partition("'")
            tok = tail if head in _ELISIONS else head
        out.append(stem(tok))
    return out


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

    def score(self, text: str) -> LexiconResult:
        sents = sentences(text) or [Sentence(text, 0, len(text))]
        result = LexiconResult(sentences=sents)
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
