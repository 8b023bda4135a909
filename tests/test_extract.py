"""Field extraction from activity paragraphs, English and French."""

from __future__ import annotations

import pytest

from gcmalign.extract.dates import extract_months, extract_years, refers_back
from gcmalign.extract.entities import (
    extract_countries,
    extract_outputs,
    extract_partners,
    extract_titles,
)
from gcmalign.extract.types import extract_types


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("The platform was created in 2006 to support the 2030 Agenda.", [2006]),
        ("In December 2021 and again in 2022, 2500 migrants were assisted.", [2021, 2022]),
        ("Impacts of the Covid 19 crisis were discussed.", []),
        ("En mars 2019, l'atelier de Dakar a réuni 40 participants.", [2019]),
    ],
)
def test_years(text, years):
    assert extract_years(text) == years


def test_months_and_back_references():
    assert extract_months("held in December 2021 in Rabat") == [(2021, 12)]
    assert extract_months("tenue en décembre 2021 à Rabat") == [(2021, 12)]
    assert refers_back("during the abovementioned roundtables")
    assert refers_back("lors des ateliers susmentionnés")
    assert not refers_back("during the roundtables held in Dakar")


@pytest.mark.parametrize(
    ("text", "types"),
    [
        (
            "In 2019 the Dialogue organised a workshop in Accra. This meeting agreed on priorities.",
            ["workshop"],
        ),
        (
            "A thematic meeting entitled “Cities and migration” was followed by a roundtable on housing.",
            ["thematic meeting", "roundtable"],
        ),
        ("The secretariat published a report on labour migration in 2020.", ["publication"]),
        ("Partners discussed the findings of a report by the World Bank.", []),
        ("Data from the survey was used to develop 3 policy briefs and workshops.", []),
        ("The Dialogue held a webinar in partnership with UNHCR.", ["webinar"]),
        (
            "Through its partnership with the Mixed Migration Centre, the Process gathers data.",
            ["partnership"],
        ),
        (
            "The ministers adopted the Accra Action Plan, which sets up a platform for dialogue.",
            ["framework"],
        ),
        ("En 2021, un atelier et une table ronde ont été organisés à Dakar.", ["roundtable", "workshop"]),
        ("Le Processus a publié une étude sur les envois de fonds.", ["publication"]),
        ("Un webinaire a présenté les résultats de la réunion thématique.", ["thematic meeting", "webinar"]),
    ],
)
def test_types(text, types):
    assert sorted(extract_types(text)) == sorted(types)


def test_countries_in_english_and_french():
    assert extract_countries("Interviews in Senegal and Italy, and in Nigeria.") == ["SN", "IT", "NG"]
    assert extract_countries("Des missions au Sénégal, en Côte d'Ivoire et au Maroc.") == ["SN", "CI", "MA"]
    assert extract_countries("Nigeria, then Niger") == ["NG", "NE"]
    assert "GN" not in extract_countries("Guinea-Bissau and Equatorial Guinea")


def test_partners_use_aliases_in_both_languages():
    assert extract_partners("with UNODC and the ECOWAS Commission") == ["UNODC", "ECOWAS"]
    assert extract_partners("avec l'OIM et la CEDEAO") == ["IOM", "ECOWAS"]
    assert extract_partners("the Mixed Migration Centre (MMC)") == ["MMC"]
    assert extract_partners("who should be consulted") == []


def test_titles():
    text = (
        "a study named “Leaving home: the drivers of youth mobility” was presented, and “it is time "
        "to act”, said the chair. A Handbook of Consular Practices was published in 2020."
    )
    assert extract_titles(text) == [
        "Leaving home: the drivers of youth mobility",
        "Handbook of Consular Practices",
    ]
    assert extract_titles("un guide intitulé « Accueillir et inclure » a été publié") == [
        "Accueillir et inclure"
    ]


def test_outputs_with_counts():
    assert extract_outputs("organised two roundtables and produced 4 policy briefs") == [
        "2 roundtables",
        "4 policy briefs",
    ]
    assert extract_outputs("captured in an outcome document") == ["outcome document"]
    assert extract_outputs("trois ateliers ont été organisés") == ["3 ateliers"]
