"""HTML and DOCX readers: the same activities as the clean text, boilerplate dropped, bad input refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from typer.testing import CliRunner

from gcmalign.cli import app
from gcmalign.errors import InputError
from gcmalign.ingest import read_document, reader_for
from gcmalign.ingest.docx import read_docx
from gcmalign.ingest.html import read_html

docx = pytest.importorskip("docx")

TITLE = "Coastal Dialogue activity report"
P_WORKSHOP = (
    "In 2019, the Coastal Dialogue organised a regional workshop in Niamey with UNODC on countering "
    "migrant smuggling, where prosecutors and border police from Niger, Mali and Burkina Faso reviewed "
    "joint investigation techniques and the protection of smuggled migrants."
)
P_WEBINAR = (
    "In 2021, a webinar on reducing the cost of remittances brought together the central banks of "
    "Senegal and Ghana, the World Bank and mobile money operators to discuss digital transfer channels "
    "that lower the fees paid by migrant workers sending money home."
)
P_STUDY = (
    "In 2020, the dialogue published a study on the sustainable reintegration of returnees in Guinea "
    "and Côte d'Ivoire, prepared with IOM, which recommends community-based projects and psychosocial "
    "support for returning migrants and their families."
)
P_FRENCH = (
    "En 2022, une table ronde organisée à Dakar avec l'OIM a réuni les services consulaires du Sénégal "
    "et de la Mauritanie pour renforcer la protection consulaire et l'assistance aux migrants en "
    "situation de vulnérabilité."
)
PARAGRAPHS = [P_WORKSHOP, P_WEBINAR, P_STUDY, P_FRENCH]
URL_UNODC = "https://www.unodc.org/unodc/en/human-trafficking/smuggling-of-migrants.html"
URL_REMIT = "https://remittanceprices.worldbank.org/"
URL_FOOTNOTE = "https://example.org/coastal-dialogue/outcomes"
NOISE = ["Home menu", "About the dialogue", "We use cookies", "SCRIPT_SECRET", "color: red", "Copyright"]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _split(paragraph: str, anchor: str) -> tuple[str, str]:
    before, after = paragraph.split(anchor, 1)
    return before, after


# ---- fixtures built in code ----------------------------------------------------------------


def _html_page() -> str:
    w_before, w_after = _split(P_WORKSHOP, "UNODC")
    r_before, r_after = _split(P_WEBINAR, "the World Bank")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>
<meta property="article:published_time" content="2024-03-05T09:00:00Z">
<style>body {{ color: red; }}</style>
<script>var tracking = "SCRIPT_SECRET"; document.write("SCRIPT_SECRET");</script></head>
<body>
<nav class="main-menu"><ul><li><a href="/">Home menu</a></li><li><a href="/about">About the dialogue</a></li>
<li><a href="/news">News and events</a></li></ul></nav>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience on this site.
<button>Accept all cookies</button></div>
<main><article>
<h1>{TITLE}</h1>
<p>{w_before}<a href="{URL_UNODC}">UNODC</a>{w_after}</p>
<h2>Remittances and returns</h2>
<p>{r_before}<a href="{URL_REMIT}">the World Bank</a>{r_after}</p>
<p>{P_STUDY}</p>
<h2>Activités en français</h2>
<p>{P_FRENCH}</p>
</article></main>
<footer><p>Copyright 2024 Coastal Dialogue secretariat. All rights reserved. Contact us.</p></footer>
<script>console.log("SCRIPT_SECRET")</script>
</body></html>
"""


