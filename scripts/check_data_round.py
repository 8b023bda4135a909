"""Judge a new round of training items by what it does to the items that came before it.

Usage: python scripts/check_data_round.py --new data/train/part-zm.jsonl ... -- EARLIER.jsonl ...

Prints, per language, the earlier items' out-of-fold micro-F1 and top-1 without and with the
new round (the default configuration, as `gcmalign train` computes them; the earlier items
keep the same folds in both runs and the new round joins the training side of every fold),
for two fold splits, their mean, and the mean change with its 95% paired-bootstrap interval.
The rule in docs/DESIGN.md: keep the round only if all four mean figures rise.

A round of a kind the earlier items seldom contain (``--halves``) is judged on its own kind as
well: it is split in two halves (by language and labelled or not), each half is scored by a
model trained on the earlier items and the other half, and by one trained on the earlier items
alone. Such a round is kept if its halves' micro-F1 rises in each language with the interval
above 0, and no earlier figure falls with its interval below 0.

About 30 minutes for 8,000 earlier items on 2 cores, 20 more with ``--halves``; pass
``--cache`` to reuse text vectors between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
from pathlib import Path

import numpy as np

from gcmalign.classify import Classifier, ClassifyItem
from gcmalign.classify.bundle import load_bundle
from gcmalign.classify.encoders import dump_vectors, preload_vectors
from gcmalign.classify.fusion import CONFIGS
from gcmalign.classify.labelled import LabelledItem, label_matrix, read_items
from gcmalign.classify.neighbours import METHOD as NEIGHBOURS_METHOD
from gcmalign.classify.sparse import METHOD as SPARSE_METHOD
from gcmalign.classify.train import best_threshold, cross_validate, data_digest, train_bundle
from gcmalign.evaluate import Run, paired_bootstrap, score_by_language
from gcmalign.frameworks import load_framework

LANGS = ("en", "fr")


def figures(
    items: list, targets: list[str], probs: np.ndarray, threshold: float
) -> dict[str, tuple[float, float]]:
    """Micro-F1 and top-1 per language, as `gcmalign eval` computes them."""
    by_lang = score_by_language(items, targets, probs, probs >= threshold)
    return {lang: (round(by_lang[lang].micro_f1, 4), round(by_lang[lang].top1_accuracy, 4)) for lang in LANGS}


def earlier_runs(
    earlier: list[LabelledItem], new: list[LabelledItem], seeds: list[int], baseline: Path | None
) -> dict[str, list[Run]]:
    """Out-of-fold runs of the earlier items without and with the round, one per seed."""
    targets = load_framework("gcm").target_ids
    y = label_matrix(earlier, targets)
    # a stored run is reused only for the same items scored by the same features: a run of older
    # code (another feature list or scorer version) would be compared as if it were this code's
    code = "|".join([*CONFIGS["default"], SPARSE_METHOD, NEIGHBOURS_METHOD])
    key = hashlib.sha256(f"{data_digest(earlier)}|{code}".encode()).hexdigest()[:16]
    stored = dict(np.load(baseline)) if baseline and baseline.exists() else {}
    runs: dict[str, list[Run]] = {"without": [], "with": []}
    for seed in seeds:
        for tag, always in (("without", []), ("with", new))[: 2 if new else 1]:
            name = f"{key}_{seed}"
            if tag == "without" and name in stored:
                probs = stored[name]
            else:
                probs = cross_validate("gcm", earlier, always, seed=seed)
                if tag == "without" and baseline:
                    stored[name] = probs
                    np.savez_compressed(baseline, **stored)
            runs[tag].append(Run(probs, best_threshold(y, probs)))
            print(
                f"seed {seed}, {tag:7s} the new round:",
                figures(earlier, targets, probs, runs[tag][-1].threshold),
            )
    return runs


def halves(items: list[LabelledItem], seed: int = 42) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """Two halves of a round with the same mix of languages and of labelled and unlabelled items."""
    shuffled = sorted(items, key=lambda it: (it.lang, bool(it.labels), it.id))
    random.Random(seed).shuffle(shuffled)
    shuffled.sort(key=lambda it: (it.lang, bool(it.labels)))  # stable: shuffled within each group
    return shuffled[0::2], shuffled[1::2]


def _probs(model: Path, items: list[LabelledItem]) -> Run:
    clf = Classifier("gcm", config="default", model_path=str(model))
    return Run(clf.predict_proba([ClassifyItem(text=it.text, lang=it.lang) for it in items]), clf.threshold)


def own_kind_runs(
    earlier: list[LabelledItem], new: list[LabelledItem]
) -> tuple[list[LabelledItem], Run, Run]:
    """The round scored half by half: by a model without the round, and with its other half."""
    first, second = halves(new)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "without" / "gcm.json"
        base.parent.mkdir()
        shipped = load_bundle("gcm")
        if shipped is not None and shipped.meta.get("data_sha256") == data_digest(earlier):
            # the shipped model was trained on exactly these; scored from a copy, since a model
            # installed in the package while the halves train would otherwise be read instead
            shipped.save(base)
        else:
            train_bundle("gcm", earlier).save(base)
        scored, without, with_ = [], [], []
        for half, other in ((first, second), (second, first)):
            model = Path(tmp) / f"with-{len(with_)}" / "gcm.json"
            model.parent.mkdir()
            train_bundle("gcm", earlier + other).save(model)
            scored += half
            without.append(_probs(base, half))
            with_.append(_probs(model, half))
    return scored, join(without), join(with_)


def judge_halves(earlier: list[LabelledItem], new: list[LabelledItem], targets: list[str]) -> dict:
    """Print and return the change on the round's own held-out halves (see own_kind_runs)."""
    scored, without, with_ = own_kind_runs(earlier, new)
    own = paired_bootstrap(scored, targets, [without], [with_])
    print_change("the round's held-out halves, change (95% interval)", own)
    return own


