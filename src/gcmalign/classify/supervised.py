"""The learned scorer: one logistic regression per target over a text's embedding.

Trained on labelled activity descriptions (the development set's train split and the team's
training corpus, later also reviewed labels), it learns how activities are written, which the
Compact's own wording does not teach. Stored as plain numbers in the model file, so loading
needs no pickle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

METHOD = "gcmalign.supervised.v1"


@dataclass
class SupervisedScorer:
    """Per-target logistic regressions sharing one embedding space."""

    encoder: str
    targets: list[str]
    coef: np.ndarray  # (n_targets, dim)
    intercept: np.ndarray  # (n_targets,)

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.coef.T + self.intercept

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(vectors)))

    @classmethod
    def fit(cls, encoder: str, targets: list[str], vectors: np.ndarray, y: np.ndarray,
            c: float = 4.0) -> SupervisedScorer:  # fmt: skip
        """Fit one regression per target; a target without positives gets a constant low score."""
        coef = np.zeros((len(targets), vectors.shape[1]), dtype=np.float64)
        intercept = np.full(len(targets), -6.0)
        for ti in range(len(targets)):
            col = y[:, ti]
            if col.sum() == 0 or col.sum() == len(col):
                continue
            model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
            model.fit(vectors, col)
            coef[ti] = model.coef_[0]
            intercept[ti] = model.intercept_[0]
        return cls(encoder, targets, coef, intercept)

    def to_json(self) -> dict:
        return {
            "encoder": self.encoder,
            "targets": self.targets,
            "coef": np.round(self.coef, 6).tolist(),
            "intercept": np.round(self.intercept, 6).tolist(),
        }

    @classmethod
    def from_json(cls, data: dict) -> SupervisedScorer:
        return cls(
            data["encoder"],
            list(data["targets"]),
            np.asarray(data["coef"], dtype=np.float32),
            np.asarray(data["intercept"], dtype=np.float32),
        )
