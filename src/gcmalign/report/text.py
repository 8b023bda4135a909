"""Terminal table and Markdown views of analysed documents."""

from __future__ import annotations

from rich.table import Table

from gcmalign.model import Activity, Mapping
from gcmalign.pipeline import DocumentResult


def _top(mappings: list[Mapping], n: int = 3) -> str:
    shown = [m for m in mappings if m.predicted][:n] or mappings[:1]
    return ", ".join(f"{m.target} ({m.score:.2f}){'' if m.predicted else '?'}" for m in shown)


def _fields(a: Activity) -> dict[str, str]:
    return {
        "years": ", ".join(map(str, a.years)),
        "types": ", ".join(a.types),
        "partners": ", ".join(a.partners),
        "countries": ", ".join(a.countries),
        "outputs": ", ".join(a.outputs),
        "links": str(len(a.links)),
    }


def activities_table(result: DocumentResult) -> Table:
    """A Rich table: one row per activity with its fields and top objectives."""
    doc = result.document
    title = f"{result.source}: {len(result.activities)} activities"
    if doc is not None:
        title += f", {len(doc.pages)} pages, language {doc.language}"
    table = Table(title=title, show_lines=True, expand=True)
    for name, ratio in (("#", 1), ("p.", 1), ("activity", 8), ("years", 2), ("types", 3),
                        ("partners", 2), ("countries", 2), ("objectives", 3)):  # fmt: skip
        table.add_column(name, ratio=ratio, overflow="fold")
    for i, a in enumerate(result.activities, 1):
        f = _fields(a)
        text = a.text if len(a.text) < 160 else a.text[:157] + "..."
        table.add_row(str(i), str(a.page), text, f["years"], f["types"], f["partners"],
                      f["countries"], _top(a.mappings))  # fmt: skip
    return table


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def activities_markdown(result: DocumentResult) -> str:
    """A Markdown section per document: a table of activities, then the callouts found."""
    lines = [f"## {result.source}", ""]
    lines += ["| # | page | activity | years | types | partners | countries | objectives |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for i, a in enumerate(result.activities, 1):
        f = _fields(a)
        text = a.text if len(a.text) < 200 else a.text[:197] + "..."
        lines.append(
            f"| {i} | {a.page} | {_md_cell(text)} | {f['years']} | {f['types']} | "
            f"{f['partners']} | {f['countries']} | {_top(a.mappings)} |"
        )
    doc = result.document
    if doc is not None and doc.callouts:
        lines += ["", "Callouts:", ""]
        for c in doc.callouts:
            lines.append(f"- page {c.page}: objective {c.target} ({c.score:.2f}) — `{_md_cell(c.text)}`")
    return "\n".join(lines) + "\n"
