"""Language detection: per text and per block, English and French, accents or not."""

from __future__ import annotations

import pytest

from gcmalign.lang import detect_language
from gcmalign.layout import layout_text

EN_PARAGRAPH = (
    "In March 2019, the Coastal Dialogue held a regional workshop in Dakar on the collection and "
    "sharing of migration statistics with the national statistics offices of Senegal and Gambia."
)
FR_PARAGRAPH = (
    "En 2021, une table ronde à Banjul sur la réintégration durable des migrants de retour a réuni "
    "des responsables des ministères de la Gambie et de la Guinée et l'OIM."
)


def test_each_block_has_its_language():
    doc = layout_text(EN_PARAGRAPH + "\n\n" + FR_PARAGRAPH + "\n", source="<mixed>", sha256="0" * 64)
    body = doc.body_blocks
    assert [b.text for b in body] == [EN_PARAGRAPH, FR_PARAGRAPH]
    assert [b.language for b in body] == ["en", "fr"]
    assert doc.language in ("en", "fr")  # the document keeps one language for its whole body


@pytest.mark.parametrize(
    "text",
    [
        EN_PARAGRAPH,
        "The Dialogue published a study on climate change and mobility in coastal fishing communities.",
        "Workshop on remittances",
        "A study of coastal fishing",
        "Protection of migrants at sea",
        "Training for consular officers in Accra",
    ],
)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        FR_PARAGRAPH,
        # OCR drops accents
        "En 2021, une table ronde a Banjul sur la reintegration durable des migrants de retour a reuni",
        "Les participants ont ete formes a la collecte des donnees",
        "Il a ete decide de creer un groupe de travail",
        # short fragments
        "Le rapport de l'atelier",
        "Rapport d'activites 2023",
        "Migration des jeunes",
        "Atelier régional à Dakar",
        "Étude sur le climat",
    ],
)
def test_french(text):
    assert detect_language(text) == "fr"


def test_no_signal_falls_back_to_english():
    assert detect_language("") == "en"
    assert detect_language("Page 2") == "en"
