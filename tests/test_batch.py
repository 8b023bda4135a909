"""Folders and many files: walking, parallel reading with limits, summary and exit codes."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from gcmalign import batch
from gcmalign.batch import collect_files, document_suffixes, read_files
from gcmalign.ingest.text import read_text
from gcmalign.model import DocumentResult

# Workers import this module to find the test readers: the CLI and the classifier are imported
# inside the tests that need them, so that worker start-up stays light.

EN = (
    "In March 2019, the Coastal Migration Dialogue held a regional workshop in Dakar on the "
    "collection and sharing of migration statistics, with officials from Senegal and Gambia.\n\n"
    "The Dialogue published a study on the return and reintegration of migrants in 2020.\n"
)
FR = (
    "En 2020, le Processus de Rabat a organisé un atelier à Niamey sur la traite des êtres "
    "humains, pour renforcer l'identification et la protection des victimes.\n"
)


@pytest.fixture(scope="module")
def classifier():
    from gcmalign.classify import Classifier

    return Classifier("gcm", config="sparse")


@pytest.fixture
def tree(tmp_path):
    """A folder of good documents, a nested folder, hidden and unknown files."""
    root = tmp_path / "docs"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "b-report.txt").write_text(EN, encoding="utf-8")
    (root / "a-rapport.txt").write_bytes(FR.encode("latin-1"))  # not UTF-8
    (root / "sub" / "notes.MD").write_text(EN.replace("2019", "2018"), encoding="utf-8")
    (root / "sub" / "deeper" / "page.html").write_text(
        f"<html><body><main><p>{EN.splitlines()[0]}</p></main></body></html>", encoding="utf-8"
    )
    (root / "sub-file.txt").write_text(FR, encoding="utf-8")
    (root / ".hidden" / "secret.txt").write_text(EN, encoding="utf-8")
    (root / ".dotfile.txt").write_text(EN, encoding="utf-8")
    (root / "data.csv").write_text("id,text\n1,x\n", encoding="utf-8")
    (root / "picture.gif").write_bytes(b"GIF89a")  # not a format we read (PNG now is: OCR)
    return root


def _bad(folder: Path) -> dict[str, Path]:
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    binary = folder / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02binary\x00\xff" * 50)
    return {"empty": empty, "binary": binary}


# ---- test readers, registered through the ``readers`` hook (module level: picklable) ----------


def slow_reader(path, *, options=None):
    time.sleep(60)
    return read_text(path, options=options)


def stuck_reader(path, *, options=None):
    """Blocks the alarm, as a long C call would: only the parent's hard kill stops it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(60)
    return read_text(path, options=options)


def crash_reader(path, *, options=None):
    os._exit(3)


def greedy_reader(path, *, options=None):
    hog = bytearray(3 * 1024**3)
    return read_text(path, options=options) if hog else None


def pid_reader(path, *, options=None):
    """Reads the text and writes the reading process's id in the title."""
    doc = read_text(path, options=options)
    doc.title = str(os.getpid())
    return doc


def dying_reader(path, *, options=None):
    """Reads a long text, then kills its worker 0.5 s later: while it sends the activity stubs."""
    time.sleep(0.3)  # the other file's stubs come first and keep the parent busy
    threading.Timer(0.5, os._exit, args=(3,)).start()
    return read_text(path, options=options)


def delayed_reader(path, *, options=None):
    """Sleeps for the seconds written on the file's first line, so workers finish out of order."""
    delay = float(Path(path).read_text(encoding="utf-8").split("\n", 1)[0])
    time.sleep(delay)
    return read_text(path, options=options)


# ---- walking ------------------------------------------------------------------------------------


def test_suffixes_come_from_the_reader_table():
    suffixes = document_suffixes()
    assert {".txt", ".md", ".html", ".htm", ".docx"} <= suffixes
    assert "" not in suffixes
    assert ".slow" in document_suffixes([".slow"])


def test_folder_walk_is_sorted_recursive_and_skips_hidden_and_unknown(tree, tmp_path):
    files = collect_files([tree])
    assert [f.relative_to(tree).as_posix() for f in files] == [
        "a-rapport.txt",
        "b-report.txt",
        "sub/deeper/page.html",
        "sub/notes.MD",
        "sub-file.txt",
    ]
    # Arguments keep their order; a named file is taken whatever its suffix; duplicates go.
    files = collect_files([tree / "sub", tree / "data.csv", tree / "sub" / "notes.MD"])
    assert [f.name for f in files] == ["page.html", "notes.MD", "data.csv"]
    # A folder without documents is reported in its place, a missing path is kept (to fail as
    # "no such file").
    (tmp_path / "void").mkdir()
    missing = tmp_path / "missing.txt"
    entries = collect_files([missing, tmp_path / "void", tree / "sub-file.txt"])
    assert entries[0] == missing and entries[2] == tree / "sub-file.txt"
    assert isinstance(entries[1], DocumentResult)
    assert "void: no documents in this folder" in (entries[1].error or "")


