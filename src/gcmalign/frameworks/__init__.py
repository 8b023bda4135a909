"""Frameworks as data: the GCM, the Marrakesh Action Plan, SDG targets, and crosswalks.

Each framework is a JSON file (see ``data/``); :func:`load_framework` reads and validates one,
:func:`available` lists the bundled ones. Users can pass the path of their own file anywhere a
framework id is accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from gcmalign.errors import GcmalignError

DATA_PACKAGE = "gcmalign.frameworks.data"
CROSSWALK_FILE = "crosswalk.json"
RELATIONS = {"closely_related", "partially_related", "contributes_to"}


class FrameworkError(GcmalignError):
    """A framework file is missing or does not follow the schema."""


@dataclass(frozen=True)
class Action:
    id: str
    text: dict[str, str | None]
    lexicon: dict[str, list[str]] = field(default_factory=dict)

    def label(self, target_id: str) -> str:
        return f"{target_id}{self.id}"


@dataclass(frozen=True)
class Target:
    id: str
    title: dict[str, str | None]
    short: dict[str, str | None] = field(default_factory=dict)
    description: dict[str, str | None] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    lexicon: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)

    def titles(self) -> list[str]:
        """Every title and alias of the target, all languages."""
        out = [t for t in self.title.values() if t]
        for names in self.aliases.values():
            out.extend(names)
        return out


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    name: dict[str, str | None]
    source: str
    languages: tuple[str, ...]
    kind: str
    targets: tuple[Target, ...]
    principles: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def target(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == str(target_id):
                return t
        raise FrameworkError(f"framework {self.id!r} has no target {target_id!r}")

    def has(self, node_id: str) -> bool:
        """True for a target id or the id of a grouping of targets (a domain)."""
        domains = {str(d.get("id")) for d in self.extra.get("domains", [])}
        return str(node_id) in self.target_ids or str(node_id) in domains

    @property
    def target_ids(self) -> list[str]:
        return [t.id for t in self.targets]


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise FrameworkError(f"{where}: missing key {key!r}")
    return data[key]


def _lang_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FrameworkError(f"{where}: expected an object keyed by language, got {value!r:.60}")
    return value


def parse_framework(data: dict[str, Any], where: str = "framework") -> Framework:
    """Validate a framework's JSON data and build a :class:`Framework`."""
    fid = _require(data, "id", where)
    targets: list[Target] = []
    seen: set[str] = set()
    for i, raw in enumerate(_require(data, "targets", where)):
        tw = f"{where}: target #{i + 1}"
        tid = str(_require(raw, "id", tw))
        if tid in seen:
            raise FrameworkError(f"{tw}: duplicate id {tid!r}")
        seen.add(tid)
        title = _lang_dict(_require(raw, "title", tw), tw)
        if not title.get("en"):
            raise FrameworkError(f"{tw} ({tid}): an English title is required")
        actions = tuple(
            Action(
                id=str(_require(a, "id", f"{tw} action")),
                text=_lang_dict(_require(a, "text", f"{tw} action"), f"{tw} action"),
                lexicon={k: list(v) for k, v in (a.get("lexicon") or {}).items()},
            )
            for a in raw.get("actions") or []
        )
        targets.append(
            Target(
                id=tid,
                title=title,
                short=raw.get("short") or {},
                description=raw.get("description") or {},
                actions=actions,
                lexicon={k: list(v) for k, v in (raw.get("lexicon") or {}).items()},
                aliases={k: list(v) for k, v in (raw.get("aliases") or {}).items()},
            )
        )
    if not targets:
        raise FrameworkError(f"{where}: no targets")
    known = {"id", "version", "name", "source", "languages", "kind", "targets", "principles"}
    return Framework(
        id=fid,
        version=str(data.get("version", "")),
        name=data.get("name") or {"en": fid},
        source=data.get("source", ""),
        languages=tuple(data.get("languages") or ["en"]),
        kind=data.get("kind", "objective"),
        targets=tuple(targets),
        principles=tuple(data.get("principles") or ()),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _read_json(path: Path | Any, where: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FrameworkError(f"{where}: file not found") from exc
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc


def available() -> list[str]:
    """Ids of the bundled frameworks."""
    files = resources.files(DATA_PACKAGE).iterdir()
    return sorted(
        f.name.removesuffix(".json") for f in files if f.name.endswith(".json") and f.name != CROSSWALK_FILE
    )


@cache
def load_framework(name_or_path: str = "gcm") -> Framework:
    """Load a bundled framework by id (``gcm``, ``mpa``, ``sdg``) or a user's file by path."""
    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        return parse_framework(_read_json(path, str(path)), str(path))
    if name_or_path not in available():
        raise FrameworkError(f"unknown framework {name_or_path!r}; bundled: {', '.join(available())}")
    res = resources.files(DATA_PACKAGE) / f"{name_or_path}.json"
    return parse_framework(_read_json(res, f"{name_or_path}.json"), f"{name_or_path}.json")


@dataclass(frozen=True)
class CrosswalkPair:
    source: tuple[str, str]
    target: tuple[str, str]
    relation: str
    reason: str


@cache
def load_crosswalk() -> tuple[CrosswalkPair, ...]:
    """The bundled crosswalk, validated against the frameworks it names."""
    data = _read_json(resources.files(DATA_PACKAGE) / CROSSWALK_FILE, CROSSWALK_FILE)
    pairs = []
    for i, raw in enumerate(_require(data, "pairs", CROSSWALK_FILE)):
        where = f"{CROSSWALK_FILE}: pair #{i + 1}"
        ends = []
        for side in ("from", "to"):
            end = _require(raw, side, where)
            fw = load_framework(_require(end, "framework", where))
            if not fw.has(str(_require(end, "target", where))):
                raise FrameworkError(f"{where}: {fw.id} has no target or domain {end['target']!r}")
            ends.append((fw.id, str(end["target"])))
        relation = _require(raw, "relation", where)
        if relation not in RELATIONS:
            raise FrameworkError(f"{where}: unknown relation {relation!r}")
        pairs.append(CrosswalkPair(ends[0], ends[1], relation, _require(raw, "reason", where)))
    return tuple(pairs)
