"""The labelled data the model is trained and measured on: well formed, and the held-out sets kept apart."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from gcmalign.frameworks import load_framework
from gcmalign.textutil import fold

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "data" / "devset"
TRAIN_FILES = sorted((ROOT / "data" / "train").glob("part-*.jsonl"))
VALIDATION_FILES = sorted((ROOT / "data" / "validation").glob("*.jsonl"))
KEYS = {"id", "lang", "text", "labels", "primary"}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def training() -> list[dict]:
    return [row for path in [DEVSET / "train.jsonl", *TRAIN_FILES] for row in _rows(path)]


@pytest.fixture(scope="module")
def test_split() -> list[dict]:
    return _rows(DEVSET / "test.jsonl")


@pytest.fixture(scope="module")
def validation() -> list[dict]:
    return [row for path in VALIDATION_FILES for row in _rows(path)]


def test_every_item_is_well_formed(training, test_split, validation):
    framework = load_framework("gcm")
    targets = set(framework.target_ids)
    actions = {t.id: {a.label(t.id) for a in t.actions} for t in framework.targets}
    for row in training + test_split + validation:
        assert set(row) >= KEYS, row.get("id")
        assert row["lang"] in ("en", "fr"), row["id"]
        assert len(row["text"].split()) >= 5, row["id"]
        assert set(row["labels"]) <= targets and len(set(row["labels"])) == len(row["labels"]), row["id"]
        # the primary comes first; an item that fits no objective has neither
        assert (row["labels"][0] == row["primary"]) if row["labels"] else row["primary"] is None, row["id"]
        # lettered actions, where given, are the framework's, under the item's primary objective
        assert set(row.get("actions", [])) <= actions.get(row["primary"], set()), row["id"]


def test_ids_are_unique_across_all_files(training, test_split, validation):
    repeated = [i for i, n in Counter(r["id"] for r in training + test_split + validation).items() if n > 1]
    assert not repeated


def test_the_development_set_covers_every_objective_in_both_languages():
    rows = _rows(DEVSET / "train.jsonl") + _rows(DEVSET / "test.jsonl")
    per_target = Counter(label for r in rows for label in r["labels"])
    assert len(rows) >= 230
    assert min(per_target[t] for t in load_framework("gcm").target_ids) >= 10
    assert sum(r["lang"] == "fr" for r in rows) >= len(rows) / 3
    assert sum(not r["labels"] for r in rows) >= 5  # texts that fit no objective


def test_no_held_out_item_is_near_a_training_item(training, test_split, validation):
    """A held-out text copied or lightly edited into the training data would inflate the figures."""
    held_out = test_split + validation
    scores = process.cdist(
        [fold(r["text"]) for r in held_out],
        [fold(r["text"]) for r in training],
        scorer=fuzz.ratio,
        score_cutoff=80,
        dtype=np.uint8,
        workers=-1,
    )
    near = [(held_out[i]["id"], training[j]["id"]) for i, j in zip(*np.nonzero(scores), strict=True)]
    assert not near