def test_empty_folder_fails_in_the_place_of_its_argument(tree, tmp_path):
    from gcmalign.pipeline import analyze_paths

    (tmp_path / "void").mkdir()
    args = [tree / "b-report.txt", tmp_path / "void", tree / "missing.txt", tree / "sub-file.txt"]
    results = analyze_paths(args, classifier=None, workers=1)
    assert [Path(r.source).name for r in results] == ["b-report.txt", "void", "missing.txt", "sub-file.txt"]
    assert [bool(r.error) for r in results] == [False, True, True, False]
    summary = " ".join(_run(*args).output.split())
    assert f"skipped 2 of 4 files: {tmp_path / 'void'}: no documents in this folder" in summary
    assert summary.index("no documents") < summary.index("missing.txt: no such file")


# ---- parallel reading ---------------------------------------------------------------------------


def test_parallel_gives_the_same_json_as_sequential_and_as_one_by_one(tree, classifier):
    from gcmalign.pipeline import analyze_file, analyze_paths, results_to_json

    parallel = results_to_json(analyze_paths([tree], classifier=classifier, workers=2))
    sequential = results_to_json(analyze_paths([tree], classifier=classifier, workers=1))
    assert parallel == sequential
    one_by_one = [analyze_file(f, classifier=classifier).to_json() for f in collect_files([tree])]
    assert parallel["documents"] == one_by_one
    latin = parallel["documents"][0]
    assert latin["source"].endswith("a-rapport.txt")
    assert any("organisé un atelier à Niamey" in a["text"] for a in latin["activities"])
    assert all(a["mappings"] for d in parallel["documents"] for a in d["activities"])


def test_order_does_not_depend_on_completion_order(tmp_path):
    for name, delay in [("a.wait", 1.5), ("b.wait", 0.0), ("c.wait", 0.7), ("d.wait", 0.0)]:
        (tmp_path / name).write_text(f"{delay}\n\n{EN}", encoding="utf-8")
    finished = []
    files = collect_files([tmp_path], suffixes=document_suffixes([".wait"]))
    results = read_files(
        files, workers=4, readers={".wait": delayed_reader}, on_done=lambda r: finished.append(r.source)
    )
    assert [Path(r.source).name for r in results] == ["a.wait", "b.wait", "c.wait", "d.wait"]
    assert all(r.error is None for r in results)
    assert Path(finished[-1]).name == "a.wait"  # it did finish last


def test_a_file_finished_while_the_parent_was_busy_is_not_late(tmp_path, monkeypatch):
    # analyze_paths classifies each file in on_done while the workers read the next ones
    monkeypatch.setattr(batch, "HARD_KILL_GRACE", 0.2)
    for name, delay in [("a.wait", 0.0), ("b.wait", 0.3)]:
        (tmp_path / name).write_text(f"{delay}\n\n{EN}", encoding="utf-8")
    calls = []

    def busy(result):
        calls.append(result.source)
        if len(calls) == 1:
            time.sleep(3.5)  # longer than b's time limit and grace

    files = [tmp_path / "a.wait", tmp_path / "b.wait"]
    # the time limit leaves room for a slow worker start-up on a loaded machine
    results = read_files(files, timeout=3.0, workers=2, readers={".wait": delayed_reader}, on_done=busy)
    assert [r.error for r in results] == [None, None]
    assert all(r.activities for r in results)


