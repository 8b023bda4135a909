"""Terminal table and Markdown views of analysed documents."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from gcmalign.model import Activity, Mapping
from gcmalign.pipeline import DocumentResult

# Below this console width the fields go under the activity's text instead of in columns of
# their own, which would leave the text a few characters a line.
NARROW = 120
# In the wide layout, a field's column is as wide as its heading, its longest word, and its
# widest cell up to this many characters.
FIELD_WIDTH = 12
FIELDS = ("years", "types", "partners", "countries")


def _top(mappings: list[Mapping], n: int = 3, sep: str = ", ") -> str:
    shown = [m for m in mappings if m.predicted][:n] or mappings[:1]
    return sep.join(f"{m.target} ({m.score:.2f}){'' if m.predicted else '?'}" for m in shown)


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, "..." marking a cut."""
    return text if len(text) < limit else text[: limit - 3] + "..."


def _fields(a: Activity) -> dict[str, str]:
    return {
        "years": ", ".join(map(str, a.years)),
        "types": ", ".join(a.types),
        "partners": ", ".join(a.partners),
        "countries": ", ".join(a.countries),
        "outputs": ", ".join(a.outputs),
        "links": str(len(a.links)),
    }


def activities_table(result: DocumentResult, width: int | None = None) -> Table:
    """A Rich table: one row per activity with its fields and top objectives, laid out for a
    console ``width`` characters wide (narrower than :data:`NARROW`: fields under the text)."""
    doc = result.document
    title = f"{result.source}: {len(result.activities)} activities"
    if doc is not None:
        title += f", {len(doc.pages)} pages, language {doc.language}"
    narrow = width is not None and width < NARROW
    # no vertical rules: the text keeps the room that borders would take
    table = Table(title=Text(title), show_lines=True, expand=True, box=box.SIMPLE_HEAD, show_edge=False)
    texts = [_clip(a.text, 160) for a in result.activities]
    fields = [_fields(a) for a in result.activities]
    table.add_column("#", justify="right")
    table.add_column("p.", justify="right")
    table.add_column("activity", ratio=1, overflow="fold")  # takes the width the others leave
    if not narrow:
        for name in FIELDS:
            cells = [f[name] for f in fields]
            longest_word = max((len(w) for cell in cells for w in cell.split()), default=0)
            widest = max(map(len, cells), default=0)
            table.add_column(name, width=max(len(name), longest_word, min(widest, FIELD_WIDTH)))
    table.add_column("objectives", no_wrap=True)
    for i, (a, text, f) in enumerate(zip(result.activities, texts, fields, strict=True), 1):
        # Text cells, not markup: a document's "[...]" must print as written
        activity = Text(text)
        under = " · ".join(f[k] for k in FIELDS if f[k])
        if narrow and under:
            activity.append("\n" + under, style="dim")
        cells = [] if narrow else [Text(f[k]) for k in FIELDS]
        table.add_row(str(i), str(a.page), activity, *cells, _top(a.mappings, sep="\n"))
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
        lines.append(
            f"| {i} | {a.page} | {_md_cell(_clip(a.text, 200))} | {f['years']} | {f['types']} | "
            f"{f['partners']} | {f['countries']} | {_top(a.mappings)} |"
        )
    doc = result.document
    if doc is not None and doc.callouts:
        lines += ["", "Callouts:", ""]
        for c in doc.callouts:
            lines.append(f"- page {c.page}: objective {c.target} ({c.score:.2f}) — `{_md_cell(c.text)}`")
    return "\n".join(lines) + "\n"