def _add_hyperlink(paragraph, url: str, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


FOOTNOTES_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> The outcome documents are on the </w:t></w:r>
<w:hyperlink r:id="rIdFn1"><w:r><w:t>dialogue website</w:t></w:r></w:hyperlink><w:r><w:t>.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"""


def _add_footnote(document, paragraph) -> None:
    """python-docx has no footnote API: add a footnotes part and a reference run by hand."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, b"", document.part.package)
    r_id = part.relate_to(URL_FOOTNOTE, RT.HYPERLINK, is_external=True)
    part._blob = FOOTNOTES_XML.replace("rIdFn1", r_id).encode("utf-8")
    document.part.relate_to(part, RT.FOOTNOTES)
    run = OxmlElement("w:r")
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), "1")
    run.append(ref)
    paragraph._p.append(run)


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.core_properties.title = TITLE
    document.add_heading(TITLE, level=0)
    w_before, w_after = _split(P_WORKSHOP, "UNODC")
    p = document.add_paragraph(w_before)
    _add_hyperlink(p, URL_UNODC, "UNODC")
    p.add_run(w_after)
    document.add_paragraph("")  # empty paragraphs are skipped
    document.add_heading("Remittances and returns", level=1)
    r_before, r_after = _split(P_WEBINAR, "the World Bank")
    p = document.add_paragraph(r_before)
    _add_hyperlink(p, URL_REMIT, "the World Bank")
    p.add_run(r_after)
    study = document.add_paragraph(P_STUDY)
    _add_footnote(document, study)
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Year", "Type", "Place"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["2019", "Workshop", "Niamey"], strict=True):
        cell.text = text
    document.add_heading("Activités en français", level=2)
    document.add_paragraph(P_FRENCH)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    txt = root / "report.txt"
    txt.write_text(TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    html = root / "report.html"
    html.write_text(_html_page(), encoding="utf-8")
    docx_path = root / "report.docx"
    docx_path.write_bytes(_docx_bytes())
    return {"txt": txt, "html": html, "docx": docx_path}


@pytest.fixture(scope="module")
def results(files):
    from gcmalign.classify import Classifier
    from gcmalign.pipeline import analyze_paths

    classifier = Classifier("gcm", config="sparse")
    out = analyze_paths([files["txt"], files["html"], files["docx"]], classifier=classifier)
    for r in out:
        assert r.error is None, r.error
    return dict(zip(("txt", "html", "docx"), out, strict=True))


# ---- same activities as the clean text ------------------------------------------------------


def test_formats_are_dispatched_by_suffix(files):
    assert reader_for("a.html") is read_html
    assert reader_for("a.HTM") is read_html
    assert reader_for("a.docx") is read_docx
    assert read_document(files["html"]).source == str(files["html"])


def test_clean_text_gives_the_four_activities(results):
    assert [_norm(a.text) for a in results["txt"].activities] == [_norm(p) for p in PARAGRAPHS]


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_same_activities_as_clean_text(results, fmt):
    ref, got = results["txt"].activities, results[fmt].activities
    assert [_norm(a.text) for a in got] == [_norm(a.text) for a in ref]
    for a, b in zip(ref, got, strict=True):
        assert b.years == a.years
        assert b.types == a.types
        assert b.partners == a.partners
        assert b.countries == a.countries
        assert b.language == a.language
        assert b.mappings and a.mappings
        assert b.mappings[0].target == a.mappings[0].target


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_links_sit_on_their_activity(results, fmt):
    acts = results[fmt].activities
    assert acts[0].links == [URL_UNODC]
    assert acts[1].links == [URL_REMIT]
    assert acts[2].links == [] and acts[3].links == []


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_title_and_language(results, fmt):
    doc = results[fmt].document
    assert doc.title == TITLE
    assert doc.language == "en"
    assert doc.sha256 and len(doc.pages) == 1


def test_html_date_comes_from_metadata_only(results, tmp_path):
    assert results["html"].document.date == "2024-03-05"
    assert results["html"].to_json()["date"] == "2024-03-05"
    page = tmp_path / "undated.html"
    page.write_text(
        "<html><head><title>Workshop</title></head><body><main><p>Posted on 12 March 2019. In 2021, "
        "the dialogue held a workshop in Dakar on migration data with six countries.</p></main></body></html>",
        encoding="utf-8",
    )
    assert read_document(page).date is None  # a date in the text is not the page's date


def test_html_drops_boilerplate(results):
    doc = results["html"].document
    everything = doc.text + " ".join(b.text for p in doc.pages for b in p.blocks)
    for noise in NOISE:
        assert noise not in everything
    headings = [b.text for b in doc.pages[0].blocks if b.kind == "heading"]
    assert headings == [TITLE, "Remittances and returns", "Activités en français"]


def test_offsets_index_the_document_text(results):
    for fmt in ("html", "docx"):
        doc = results[fmt].document
        for a in results[fmt].activities:
            assert doc.text[a.start : a.end] == a.text


def test_docx_headings_table_and_footnote(results):
    blocks = results["docx"].document.pages[0].blocks
    kinds = [(b.kind, b.text) for b in blocks]
    assert kinds[0] == ("heading", TITLE)
    assert ("heading", "Remittances and returns") in kinds
    assert ("body", "Year | Type | Place") in kinds
    assert ("body", "2019 | Workshop | Niamey") in kinds
    assert all(b.text for b in blocks)
    assert blocks[-1].kind == "footnote"
    assert blocks[-1].text == "The outcome documents are on the dialogue website."
    assert blocks[-1].links == [URL_FOOTNOTE]
    assert "outcome documents" not in results["docx"].document.text


def test_docx_footnotes_written_with_zipfile(tmp_path):
    """Footnotes are read from word/footnotes.xml even when the part is added outside python-docx."""
    document = docx.Document()
    document.add_paragraph(P_STUDY)
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("word/footnotes.xml", FOOTNOTES_XML.replace(' r:id="rIdFn1"', ""))
    path = tmp_path / "notes.docx"
    path.write_bytes(out.getvalue())
    doc = read_docx(path)
    notes = [b for b in doc.pages[0].blocks if b.kind == "footnote"]
    assert [b.text for b in notes] == ["The outcome documents are on the dialogue website."]


def test_html_declared_charset_is_used(tmp_path):
    page = f'<html><head><meta charset="windows-1252"><title>Dialogue côtier</title></head><body><article><p>{P_FRENCH}</p></article></body></html>'
    path = tmp_path / "fr.htm"
    path.write_bytes(page.encode("cp1252"))
    doc = read_html(path)
    assert _norm(doc.body_blocks[0].text) == _norm(P_FRENCH)
    assert doc.language == "fr"


def test_html_fallback_when_trafilatura_finds_nothing(tmp_path, monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *a, **k: None)
    path = tmp_path / "page.html"
    path.write_text(_html_page(), encoding="utf-8")
    doc = read_html(path)
    assert [_norm(b.text) for b in doc.body_blocks] == [_norm(p) for p in PARAGRAPHS]
    assert doc.body_blocks[0].links == [URL_UNODC]
    assert doc.title == TITLE
    assert doc.date == "2024-03-05"  # read before the fallback strips the page's head
    for noise in NOISE:
        assert noise not in doc.text


# ---- bad input -------------------------------------------------------------------------------


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "just a text file in a zip")
    return buffer.getvalue()