def _long_report(path: Path, paragraphs: int, year: int) -> Path:
    """A text report long enough that extracting its fields takes a good part of a second."""
    text = "\n\n".join(
        f"In {year}, workshop number {k} was held. {EN.splitlines()[0]}" for k in range(paragraphs)
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_stubs_come_back_before_the_result_and_match_its_activities(tmp_path):
    files = [_long_report(tmp_path / f"r{n}.txt", 800, 2010 + n) for n in range(2)]
    events: list[tuple[str, str, list[tuple[str, str]]]] = []
    results = read_files(
        files,
        workers=2,
        on_stubs=lambda source, stubs: events.append(("stubs", source, [(s.id, s.text) for s in stubs])),
        on_done=lambda r: events.append(("done", r.source, [(a.id, a.text) for a in r.activities])),
    )
    for result in results:
        mine = [(kind, ids) for kind, source, ids in events if source == result.source]
        assert [kind for kind, _ in mine] == ["stubs", "done"]  # stubs first, then the result
        assert mine[0][1] == mine[1][1] and len(mine[0][1]) == 800  # the same activities
        assert all(a.years for a in result.activities)  # fields were extracted after the stubs


def test_activities_classified_ahead_are_not_classified_again(tmp_path, classifier, monkeypatch):
    from gcmalign.pipeline import analyze_file, analyze_paths

    files = [_long_report(tmp_path / f"r{n}.txt", 400, 2010 + n) for n in range(2)]
    events: list[tuple[str, int | str]] = []
    real_predict = classifier.predict

    def counting(items, **kwargs):
        events.append(("predict", len(items)))
        return real_predict(items, **kwargs)

    monkeypatch.setattr(classifier, "predict", counting)
    classified: list[int] = []
    results = analyze_paths(
        files,
        classifier=classifier,
        workers=2,
        on_classified=classified.append,
        on_done=lambda r: events.append(("read", r.source)),
    )
    # each file classified from its stubs before its result came back, and only then
    assert [kind for kind, _ in events].count("predict") == 2
    assert events.index(("predict", 400)) < events.index(("read", str(files[0])))
    assert sum(classified) == 800  # the progress bar still counts every activity
    monkeypatch.setattr(classifier, "predict", real_predict)
    for path, result in zip(files, results, strict=True):
        assert result.to_json() == analyze_file(path, classifier=classifier).to_json()


def test_a_worker_dying_while_it_sends_stubs_does_not_hang_the_parent(tmp_path):
    # The parent is busy with the first file's stubs while the second file's worker writes a
    # message larger than a pipe holds, and dies halfway: the rest of it never comes.
    first = _long_report(tmp_path / "a.txt", 200, 2015)
    second = _long_report(tmp_path / "b.big", 400, 2016)
    results: list = []

    def busy(source, stubs):
        if source == str(first):
            time.sleep(2.0)

    reading = threading.Thread(
        target=lambda: results.extend(
            read_files([first, second], workers=2, readers={".big": dying_reader}, on_stubs=busy)
        ),
        daemon=True,
    )
    reading.start()
    reading.join(60)
    assert not reading.is_alive(), "the parent hangs"
    assert results[0].error is None and len(results[0].activities) == 200
    # the dying worker may have sent its result before the end: either way it is accounted for
    assert results[1].error is None or "crashed" in results[1].error


def test_slow_file_is_stopped_and_the_others_go_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(EN, encoding="utf-8")
    slow = tmp_path / "x.slow"
    slow.write_text(EN, encoding="utf-8")
    start = time.monotonic()
    results = read_files([slow, good], timeout=0.5, workers=2, readers={".slow": slow_reader})
    assert time.monotonic() - start < 20
    assert "time limit (0.5 s)" in (results[0].error or "")
    assert results[1].error is None and results[1].activities


def test_single_slow_file_in_process_is_stopped(tmp_path):
    slow = tmp_path / "x.slow"
    slow.write_text(EN, encoding="utf-8")
    start = time.monotonic()
    [result] = read_files([slow], timeout=0.3, readers={".slow": slow_reader})
    assert time.monotonic() - start < 5
    assert "time limit" in (result.error or "")


def test_a_lone_pdf_or_image_goes_to_a_worker_text_stays_here(tmp_path):
    paths = [tmp_path / name for name in ("a.txt", "b.pdf", "c.PNG", "d.html")]
    for p in paths:
        p.write_text(EN, encoding="utf-8")
    readers = {p.suffix.lower(): pid_reader for p in paths}
    here = str(os.getpid())
    for p in paths:
        [alone] = read_files([p], readers=readers)
        assert alone.document is not None, alone.error
        assert (alone.document.title == here) is (p.suffix in (".txt", ".html")), p
    # With one worker, several files: the same split, results still in order.
    results = read_files(paths, workers=1, readers=readers)
    assert [Path(r.source).name for r in results] == [p.name for p in paths]
    assert [r.document.title == here for r in results if r.document] == [True, False, False, True]


def test_a_lone_pdf_stuck_in_c_code_is_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "HARD_KILL_GRACE", 0.5)
    path = tmp_path / "stuck.pdf"
    path.write_text(EN, encoding="utf-8")
    start = time.monotonic()
    [result] = read_files([path], timeout=0.5, readers={".pdf": stuck_reader})
    assert time.monotonic() - start < 10
    assert result.error == f"{path}: stopped after the time limit (0.5 s)"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX resource limits")
