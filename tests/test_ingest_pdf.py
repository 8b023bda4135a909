"""PDF reader: two-column reports rendered in the test give the same activities as their clean text."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS
from gcmalign.cli import app
from gcmalign.errors import InputError
from gcmalign.frameworks import load_framework
from gcmalign.ingest import read_document, reader_for
from gcmalign.ingest.pdf import identify_callout, read_pdf
from gcmalign.layout.callouts import title_refs

pymupdf = pytest.importorskip("pymupdf")

URL_REMIT = "https://remittanceprices.worldbank.org/"
URLS = [
    "https://ex.org/climate-fishing-study",
    "https://ex.org/consular-training",
    "https://ex.org/ethical-recruitment",
]

EN = {
    "title": "Activities of the Coastal Dialogue",
    "title2": "Studies, trainings and meetings",
    "header": "Coastal Migration Dialogue - Activities Report 2023",
    "footer": "Page {n}",
    "footnote": "1 The workshop report is available from the Dialogue secretariat on request.",
    "callout": '"' + load_framework("gcm").target("9").title["en"] + '"',
    "split": "brought together officials from",
    "paragraphs": [
        "In March 2019, the Coastal Dialogue held a regional workshop in Dakar on the collection and sharing "
        "of migration statistics, where officials from the national statistics offices of Senegal, Gambia and "
        "Mauritania agreed on common indicators for labour migration.",
        "In 2020, the Dialogue organised a workshop in Nouakchott with UNODC on countering the smuggling of "
        "migrants, where prosecutors and border police from Mauritania and Mali reviewed joint investigations "
        "of smuggling networks and the protection of smuggled migrants.",
        "In 2021, a roundtable in Banjul on the sustainable reintegration of returning migrants brought "
        "together officials from the ministries of Gambia and Guinea, IOM and local municipalities to discuss "
        "community projects, psychosocial support and access to jobs for returnees.",
        "In 2021, a webinar on reducing the cost of remittances gathered the central banks of Senegal and "
        "Ghana, the World Bank and mobile money operators to discuss digital transfer channels that lower the "
        "fees paid by migrant workers.",
        "In 2022, the Dialogue published a study on climate change and mobility in coastal fishing "
        "communities of Senegal and Guinea-Bissau, showing how the decline of fish stocks drives young "
        "fishermen to migrate.",
        "In 2022, a training session in Accra for consular officers of Ghana and Togo strengthened consular "
        "protection and assistance for nationals abroad, including migrants in vulnerable situations.",
        "In 2023, a regional meeting in Abidjan with ILO discussed the fair and ethical recruitment of "
        "migrant workers and the decent work conditions of domestic workers in Ivory Coast.",
    ],
}
FR = {
    "title": "Activités du Dialogue côtier",
    "title2": "Études, formations et réunions",
    "header": "Dialogue côtier sur la migration - Rapport d'activités 2023",
    "footer": "Page {n}",
    "footnote": "1 Le rapport de l'atelier est disponible sur demande auprès du secrétariat du Dialogue.",
    "callout": '"' + load_framework("gcm").target("9").title["fr"] + '"',
    "split": "a réuni des responsables",
    "paragraphs": [
        "En mars 2019, le Dialogue côtier a tenu un atelier régional à Dakar sur la collecte et le partage des "
        "statistiques migratoires, où les responsables des instituts nationaux de statistique du Sénégal, de la "
        "Gambie et de la Mauritanie ont adopté des indicateurs communs sur la migration de travail.",
        "En 2020, le Dialogue a organisé un atelier à Nouakchott avec l'ONUDC sur la lutte contre le trafic "
        "illicite de migrants, où des procureurs et des policiers des frontières de la Mauritanie et du Mali "
        "ont examiné des enquêtes conjointes sur les réseaux de passeurs et la protection des migrants objets "
        "d'un trafic.",
        "En 2021, une table ronde à Banjul sur la réintégration durable des migrants de retour a réuni des "
        "responsables des ministères de la Gambie et de la Guinée, l'OIM et des communes pour discuter des "
        "projets communautaires, du soutien psychosocial et de l'accès à l'emploi des personnes rapatriées.",
        "En 2021, un webinaire sur la réduction du coût des envois de fonds a réuni les banques centrales du "
        "Sénégal et du Ghana, la Banque mondiale et des opérateurs de monnaie mobile pour examiner des canaux "
        "de transfert numériques qui réduisent les frais payés par les travailleurs migrants.",
        "En 2022, le Dialogue a publié une étude sur les changements climatiques et la mobilité dans les "
        "communautés de pêcheurs côtières du Sénégal et de la Guinée-Bissau, qui montre comment le déclin des "
        "stocks de poissons pousse les jeunes pêcheurs à migrer.",
        "En 2022, une formation à Accra pour les agents consulaires du Ghana et du Togo a renforcé la "
        "protection et l'assistance consulaires aux ressortissants à l'étranger, y compris les migrants en "
        "situation de vulnérabilité.",
        "En 2023, une réunion régionale à Abidjan avec l'OIT a porté sur le recrutement équitable et éthique "
        "des travailleurs migrants et les conditions de travail décentes des travailleurs domestiques en Côte "
        "d'Ivoire.",
    ],
}
LEFT, RIGHT, MARGIN = (110, 330), (345, 565), (20, 100)
TOP, BOTTOM = 140, 735


def _norm(text: str) -> str:
    return " ".join(text.split())


def _box(page, x: tuple[int, int], y: float, text: str, size: float = 10, font: str = "helv", **kw) -> float:
    """Write ``text`` in a column from ``y``; return the bottom of the text."""
    rect = pymupdf.Rect(x[0], y, x[1], BOTTOM + 60)
    left = page.insert_textbox(rect, text, fontsize=size, fontname=font, **kw)
    assert left >= 0, f"text does not fit: {text[:40]}"
    return rect.y1 - left


def _furniture(page, lang: dict, n: int) -> None:
    page.insert_text((110, 50), lang["header"], fontsize=8, fontname="helv")
    page.insert_text((300, 815), lang["footer"].format(n=n), fontsize=8, fontname="helv")


def _render(lang: dict, path: Path) -> dict:
    """The report as a PDF; returns where things were put."""
    p = lang["paragraphs"]
    pdf = pymupdf.open()
    pdf.set_metadata({"title": lang["title"]})
    page = pdf.new_page(width=595, height=842)
    _furniture(page, lang, 1)
    page.insert_text((110, 115), lang["title"], fontsize=14, fontname="hebo")
    y = _box(page, LEFT, TOP, p[0]) + 10
    smuggling_top = y
    y = _box(page, LEFT, y, p[1]) + 10
    _box(page, MARGIN, smuggling_top + 10, lang["callout"], size=9, font="tiit", color=(0, 0.3, 0.7))
    head, tail = p[2].split(lang["split"])
    _box(page, LEFT, y, head + lang["split"])
    _box(page, LEFT, 745, lang["footnote"], size=7)
    y = _box(page, RIGHT, TOP, tail.strip()) + 10
    webinar_top = y
    y = _box(page, RIGHT, y, p[3])
    page.insert_link(
        {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(RIGHT[0], webinar_top, RIGHT[1], y), "uri": URL_REMIT}
    )

    page = pdf.new_page(width=595, height=842)
    _furniture(page, lang, 2)
    page.insert_text((110, 115), lang["title2"], fontsize=14, fontname="hebo")
    y = _box(page, LEFT, TOP, p[4]) + 10
    _box(page, LEFT, y, p[5])
    y = _box(page, RIGHT, TOP, p[6]) + 20
    _box(page, RIGHT, y, "\n".join(URLS), size=8)
    pdf.save(path)
    pdf.close()
    return {}


@pytest.fixture(scope="module", params=["en", "fr"])
def case(request, tmp_path_factory):
    from gcmalign.classify import Classifier
    from gcmalign.pipeline import analyze_paths

    lang = EN if request.param == "en" else FR
    root = tmp_path_factory.mktemp(f"pdf-{request.param}")
    pdf_path = root / "report.pdf"
    _render(lang, pdf_path)
    txt = root / "report.txt"
    p = lang["paragraphs"]
    txt.write_text("\n\n".join([lang["title"], *p[:4], lang["title2"], *p[4:]]) + "\n", encoding="utf-8")
    pdf_result, txt_result = analyze_paths([pdf_path, txt], classifier=Classifier("gcm", config="sparse"))
    assert pdf_result.error is None, pdf_result.error
    assert txt_result.error is None, txt_result.error
    return lang, pdf_result, txt_result


def test_pdf_is_dispatched():
    assert reader_for("report.PDF") is read_pdf


def test_same_activities_as_text(case):
    lang, pdf, txt = case
    assert [_norm(a.text) for a in pdf.activities] == [_norm(t) for t in lang["paragraphs"]]
    assert [_norm(a.text) for a in txt.activities] == [_norm(t) for t in lang["paragraphs"]]
    for a, b in zip(pdf.activities, txt.activities, strict=True):
        assert a.years == b.years
        assert a.types == b.types
        assert a.partners == b.partners
        assert a.countries == b.countries
        assert a.mappings[0].target == b.mappings[0].target, a.text
    assert pdf.activities[1].mappings[0].target == "9"
    assert pdf.document.title == lang["title"]
    assert len(pdf.document.pages) == 2


def test_furniture_kept_out_of_the_body(case):
    lang, pdf, _ = case
    doc = pdf.document
    kinds = {b.kind: b for p in doc.pages for b in p.blocks}
    assert {"header", "footer", "footnote", "heading", "callout", "links"} <= set(kinds)
    for activity in pdf.activities:
        assert "Page" not in activity.text
        assert lang["header"] not in activity.text
        assert lang["footnote"][2:20] not in activity.text
        assert "Strengthen" not in activity.text and "Renforcer" not in activity.text
    footers = [b.text for p in doc.pages for b in p.blocks if b.kind == "footer"]
    assert footers == ["Page 1", "Page 2"]
    assert [b.text for b in doc.pages[0].blocks if b.kind == "footnote"] == [lang["footnote"]]
    assert doc.pages[0].blocks[0].kind == "header"


def test_callout_is_objective_9_beside_the_smuggling_workshop(case):
    _, pdf, _ = case
    [callout] = pdf.document.callouts
    assert (callout.framework, callout.target, callout.page) == ("gcm", "9", 1)
    assert callout.score >= 0.9
    assert pdf.document.body_blocks[callout.beside].text == pdf.activities[1].text
    assert [c.target for c in pdf.activities[1].callouts] == ["9"]
    assert all(not a.callouts for i, a in enumerate(pdf.activities) if i != 1)


def test_links_sit_on_their_activities(case):
    _, pdf, _ = case
    links = [a.links for a in pdf.activities]
    assert links == [[], [], [], [URL_REMIT], [URLS[0]], [URLS[1]], [URLS[2]]]


def test_blocks_carry_page_and_bbox(case):
    _, pdf, _ = case
    for page in pdf.document.pages:
        for block in page.blocks:
            assert block.page == page.number
            assert block.bbox is not None and block.bbox[0] < block.bbox[2] and block.bbox[1] < block.bbox[3]
    continued = pdf.document.body_blocks[2]
    assert continued.bbox[0] < 200  # starts in the left column


def test_identify_callout():
    refs = title_refs([load_framework("gcm")])
    ref, score = identify_callout("“Strengthen the transnational response to smuggling of migrants”", refs)
    assert ref is not None and ref.target == "9" and score > 0.9
    ref, score = identify_callout("Objective 9: Renforcer l'action transnationale face au trafic", refs)
    assert ref is not None and ref.target == "9"
    assert identify_callout("migrants", refs)[0] is None
    assert identify_callout("The weather was fine in Dakar that week.", refs)[0] is None


# ---- bad input ------------------------------------------------------------------------------


def _one_page(text: str | None = "In 2020, a workshop was held in Dakar.") -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page()
    if text:
        page.insert_text((72, 72), text)
    data = pdf.tobytes()
    pdf.close()
    return data


def _encrypted(path: Path) -> None:
    pdf = pymupdf.open()
    pdf.new_page().insert_text((72, 72), "A secret workshop in 2020.")
    pdf.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    pdf.close()


@pytest.mark.parametrize(
    ("name", "make", "problem"),
    [
        ("truncated.pdf", lambda p: p.write_bytes(_one_page()[:300]), "corrupt or truncated"),
        ("encrypted.pdf", _encrypted, "encrypted"),
        ("renamed.pdf", lambda p: p.write_text("Just a text file, renamed.\n"), "not a PDF"),
        ("empty.pdf", lambda p: p.write_bytes(b""), "empty"),
        ("blank.pdf", lambda p: p.write_bytes(_one_page(None)), "no text layer"),
    ],
)
def test_bad_input(tmp_path, name, make, problem):
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError) as err:
        read_document(path)
    assert problem in str(err.value)
    assert str(path) in str(err.value)
    result = CliRunner().invoke(app, ["analyze", str(path), "--no-embeddings"])
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output


def test_compressed_pages_are_fine_and_absurd_counts_refused(tmp_path, monkeypatch):
    pdf = pymupdf.open()
    for _ in range(200):
        pdf.new_page()
    pdf.new_page().insert_text((72, 72), "In 2020, a workshop on remittances was held in Dakar.")
    path = tmp_path / "many.pdf"
    pdf.save(path, garbage=4, deflate=True, use_objstms=1)
    pdf.close()
    from gcmalign.ingest import pdf as pdf_module

    assert len(read_pdf(path).pages) == 201  # about 10 bytes a page: real, if empty
    monkeypatch.setattr(pdf_module, "MIN_BYTES_PER_PAGE", 1000)
    with pytest.raises(InputError, match=r"claims 201 pages in a \d+-byte file"):
        read_pdf(path)


# ---- real documents ---------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS.exists(), reason="the shared corpus is not on this machine")
def test_real_iom_pdfs():
    files = sorted(CORPUS.glob("*.pdf"))
    assert len(files) == 4
    for path in files:
        doc = read_pdf(path)
        assert doc.pages, path
        assert doc.body_blocks, path
        furniture = {
            b.text
            for p in doc.pages
            for b in p.blocks
            if b.kind in ("header", "footer") and len(b.text) >= 15
        }
        for block in doc.body_blocks:
            for text in furniture:
                assert text not in block.text, (path.name, text)
