"""The terminal table of `gcmalign analyze`, at the widths it is read in."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from gcmalign.model import Activity, DocumentResult, Mapping
from gcmalign.report.text import activities_table


def _result() -> DocumentResult:
    text = (
        "In 2021, a virtual roundtable [organised with UNODC] brought together prosecutors and "
        "border police from six partner countries to discuss the dismantling of smuggling networks."
    )
    activity = Activity(
        id="a-001",
        page=2,
        text=text,
        start=0,
        end=len(text),
        years=[2021],
        types=["roundtable"],
        partners=["UNODC", "INTERPOL"],
        countries=["SN", "GM", "MR"],
        mappings=[
            Mapping("gcm", "9", "Smuggling", 0.97, True),
            Mapping("gcm", "10", "Trafficking", 0.41, True),
        ],
    )
    return DocumentResult(source="report.pdf", activities=[activity])


def _render(width: int) -> str:
    buffer = StringIO()
    Console(file=buffer, width=width).print(activities_table(_result(), width=width))
    return buffer.getvalue()


def test_at_eighty_columns_the_fields_go_under_the_text_and_no_word_is_split():
    out = _render(80)
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    words = set(out.split())
    # every word of the text, the fields and the headings prints whole
    for word in ("roundtable", "prosecutors", "dismantling", "INTERPOL", "objectives", "9", "(0.97)"):
        assert word in words, word
    assert "2021 · roundtable · UNODC, INTERPOL · SN, GM, MR" in out
    assert "[organised with UNODC]" in out  # brackets in a document are text, not markup


def test_on_a_wide_console_each_field_has_its_column_with_its_heading_whole():
    out = _render(130)
    header = next(line for line in out.splitlines() if "activity" in line)
    assert header.split() == ["#", "p.", "activity", "years", "types", "partners", "countries", "objectives"]
    words = set(out.split())
    assert {"INTERPOL", "roundtable", "dismantling", "(0.41)"} <= words
    assert "·" not in out


def test_a_closing_bracket_tag_in_a_document_prints_as_written_on_either_layout():
    # Rich markup would raise MarkupError on "[/b]" with no opening tag
    result = _result()
    result.activities[0].text = "A regional workshop [/b] on migration data in Dakar, 2019."
    for width in (80, 130):
        buffer = StringIO()
        Console(file=buffer, width=width).print(activities_table(result, width=width))
        assert "[/b]" in buffer.getvalue()
