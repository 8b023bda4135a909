"""The neighbour scorer: how the labelled items that read most like a text were labelled.

A text's neighbours are the training items whose TF-IDF rows (the sparse scorer's features)
are nearest to its own by cosine. Its score for a target is the share of its ``K`` nearest
neighbours labelled with that target, each weighted by a softmax of its similarity, so the
nearest count most. A linear scorer weighs each n-gram once for all texts; neighbours keep the
combinations of words that only some activities share. Cross-validated on the training items
it added 0.007 micro-F1 in English and 0.009 in French (see docs/DESIGN.md). The index also
keeps each item's primary target, and the same search tells how the neighbours' primaries fall,
which the primary ranker reads (``fusion.PrimaryRanker``).

The index keeps only rare n-grams (in at most about 5% of the training items): the common ones
add little to who is nearest, and dropping them makes the index half the size and the search
five times faster. The search is sparse_dot_topn's product that keeps each row's top ``K``
(threaded, and never building the texts x items similarity matrix, which is 95% dense);
scikit-learn's ``NearestNeighbors`` would bring its import back to run time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

from gcmalign.classify.encoders import compute_threads

METHOD = "gcmalign.neighbours.v1"
K = 20
TEMPERATURE = 0.03
# the sparse scorer's smoothed idf is 1 + ln((1 + n) / (1 + df)): an n-gram in at most 5% of
# the items has an idf of at least about 1 + ln(20)
RARE_IDF = 1.0 + math.log(20.0)
CHUNK = 4096  # texts searched at once: bounds the product's memory on a very long batch
# the product runs one thread per core over the rows; a text's row does not depend on the
# others, so the result is the same
THREADS = compute_threads()


@dataclass
class NeighbourIndex:
    vectors: sparse.csr_matrix  # (items, features): TF-IDF rows, rare n-grams only
    labels: np.ndarray  # (items, targets) 0/1
    primary: np.ndarray | None = None  # (items,) each item's primary target index, -1 for none

    @classmethod
    def build(cls, features: sparse.csr_matrix, idf: np.ndarray, labels: np.ndarray,
              primary: np.ndarray | None = None) -> NeighbourIndex:  # fmt: skip
        """An index of labelled items from their sparse-scorer ``features`` and that scorer's ``idf``."""
        rare = sparse.diags((idf >= RARE_IDF).astype(np.float64))
        vectors = (features @ rare).tocsr()
        vectors.eliminate_zeros()
        return cls(
            vectors.astype(np.float32),
            np.asarray(labels, dtype=np.int8),
            None if primary is None else np.asarray(primary, dtype=np.int16),
        )

    @cached_property
    def _table(self) -> np.ndarray:
        """The items' label columns, then (when known) one column per target for their primary."""
        if self.primary is None:
            return self.labels.astype(np.float64)
        onehot = np.zeros_like(self.labels)
        rows = np.flatnonzero(self.primary >= 0)
        onehot[rows, self.primary[rows]] = 1
        return np.hstack([self.labels, onehot]).astype(np.float64)

    @cached_property
    def _columns(self) -> sparse.csr_matrix:
        """The index transposed (features x items), as the product wants it."""
        return self.vectors.T.tocsr()

    def shares(self, features: sparse.csr_matrix) -> np.ndarray:
        """(texts x targets): the similarity-weighted share of each text's neighbours per target."""
        return self.search(features)[0]

    def search(self, features: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray | None]:
        """One search, two views: the neighbours' label shares (as :meth:`shares`) and, when the
        index knows its items' primary targets, the share whose primary is each target. A text
        sharing no rare n-gram with any item has no neighbours and zero shares."""
        t = self.labels.shape[1]
        n = features.shape[0]
        out = np.zeros((n, self._table.shape[1]))
        if self.vectors.shape[0] and n:
            columns = self._columns  # built here once
            for start in range(0, n, CHUNK):
                out[start : start + CHUNK] = self._shares(features[start : start + CHUNK], columns)
        return out[:, :t], (out[:, t:] if self.primary is not None else None)

    def _shares(self, features: sparse.csr_matrix, columns: sparse.csr_matrix) -> np.ndarray:
        # float32 like the index: a float64 product would convert the index on every call
        k = min(K, self.vectors.shape[0])
        top = sp_matmul_topn(features.astype(np.float32), columns, top_n=k, n_threads=THREADS)
        counts = np.diff(top.indptr)
        found = counts > 0
        # a softmax of each text's neighbours' similarities, over its own row only
        starts = top.indptr[:-1][found]
        s = top.data.astype(np.float64)
        w = np.exp((s - np.repeat(np.maximum.reduceat(s, starts), counts[found])) / TEMPERATURE)
        w /= np.repeat(np.add.reduceat(w, starts), counts[found])
        weights = sparse.csr_matrix((w, top.indices, top.indptr), shape=top.shape)
        return np.asarray(weights @ self._table)

    def save(self, path: Path) -> None:
        v = self.vectors
        np.savez_compressed(
            path,
            indptr=v.indptr.astype(np.int64),
            indices=v.indices.astype(np.int32),
            data=v.data.astype(np.float16),
            shape=np.array(v.shape),
            labels=self.labels,
            **({} if self.primary is None else {"primary": self.primary}),
        )

    @classmethod
    def load(cls, path: Path | Any) -> NeighbourIndex:
        with path.open("rb") as fh, np.load(fh) as data:
            vectors = sparse.csr_matrix(
                (data["data"].astype(np.float32), data["indices"], data["indptr"]), shape=tuple(data["shape"])
            )
            primary = data["primary"].astype(np.int16) if "primary" in data.files else None
            return cls(vectors, data["labels"].astype(np.int8), primary)
