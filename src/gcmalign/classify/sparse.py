"""The sparse learned scorer: per-target logistic regressions over hashed word and character
n-grams (TF-IDF weighted).

It learns the vocabulary of labelled activities in both languages, including words no
lexicon lists, and costs almost nothing to run. Hashing keeps the model a fixed size with no
vocabulary to store; the weights ship as a compressed ``.npz`` (no pickle).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from gcmalign.classify.lexicon import term_stems
from gcmalign.textutil import fold

METHOD = "gcmalign.sparse.v1"
N_FEATURES = 2**16
C = 8.0


def _word_grams(text: str) -> list[str]:
    stems = term_stems(text)
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    words = HashingVectorizer(analyzer=_word_grams, n_features=N_FEATURES, alternate_sign=False, norm=None)
    chars = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        preprocessor=fold,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
    )
    return words, chars


def _counts(texts: list[str]) -> sparse.csr_matrix:
    words, chars = _vectorizers()
    return sparse.hstack([words.transform(texts), chars.transform(texts)]).tocsr()


@dataclass
class SparseScorer:
    targets: list[str]
    idf: np.ndarray  # (2 * N_FEATURES,)
    coef: np.ndarray  # (n_targets, 2 * N_FEATURES)
    intercept: np.ndarray

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        x = _counts(texts).astype(np.float64)
        x.data = 1.0 + np.log(x.data)  # sublinear term frequency
        x = x.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x

    def logits(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.features(texts) @ self.coef.T) + self.intercept

    @classmethod
    def fit(cls, targets: list[str], texts: list[str], y: np.ndarray) -> SparseScorer:
        counts = _counts(texts)
        tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
        scorer = cls(targets, tfidf.idf_.astype(np.float32), np.zeros((len(targets), counts.shape[1]), dtype=np.float32),
                     np.full(len(targets), -6.0, dtype=np.float32))  # fmt: skip
        x = scorer.features(texts)
        for ti in range(len(targets)):
            col = y[:, ti]
            if 0 < col.sum() < len(col):
                model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, col)
                scorer.coef[ti] = model.coef_[0]
                scorer.intercept[ti] = model.intercept_[0]
        return scorer

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            targets=np.array(self.targets),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path | Any) -> SparseScorer:
        with path.open("rb") as fh, np.load(fh) as data:
            return cls(
                [str(t) for t in data["targets"]],
                data["idf"].astype(np.float32),
                data["coef"].astype(np.float32),
                data["intercept"].astype(np.float32),
            )
