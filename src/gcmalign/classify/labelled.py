"""Labelled items: the development set's JSON lines, CSV sheets, and the seed's gold file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gcmalign.errors import InputError


@dataclass
class LabelledItem:
    id: str
    text: str
    lang: str | None = None
    labels: list[str] = field(default_factory=list)
    primary: str | None = None
    callouts: set[str] = field(default_factory=set)
    actions: list[str] = field(default_factory=list)  # lettered actions it carries out, e.g. "9c"


def label_matrix(items: Sequence[LabelledItem], targets: list[str]) -> np.ndarray:
    """(items x targets) 0/1 matrix of the items' labels; labels of other targets are ignored."""
    index = {t: i for i, t in enumerate(targets)}
    y = np.zeros((len(items), len(targets)), dtype=np.int8)
    for r, item in enumerate(items):
        for label in item.labels:
            if label in index:
                y[r, index[label]] = 1
    return y


def primary_index(items: Sequence[LabelledItem], targets: list[str]) -> np.ndarray:
    """Each item's primary target as an index into ``targets``, -1 where it has none among them."""
    index = {t: i for i, t in enumerate(targets)}
    return np.array([index.get(item.primary or "", -1) for item in items], dtype=np.int64)


def primary_matrix(primary: np.ndarray, n_targets: int) -> np.ndarray:
    """(items x targets) 0/1: 1 at each item's primary target index (``primary_index``)."""
    out = np.zeros((len(primary), n_targets), dtype=np.int8)
    rows = np.flatnonzero(primary >= 0)
    out[rows, primary[rows]] = 1
    return out


def _codes(value: object) -> list[str]:
    """A list of codes from a JSON list or a CSV cell ("9, 10" or "9;10")."""
    if isinstance(value, str):
        return [x.strip() for x in value.replace(";", ",").split(",") if x.strip()]
    return [str(x) for x in value or []]


def _from_record(rec: dict, source: str, line: int) -> LabelledItem:
    if not isinstance(rec, dict) or "text" not in rec:
        raise InputError(source, f"line {line}: an item needs a 'text' field")
    labels = _codes(rec.get("labels"))
    primary = rec.get("primary")
    return LabelledItem(
        id=str(rec.get("id", line)),
        text=str(rec["text"]),
        lang=rec.get("lang") or None,
        labels=labels,
        primary=str(primary) if primary not in (None, "") else (labels[0] if labels else None),
        actions=_codes(rec.get("actions")),
    )


def _from_seed_gold(data: dict) -> list[LabelledItem]:
    """The seed's gold.json: paragraphs with a primary objective and accepted secondaries."""
    items = []
    for i, para in enumerate(data["paragraphs"]):
        labels = [str(para["primary"])] + [str(x) for x in para.get("also", [])]
        items.append(
            LabelledItem(
                id=f"seed-{i:02d}", text=para["text"], lang="en", labels=labels, primary=str(para["primary"])
            )
        )
    return items


def _read_text(path: str | Path) -> str:
    """The text of a data file, or an error naming it when it is missing, not UTF-8 or empty."""
    source = str(path)
    p = Path(path)
    if not p.is_file():
        raise InputError(source, "no such file")
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, "not UTF-8 text") from exc
    if not raw.strip():
        raise InputError(source, "empty file")
    return raw


def _json_lines(raw: str, source: str) -> list[tuple[int, Any]]:
    """(line number, record) of each non-blank line of a JSON-lines text."""
    records = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(source, f"line {n}: not valid JSON ({exc.msg})") from exc
    return records


def read_json_lines(path: str | Path) -> list[tuple[int, Any]]:
    """(line number, record) of each line of a JSON-lines file, with errors naming the file."""
    return _json_lines(_read_text(path), str(path))


def read_items(path: str | Path) -> list[LabelledItem]:
    """Items from a JSON-lines file, a CSV file (``id,text[,lang,labels]``) or a seed gold file."""
    source = str(path)
    p = Path(path)
    raw = _read_text(path)
    if p.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw))
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise InputError(source, "a CSV needs a header row with a 'text' column")
        return [_from_record(row, source, i) for i, row in enumerate(reader, start=2)]
    stripped = raw.lstrip()
    if stripped.startswith("{") and p.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(source, f"not valid JSON ({exc.msg}, line {exc.lineno})") from exc
        if isinstance(data, dict) and "paragraphs" in data:
            return _from_seed_gold(data)
        raise InputError(source, "a JSON file must be a gold file with 'paragraphs'")
    return [_from_record(rec, source, n) for n, rec in _json_lines(raw, source)]
