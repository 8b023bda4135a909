"""Activity types: meeting, thematic meeting, roundtable, workshop, webinar, conference,
publication, partnership, framework (English and French cues).

Rules beyond keyword spotting, each from how reports are written:

* a generic "meeting" is dropped when a more specific meeting type is named ("This meeting"
  in a paragraph about a workshop refers to the workshop);
* a publication needs a publishing verb in the same sentence ("published a report", "a
  background paper was prepared"); a study merely cited is not an activity;
* "in partnership with X" describes how an event was run, not a partnership activity;
* a type named as the object of "develop"/"produce" is an output ("develop 4 policy briefs
  and workshops"), not the activity itself;
* "framework" is the creation or adoption of a process, plan or declaration.
"""

from __future__ import annotations

import re

from gcmalign.textutil import sentences

TYPES = (
    "meeting",
    "thematic meeting",
    "roundtable",
    "workshop",
    "webinar",
    "conference",
    "publication",
    "partnership",
    "framework",
)
_MEETING_KINDS = {"thematic meeting", "roundtable", "workshop", "webinar", "conference"}

_EVENT_PATTERNS = {
    "thematic meeting": r"thematic\s+meetings?|réunions?\s+thématiques?",
    "roundtable": r"round[\s-]?tables?|tables?[\s-]rondes?",
    "workshop": r"workshops?|ateliers?",
    "webinar": r"webinars?|webinaires?|web\s+seminars?",
    "conference": r"conferences?|conférences?",
    "meeting": r"meetings?|réunions?|rencontres?",
}
_EVENT_RES = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in _EVENT_PATTERNS.items()}
_OUTPUT_VERB = re.compile(
    r"\b(?:develop|produce|prepare|design|élabor|produi|prépar)\w*\s+(?:[\w'’-]+\s+){0,5}$", re.I
)
_PUB_NOUN = re.compile(
    r"\b(?:stud(?:y|ies)|reports?|guides?|handbooks?|manuals?|toolkits?|papers?|briefs?|"
    r"briefings?|collections?|compendi(?:um|a)|publications?|booklets?|factsheets?|atlas|"
    r"études?|rapports?|manuels?|boîtes? à outils|notes?|recueils?|brochures?|cartographies?)\b",
    re.I,
)
_PUB_VERB = re.compile(
    r"\b(?:publish\w*|produced|production|prepared|released|launched|drafted|compiled|"
    r"publié\w*|produit\w*|élaboré\w*|rédigé\w*|lancé\w*|paru\w*|publication\s+(?:of|de))\b",
    re.I,
)
_PARTNERSHIP = re.compile(
    r"(?<!\bin )(?<!\ben )(?<!spirit of )\b(?:partnerships?|partenariats?)\s+(?:with|between|"
    r"agreements?|avec|entre)\b|\bmemorand(?:um|a) of understanding\b|\bprotocole d'accord\b",
    re.I,
)
_PARTNERSHIP_WORDS = ("partner", "partenar", "memorand", "protocole")
_CREATION = re.compile(
    r"\b(?:creation|establishment|adoption|set up|setting up|adopted|established|endorsed|"
    r"création|adopt\w*|mise en place|établi\w*)\b",
    re.I,
)
_FRAMEWORK_NOUN = re.compile(
    r"\b(?:process|platform|action plan|declaration|strategy|framework|dialogue|roadmap|"
    r"processus|plateforme|plan d'action|déclaration|stratégie|cadre|feuille de route)\b",
    re.I,
)


def _event_types(text: str) -> list[str]:
    found: list[str] = []
    for kind, pattern in _EVENT_RES.items():
        for m in pattern.finditer(text):
            if kind == "meeting" and re.search(r"thematic\s+$", text[: m.start()], re.I):
                continue
            if _OUTPUT_VERB.search(text[max(0, m.start() - 80) : m.start()]):
                continue
            found.append(kind)
            break
    if "meeting" in found and _MEETING_KINDS & set(found):
        found.remove("meeting")
    return found


def extract_types(text: str) -> list[str]:
    """The activity types of a paragraph, in the order of :data:`TYPES`."""
    found = set(_event_types(text))
    # both words of a pair must be in one sentence: the whole text is tried first, as most
    # paragraphs hold neither pair and splitting sentences costs more than the two searches
    pub = bool(_PUB_NOUN.search(text) and _PUB_VERB.search(text))
    creation = bool(_CREATION.search(text) and _FRAMEWORK_NOUN.search(text))
    sents = ([s.text for s in sentences(text)] or [text]) if pub or creation else []
    if pub and any(_PUB_NOUN.search(s) and _PUB_VERB.search(s) for s in sents):
        found.add("publication")
    # the pattern's lookbehinds are tried at every position: look for its words first
    low = text.lower()
    if any(w in low for w in _PARTNERSHIP_WORDS) and _PARTNERSHIP.search(text):
        found.add("partnership")
    if creation and any(_CREATION.search(s) and _FRAMEWORK_NOUN.search(s) for s in sents):
        found.add("framework")
    if not found and _FRAMEWORK_NOUN.search(text) and re.search(r"plan|declaration|déclaration", text, re.I):
        found.add("framework")
    return [t for t in TYPES if t in found]
