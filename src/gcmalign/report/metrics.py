"""Tables of evaluation figures."""

from __future__ import annotations

from rich import box
from rich.table import Table

from gcmalign.evaluate import Metrics

# No vertical rules and shared padding: with a bordered table, 80 columns (what Rich assumes for a
# pipe or a log file) cut "default" to "defau…" and "macroF1" to "macr…".
_COMPACT = {"box": box.SIMPLE_HEAD, "collapse_padding": True, "show_edge": False}


def _compact_table(title: str, columns: tuple[str, ...], *, title_on_one_line: bool = True) -> Table:
    """A compact table, text columns left and figures right; at least as wide as its title unless
    ``title_on_one_line`` is off (the summary's title names a file, however long its path)."""
    width = len(title) if title_on_one_line else None
    table = Table(title=title, min_width=width, **_COMPACT)
    for col in columns:
        table.add_column(col, justify="left" if col in ("config", "lang") else "right")
    return table


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def metrics_tables(results: dict[str, dict[str, Metrics]], *, per_target: bool,
                   title: str) -> list[Table]:  # fmt: skip
    """One summary table (configuration x language), then optional per-target tables."""
    summary = _compact_table(
        f"{title}: classifier and baselines",
        ("config", "lang", "n", "µP", "µR", "µF1", "macroF1", "top-1", "none", "ECE"),
        title_on_one_line=False,
    )
    for config, by_lang in results.items():
        for lang, m in by_lang.items():
            summary.add_row(config, lang, str(m.n), _pct(m.micro_precision), _pct(m.micro_recall),
                            _pct(m.micro_f1), _pct(m.macro_f1), _pct(m.top1_accuracy),
                            _pct(m.none_accuracy), _pct(m.ece))  # fmt: skip
    tables = [summary, _primary_table(results)]
    scored = [(c, lang, m.actions) for c, by in results.items() for lang, m in by.items() if m.actions]
    if scored:
        # shown on the gold primary objective's mapping, whatever its rank
        heading = f"{title}: lettered actions on the gold primary's mapping"
        actions = _compact_table(heading, ("config", "lang", "n", "shown", "hit", "precision"))
        for config, lang, a in scored:
            actions.add_row(config, lang, str(a.n), _pct(a.shown), _pct(a.hit), _pct(a.precision))
        tables.append(actions)
    if per_target:
        for config, by_lang in results.items():
            m = by_lang["all"]
            table = Table(title=f"{config}: per target")
            for col in ("target", "support", "precision", "recall", "F1"):
                table.add_column(col, justify="right")
            for tid, s in m.per_target.items():
                table.add_row(tid, str(s.support), _pct(s.precision), _pct(s.recall), _pct(s.f1))
            tables.append(table)
    return tables


def _primary_table(results: dict[str, dict[str, Metrics]]) -> Table:
    """The seed's figures: the gold primary ranked first, and items given a label outside the gold's."""
    table = _compact_table(
        "the gold primary ranked first; items labelled outside the gold",
        ("config", "lang", "labelled", "primary", "outside"),
    )
    for config, by_lang in results.items():
        for lang, m in by_lang.items():
            table.add_row(config, lang, str(m.labelled), _pct(m.primary_accuracy), str(m.outside))
    return table
