"""The neighbour scorer: nearest labelled items by TF-IDF, their labels weighted by similarity."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from gcmalign.classify import NEIGHBOUR_SHARE_FIRES, Classifier, ClassifyItem
from gcmalign.classify.bundle import ModelBundle, load_bundle
from gcmalign.classify.neighbours import RARE_IDF, NeighbourIndex
from gcmalign.classify.sparse import SparseScorer
from gcmalign.errors import GcmalignError

TEXTS = [
    "Workshop on diaspora remittances and the cost of money transfers to Senegal",
    "Training for border guards on screening and referral of trafficked persons",
    "Atelier sur les envois de fonds de la diaspora et le coût des transferts",
    "Study on labour mobility schemes and skills recognition for seasonal workers",
]
LABELS = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])


@pytest.fixture(scope="module")
def scorer() -> SparseScorer:
    """A sparse scorer fitted on a few items, so that its features and idf are real."""
    filler = [f"meeting number {i} of the steering committee on its budget" for i in range(40)]
    texts = TEXTS + filler
    y = np.vstack([LABELS, np.zeros((len(filler), 3), dtype=int)])
    return SparseScorer.fit(["20", "10", "6"], texts, y)


def test_a_text_is_labelled_like_the_items_it_reads_like(scorer):
    index = NeighbourIndex.build(scorer.features(TEXTS), scorer.idf, LABELS)
    shares = index.shares(scorer.features(["A webinar on remittances sent home by the diaspora in France"]))
    assert shares.shape == (1, 3)
    assert shares.sum() == pytest.approx(1.0)  # the weights of the neighbours sum to one
    # nearest are the two remittance items: almost all the weight goes to their target
    assert shares[0, 0] > 0.9
    assert shares[0, 0] > shares[0, 1] and shares[0, 0] > shares[0, 2]


def test_the_index_keeps_only_rare_ngrams(scorer):
    index = NeighbourIndex.build(scorer.features(TEXTS), scorer.idf, LABELS)
    kept = np.unique(index.vectors.indices)
    assert len(kept) and (scorer.idf[kept] >= RARE_IDF).all()
    # the common n-grams of the 40 filler items are gone, those of a single item stay
    assert (scorer.idf < RARE_IDF).any()
    assert index.vectors.nnz < scorer.features(TEXTS).nnz


def test_shares_of_no_texts_and_of_a_text_sharing_nothing(scorer):
    index = NeighbourIndex.build(scorer.features(TEXTS), scorer.idf, LABELS)
    assert index.shares(scorer.features([])).shape == (0, 3)
    # no rare n-gram in common with any item: no neighbours, so no share (and never NaN)
    shares, primary = index.search(sparse.csr_matrix((2, scorer.idf.shape[0])))
    assert shares.shape == (2, 3) and not shares.any() and primary is None
    # beside a text that has neighbours, in the same search
    both = sparse.vstack([sparse.csr_matrix((1, scorer.idf.shape[0])), scorer.features([TEXTS[0]])]).tocsr()
    shares = index.shares(both)
    assert not shares[0].any() and shares[1].sum() == pytest.approx(1.0)


def test_a_search_split_across_chunks_and_threads_gives_each_text_what_it_gets_alone(scorer, monkeypatch):
    from gcmalign.classify import neighbours

    texts = [f"{TEXTS[i % 4]} in the year {2000 + i}" for i in range(40)]
    index = NeighbourIndex.build(scorer.features(TEXTS), scorer.idf, LABELS, np.array([0, 1, 0, 2]))
    features = scorer.features(texts)
    alone = [index.search(features[i : i + 1]) for i in range(len(texts))]
    monkeypatch.setattr(neighbours, "THREADS", 3)
    monkeypatch.setattr(neighbours, "CHUNK", 16)  # 40 texts in three chunks
    shares, primary = index.search(features)
    assert np.array_equal(shares, np.vstack([a[0] for a in alone]))
    assert np.array_equal(primary, np.vstack([a[1] for a in alone]))


def test_the_index_is_saved_beside_the_model_and_read_back(scorer, tmp_path):
    index = NeighbourIndex.build(scorer.features(TEXTS), scorer.idf, LABELS)
    path = tmp_path / "gcm.json"
    ModelBundle(framework="gcm", neighbours=index).save(path)
    assert (tmp_path / "gcm-neighbours.npz").is_file()
    loaded = load_bundle("gcm", path).neighbours
    assert (loaded.labels == index.labels).all()
    query = scorer.features(["Atelier sur les transferts de fonds"])
    assert np.allclose(loaded.shares(query), index.shares(query), atol=1e-3)  # stored as float16


def test_the_shipped_model_has_an_index_of_its_training_items():
    bundle = load_bundle("gcm")
    assert bundle.neighbours is not None
    assert bundle.neighbours.vectors.shape[0] == bundle.meta["items"] == bundle.neighbours.labels.shape[0]
    assert "knn_sparse" in bundle.combiners["default"].features


def test_a_mapping_says_when_the_neighbours_carry_its_target():
    clf = Classifier("gcm", config="sparse")
    text = "In 2022 a workshop in Dakar discussed how to lower the cost of sending remittances home."
    mappings = clf.predict([ClassifyItem(text)])[0]
    assert mappings[0].target == "20" and "neighbours" in mappings[0].method.split("+")
    shares = clf.scorer_outputs([text]).neighbour_shares[0]
    for m in mappings:
        index = clf.framework.target_ids.index(m.target)
        assert ("neighbours" in m.method.split("+")) == (shares[index] >= NEIGHBOUR_SHARE_FIRES)


def test_a_model_whose_index_file_is_missing_is_refused_by_name(tmp_path):
    shipped = load_bundle("gcm")
    path = tmp_path / "gcm.json"
    shipped.save(path)
    (tmp_path / "gcm-neighbours.npz").unlink()
    with pytest.raises(GcmalignError, match=r"gcm-neighbours\.npz"):
        load_bundle("gcm", path)
