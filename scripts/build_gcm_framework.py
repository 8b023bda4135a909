#!/usr/bin/env python3
"""Build the GCM framework data file from the source text and the curation file.

Usage::

    python3 scripts/build_gcm_framework.py [SOURCE] [--curation PATH] [--out PATH]

SOURCE defaults to ``/work/shared/frameworks/gcm.json``: the 23 objectives of
A/RES/73/195 (title, commitment, lettered actions) from franckalbinet/iomeval.
``scripts/gcm_curation.json`` adds what the source lacks: French titles, short
tags, aliases, guiding principles and the bilingual lexicons. The result is
written to ``src/gcmalign/frameworks/data/gcm.json``.

The build is deterministic and refuses to write a file that fails validation
(exit status 1), so it is safe to re-run after editing the curation.

Source quirks handled here (see ``shared/frameworks/README.md``):

* actions of objectives 2 to 23 end with the enumeration's ``;`` (the last one
  with ``.``); objective 1's do not. All trailing ``;``/``.`` are stripped so
  every action text is a bare clause.
* objective 13 is titled "Use immigration detention ..." in the body and "Use
  migration detention ..." in the resolution's list of objectives; the source
  title is kept and the other spelling is an English alias (curation).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = Path("/work/shared/frameworks/gcm.json")
DEFAULT_CURATION = ROOT / "scripts" / "gcm_curation.json"
DEFAULT_OUT = ROOT / "src" / "gcmalign" / "frameworks" / "data" / "gcm.json"

LANGS = ("en", "fr")
TITLE_FR_SOURCES = {"official", "project translation"}
OBJECTIVE_LEXICON_SIZE = (12, 30)
ACTION_LEXICON_SIZE = (2, 8)

# Words that fit every objective: never a whole objective-level term.
GENERIC_TERMS = {
    "migration",
    "migrations",
    "migrant",
    "migrants",
    "cooperation",
    "policy",
    "policies",
    "capacity building",
    "dialogue",
    "workshop",
    "partnership",
    "development",
    "protection",
    "rights",
    "human rights",
    "governance",
    "migration governance",
    "training",
    "coopération",
    "politique",
    "renforcement des capacités",
    "atelier",
    "partenariat",
    "développement",
    "droits de l'homme",
    "gouvernance",
    "formation",
}

# Smuggling (9) and trafficking (10) must stay apart, in both languages.
# French: "trafic (illicite) de migrants" / "passeurs" = smuggling; "traite" = trafficking.
FORBIDDEN = {
    "9": [r"traffick", r"\btraite\b", r"\btrafiquant"],
    "10": [r"smuggl", r"\btrafic de migrant", r"\btrafic illicite", r"\bpasseur", r"\bcontrebande"],
}


def norm(term: str) -> str:
    """Fold a term the way the matcher roughly will: case, accents, ligatures,
    punctuation and a naive plural strip. Used only to detect duplicates."""
    t = term.lower().replace("œ", "oe").replace("æ", "ae")
    t = t.replace("\u2019", "'").replace("\u2018", "'")
    t = unicodedata.normalize("NFKD", t)
    t = "".join(c for c in t if not unicodedata.combining(c))
    t = re.sub(r"[^a-z0-9]+", " ", t).strip()
    tokens = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in t.split()]
    return " ".join(tokens)


def clean_action(text: str) -> str:
    text = " ".join(text.split())
    return text.rstrip(" ;.").rstrip()


def build(source: list, cur: dict) -> dict:
    cur_objs = {o["id"]: o for o in cur["objectives"]}
    targets = []
    for obj in source:
        oid = str(obj["id"]).strip()
        c = cur_objs[oid]
        actions = []
        for a in obj["actions"]:
            aid = a["id"].strip()
            lex = c["actions"][aid]
            actions.append(
                {
                    "id": aid,
                    "text": {"en": clean_action(a["description"]), "fr": None},
                    "lexicon": {lang: list(lex[lang]) for lang in LANGS},
                }
            )
        targets.append(
            {
                "id": oid,
                "short": {lang: c["short"][lang] for lang in LANGS},
                "title": {"en": " ".join(obj["title"].split()), "fr": c["title_fr"]},
                "title_fr_source": c["title_fr_source"],
                "aliases": {lang: list(c["aliases"][lang]) for lang in LANGS},
                "description": {"en": " ".join(obj["commitment"].split()), "fr": None},
                "actions": actions,
                "lexicon": {lang: list(c["lexicon"][lang]) for lang in LANGS},
            }
        )
    return {
        "id": cur["id"],
        "version": cur["version"],
        "name": {lang: cur["name"][lang] for lang in LANGS},
        "source": cur["source"],
        "languages": list(cur["languages"]),
        "kind": cur["kind"],
        "targets": targets,
        "principles": [
            {"id": p["id"], "title": {lang: p["title"][lang] for lang in LANGS}} for p in cur["principles"]
        ],
    }


def validate(data: dict, source: list, cur: dict) -> tuple[list, list]:
    """Return (errors, warnings)."""
    errors, warnings = [], []
    err = errors.append

    targets = data["targets"]
    if [t["id"] for t in targets] != [str(i) for i in range(1, 24)]:
        err("targets must be 23, with ids '1'..'23' in order")
    cur_ids = [o["id"] for o in cur["objectives"]]
    if sorted(cur_ids, key=int) != [str(i) for i in range(1, 24)]:
        err("curation must cover objectives 1..23 exactly once")
    for obj in source:
        c = next((o for o in cur["objectives"] if o["id"] == str(obj["id"])), None)
        if c and sorted(c["actions"]) != sorted(a["id"] for a in obj["actions"]):
            err(
                f"objective {obj['id']}: curation actions {sorted(c['actions'])} "
                f"!= source actions {[a['id'] for a in obj['actions']]}"
            )
    if sum(len(t["actions"]) for t in targets) != 187:
        warnings.append("expected 187 actions in A/RES/73/195")

    owner = {lang: {} for lang in LANGS}  # normalized objective-level term -> objective id
    for t in targets:
        oid = t["id"]
        if t["title_fr_source"] not in TITLE_FR_SOURCES:
            err(f"{oid}: title_fr_source must be one of {sorted(TITLE_FR_SOURCES)}")
        for lang in LANGS:
            if not t["title"][lang] or not t["short"][lang]:
                err(f"{oid}: missing title/short in {lang}")
        if not t["description"]["en"]:
            err(f"{oid}: missing description")
        for lang in LANGS:
            terms = t["lexicon"][lang]
            lo, hi = OBJECTIVE_LEXICON_SIZE
            if not lo <= len(terms) <= hi:
                err(f"{oid}: {len(terms)} {lang} objective terms (want {lo}-{hi})")
            seen = {}
            for term in terms:
                n = norm(term)
                if not n or term != term.strip():
                    err(f"{oid}: bad term {term!r}")
                if n in seen:
                    err(f"{oid}: duplicate {lang} term {term!r} ~ {seen[n]!r}")
                seen[n] = term
                if term.lower() in GENERIC_TERMS:
                    err(f"{oid}: generic {lang} term {term!r}")
                other = owner[lang].get(n)
                if other and other != oid:
                    err(f"{oid}: {lang} term {term!r} also an objective-level term of {other}")
                owner[lang][n] = oid
            action_seen = {}
            for a in t["actions"]:
                if not a["text"]["en"]:
                    err(f"{oid}{a['id']}: empty action text")
                if a["text"]["en"].endswith(";"):
                    err(f"{oid}{a['id']}: trailing ';'")
                aterms = a["lexicon"][lang]
                lo, hi = ACTION_LEXICON_SIZE
                if not lo <= len(aterms) <= hi:
                    err(f"{oid}{a['id']}: {len(aterms)} {lang} action terms (want {lo}-{hi})")
                local = set()
                for term in aterms:
                    n = norm(term)
                    if n in local:
                        err(f"{oid}{a['id']}: duplicate {lang} term {term!r}")
                    local.add(n)
                    if n in action_seen and action_seen[n] != a["id"]:
                        err(f"{oid}: {lang} term {term!r} in actions {action_seen[n]} and {a['id']}")
                    action_seen[n] = a["id"]
            all_terms = terms + [x for a in t["actions"] for x in a["lexicon"][lang]]
            for pattern in FORBIDDEN.get(oid, []):
                for term in all_terms:
                    if re.search(pattern, norm(term)):
                        err(f"{oid}: forbidden {lang} term {term!r} (matches {pattern!r})")

    # Action terms that are another objective's objective-level term: allowed, reported.
    for t in targets:
        for lang in LANGS:
            for a in t["actions"]:
                for term in a["lexicon"][lang]:
                    other = owner[lang].get(norm(term))
                    if other and other != t["id"]:
                        warnings.append(
                            f"{t['id']}{a['id']} {lang} {term!r} is an objective-level term of {other}"
                        )

    principles = data["principles"]
    if [p["id"] for p in principles] != list("abcdefghij"):
        err("principles must be 10, ids a..j")
    for p in principles:
        for lang in LANGS:
            if not p["title"][lang]:
                err(f"principle {p['id']}: missing {lang} title")
    return errors, warnings


def report(data: dict) -> str:
    lines = ["objective  en  fr  actions(en min-max / fr min-max)  title_fr_source"]
    for t in data["targets"]:
        ae = [len(a["lexicon"]["en"]) for a in t["actions"]]
        af = [len(a["lexicon"]["fr"]) for a in t["actions"]]
        lines.append(
            f"{t['id']:>9}  {len(t['lexicon']['en']):>2}  {len(t['lexicon']['fr']):>2}  "
            f"{len(t['actions']):>2} ({min(ae)}-{max(ae)} / {min(af)}-{max(af)})"
            f"{'':14}{t['title_fr_source']}"
        )
    for lang in LANGS:
        counts = [len(t["lexicon"][lang]) for t in data["targets"]]
        lines.append(
            f"{lang}: objective terms min {min(counts)} max {max(counts)} total {sum(counts)}; "
            f"action terms total {sum(len(a['lexicon'][lang]) for t in data['targets'] for a in t['actions'])}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--curation", type=Path, default=DEFAULT_CURATION)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--quiet", action="store_true", help="print errors only")
    args = ap.parse_args(argv)

    source = json.loads(args.source.read_text(encoding="utf-8"))
    cur = json.loads(args.curation.read_text(encoding="utf-8"))
    data = build(source, cur)
    errors, warnings = validate(data, source, cur)
    if not args.quiet:
        for w in warnings:
            print("warning:", w)
    if errors:
        for e in errors:
            print("error:", e, file=sys.stderr)
        print(f"{len(errors)} error(s); {args.out} not written", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not args.quiet:
        print(report(data))
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
