"""Cross-validation as training computes it, and the measurement a new data round is judged by."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmalign.classify.labelled import label_matrix, read_items
from gcmalign.classify.train import best_threshold, cross_validate, micro_f1
from gcmalign.evaluate import score
from gcmalign.frameworks import load_framework

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def earlier_and_round():
    """The development set's own training items, and a later round written separately."""
    earlier = read_items(ROOT / "data" / "devset" / "train.jsonl")
    round_ = [
        it for name in ("part-a", "part-b", "part-c") for it in read_items(ROOT / f"data/train/{name}.jsonl")
    ]
    return earlier, round_


def test_a_round_trained_on_in_every_fold_helps_the_earlier_items(earlier_and_round):
    earlier, round_ = earlier_and_round
    targets = load_framework("gcm").target_ids
    y = label_matrix(earlier, targets)
    alone = cross_validate("gcm", earlier, config="sparse")
    helped = cross_validate("gcm", earlier, round_, config="sparse")
    assert helped.shape == alone.shape == (len(earlier), 23)  # the round is trained on, never scored
    assert ((alone >= 0) & (alone <= 1)).all()
    # 145 items alone are few for 23 targets; 526 more written for them must lift both figures
    top1 = {
        name: score(earlier, targets, p, p >= 0.5).top1_accuracy
        for name, p in (("alone", alone), ("helped", helped))
    }
    assert top1["helped"] > top1["alone"] + 0.05
    assert (
        micro_f1(y, helped, best_threshold(y, helped)) > micro_f1(y, alone, best_threshold(y, alone)) + 0.05
    )
