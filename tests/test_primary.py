"""The primary ranker: which of a text's applying targets comes first."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gcmalign.classify import Classifier, ClassifyItem, rank_keys
from gcmalign.classify.bundle import load_bundle
from gcmalign.classify.fusion import BASELINES, CONFIGS, PRIMARY_EXTRA, LearnedCombiner, PrimaryRanker
from gcmalign.classify.labelled import LabelledItem, primary_index, primary_matrix
from gcmalign.classify.neighbours import NeighbourIndex
from gcmalign.classify.sparse import SparseScorer
from gcmalign.classify.train import fit_combiner, fit_primary_ranker
from gcmalign.evaluate import read_predictions, score


def _two_label_problem(n: int = 400, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Texts with two applying targets of four: both score high on ``applies``; only the primary
    also scores high on ``lead`` (its words open the text), most of the time."""
    rng = np.random.default_rng(seed)
    applies = rng.normal(0, 0.3, (n, 4))
    lead = rng.normal(0, 0.3, (n, 4))
    primary = np.zeros(n, dtype=np.int64)
    for i in range(n):
        first, second = rng.choice(4, 2, replace=False)
        applies[i, [first, second]] += 3.0
        lead[i, first if rng.random() < 0.9 else second] += 2.0
        primary[i] = first
    return {"applies": applies, "lead": lead}, primary


def test_the_ranker_learns_what_sets_the_primary_apart():
    feats, primary = _two_label_problem()
    ranker = fit_primary_ranker(["applies", "lead"], feats, primary)
    assert ranker.coef[1] > 1.0  # the lead tells the primary from the secondary
    test_feats, test_primary = _two_label_problem(seed=1)
    scores = ranker.scores(test_feats)
    assert np.allclose(scores.sum(axis=1), 1.0)
    assert (scores.argmax(axis=1) == test_primary).mean() > 0.8
    # on "applies" alone, both labels look alike: a coin toss between them
    alone = fit_primary_ranker(["applies"], feats, primary).scores(test_feats)
    assert (alone.argmax(axis=1) == test_primary).mean() < 0.65


def test_items_without_a_primary_are_left_out_of_its_training():
    feats, primary = _two_label_problem()
    unlabelled = primary.copy()
    unlabelled[::2] = -1
    ranker = fit_primary_ranker(["applies", "lead"], feats, unlabelled)
    assert ranker.coef[1] > 1.0
    labelled = [LabelledItem("a", "x", labels=["2", "1"], primary="2"), LabelledItem("b", "y")]
    assert primary_index(labelled, ["1", "2"]).tolist() == [1, -1]


def test_the_ranker_is_stored_with_its_combiner():
    feats, primary = _two_label_problem()
    ranker = fit_primary_ranker(["applies", "lead"], feats, primary)
    combiner = LearnedCombiner("x", ["applies"], np.array([1.0]), 0.0, 0.5, None, ranker)
    loaded = LearnedCombiner.from_json(json.loads(json.dumps(combiner.to_json())))
    assert isinstance(loaded.primary, PrimaryRanker)
    assert np.allclose(loaded.primary_scores(feats), ranker.scores(feats), atol=1e-5)
    assert loaded.primary_scores({"applies": feats["applies"]}) is None  # a feature is missing
    # a model file written before the ranker existed still loads, without one
    old = combiner.to_json()
    del old["primary"]
    assert LearnedCombiner.from_json(old).primary is None


def test_only_the_classifiers_rankers_read_the_learned_primary_features():
    rng = np.random.default_rng(0)
    n, t = 60, 3
    names = {f for config in ("sparse", *BASELINES) for f in CONFIGS[config]} | set(PRIMARY_EXTRA)
    feats = {name: rng.normal(size=(n, t)) for name in names}
    y = np.zeros((n, t), dtype=np.int8)
    y[np.arange(n), np.arange(n) % t] = 1
    primary = np.arange(n) % t
    assert fit_combiner("sparse", feats, y, primary).primary.features == CONFIGS["sparse"] + PRIMARY_EXTRA
    for baseline in BASELINES:  # a lexicon-only baseline ranks by the lexicon only
        assert fit_combiner(baseline, feats, y, primary).primary.features == CONFIGS[baseline]


def test_rank_keys_reorder_only_the_predicted_targets_of_texts_with_several():
    probs = np.array([[0.9, 0.8, 0.3, 0.1], [0.9, 0.2, 0.3, 0.1]])
    primary = np.array([[0.1, 0.2, 0.6, 0.1], [0.1, 0.7, 0.1, 0.1]])
    keys = rank_keys(probs, primary, 0.5)
    # first text: 0 and 1 predicted, the ranker puts 1 first; 2 stays below them despite its rank
    assert np.argsort(-keys[0]).tolist() == [1, 0, 2, 3]
    # second text: one predicted target, which stays first; the rest by probability
    assert np.argsort(-keys[1]).tolist() == [0, 2, 1, 3]
    assert rank_keys(probs, None, 0.5) is probs


