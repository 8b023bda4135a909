"""Gold labels in; per-target precision, recall and F1, averages, top-1 and calibration out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gcmalign.classify.labelled import LabelledItem, label_matrix
from gcmalign.errors import InputError

ECE_BINS = 10


@dataclass
class TargetScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class ActionScore:
    """The lettered actions shown on each item's gold primary objective, against the gold ones."""

    n: int  # items with gold actions
    shown: float  # share whose primary objective's mapping shows any action
    hit: float  # share whose primary objective's mapping shows a gold action
    precision: float  # share of the shown actions that are gold


@dataclass
class Metrics:
    n: int
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float
    top1_accuracy: float  # share of labelled items whose top-ranked target is acceptable
    none_accuracy: float | None  # share of unlabelled items given an empty set
    labelled: int  # items with at least one gold label
    primary_accuracy: float  # share of labelled items whose top-ranked target is the gold primary
    outside: int  # labelled items with a predicted target outside their acceptable labels
    ece: float
    per_target: dict[str, TargetScore] = field(default_factory=dict)
    actions: ActionScore | None = None  # when the gold names lettered actions

    def to_json(self) -> dict:
        return asdict(self)


def _safe(a: float, b: float) -> float:
    return a / b if b else 0.0


def expected_calibration_error(y: np.ndarray, probs: np.ndarray, bins: int = ECE_BINS) -> float:
    """Pair-level ECE: |observed rate - mean score| per score bin, weighted by bin size."""
    p = probs.reshape(-1)
    t = y.reshape(-1)
    if not len(p):
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() / len(p) * abs(t[mask].mean() - p[mask].mean())
    return float(total)


def score_actions(items: Sequence[LabelledItem], shown: Sequence[dict[str, list[str]]]) -> ActionScore | None:
    """Action letters shown per item (target -> codes such as ``9c``) against the gold actions.

    Only the gold primary objective's mapping counts, so a wrong objective is not counted twice
    (a mapping the classifier did not return shows no action)."""
    rows = [(set(it.actions), shown[r].get(it.primary, [])) for r, it in enumerate(items) if it.actions]
    if not rows:
        return None
    n_shown = sum(len(codes) for _, codes in rows)
    return ActionScore(
        n=len(rows),
        shown=float(np.mean([bool(codes) for _, codes in rows])),
        hit=float(np.mean([bool(gold & set(codes)) for gold, codes in rows])),
        precision=_safe(sum(len(gold & set(codes)) for gold, codes in rows), n_shown),
    )


def score(items: Sequence[LabelledItem], targets: list[str], probs: np.ndarray, predicted: np.ndarray,
          shown_actions: Sequence[dict[str, list[str]]] | None = None,
          keys: np.ndarray | None = None) -> Metrics:  # fmt: skip
    """Metrics for ``probs`` (items x targets) and the boolean ``predicted`` sets, and for the
    action letters shown (target -> codes, per item) when given. Top-1 and primary read the
    target ranked first: the highest of ``keys`` (the classifier's order), else of ``probs``."""
    y = label_matrix(items, targets).astype(bool)
    per_target = {}
    for ti, tid in enumerate(targets):
        tp = int((predicted[:, ti] & y[:, ti]).sum())
        fp = int((predicted[:, ti] & ~y[:, ti]).sum())
        fn = int((~predicted[:, ti] & y[:, ti]).sum())
        p, r = _safe(tp, tp + fp), _safe(tp, tp + fn)
        per_target[tid] = TargetScore(p, r, _safe(2 * p * r, p + r), int(y[:, ti].sum()))
    tp = int((predicted & y).sum())
    fp = int((predicted & ~y).sum())
    fn = int((~predicted & y).sum())
    mp, mr = _safe(tp, tp + fp), _safe(tp, tp + fn)
    supported = [s.f1 for s in per_target.values() if s.support]
    labelled = [r for r, it in enumerate(items) if it.labels]
    ranking = probs if keys is None else keys
    best = ranking.argmax(axis=1) if len(ranking) else np.zeros(0, dtype=int)
    top1 = [y[r, best[r]] for r in labelled]
    primary_right = [targets[best[r]] == items[r].primary for r in labelled]
    outside = sum(bool((predicted[r] & ~y[r]).any()) for r in labelled)
    unlabelled = [r for r, it in enumerate(items) if not it.labels]
    none_ok = [not predicted[r].any() for r in unlabelled]
    return Metrics(
        n=len(items),
        micro_precision=mp,
        micro_recall=mr,
        micro_f1=_safe(2 * mp * mr, mp + mr),
        macro_f1=float(np.mean(supported)) if supported else 0.0,
        top1_accuracy=float(np.mean(top1)) if top1 else 0.0,
        none_accuracy=float(np.mean(none_ok)) if none_ok else None,
        labelled=len(labelled),
        primary_accuracy=float(np.mean(primary_right)) if primary_right else 0.0,
        outside=outside,
        ece=expected_calibration_error(y, probs),
        per_target=per_target,
        actions=score_actions(items, shown_actions) if shown_actions is not None else None,
    )