def test_a_lone_pdf_has_the_memory_limit(tmp_path):
    path = tmp_path / "greedy.pdf"
    path.write_text(EN, encoding="utf-8")
    [result] = read_files([path], max_memory_mb=1024, readers={".pdf": greedy_reader})
    assert result.error == f"{path}: out of memory (the limit is 1024 MB)"


def test_stuck_worker_is_killed_and_the_pool_restarted(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "HARD_KILL_GRACE", 0.5)
    paths = []
    for name in ["a.txt", "b.stuck", "c.txt", "d.txt"]:
        paths.append(tmp_path / name)
        paths[-1].write_text(EN, encoding="utf-8")
    start = time.monotonic()
    results = read_files(paths, timeout=0.5, workers=2, readers={".stuck": stuck_reader})
    assert time.monotonic() - start < 30
    assert [r.error is None for r in results] == [True, False, True, True]
    assert "time limit" in (results[1].error or "")


def test_crashed_worker_is_reported_and_the_others_go_on(tmp_path):
    paths = []
    for name in ["a.txt", "b.crash", "c.txt", "d.txt", "e.txt"]:
        paths.append(tmp_path / name)
        paths[-1].write_text(EN, encoding="utf-8")
    results = read_files(paths, workers=2, readers={".crash": crash_reader})
    assert [r.error is None for r in results] == [True, False, True, True, True]
    assert "crashed" in (results[1].error or "")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs POSIX resource limits")
def test_memory_limit_stops_a_greedy_file(tmp_path):
    paths = [tmp_path / "a.greedy", tmp_path / "b.txt"]
    for p in paths:
        p.write_text(EN, encoding="utf-8")
    results = read_files(paths, workers=2, max_memory_mb=1024, readers={".greedy": greedy_reader})
    assert "out of memory" in (results[0].error or "")
    assert results[1].error is None


# ---- the command --------------------------------------------------------------------------------


def _run(*args):
    from typer.testing import CliRunner

    from gcmalign.cli import app

    return CliRunner().invoke(app, ["analyze", *map(str, args), "--no-embeddings"])


def test_cli_folder_with_bad_files_skips_them_and_exits_0(tree):
    bad = _bad(tree)
    result = _run(tree, tree / "missing.txt", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    start = result.stdout.index("{")
    documents = json.JSONDecoder().raw_decode(result.stdout[start:])[0]["documents"]
    assert [Path(d["source"]).name for d in documents] == [
        "a-rapport.txt",
        "b-report.txt",
        "page.html",
        "notes.MD",
        "sub-file.txt",
    ]
    summary = " ".join(result.output.split())
    assert "read 5 of 8 files; skipped 3" in summary
    assert "skipped 3 of 8 files:" in summary
    assert f"{bad['binary']}: binary file" in summary
    assert f"{bad['empty']}: empty file (no text to read)" in summary
    assert "missing.txt: no such file" in summary


def test_cli_names_a_file_with_brackets_as_it_is(tmp_path):
    # file names and document text are printed as text, not Rich markup ("[v2]" is a style tag there)
    (tmp_path / "notes [v2].txt").write_text(EN, encoding="utf-8")
    (tmp_path / "report [draft].pdf").write_bytes(b"not a pdf")
    alone = _run(tmp_path / "report [draft].pdf")
    assert alone.exit_code == 1 and "report [draft].pdf: not a PDF" in " ".join(alone.output.split())
    both = " ".join(_run(tmp_path).output.split())
    assert "notes [v2].txt:" in both  # the table's title
    assert "report [draft].pdf: not a PDF" in both  # the summary of skipped files


def test_cli_all_bad_exits_1(tmp_path):
    bad = _bad(tmp_path)
    result = _run(tmp_path)
    assert result.exit_code == 1, result.output
    summary = " ".join(result.output.split())
    assert "read 0 of 2 files; skipped 2" in summary and bad["binary"].name in summary


def test_cli_empty_folder_and_bad_options(tmp_path):
    assert _run(tmp_path).exit_code == 1
    (tmp_path / "a.txt").write_text(EN, encoding="utf-8")
    assert _run(tmp_path, "--timeout", "0").exit_code == 2
    assert _run(tmp_path, "--max-memory-mb", "-5").exit_code == 2
    assert _run(tmp_path, "--max-memory-mb", "128").exit_code == 2  # too little to load the PDF reader
    result = _run(tmp_path, "--timeout", "30", "--max-memory-mb", "1024", "--format", "md")
    assert result.exit_code == 0, result.output
