"""Framework data files, their loader's validation, the crosswalk, and the CLI views."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from typer.testing import CliRunner

from gcmalign.cli import app
from gcmalign.frameworks import (
    DATA_PACKAGE,
    FrameworkError,
    available,
    load_crosswalk,
    load_framework,
    parse_framework,
)


def test_bundled_frameworks():
    assert {"gcm", "mpa", "sdg"} <= set(available())
    gcm = load_framework("gcm")
    assert gcm.target_ids == [str(i) for i in range(1, 24)]
    assert sum(len(t.actions) for t in gcm.targets) == 187
    assert len(gcm.principles) == 10
    assert all(t.title.get("fr") for t in gcm.targets)
    assert gcm.target("9").actions[2].label("9") == "9c"
    mpa = load_framework("mpa")
    assert len(mpa.targets) == 10 and len(mpa.extra["domains"]) == 5
    assert "10.7" in load_framework("sdg").target_ids


def test_every_objective_has_lexicons_in_both_languages():
    for target in load_framework("gcm").targets:
        assert target.lexicon.get("en") and target.lexicon.get("fr"), target.id


def test_crosswalk_links_every_gcm_and_mpa_objective():
    pairs = load_crosswalk()
    ends = {p.source for p in pairs} | {p.target for p in pairs}
    assert {("gcm", str(i)) for i in range(1, 24)} <= ends
    assert {("mpa", str(i)) for i in range(1, 11)} <= ends
    assert all(p.reason for p in pairs)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "x", "targets": []}, "no targets"),
        ({"id": "x", "targets": [{"id": "1", "title": {"fr": "Titre"}}]}, "English title"),
        (
            {"id": "x", "targets": [{"id": "1", "title": {"en": "A"}}, {"id": "1", "title": {"en": "B"}}]},
            "duplicate",
        ),
        ({"targets": [{"id": "1", "title": {"en": "A"}}]}, "missing key 'id'"),
    ],
)
def test_validation_errors(data, message):
    with pytest.raises(FrameworkError, match=message):
        parse_framework(data)


def test_user_framework_file(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"id": "mine", "targets": [{"id": "A", "title": {"en": "Alpha"}}]}))
    assert load_framework(str(path)).target("A").title["en"] == "Alpha"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(FrameworkError, match=r"broken\.json: not valid JSON"):
        load_framework(str(broken))


def test_cli_lists_and_shows():
    runner = CliRunner()
    listed = runner.invoke(app, ["frameworks", "list"])
    assert listed.exit_code == 0 and "gcm" in listed.output and "mpa" in listed.output
    shown = runner.invoke(app, ["frameworks", "show", "gcm", "--lang", "fr"])
    assert shown.exit_code == 0
    assert "Renforcer l'action transnationale face au trafic de migrants" in shown.output
    missing = runner.invoke(app, ["frameworks", "show", "nope"])
    assert missing.exit_code == 1 and "unknown framework" in missing.output


def test_cli_shows_a_framework_files_brackets_as_written(tmp_path):
    # a user's framework file is text, not Rich markup: "[/b]" raised MarkupError
    data = json.loads((resources.files(DATA_PACKAGE) / "mpa.json").read_text(encoding="utf-8"))
    data["targets"][0]["title"]["en"] = "Legal migration [/b] and mobility [draft]"
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    shown = CliRunner().invoke(app, ["frameworks", "show", str(path)])
    assert shown.exit_code == 0
    assert "Legal migration [/b] and mobility [draft]" in " ".join(shown.output.split())