def _corrupt_docx() -> bytes:
    data = bytearray(_docx_bytes())
    start = data.find(b"word/document.xml")
    data[start + 60 : start + 400] = b"\x00" * 340  # damage the compressed document part
    return bytes(data)


def _xlsx_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


BAD_INPUTS = [
    ("empty.html", b"", "empty"),
    ("blank.htm", b"  \n\t ", "empty"),
    (
        "scripts.html",
        b"<html><head><script>var a = 1;</script></head><body><script>go()</script></body></html>",
        "no main text",
    ),
    ("plain.html", b"This is plain text, not a web page at all, although its name says so.", "not an HTML"),
    ("binary.html", bytes(range(256)) * 8, "binary"),
    ("empty.docx", b"", "empty"),
    ("text.docx", b"Hello, I am a text file named like a Word document.", "not a Word document"),
    ("zipped-text.docx", _zip_of_text(), "not a Word document"),
    ("workbook.docx", _xlsx_like(), "not a Word document"),
    ("corrupt.docx", _corrupt_docx(), "corrupt"),
]


@pytest.mark.parametrize(("name", "content", "problem"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_input_error(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_document(path)
    assert name in str(info.value)
    assert problem in str(info.value)


@pytest.mark.parametrize("name", ["missing.html", "missing.docx"])
def test_missing_file(tmp_path, name):
    with pytest.raises(InputError) as info:
        read_document(tmp_path / name)
    assert name in str(info.value) and "no such file" in str(info.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.docx", _zip_of_text()),
        ("bad.html", b"<html><body><script>x()</script></body></html>"),
        ("bad.docx", b""),
    ],
)
def test_cli_bad_file_one_line_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(app, ["analyze", str(path), "--no-embeddings"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert name in lines[0]
    assert "Traceback" not in result.output


def test_cli_reads_html_and_docx(files):
    result = CliRunner().invoke(
        app, ["analyze", str(files["html"]), str(files["docx"]), "--format", "json", "--no-embeddings"]
    )
    assert result.exit_code == 0, result.output
    assert "Niamey" in result.output


def test_html_decoding_shares_the_text_decoder(tmp_path):
    from gcmalign.ingest.html import _decode

    page = "<html><body><p>Réunion à Dakar sur la traite des personnes en 2021.</p></body></html>"
    assert _decode(page.encode("utf-16-le"), "a.html") == page  # UTF-16 without a BOM
    lying = b'<html><head><meta charset="utf-16"></head><body><p>A workshop</p></body></html>'
    assert "A workshop" in _decode(lying, "b.html")
    latin = '<meta charset="iso-8859-1"><p>Réunion</p>'
    assert _decode(latin.encode("latin-1"), "c.html") == latin
