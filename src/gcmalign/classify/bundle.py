"""The trained model file of a framework: supervised scorers and combiners, as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from gcmalign.classify.background import BackgroundFilter
from gcmalign.classify.fusion import LearnedCombiner
from gcmalign.classify.neighbours import NeighbourIndex
from gcmalign.classify.sparse import SparseScorer
from gcmalign.classify.supervised import SupervisedScorer
from gcmalign.errors import GcmalignError

MODEL_PACKAGE = "gcmalign.models"


@dataclass
class ModelBundle:
    framework: str
    supervised: dict[str, SupervisedScorer] = field(default_factory=dict)
    combiners: dict[str, LearnedCombiner] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    sparse: SparseScorer | None = None
    # per encoder: one regression telling texts that report an activity advancing some target
    # from those that do not (the training items without labels)
    activity: dict[str, SupervisedScorer] = field(default_factory=dict)
    # per lettered action (e.g. "9c"): the training activities labelled with it, which the
    # action letters' bag-of-words view reads beside the action's own wording
    action_examples: dict[str, list[str]] = field(default_factory=dict)
    # the training items' TF-IDF rows and labels, for the neighbour scorer
    neighbours: NeighbourIndex | None = None
    # drops background sentences (about the organiser, the venue) from what the encoders read
    background: BackgroundFilter | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "meta": self.meta,
            "supervised": {k: v.to_json() for k, v in self.supervised.items()},
            "combiners": {k: v.to_json() for k, v in self.combiners.items()},
            "activity": {k: v.to_json() for k, v in self.activity.items()},
            "action_examples": self.action_examples,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelBundle:
        return cls(
            framework=data["framework"],
            supervised={k: SupervisedScorer.from_json(v) for k, v in data["supervised"].items()},
            combiners={k: LearnedCombiner.from_json(v) for k, v in data["combiners"].items()},
            meta=data.get("meta", {}),
            activity={k: SupervisedScorer.from_json(v) for k, v in data.get("activity", {}).items()},
            action_examples=data.get("action_examples", {}),
        )

    def save(self, path: str | Path) -> None:
        """Write the JSON file, and the sparse scorer's weights and the neighbour index beside it."""
        path = Path(path)
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")
        if self.sparse is not None:
            self.sparse.save(_beside(path.parent, path.stem, "sparse"))
        if self.neighbours is not None:
            self.neighbours.save(_beside(path.parent, path.stem, "neighbours"))
        if self.background is not None:
            self.background.save(_beside(path.parent, path.stem, "background"))


def _beside(folder: Any, stem: str, part: str) -> Any:
    """The file of a model's ``part`` (sparse weights, neighbour index, background filter) beside its ``stem``.json:
    ``folder`` is a directory path or the model package's resources."""
    return folder / f"{stem}-{part}.npz"


def bundled_model_path(framework: str) -> Any:
    return resources.files(MODEL_PACKAGE) / f"{framework}.json"


def load_bundle(framework: str, path: str | Path | None = None) -> ModelBundle | None:
    """The trained model for ``framework`` (bundled, or from ``path``), or ``None``."""
    if path:
        source = Path(path)
        folder, stem = source.parent, source.stem
    else:
        source = bundled_model_path(framework)
        folder, stem = resources.files(MODEL_PACKAGE), framework
    sparse_file, neighbours_file = _beside(folder, stem, "sparse"), _beside(folder, stem, "neighbours")
    if not source.is_file():
        return None
    bundle = ModelBundle.from_json(json.loads(source.read_text(encoding="utf-8")))
    if sparse_file.is_file():
        bundle.sparse = SparseScorer.load(sparse_file)
    if neighbours_file.is_file():
        bundle.neighbours = NeighbourIndex.load(neighbours_file)
    if (background_file := _beside(folder, stem, "background")).is_file():
        bundle.background = BackgroundFilter.load(background_file)
    needed = {f for combiner in bundle.combiners.values() for f in combiner.features}
    for feature, part, file in (
        ("sup_sparse", bundle.sparse, sparse_file),
        ("knn_sparse", bundle.neighbours, neighbours_file),
    ):
        if feature in needed and part is None:
            raise GcmalignError(f"{source}: the model needs {file.name} beside it, which is missing")
    return bundle
