"""Warm cost of an occlusion explanation (core/explain.py) on real tweets: one by one and batched.

    python benchmarks/bench_explain.py --n 500 --rounds 3
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time

from cta_desktop.core.explain import Explainer
from cta_desktop.paths import shared_data_dir


def real_texts(n: int) -> list[str]:
    texts: list[str] = []
    for path in sorted((shared_data_dir() / "celebrity_tweets").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            texts += [r.get("text") or r.get("content") or "" for r in csv.DictReader(fh)]
    step = max(1, len(texts) // n)
    return texts[::step][:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    texts = real_texts(args.n)
    ex = Explainer()
    ex.explain_many(texts[:20])  # warm-up: JIT, caches
    one, many = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        for s in texts:
            ex.explain(s)
        one.append((time.perf_counter() - t) / len(texts))
        t = time.perf_counter()
        ex.explain_many(texts)
        many.append((time.perf_counter() - t) / len(texts))
    print(f"{len(texts)} real tweets, engine {ex.engine.name}, medians of {args.rounds} interleaved rounds")
    print(f"  one tweet at a time (n+1 rows a call): {1e3 * statistics.median(one):.2f} ms/tweet")
    print(f"  all tweets in one batch:              {1e3 * statistics.median(many):.2f} ms/tweet")


if __name__ == "__main__":
    main()
