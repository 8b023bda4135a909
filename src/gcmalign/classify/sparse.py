"""The sparse learned scorer: per-target logistic regressions over hashed word and character
n-grams (TF-IDF weighted).

It learns the vocabulary of labelled activities in both languages, including words no
lexicon lists, and costs almost nothing to run. A second head over the same features, trained
on the items' primary targets only, tells which applying target a text is mainly about (a
feature of the primary ranker, ``fusion.PrimaryRanker``). Hashing keeps the model a fixed size with no
vocabulary to store; the weights ship as a compressed ``.npz`` (no pickle).
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from gcmalign.classify.lexicon import term_stems
from gcmalign.classify.supervised import per_target_regressions
from gcmalign.textutil import fold

METHOD = "gcmalign.sparse.v3"
N_FEATURES = 2**16
C = 8.0


def _word_grams(text: str) -> list[str]:
    stems = term_stems(text)
    return stems + [f"{a} {b}" for a, b in itertools.pairwise(stems)]


CHAR_NGRAMS = (3, 4, 5)
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)


def _word_counts(texts: list[str]) -> sparse.csr_matrix:
    # crc32 is deterministic across runs and machines (Python's str hash is not), and needs no
    # scikit-learn at run time (its hashing vectorizer took most of the classifier's import)
    rows = [[zlib.crc32(gram.encode()) % N_FEATURES for gram in _word_grams(t)] for t in texts]
    return _csr_counts(rows, len(texts))


def _csr_counts(rows: list[list[int]] | list[np.ndarray], n_rows: int) -> sparse.csr_matrix:
    """Counts of the feature ids of each row."""
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.concatenate([np.asarray(r, dtype=np.int64) for r in rows]) if rows else np.zeros(0, np.int64)
    counts = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(n_rows, N_FEATURES)
    )
    counts.sum_duplicates()
    return counts


def _char_ids(padded: str) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and hashed ids of the character 3- to 5-grams inside the words of ``padded``
    (words each padded with one space on both sides, as in :func:`_padded`).

    The same n-grams as scikit-learn's ``char_wb`` analyzer, hashed with numpy over the whole
    string at once: that analyzer builds every n-gram as a Python string, which made it the
    slowest step of the fast classifier.
    """
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    spaces = np.concatenate([[0], np.cumsum(codes == 32)])
    starts, ids = [], []
    for n in CHAR_NGRAMS:
        m = len(codes) - n + 1
        if m <= 0:
            continue
        h = np.full(m, np.uint64(n))
        for k in range(n):
            h = h * _PRIME + codes[k : k + m]
        # an n-gram inside a padded word has a space at most at its ends
        inside = np.flatnonzero(spaces[n - 1 : n - 1 + m] - spaces[1 : 1 + m] == 0)
        h = h[inside]
        h ^= h >> np.uint64(33)
        h *= _MIX
        h ^= h >> np.uint64(33)
        starts.append(inside)
        ids.append(h % np.uint64(N_FEATURES))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(starts), np.concatenate(ids).astype(np.int64)


def _padded(text: str) -> str:
    return " " + "  ".join(fold(text).split()) + " "


def _char_counts(texts: list[str]) -> sparse.csr_matrix:
    # All texts in one string: padded texts end and begin with a space, so no n-gram inside a
    # word crosses from one text to the next, and hashing them together costs one pass.
    padded = [_padded(t) for t in texts]
    offsets = np.cumsum([0] + [len(p) for p in padded])
    starts, ids = _char_ids("".join(padded))
    rows = np.searchsorted(offsets, starts, side="right") - 1
    data = np.ones(len(ids), dtype=np.float64)
    counts = sparse.csr_matrix((data, (rows, ids)), shape=(len(texts), N_FEATURES))
    counts.sum_duplicates()
    return counts


def _counts(texts: list[str]) -> sparse.csr_matrix:
    return sparse.hstack([_word_counts(texts), _char_counts(texts)]).tocsr()


@dataclass
class SparseScorer:
    targets: list[str]
    idf: np.ndarray  # (2 * N_FEATURES,)
    coef: np.ndarray  # (n_targets, 2 * N_FEATURES)
    intercept: np.ndarray
    # the primary head: per-target regressions on whether the target is the text's primary one
    primary_coef: np.ndarray | None = None
    primary_intercept: np.ndarray | None = None

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        x = _counts(texts).astype(np.float64)
        x.data = 1.0 + np.log(x.data)  # sublinear term frequency
        x = x.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ x

    @cached_property
    def _coef_columns(self) -> np.ndarray:
        # features are float64: a float32 or transposed (non-contiguous) ``coef.T`` would be
        # converted to this on every product, which cost more than computing the features
        return np.ascontiguousarray(self.coef.T, dtype=np.float64)

    def logits(self, texts: list[str]) -> np.ndarray:
        return self.logits_of(self.features(texts))

    def logits_of(self, features: sparse.csr_matrix) -> np.ndarray:
        """Logits of texts whose :meth:`features` are already computed."""
        return np.asarray(features @ self._coef_columns) + self.intercept

    @cached_property
    def _primary_columns(self) -> np.ndarray | None:
        if self.primary_coef is None:
            return None
        return np.ascontiguousarray(self.primary_coef.T, dtype=np.float64)

    def primary_logits_of(self, features: sparse.csr_matrix) -> np.ndarray | None:
        """The primary head's logits (``None`` without that head)."""
        if self._primary_columns is None:
            return None
        return np.asarray(features @ self._primary_columns) + self.primary_intercept

    @classmethod
    def fit(
        cls, targets: list[str], texts: list[str], y: np.ndarray, primary: np.ndarray | None = None
    ) -> SparseScorer:
        """Regressions of ``y`` (texts x targets, 0/1) on the texts' n-grams; given ``primary``
        (texts x targets, 1 where a target is the text's primary one), the primary head too."""
        counts = _counts(texts)
        # smoothed inverse document frequency, as scikit-learn's TfidfTransformer computes it
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)
        unfitted = cls(targets, idf, np.zeros(0), np.zeros(0))  # for its features only
        x = unfitted.features(texts)
        coef, intercept = per_target_regressions(x, y, C)
        head = (None, None)
        if primary is not None:
            head = tuple(a.astype(np.float32) for a in per_target_regressions(x, primary, C))
        return cls(targets, idf, coef.astype(np.float32), intercept.astype(np.float32), *head)

    def save(self, path: Path, **extra: np.ndarray) -> None:
        """Write the weights, and any ``extra`` arrays of a model built on this one, in one file."""
        head = {}
        if self.primary_coef is not None:
            head = {
                "primary_coef": self.primary_coef.astype(np.float16),
                "primary_intercept": self.primary_intercept.astype(np.float32),
            }
        np.savez_compressed(
            path,
            targets=np.array(self.targets),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            **head,
            **extra,
        )

    @classmethod
    def load(cls, path: Path | Any) -> SparseScorer:
        with path.open("rb") as fh, np.load(fh) as data:
            head = ()  # a model without a primary head (older, or the background filter's)
            if "primary_coef" in data.files:
                head = (data["primary_coef"].astype(np.float32), data["primary_intercept"].astype(np.float32))
            return cls(
                [str(t) for t in data["targets"]],
                data["idf"].astype(np.float32),
                data["coef"].astype(np.float32),
                data["intercept"].astype(np.float32),
                *head,
            )
