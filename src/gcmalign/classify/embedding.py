"""The embedding scorer: similarity of a text to each target's title, description and actions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gcmalign.classify.encoders import CachedEncoder, Encoder
from gcmalign.frameworks import Framework

METHOD = "gcmalign.embedding.v1"
TOP_K = 3


@dataclass
class EmbeddingScores:
    """Per text and target: title similarity, best action similarity, mean of the top 3."""

    title: np.ndarray  # (n_texts, n_targets)
    action: np.ndarray
    top: np.ndarray
    best_action: list[list[str | None]]  # action letter with the highest similarity

    def rows(self, idx: np.ndarray) -> EmbeddingScores:
        return EmbeddingScores(
            self.title[idx], self.action[idx], self.top[idx], [self.best_action[i] for i in idx]
        )


def descriptors(framework: Framework) -> list[tuple[str, int, str, str | None]]:
    """The framework's own sentences: (text, target index, kind, action letter)."""
    out: list[tuple[str, int, str, str | None]] = []
    for ti, target in enumerate(framework.targets):
        out += [(title, ti, "title", None) for title in target.titles()]
        out += [(desc, ti, "description", None) for desc in target.description.values() if desc]
        for action in target.actions:
            out += [(text, ti, "action", action.id) for text in action.text.values() if text]
    return out


_SCORERS: dict[tuple[str, str, str, int], EmbeddingScorer] = {}


def embedding_scorer(framework: Framework, encoder: Encoder) -> EmbeddingScorer:
    """A shared scorer per (framework, encoder): the framework's sentences are embedded once."""
    key = (framework.id, framework.version, encoder.name, len(framework.targets))
    if key not in _SCORERS:
        _SCORERS[key] = EmbeddingScorer(framework, encoder)
    return _SCORERS[key]


class EmbeddingScorer:
    """Zero-shot similarity between texts and the framework's own sentences."""

    name = "embedding"

    def __init__(self, framework: Framework, encoder: Encoder) -> None:
        self.framework = framework
        self.encoder = encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(encoder)
        texts, owners, kinds, letters = [], [], [], []
        for text, ti, kind, letter in descriptors(framework):
            texts.append(text)
            owners.append(ti)
            kinds.append(kind)
            letters.append(letter)
        self._desc = self.encoder.encode(texts)
        self._owners = np.array(owners)
        self._kinds = np.array(kinds)
        self._letters = letters
        self._target_vectors: np.ndarray | None = None

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def score_vectors(self, vectors: np.ndarray) -> EmbeddingScores:
        sims = vectors @ self._desc.T  # (n, n_desc)
        n, t = len(vectors), len(self.framework.targets)
        title = np.full((n, t), -1.0, dtype=np.float32)
        action = np.full((n, t), -1.0, dtype=np.float32)
        top = np.zeros((n, t), dtype=np.float32)
        best_action: list[list[str | None]] = [[None] * t for _ in range(n)]
        for ti in range(t):
            cols = np.where(self._owners == ti)[0]
            sub = sims[:, cols]
            k = min(TOP_K, sub.shape[1])
            top[:, ti] = np.sort(sub, axis=1)[:, -k:].mean(axis=1)
            tcols = cols[self._kinds[cols] == "title"]
            if len(tcols):
                title[:, ti] = sims[:, tcols].max(axis=1)
            acols = cols[self._kinds[cols] == "action"]
            if len(acols):
                asims = sims[:, acols]
                action[:, ti] = asims.max(axis=1)
                arg = asims.argmax(axis=1)
                for i in range(n):
                    best_action[i][ti] = self._letters[acols[arg[i]]]
        return EmbeddingScores(title=title, action=action, top=top, best_action=best_action)

    def target_vectors(self) -> np.ndarray:
        """One vector per target: the mean of its descriptors (for evidence search)."""
        if self._target_vectors is not None:
            return self._target_vectors
        out = np.zeros((len(self.framework.targets), self._desc.shape[1]), dtype=np.float32)
        for ti in range(len(self.framework.targets)):
            v = self._desc[self._owners == ti].mean(axis=0)
            out[ti] = v / max(np.linalg.norm(v), 1e-9)
        self._target_vectors = out
        return out