def score_by_language(items: Sequence[LabelledItem], targets: list[str], probs: np.ndarray,
                      predicted: np.ndarray,
                      shown_actions: Sequence[dict[str, list[str]]] | None = None,
                      keys: np.ndarray | None = None) -> dict[str, Metrics]:  # fmt: skip
    """Metrics over all items and per language (``all``, ``en``, ``fr``...)."""
    out = {"all": score(items, targets, probs, predicted, shown_actions, keys)}
    for lang in sorted({it.lang for it in items if it.lang}):
        rows = [i for i, it in enumerate(items) if it.lang == lang]
        shown = [shown_actions[i] for i in rows] if shown_actions is not None else None
        out[lang] = score(
            [items[i] for i in rows], targets, probs[rows], predicted[rows], shown,
            None if keys is None else keys[rows],
        )  # fmt: skip
    return out


def read_predictions(
    path: str | Path, items: Sequence[LabelledItem], targets: list[str]
) -> tuple[np.ndarray, np.ndarray, list[dict[str, list[str]]], np.ndarray]:
    """Probability and predicted matrices, the action letters shown per item (target -> codes)
    and ranking keys (the mappings' order, best first), from a ``gcmalign classify`` output file."""
    index = {t: i for i, t in enumerate(targets)}
    rows = {it.id: r for r, it in enumerate(items)}
    probs = np.zeros((len(items), len(targets)))
    keys = np.full((len(items), len(targets)), -np.inf)
    predicted = np.zeros((len(items), len(targets)), dtype=bool)
    shown: list[dict[str, list[str]]] = [{} for _ in items]
    seen = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"line {n}: not valid JSON ({exc.msg})") from exc
        rid = str(rec.get("id"))
        if rid not in rows:
            continue
        seen.add(rid)
        mappings = rec.get("mappings", [])
        for position, m in enumerate(mappings):
            ti = index.get(str(m.get("target")))
            if ti is None:
                continue
            keys[rows[rid], ti] = len(mappings) - position
            probs[rows[rid], ti] = float(m.get("score", 0.0))
            predicted[rows[rid], ti] = bool(m.get("predicted", False))
            shown[rows[rid]][targets[ti]] = [str(a) for a in m.get("actions") or []]
    missing = len(rows) - len(seen)
    if missing:
        raise InputError(str(path), f"{missing} gold items have no prediction")
    return probs, predicted, shown, keys


