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


def extract_activities(doc: Document) -> list[Activity]:
    """One activity per body paragraph of at least :data:`MIN_ACTIVITY_WORDS` words."""
    activities: list[Activity] = []
    body = doc.body_blocks
    for index, block in enumerate(body):
        if len(block.text.split()) < MIN_ACTIVITY_WORDS:
            continue
        years = extract_years(block.text)
        if not years and activities and refers_back(block.text):
            years = list(activities[-1].years)
        activity = Activity(
            id=f"{doc.sha256[:12]}-{index + 1:03d}",
            page=block.page,
            text=block.text,
            start=block.start,
            end=block.end,
            years=years,
            months=[month for _, month in extract_months(block.text)],
            types=extract_types(block.text),
            titles=extract_titles(block.text),
            partners=extract_partners(block.text),
            countries=extract_countries(block.text),
            outputs=extract_outputs(block.text),
            links=list(block.links),
            callouts=[c for c in doc.callouts if c.beside == index],
            language=block.language or detect_language(block.text),
        )
        activities.append(activity)
    if len(activities) >= 3:
        counts: dict[str, int] = {}
        for a in activities:
            for p in a.partners:
                counts[p] = counts.get(p, 0) + 1
        authors = {p for p, n in counts.items() if n / len(activities) >= AUTHOR_SHARE}
        for a in activities:
            a.partners = [p for p in a.partners if p not in authors]
    return activities
