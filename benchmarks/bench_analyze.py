"""End-to-end analysis throughput: read CSV -> preprocess -> NZB engine -> summary.

Builds a file of N real tweets in a temporary folder by repeating the rows of the six celebrity
CSVs (each copy gets a fresh tweet id, so nothing is dropped as a duplicate), then times
`analyze_csv` on it and prints the measured numbers (JSON with --json). The file is deleted
afterwards and never leaves the temp folder.

    python benchmarks/bench_analyze.py --n 100000 --repeat 3
    python benchmarks/bench_analyze.py --n 1000000 --repeat 1     # peak RSS check
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cta_desktop.paths import shared_data_dir

CELEB_FILES = ("elonmusk", "realdonaldtrump", "barackobama", "taylorswift13", "katyperry", "justinbieber")


def real_rows() -> list[tuple[str, str, str, str]]:
    """(date, text, retweets, likes) of every tweet in the six real CSVs."""
    rows = []
    for stem in CELEB_FILES:
        path = shared_data_dir() / "celebrity_tweets" / f"{stem}.csv"
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                text = r.get("text") or r.get("content") or ""
                date = r.get("date") or r.get("created_at") or r.get("Date") or ""
                rts = r.get("retweets") or r.get("number_of_shares") or ""
                likes = r.get("favorites") or r.get("number_of_likes") or ""
                rows.append((date, text, rts, likes))
    return rows


def build_file(path: Path, n: int) -> int:
    """Write n tweets (real rows repeated) as id,date,text,retweets,favorites. Returns the file size."""
    rows = real_rows()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "date", "text", "retweets", "favorites"])
        base = 1_500_000_000_000_000_000
        for i in range(n):
            date, text, rts, likes = rows[i % len(rows)]
            w.writerow([base + i, date, text, rts, likes])
    return path.stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="tweets in the generated file")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (the median is reported)")
    ap.add_argument("--sparsity", type=int, default=80)
    ap.add_argument("--workers", type=int, default=None, help="tokenising processes (default: automatic)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from cta_desktop.core.analysis import analyze_csv, shutdown_workers, warm_engine
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.modelstore import load_model

    model = load_model(args.sparsity)
    engine = best_engine(model)
    t0 = time.perf_counter()
    warm_engine(engine)
    warm_seconds = time.perf_counter() - t0
    runs = []
    with tempfile.TemporaryDirectory(prefix="cta-bench-") as tmp:
        path = Path(tmp) / "tweets.csv"
        t0 = time.perf_counter()
        size = build_file(path, args.n)
        build_seconds = time.perf_counter() - t0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = analyze_csv(path, model=model, engine=engine, workers=args.workers)
            wall = time.perf_counter() - t0
            runs.append({"seconds": result.seconds, "wall_seconds": wall, "n_tweets": result.n_tweets,
                         "tweets_per_s": result.n_tweets / result.seconds})
    shutdown_workers()  # so the workers' peak RSS is counted in RUSAGE_CHILDREN
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    med = statistics.median(r["seconds"] for r in runs)
    out = {
        "n": args.n, "file_bytes": size, "build_seconds": round(build_seconds, 2), "engine": engine.name,
        "model": model.path.name if model.path else None, "engine_warmup_seconds": round(warm_seconds, 3),
        "workers": result.details.get("workers"), "runs": runs, "median_seconds": med,
        "median_tweets_per_s": args.n / med, "peak_rss_bytes_main": self_rss,
        "peak_rss_bytes_largest_child": child_rss, "cpu_count": os.cpu_count(),
        "stage_seconds": result.details.get("stage_seconds"),
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{args.n:,} tweets ({size / 1e6:.1f} MB), engine {engine.name}, workers {out['workers']}")
        for r in runs:
            print(f"  run: {r['seconds']:.2f} s analysis, {r['tweets_per_s']:,.0f} tweets/s")
        print(f"median: {med:.2f} s = {args.n / med:,.0f} tweets/s")
        print(f"peak RSS: main {self_rss / 2**20:.0f} MiB, largest worker {child_rss / 2**20:.0f} MiB")
        print(f"stages (last run, seconds of main-process time): {out['stage_seconds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