def evaluate_configs(
    items: Sequence[LabelledItem],
    *,
    framework: str = "gcm",
    configs: Sequence[str] = ("default", "fast", "sparse", "lexicon", "embedding"),
    model_path: str | None = None,
) -> dict[str, dict[str, Metrics]]:
    """Run each configuration of the classifier on ``items`` and score it.

    The scorers run once; each configuration's combiner then fuses their outputs. A
    configuration whose encoder is not installed is left out. When the gold names lettered
    actions, each configuration also classifies as `gcmalign classify` does (its cascade
    embeds only the texts it is unsure of), to score the action letters its mappings show;
    encoders cache vectors by text, so nothing is embedded twice.
    """
    from gcmalign.classify import Classifier, ClassifyItem
    from gcmalign.classify.encoders import get_encoder
    from gcmalign.classify.fusion import encoders_for

    runnable = [c for c in configs if all(get_encoder(e) for e in encoders_for(c))]
    encoders = sorted(set().union(*(encoders_for(c) for c in runnable))) if runnable else []
    base = Classifier(framework, config="lexicon", model_path=model_path)
    outputs = base.scorer_outputs([it.text for it in items], encoders=encoders)
    classify_items = [ClassifyItem(it.text, it.lang, it.callouts) for it in items]
    results = {}
    for config in runnable:
        clf = Classifier(framework, config=config, model_path=model_path)
        probs, keys = clf.scores(classify_items, outputs)
        predicted = probs >= clf.threshold
        shown = None
        if any(it.actions for it in items):
            shown = [{m.target: m.actions for m in ms} for ms in clf.predict(classify_items)]
        results[config] = score_by_language(items, clf.framework.target_ids, probs, predicted, shown, keys)
    return results


@dataclass
class Run:
    """One model's probabilities for a set of items and the threshold that turns them into sets."""

    probs: np.ndarray
    threshold: float


def _item_counts(y: np.ndarray, run: Run) -> np.ndarray:
    """Per item: true positives, false positives, false negatives, top-1 right, empty set."""
    pred = run.probs >= run.threshold
    top = y[np.arange(len(y)), run.probs.argmax(axis=1)]
    return np.stack(
        [(pred & y).sum(1), (pred & ~y).sum(1), (~pred & y).sum(1), top, ~pred.any(1)], axis=1
    ).astype(np.float64)


def _measures(counts: list[np.ndarray], rows: np.ndarray, labelled: np.ndarray) -> np.ndarray:
    """Micro-F1, top-1 and none-fit accuracy of ``rows``, each the mean over the runs."""
    out = []
    for c in counts:
        tp, fp, fn = c[rows, 0].sum(), c[rows, 1].sum(), c[rows, 2].sum()
        lab = labelled[rows]
        out.append([
            2 * tp / max(1.0, 2 * tp + fp + fn),
            c[rows[lab], 3].mean() if lab.any() else np.nan,
            c[rows[~lab], 4].mean() if (~lab).any() else np.nan,
        ])  # fmt: skip
    return np.mean(out, axis=0)


def paired_bootstrap(
    items: Sequence[LabelledItem],
    targets: list[str],
    without: Sequence[Run],
    with_: Sequence[Run],
    *,
    reps: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, tuple[float, float, float]]]:
    """The change from ``without`` to ``with_`` (each the mean of its runs) and its 95% interval.

    Per language and measure (``micro_f1``, ``top1``, ``none``): (change, low, high), resampling
    the items with replacement, the same rows for every run, so that what the two sides share
    cancels out. ``none`` (share of unlabelled items given an empty set) is NaN without such items.
    """
    y = label_matrix(items, targets).astype(bool)
    labelled = y.any(axis=1)
    before = [_item_counts(y, r) for r in without]
    after = [_item_counts(y, r) for r in with_]
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for lang in sorted({it.lang for it in items if it.lang}):
        rows = np.flatnonzero([it.lang == lang for it in items])
        observed = _measures(after, rows, labelled) - _measures(before, rows, labelled)
        draws = []
        for _ in range(reps):
            sample = rng.choice(rows, len(rows))
            draws.append(_measures(after, sample, labelled) - _measures(before, sample, labelled))
        draws_ = np.array(draws)
        out[lang] = {}
        for k, name in enumerate(("micro_f1", "top1", "none")):
            finite = draws_[:, k][~np.isnan(draws_[:, k])]
            low, high = np.percentile(finite, [2.5, 97.5]) if len(finite) else (np.nan, np.nan)
            out[lang][name] = (float(observed[k]), float(low), float(high))
    return out
