"""The learned scorer: one logistic regression per target over a text's embedding.

Trained on labelled activity descriptions (the development set's train split and the team's
training corpus, later also reviewed labels), it learns how activities are written, which the
Compact's own wording does not teach. Stored as plain numbers in the model file, so loading
needs no pickle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHOD = "gcmalign.supervised.v1"


def per_target_regressions(x, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """One balanced logistic regression per column of ``y`` over features ``x`` (dense or sparse):
    (coefficients, intercepts). A target without positives, or without negatives, gets zero
    weights and a constant low score."""
    from sklearn.linear_model import LogisticRegression  # training only: slow to import

    coef = np.zeros((y.shape[1], x.shape[1]), dtype=np.float64)
    intercept = np.full(y.shape[1], -6.0)
    for ti in range(y.shape[1]):
        col = y[:, ti]
        if 0 < col.sum() < len(col):
            model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, col)
            coef[ti] = model.coef_[0]
            intercept[ti] = model.intercept_[0]
    return coef, intercept


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
        """Fit one regression per target (see :func:`per_target_regressions`)."""
        coef, intercept = per_target_regressions(vectors, y, c)
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
