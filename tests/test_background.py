"""The background filter: sentences about the organiser or the venue are kept out of what the
encoders read, and everything else about a text is left as it is."""

from __future__ import annotations

import numpy as np
import pytest

from gcmalign.classify import Classifier
from gcmalign.classify.background import MAX_FALSE_DROPS, BackgroundFilter, read_sentences
from gcmalign.classify.bundle import ModelBundle, load_bundle
from gcmalign.errors import GcmalignError

# Written for these tests; the filter was trained on other sentences.
ORGANISER_EN = (
    "The Northern Corridor Dialogue, created in 2009, gathers fourteen states of origin, transit "
    "and destination. Its secretariat is hosted by a regional organisation and financed by "
    "voluntary contributions from its members."
)
ACTIVITY_EN = (
    "The workshop trained 35 labour inspectors from Ghana and Togo to detect the illegal "
    "recruitment fees charged to migrant workers."
)
ORGANISER_FR = (
    "Créé en 2011, le forum réunit une vingtaine d'États d'Afrique de l'Ouest et d'Europe. "
    "La présidence tournante est assurée cette année par le Niger, qui a accueilli les délégations à Niamey."
)
ACTIVITY_FR = (
    "Les agents consulaires ont été formés à délivrer en urgence des documents de voyage aux "
    "ressortissants bloqués à l'étranger."
)


@pytest.fixture(scope="module")
def shipped() -> BackgroundFilter:
    bundle = load_bundle("gcm")
    assert bundle is not None and bundle.background is not None, "the shipped model has a background filter"
    return bundle.background


def test_the_shipped_filter_drops_the_organiser_and_keeps_the_activity(shipped):
    texts = [f"{ORGANISER_EN} {ACTIVITY_EN}", f"{ORGANISER_FR} {ACTIVITY_FR}"]
    assert shipped.strip(texts, 10_000) == [ACTIVITY_EN, ACTIVITY_FR]
    assert (shipped.probabilities([ACTIVITY_EN, ACTIVITY_FR]) < shipped.threshold).all()


def test_a_text_of_one_sentence_or_only_background_is_kept_whole(shipped):
    assert shipped.strip([ACTIVITY_EN, ORGANISER_EN], 10_000) == [ACTIVITY_EN, ORGANISER_EN]


def test_only_the_sentences_a_reader_of_the_lead_would_see_are_judged(shipped):
    after = f"{ACTIVITY_EN} {ORGANISER_EN}"
    # a reader of 50 characters sees only the activity: what follows it is not looked at
    assert shipped.strip([after], 50) == [after]
    assert shipped.strip([after], 10_000) == [ACTIVITY_EN]
    # the organiser's sentences are dropped one round at a time until the activity fills the
    # lead; the sentences after it are left as they are, spacing included
    tail = " Participants  came from five countries."
    assert shipped.strip([f"{ORGANISER_EN}   {ACTIVITY_EN}{tail}"], 10) == [ACTIVITY_EN + tail]


def test_the_encoders_read_the_activity_as_if_the_background_were_not_there():
    clf = Classifier("gcm", config="fast")
    out = clf.scorer_outputs([f"{ORGANISER_EN} {ACTIVITY_EN}", ACTIVITY_EN], encoders=["usem3"])
    vectors = out.vectors["usem3"]
    assert np.array_equal(vectors[0], vectors[1])
    # the other scorers still read the whole text
    assert not np.array_equal(out.sparse_logits[0], out.sparse_logits[1])


def test_the_threshold_drops_few_activity_sentences_out_of_fold():
    background = [
        f"The {name} dialogue was founded in {year} and counts {n} member states."
        for name, year, n in zip(
            ["Andean", "Sahel", "Baltic", "Gulf", "Pacific", "Alpine"] * 5,
            range(1990, 2020),
            range(10, 40),
            strict=True,
        )
    ]
    activity = [
        f"The training taught {n} officials of {place} how to identify victims of trafficking at {site}."
        for n, place, site in zip(
            range(20, 50),
            ["Chad", "Peru", "Nepal", "Laos", "Fiji"] * 6,
            ["airports", "ports", "borders"] * 10,
            strict=True,
        )
    ]
    model, figures = BackgroundFilter.fit(background, activity)
    assert figures["activity_dropped"] <= MAX_FALSE_DROPS + 1 / len(activity)
    assert figures["background_recall"] > 0.9  # two templates this far apart are easy to tell
    assert (
        model.probabilities(["The Arctic dialogue was founded in 2001 and counts 8 member states."])[0] > 0.5
    )


def test_the_filter_is_stored_beside_the_model_and_read_back(tmp_path, shipped):
    path = tmp_path / "gcm.json"
    ModelBundle(framework="gcm", background=shipped).save(path)
    assert (tmp_path / "gcm-background.npz").is_file()
    loaded = load_bundle("gcm", path).background
    assert loaded.threshold == shipped.threshold
    sents = [ACTIVITY_EN, ORGANISER_FR]
    np.testing.assert_allclose(loaded.probabilities(sents), shipped.probabilities(sents), atol=1e-6)


def test_a_malformed_sentence_file_is_named_with_its_line(tmp_path):
    path = tmp_path / "bg.jsonl"
    path.write_text('{"text": "A sentence.", "background": true}\n{"text": "No label."}\n', encoding="utf-8")
    with pytest.raises(GcmalignError, match=r"bg\.jsonl, line 2"):
        read_sentences(path)
