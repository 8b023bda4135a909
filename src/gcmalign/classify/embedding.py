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
    """Per text: title similarity and mean of the top 3 per target, similarity per action."""

    title: np.ndarray  # (n_texts, n_targets)
    top: np.ndarray  # (n_texts, n_targets)
    actions: np.ndarray  # (n_texts, n_actions), columns as `framework_actions` lists them

    def rows(self, idx: np.ndarray) -> EmbeddingScores:
        return EmbeddingScores(self.title[idx], self.top[idx], self.actions[idx])


def descriptors(framework: Framework) -> list[tuple[str, int, str, int | None]]:
    """The framework's own sentences: (text, target index, kind, action column or None)."""
    out: list[tuple[str, int, str, int | None]] = []
    column = 0
    for ti, target in enumerate(framework.targets):
        out += [(title, ti, "title", None) for title in target.titles()]
        out += [(desc, ti, "description", None) for desc in target.description.values() if desc]
        for action in target.actions:
            out += [(text, ti, "action", column) for text in action.text.values() if text]
            column += 1  # in the order of `framework_actions`
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
        texts, owners, kinds, columns = [], [], [], []
        for text, ti, kind, column in descriptors(framework):
            texts.append(text)
            owners.append(ti)
            kinds.append(kind)
            columns.append(column)
        self._desc = self.encoder.encode(texts)
        self._owners = np.array(owners)
        self._kinds = np.array(kinds)
        self._action_columns = [(d, c) for d, c in enumerate(columns) if c is not None]
        self._n_actions = sum(len(target.actions) for target in framework.targets)
        self._target_vectors: np.ndarray | None = None

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode(texts)

    def score_vectors(self, vectors: np.ndarray) -> EmbeddingScores:
        sims = vectors @ self._desc.T  # (n, n_desc)
        n, t = len(vectors), len(self.framework.targets)
        title = np.full((n, t), -1.0, dtype=np.float32)
        top = np.zeros((n, t), dtype=np.float32)
        actions = np.full((n, self._n_actions), -1.0, dtype=np.float32)
        for d, column in self._action_columns:  # an action worded in several languages: its best
            actions[:, column] = np.maximum(actions[:, column], sims[:, d])
        for ti in range(t):
            cols = np.where(self._owners == ti)[0]
            sub = sims[:, cols]
            k = min(TOP_K, sub.shape[1])
            top[:, ti] = np.sort(sub, axis=1)[:, -k:].mean(axis=1)
            tcols = cols[self._kinds[cols] == "title"]
            if len(tcols):
                title[:, ti] = sims[:, tcols].max(axis=1)
        return EmbeddingScores(title=title, top=top, actions=actions)

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
