"""Split the labelled development set into train and test, once (stratified, seeded).

Usage: python scripts/split_devset.py data/devset/part-*.jsonl
Writes data/devset/train.jsonl and data/devset/test.jsonl. Run it once; the test split is
never used for tuning.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "devset"


def main(paths: list[str]) -> None:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines() if line.strip()]
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        strata[(row["primary"], row["lang"])].append(row)
    rng = random.Random(42)
    test: list[dict] = []
    for key in sorted(strata, key=str):
        group = sorted(strata[key], key=lambda r: r["id"])
        rng.shuffle(group)
        half = len(group) // 2
        # odd-sized strata give their extra item to train or test at random
        take = half + (rng.randint(0, 1) if len(group) % 2 else 0)
        test.extend(group[:take])
    test_ids = {r["id"] for r in test}
    train = [r for r in rows if r["id"] not in test_ids]
    test = [r for r in rows if r["id"] in test_ids]
    for name, part in (("train", train), ("test", test)):
        with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for row in part:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(part))


if __name__ == "__main__":
    main(sys.argv[1:])
