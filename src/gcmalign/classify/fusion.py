"""Fusing scorer outputs into one probability per (text, target)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gcmalign.classify.embedding import EmbeddingScores


@dataclass
class Features:
    lexicon: np.ndarray  # (n, t) weighted count of distinct lexicon terms
    callout: np.ndarray  # (n, t) 1 where a callout quoting the target stands beside the text
    embedding: EmbeddingScores | None = None


def _zscore(x: np.ndarray) -> np.ndarray:
    """Standardise each row: how far a target stands out among the targets for this text."""
    mean = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    return (x - mean) / np.maximum(std, 1e-6)


class ZeroShotCombiner:
    """A fixed logistic fusion for use before any labelled data: lexicon evidence counts most,
    embeddings rank targets the lexicon does not reach, a callout is near-decisive."""

    name = "gcmalign.fusion.zeroshot.v1"

    def __init__(self, bias: float = -4.0, w_lex: float = 2.2, w_emb: float = 0.9,
                 w_callout: float = 5.0) -> None:  # fmt: skip
        self.bias = bias
        self.w_lex = w_lex
        self.w_emb = w_emb
        self.w_callout = w_callout

    def predict_proba(self, f: Features) -> np.ndarray:
        z = self.bias + self.w_lex * np.log1p(f.lexicon) + self.w_callout * f.callout
        if f.embedding is not None:
            z = z + self.w_emb * _zscore(f.embedding.top)
        return 1.0 / (1.0 + np.exp(-z))