def join(runs: list[Run]) -> Run:
    """Runs of several halves as one, each half's probabilities mapped so that its own threshold
    becomes 0.5 (monotonic within a half: the sets and the ranking stay what that model said)."""
    parts = []
    for r in runs:
        th = r.threshold
        parts.append(np.where(r.probs < th, 0.5 * r.probs / th, 0.5 + 0.5 * (r.probs - th) / (1 - th)))
    return Run(np.vstack(parts), 0.5)


def print_change(title: str, change: dict[str, dict[str, tuple[float, float, float]]]) -> None:
    for lang, measures in change.items():
        text = ", ".join(
            f"{name} {d:+.4f} [{lo:+.4f}, {hi:+.4f}]"
            for name, (d, lo, hi) in measures.items()
            if not np.isnan(d)
        )
        print(f"{title}, {lang}: {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--new", nargs="*", type=Path, default=[], help="the new round's files (none: baseline only)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7], help="the fold splits' seeds")
    parser.add_argument("--cache", type=Path, help="folder keeping text vectors between runs")
    parser.add_argument(
        "--baseline", type=Path, help="NPZ file keeping the runs without a round, to judge several rounds"
    )
    parser.add_argument(
        "--halves", action="store_true", help="a round of a new kind: judge it on its own held-out halves too"
    )
    parser.add_argument(
        "--halves-only", action="store_true", help="judge the round on its own held-out halves alone"
    )
    parser.add_argument("earlier", nargs="+", type=Path, help="the files that came before")
    args = parser.parse_args()
    earlier = [it for f in args.earlier for it in read_items(f)]
    new = [it for f in args.new for it in read_items(f)]
    if args.cache:
        preload_vectors(args.cache)
    targets = load_framework("gcm").target_ids
    if args.halves_only:
        judge_halves(earlier, new, targets)
        return
    runs = earlier_runs(earlier, new, args.seeds, args.baseline)
    if args.cache:
        dump_vectors(args.cache)
    if not new:
        return
    for tag, rs in runs.items():
        per_run = [figures(earlier, targets, r.probs, r.threshold) for r in rs]
        mean = {
            lang: tuple(round(float(np.mean([f[lang][k] for f in per_run])), 4) for k in (0, 1))
            for lang in LANGS
        }
        print(f"mean, {tag:7s} the new round:", mean)
    change = paired_bootstrap(earlier, targets, runs["without"], runs["with"])
    print_change("earlier items, change (95% interval)", change)
    rises = all(change[lang][m][0] > 0 for lang in LANGS for m in ("micro_f1", "top1"))
    verdict = rises
    if args.halves:
        own = judge_halves(earlier, new, targets)
        no_fall = all(change[lang][m][2] >= 0 for lang in LANGS for m in ("micro_f1", "top1"))
        lifts = all(own[lang]["micro_f1"][1] > 0 for lang in LANGS)
        verdict = no_fall and lifts
    print(f"{len(new)} new items, {len(earlier)} earlier items:", "keep" if verdict else "do not keep")


if __name__ == "__main__":
    main()
