"""Blocks to :class:`Activity` records with their fields."""

from __future__ import annotations

from gcmalign.extract.dates import extract_months, extract_years, refers_back
from gcmalign.extract.entities import (
    extract_countries,
    extract_outputs,
    extract_partners,
    extract_titles,
)
from gcmalign.extract.types import extract_types
from gcmalign.lang import detect_language
from gcmalign.model import Activity, Document

MIN_ACTIVITY_WORDS = 12
# An organisation named in most paragraphs is the document's author (the dialogue itself),
# not a partner of each activity.
AUTHOR_SHARE = 0.6


def activity_stubs(doc: Document) -> list[Activity]:
    """The activities of ``doc`` before their fields are extracted: one per body paragraph of at
    least :data:`MIN_ACTIVITY_WORDS` words, with its text, place, links, callouts and language
    (all that classifying it needs)."""
    stubs: list[Activity] = []
    for index, block in enumerate(doc.body_blocks):
        if len(block.text.split()) < MIN_ACTIVITY_WORDS:
            continue
        stubs.append(
            Activity(
                id=f"{doc.sha256[:12]}-{index + 1:03d}",
                page=block.page,
                text=block.text,
                start=block.start,
                end=block.end,
                links=list(block.links),
                callouts=[c for c in doc.callouts if c.beside == index],
                language=block.language or detect_language(block.text),
            )
        )
    return stubs


def extract_fields(activities: list[Activity]) -> list[Activity]:
    """Fill in the fields of a document's activity stubs, in place; returns them."""
    for n, activity in enumerate(activities):
        text = activity.text
        years = extract_years(text)
        if not years and n and refers_back(text):
            years = list(activities[n - 1].years)
        activity.years = years
        activity.months = [month for _, month in extract_months(text)]
        activity.types = extract_types(text)
        activity.titles = extract_titles(text)
        activity.partners = extract_partners(text)
        activity.countries = extract_countries(text)
        activity.outputs = extract_outputs(text)
    if len(activities) >= 3:
        counts: dict[str, int] = {}
        for a in activities:
            for p in a.partners:
                counts[p] = counts.get(p, 0) + 1
        authors = {p for p, n in counts.items() if n / len(activities) >= AUTHOR_SHARE}
        for a in activities:
            a.partners = [p for p in a.partners if p not in authors]
    return activities


def extract_activities(doc: Document) -> list[Activity]:
    """One activity per body paragraph of at least :data:`MIN_ACTIVITY_WORDS` words, with its fields."""
    return extract_fields(activity_stubs(doc))