def test_the_neighbours_tell_their_primary_targets_in_the_same_search():
    texts = [
        "Workshop on diaspora remittances and the cost of money transfers to Senegal",
        "Diaspora investment forum on remittances for local development in Senegal",
        "Training for border guards on screening and referral of trafficked persons",
    ]
    filler = [f"meeting number {i} of the steering committee on its budget" for i in range(40)]
    labels = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    scorer = SparseScorer.fit(["20", "19", "10"], texts + filler, np.vstack([labels, np.zeros((40, 3))]))
    index = NeighbourIndex.build(scorer.features(texts), scorer.idf, labels, np.array([0, 1, 2]))
    query = scorer.features(["A forum on diaspora remittances and investment in Senegal"])
    shares, primary = index.search(query)
    assert np.allclose(shares, index.shares(query))
    assert primary.shape == (1, 3) and primary.sum() == pytest.approx(1.0)
    # both remittance items carry 20 and 19; their primaries split between them
    assert shares[0, 0] == pytest.approx(shares[0, 1]) and primary[0, 0] != pytest.approx(primary[0, 1])
    assert NeighbourIndex.build(scorer.features(texts), scorer.idf, labels).search(query)[1] is None


def _diaspora_and_remittances(n: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts labelled 19 and 20 (diasporas, remittances) alike; the primary is the one whose
    subject the text is about (a remittance corridor's cost, or a diaspora bond), and the other
    is named in passing."""
    rng = np.random.default_rng(seed)
    places = ["Dakar", "Bamako", "Lagos", "Accra", "Tunis", "Rabat", "Abidjan", "Lomé"]
    about_money = [
        "the cost of sending remittances",
        "cheaper remittance transfers",
        "mobile money remittance fees",
    ]
    about_diaspora = ["a diaspora bond", "diaspora investment funds", "diaspora business networks"]
    texts, primary = [], []
    for i in range(n):
        place = places[rng.integers(len(places))]
        if i % 2 == 0:
            texts.append(
                f"A workshop in {place} on {about_money[rng.integers(3)]}, with diaspora associations."
            )
            primary.append(1)
        else:
            texts.append(
                f"A forum in {place} on {about_diaspora[rng.integers(3)]}, beyond family remittances."
            )
            primary.append(0)
    y = np.ones((n, 2), dtype=np.int8)
    return texts, y, np.array(primary)


def test_the_sparse_scorers_primary_head_tells_which_applying_target_comes_first(tmp_path):
    texts, y, primary = _diaspora_and_remittances(60, seed=0)
    scorer = SparseScorer.fit(["19", "20"], texts, y, primary_matrix(primary, 2))
    queries = [
        "Un atelier à Lomé sur the cost of sending remittances, avec la diaspora.",
        "A meeting in Accra on diaspora investment funds, beyond remittances.",
    ]
    features = scorer.features(queries)
    # both targets apply to both queries; the head ranks the primary one first in each
    assert scorer.primary_logits_of(features).argmax(axis=1).tolist() == [1, 0]
    path = tmp_path / "sparse.npz"
    scorer.save(path)
    loaded = SparseScorer.load(path)
    assert np.allclose(loaded.primary_logits_of(features), scorer.primary_logits_of(features), atol=1e-2)
    # without primaries there is no head, and a file without one loads without one
    plain = SparseScorer.fit(["19", "20"], texts, y)
    plain.save(path)
    assert plain.primary_coef is None and SparseScorer.load(path).primary_logits_of(features) is None


def test_primary_matrix_marks_each_items_primary_target():
    assert primary_matrix(np.array([1, -1, 0]), 3).tolist() == [[0, 1, 0], [0, 0, 0], [1, 0, 0]]


def test_eval_reads_the_order_of_a_predictions_file(tmp_path):
    items = [LabelledItem("a", "x", labels=["2", "1"], primary="2")]
    pred = tmp_path / "pred.jsonl"
    # the primary is listed first with the lower score: the order is the classifier's ranking
    mappings = [
        {"target": "2", "score": 0.8, "predicted": True},
        {"target": "1", "score": 0.9, "predicted": True},
    ]
    pred.write_text(json.dumps({"id": "a", "mappings": mappings}) + "\n")
    probs, predicted, _shown, keys = read_predictions(pred, items, ["1", "2"])
    assert score(items, ["1", "2"], probs, predicted).primary_accuracy == 0.0
    assert score(items, ["1", "2"], probs, predicted, keys=keys).primary_accuracy == 1.0


@pytest.mark.slow
def test_the_shipped_model_ranks_predicted_targets_by_its_primary_ranker():
    bundle = load_bundle("gcm")
    assert all(c.primary is not None for c in bundle.combiners.values())
    assert bundle.neighbours.primary is not None
    assert bundle.sparse.primary_coef is not None
    for config, combiner in bundle.combiners.items():
        assert ("sup_primary" in combiner.primary.features) == (config not in BASELINES), config
    clf = Classifier("gcm", config="fast")
    items = [
        ClassifyItem(
            "In 2022 a workshop in Dakar discussed how to lower the cost of sending remittances home."
        ),
        ClassifyItem("Un forum a réuni la diaspora autour de l'investissement des envois de fonds."),
    ]
    probs, keys = clf.scores(items)
    for i, mappings in enumerate(clf.predict(items)):
        assert [m.target for m in mappings] == [
            clf.framework.target_ids[t] for t in np.argsort(-keys[i], kind="stable")[: len(mappings)]
        ]
        predicted = [m.predicted for m in mappings]
        assert predicted == sorted(predicted, reverse=True)  # the predicted set comes first
        assert [m.score for m in mappings] == pytest.approx(
            [probs[i, clf.framework.target_ids.index(m.target)] for m in mappings], abs=1e-4
        )
