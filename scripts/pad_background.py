"""Add two sentences of background about a migration dialogue to each item of a labelled file.

Usage: python scripts/pad_background.py IN.jsonl [before|after|both|mixed] > OUT.jsonl
then:  gcmalign eval OUT.jsonl

A probe of how much text about the organiser (its members, action plan themes, funding, chair,
format) costs the classifier: the labels stay those of the activity. The sentences are our own,
generic, and name other objectives' themes on purpose. ``mixed`` (the default) puts them before
the activity for 40% of the items, after it for 40%, one on each side for 20%, drawn with a
fixed seed, so every run writes the same file.
"""

from __future__ import annotations

import json
import random
import sys

BACKGROUND = {
    "en": [
        "The dialogue, launched in 2006, brings together some sixty countries of origin, transit and "
        "destination.",
        "Its action plan rests on five domains: legal migration and mobility, irregular migration, "
        "international protection, return and reintegration, and migration and development.",
        "The secretariat is supported by a programme funded by the European Union.",
        "The meeting was chaired by the current chair of the steering committee, who thanked the host "
        "government for its hospitality.",
        "Some 80 participants from member states, regional organisations and civil society attended.",
        "The process promotes cooperation on border management, the fight against smuggling and "
        "trafficking, and the protection of migrants.",
        "Member states reaffirmed their commitment to the Global Compact for Safe, Orderly and Regular "
        "Migration.",
        "The event took place in a hybrid format over two days.",
    ],
    "fr": [
        "Le dialogue, lancé en 2006, réunit une soixantaine de pays d'origine, de transit et de destination.",
        "Son plan d'action repose sur cinq domaines : migration légale et mobilité, migration irrégulière, "
        "protection internationale, retour et réintégration, migration et développement.",
        "Le secrétariat est appuyé par un programme financé par l'Union européenne.",
        "La réunion était présidée par la présidence en exercice du comité de pilotage, qui a remercié le "
        "gouvernement hôte pour son accueil.",
        "Quelque 80 participants des États membres, des organisations régionales et de la société civile y "
        "ont pris part.",
        "Le processus promeut la coopération en matière de gestion des frontières, de lutte contre le trafic "
        "et la traite, et de protection des migrants.",
        "Les États membres ont réaffirmé leur engagement envers le Pacte mondial pour des migrations sûres, "
        "ordonnées et régulières.",
        "L'événement s'est tenu en format hybride sur deux jours.",
    ],
}
PLACES = ("before", "after", "both", "mixed")


def padded(text: str, lang: str, place: str, rng: random.Random) -> str:
    """``text`` with two background sentences in ``lang`` placed as ``place`` says."""
    first, second = rng.sample(BACKGROUND["fr" if lang == "fr" else "en"], 2)
    if place == "mixed":
        draw = rng.random()
        place = "before" if draw < 0.4 else "after" if draw < 0.8 else "both"
    if place == "before":
        return f"{first} {second} {text}"
    if place == "after":
        return f"{text} {first} {second}"
    return f"{first} {text} {second}"


def main() -> None:
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] not in PLACES):
        sys.exit(__doc__.split("\n\n")[1])
    place = sys.argv[2] if len(sys.argv) == 3 else "mixed"
    rng = random.Random(7)
    with open(sys.argv[1], encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                row["text"] = padded(row["text"], row.get("lang", "en"), place, rng)
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
