"""Layout of OCR'd text: pages, paragraphs, callouts woven into lines, links, repairs."""

from __future__ import annotations

from gcmalign.layout import layout_text
from gcmalign.layout.lines import is_garbage_token, is_junk_line
from gcmalign.layout.links import assign_links, slug_terms
from gcmalign.layout.paragraphs import opens_new_activity
from gcmalign.layout.repair import join_lines, repair_ocr

REMITTANCE_PAGE = """\
In 2018 the Eastern Corridor Dialogue organised a meeting with central banks on the cost of sending money “Promote
home. Participants compared the fees charged by money transfer operators and discussed mobile faster, sa{e;r
wallets for workers abroad, as well as financial literacy courses for families who receive transfers. and cheaper
The meeting ended with 5 recommendations to regulators. transfer of
remittances”.

A handbook on consular assistance to nationals in distress abroad was published in 2019 by the partner
ministries of foreign affairs, with checklists for consular staff and hotline procedures.
 https://example.org/events/meeting-central-banks-money-transfer-costs
https://example.org/publications/handbook-consular-assistance
 In 2020 the Dialogue held a webinar on the dismantling of smuggling networks along the eastern route,
with prosecutors from four countries. . . . . . . " .. . ,
More recently, in 2021, two study visits were organised for border guards on integrated border management
at land crossings, including data sharing between neighbouring border posts.
 https://example.org/events/webinar-smuggling-networks
"""


def _doc(text: str):
    return layout_text(text, source="t.txt", sha256="0" * 64)


def test_callout_fragments_are_taken_out_and_identified():
    doc = _doc(REMITTANCE_PAGE)
    first = doc.body_blocks[0].text
    assert first == (
        "In 2018 the Eastern Corridor Dialogue organised a meeting with central banks on the cost "
        "of sending money home. Participants compared the fees charged by money transfer operators "
        "and discussed mobile wallets for workers abroad, as well as financial literacy courses "
        "for families who receive transfers. The meeting ended with 5 recommendations to regulators."
    )
    assert [(c.target, c.beside) for c in doc.callouts] == [("20", 0)]
    assert doc.callouts[0].text.startswith("“Promote")


def test_pages_end_after_their_link_lists():
    doc = _doc(REMITTANCE_PAGE)
    assert [p.number for p in doc.pages] == [1, 2]
    assert [b.page for b in doc.body_blocks] == [1, 1, 2, 2]


def test_new_activity_with_a_new_year_starts_a_paragraph():
    doc = _doc(REMITTANCE_PAGE)
    texts = [b.text for b in doc.body_blocks]
    assert texts[2].endswith("with prosecutors from four countries.")
    assert texts[3].startswith("More recently, in 2021, two study visits")


def test_links_go_to_the_paragraphs_they_describe():
    doc = _doc(REMITTANCE_PAGE)
    links = [b.links for b in doc.body_blocks]
    assert links[0] == ["https://example.org/events/meeting-central-banks-money-transfer-costs"]
    assert links[1] == ["https://example.org/publications/handbook-consular-assistance"]
    assert links[2] == ["https://example.org/events/webinar-smuggling-networks"]
    assert links[3] == []


def test_link_alignment_is_monotone_and_loses_nothing():
    paragraphs = ["A workshop on remittances.", "A study on border management.", "A webinar on return."]
    urls = [
        "https://x.org/a/remittances-workshop",
        "https://x.org/document.preview?id=12",
        "https://x.org/b/border-management-study",
        "https://x.org/c/return-webinar",
    ]
    placement = assign_links(urls, paragraphs, paragraphs)
    assert len(placement) == len(urls)
    assert placement == sorted(placement)
    assert placement[0] == 0 and placement[2] == 1 and placement[3] == 2


def test_slug_terms_drop_hosts_and_boilerplate():
    terms = slug_terms("https://www.example.org/en/activities/publications/anti-trafficking-assessment")
    assert "exampl" not in terms and "activ" not in terms
    assert any(t.startswith("traffick") for t in terms)


def test_wrapped_paragraph_continues_across_blank_line_and_headings_stand_alone():
    text = (
        "Annual report\n\n"
        "The partners of the Dialogue met in Lisbon to review the implementation of the action plan and to\n\n"
        "agree on the priorities of the next two years, with a focus on labour mobility schemes.\n"
    )
    doc = _doc(text)
    kinds = [(b.kind, b.text[:20]) for p in doc.pages for b in p.blocks]
    assert kinds[0] == ("heading", "Annual report")
    assert len(doc.body_blocks) == 1
    assert "action plan and to agree on" in doc.body_blocks[0].text


def test_offsets_point_into_document_text():
    doc = _doc(REMITTANCE_PAGE)
    for block in doc.body_blocks:
        assert doc.text[block.start : block.end] == block.text


def test_garbage_tokens_and_junk_lines():
    assert is_garbage_token("eStZ{’“S:’d")
    assert is_garbage_token("trz;gg/:i:;em")
    assert not is_garbage_token("Declaration/UNODC.")
    assert not is_garbage_token("“Prevent,")
    assert not is_garbage_token("no-one")
    assert is_junk_line('. . . . . . " .. . . coordtnate:')
    assert not is_junk_line("migrants”.")


def test_dehyphenation_keeps_real_hyphens():
    assert join_lines(["the anti-", "trafficking unit"]) == "the anti-trafficking unit"
    assert join_lines(["a compre-", "hensive approach"]) == "a comprehensive approach"
    assert join_lines(["the sub-", "region"], {"sub-region"}) == "the sub-region"


def test_ocr_repairs():
    assert repair_ocr('the 2" Regional Conference') == "the 2nd Regional Conference"
    assert repair_ocr('the 3" Meeting') == "the 3rd Meeting"
    assert repair_ocr("a person'’s level") == "a person’s level"
    assert repair_ocr("awareness pf missing migrants") == "awareness of missing migrants"


def test_activity_lead_needs_a_new_year():
    assert opens_new_activity("In 2021, the Dialogue held", {"2019"})
    assert not opens_new_activity("In 2019, the Dialogue held", {"2019"})
    assert opens_new_activity("Plus récemment, en 2022, deux notes", set())
    assert not opens_new_activity("The second roundtable explored", set())
