"""End-to-end analysis throughput: read CSV -> preprocess -> NZB engine -> summary.

Builds a file of N real tweets in a temporary folder by repeating the rows of the six celebrity
CSVs (each copy gets a fresh tweet id, so nothing is dropped as a duplicate), then times
`analyze_csv` on it and prints the measured numbers (JSON with --json). The file is deleted
afterwards and never leaves the temp folder. One untimed analysis runs first, as the engine is warmed
up before it is timed: it starts the tokenising workers, which load the compiled tokenizer meanwhile
(its rate is printed as the first run; --warmup 0 times it with the others). Each timed analysis is
bracketed by runs of the engine alone on the same tweets' token ids, one just before it and one just
after, so both sides see the same machine (the round's engine-only rate is both runs' tweets over their
time); the medians of each and the median of the rounds' shares are printed.

    python benchmarks/bench_analyze.py --n 100000                # 5 rounds (--repeat)
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


def _worker_pids() -> list[int]:
    from cta_desktop.core import analysis

    pool = analysis._POOL
    return list(getattr(pool, "_processes", None) or {}) if pool is not None else []


def _own_cpu_seconds() -> float:
    """User + system CPU time of this process (all its threads)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU time of this process, and of the (live) tokenising workers."""
    import psutil

    workers = 0.0
    for pid in _worker_pids():
        try:
            t = psutil.Process(pid).cpu_times()
            workers += t.user + t.system
        except psutil.Error:
            pass
    return _own_cpu_seconds(), workers


def _peak_rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def file_ids(path: Path, model):
    """The file's tweets as token ids (what the engine-only runs feed the engine)."""
    with open(path, newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    return model.vocab.encode(texts)


def engine_only_rate(ids, engine) -> tuple[float, float]:
    """Tweets/s of the engine alone on token ids, in the pipeline's chunks (one pass), and its CPU
    time a tweet (us, every thread of this process)."""
    from cta_desktop.core.analysis import PIPELINE_CHUNK

    cpu0 = _own_cpu_seconds()
    t0 = time.perf_counter()
    for start in range(0, len(ids), PIPELINE_CHUNK):
        engine.predict_proba(ids[start : start + PIPELINE_CHUNK])
    rate = len(ids) / (time.perf_counter() - t0)
    return rate, (_own_cpu_seconds() - cpu0) / len(ids) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="tweets in the generated file")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs (the median is reported)")
    ap.add_argument("--sparsity", type=int, default=80)
    ap.add_argument("--workers", type=int, default=None, help="tokenising processes (default: automatic)")
    ap.add_argument("--warmup", type=int, default=1, choices=(0, 1),
                    help="one untimed analysis first (starts the workers; its rate is reported as first_run)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from cta_desktop.core.analysis import analyze_csv, shutdown_workers
    from cta_desktop.core.datasets import fast_csv
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.modelstore import load_model

    model = load_model(args.sparsity)
    engine = best_engine(model)
    fast_csv.warm_up()  # the compiled CSV reader, as the app warms it at start (not part of the timing)
    # Like `cta-desktop analyze`: the first analysis starts the tokenising workers before the engine
    # starts its threads (so they can be forked), then warms the engine up outside the timing.
    runs = []
    with tempfile.TemporaryDirectory(prefix="cta-bench-") as tmp:
        path = Path(tmp) / "tweets.csv"
        t0 = time.perf_counter()
        size = build_file(path, args.n)
        build_seconds = time.perf_counter() - t0
        first = None
        if args.warmup:  # the first analysis starts the workers, which load the tokenizer kernel meanwhile
            first = analyze_csv(path, model=model, engine=engine, workers=args.workers)
        ids = file_ids(path, model)
        engine_rates = []
        after, after_cpu = engine_only_rate(ids, engine)
        for _ in range(args.repeat):
            # Each analysis is bracketed by two runs of the engine alone (the one after it is the next
            # round's one before): the rounds see the same machine, whose speed drifts from minute to
            # minute on a shared host, and a drift during the round moves both sides of its share alike.
            # The round's engine-only rate is both runs' tweets over both runs' time.
            before, before_cpu = after, after_cpu
            main0, workers0 = _cpu_seconds()
            t0 = time.perf_counter()
            result = analyze_csv(path, model=model, engine=engine, workers=args.workers)
            wall = time.perf_counter() - t0
            main1, workers1 = _cpu_seconds()
            after, after_cpu = engine_only_rate(ids, engine)
            engine_rates.append(2 / (1 / before + 1 / after))
            engine_cpu = (before_cpu + after_cpu) / 2
            if workers1 < workers0:  # the pool was (re)started during this run
                workers0 = 0.0
            main_cpu, workers_cpu = main1 - main0, workers1 - workers0
            cpu = main_cpu + workers_cpu
            runs.append({"seconds": round(result.seconds, 3), "wall_seconds": round(wall, 3),
                         "n_tweets": result.n_tweets, "tweets_per_s": round(result.n_tweets / result.seconds),
                         "cpu_seconds": round(cpu, 3), "cpu_us_per_tweet": round(cpu / result.n_tweets * 1e6, 1),
                         "main_cpu_us_per_tweet": round(main_cpu / result.n_tweets * 1e6, 1),
                         "workers_cpu_us_per_tweet": round(workers_cpu / result.n_tweets * 1e6, 1),
                         "load_average": round(os.getloadavg()[0], 2),
                         "workers": result.details.get("workers"), "stage_seconds": result.details.get("stage_seconds"),
                         "engine_only_tweets_per_s": round(engine_rates[-1]),
                         "engine_only_before_after": [round(before), round(after)],
                         "share_of_engine": round(result.n_tweets / result.seconds / engine_rates[-1], 3),
                         # the same share counted in CPU time (the engine's CPU a tweet alone over the
                         # pipeline's): what it would be with both cores to itself, little moved by the
                         # machine's other load, which steals wall time more than it inflates CPU time
                         "engine_only_cpu_us_per_tweet": round(engine_cpu, 2),
                         "cpu_share_of_engine": round(engine_cpu / (cpu / result.n_tweets * 1e6), 3)})
        engine_only = statistics.median(engine_rates)
    child_rss = max([_peak_rss(pid) for pid in _worker_pids()] or [0])
    shutdown_workers()
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    med = statistics.median(r["seconds"] for r in runs)
    e2e = statistics.median(r["tweets_per_s"] for r in runs)
    cpu_us = round(statistics.median(r["cpu_us_per_tweet"] for r in runs), 1)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    out = {
        "n": args.n, "file_bytes": size, "build_seconds": round(build_seconds, 2), "engine": engine.name,
        "model": model.path.name if model.path else None,
        "runs": runs, "median_seconds": med, "median_tweets_per_s": round(e2e),
        # the headline pair: end to end, and the same tweets' token ids through the engine alone (same run)
        "tweets_per_s": round(e2e), "engine_only_tweets_per_s": round(engine_only),
        "end_to_end_share_of_engine": round(e2e / engine_only, 3),
        "median_round_share_of_engine": statistics.median(r["share_of_engine"] for r in runs),
        "median_cpu_share_of_engine": statistics.median(r["cpu_share_of_engine"] for r in runs),
        "median_cpu_us_per_tweet": cpu_us,
        # the untimed first analysis: it starts the tokenising workers, which tokenise in Python until
        # they have loaded the compiled tokenizer (a one-off cost of the process, like the engine's JIT)
        "first_run_tweets_per_s": round(first.n_tweets / first.seconds) if first is not None else None,
        # CPU time is what the machine's other load cannot inflate much: the rate the same work would
        # reach if it had all cores to itself and kept them busy (an upper bound).
        "cores": cores, "cpu_bound_tweets_per_s": round(cores * 1e6 / cpu_us),
        "peak_rss_bytes_main": self_rss, "peak_rss_bytes_largest_worker": child_rss,
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{args.n:,} tweets ({size / 1e6:.1f} MB), engine {engine.name}")
        for r in runs:
            print(f"  run: {r['seconds']:.2f} s = {r['tweets_per_s']:,} tweets/s; {r['cpu_us_per_tweet']} us CPU/tweet "
                  f"(main {r['main_cpu_us_per_tweet']}, workers {r['workers_cpu_us_per_tweet']}); "
                  f"workers {r['workers']}; load avg {r['load_average']}; stages {r['stage_seconds']}; "
                  f"engine alone before and after: {r['engine_only_tweets_per_s']:,} tweets/s ({100 * r['share_of_engine']:.0f}%)")
        if first is not None:
            print(f"  (untimed first run, starting the workers: {out['first_run_tweets_per_s']:,} tweets/s)")
        print(f"median: {med:.2f} s = {e2e:,.0f} tweets/s (end to end: read, preprocess, NZB, summary)")
        print(f"engine alone on the same tweets' ids: {engine_only:,.0f} tweets/s; end to end is "
              f"{100 * e2e / engine_only:.0f}% of it")
        print(f"CPU: {cpu_us} us/tweet -> at most {out['cpu_bound_tweets_per_s']:,} tweets/s on {cores} idle cores; "
              f"the engine's share of it (alone / end to end, median round): {100 * out['median_cpu_share_of_engine']:.0f}%")
        print(f"peak RSS: main {self_rss / 2**20:.0f} MiB, largest worker {child_rss / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
