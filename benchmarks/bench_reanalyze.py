"""Re-analysis of an unchanged library person against the first analysis, in one process.

Builds a person of N real tweets (the six celebrity CSVs repeated, fresh ids, and two vocabulary
words appended per tweet so that every tweet is a distinct engine input: otherwise the repeats would
be answered from the engine cache and the first run would look faster than a real person's) in a
temporary library, then times, in one process: the plain pipeline (`analyze_person`, no cache) as a
baseline, the first cached analysis (every tweet through the engine, results stored), the second
analysis of the unchanged person (the stored summary), and one after adding 10 tweets (only those
reach the engine). Prints the times, the engine_tweets of each call and the ratio first/second.
Nothing leaves the temp folder.

    python benchmarks/bench_reanalyze.py --n 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analyze import build_file  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="tweets of the person")
    ap.add_argument("--sparsity", type=int, default=80)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from cta_desktop.core.analysis import shutdown_workers, warm_engine
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.library import Library
    from cta_desktop.core.modelstore import load_model
    from cta_desktop.core.person_analysis import analyze_library_person

    model = load_model(args.sparsity)
    engine = best_engine(model)
    warm_engine(engine)
    out: dict = {"n": args.n}
    with tempfile.TemporaryDirectory(prefix="cta-bench-") as tmp:
        src = Path(tmp) / "person.csv"
        build_file(src, args.n + 10)
        words = [w for w in model.vocab.words[100:2000] if w.isalpha()][:400]
        lines = src.read_text("utf-8").splitlines()
        rows = list(csv.reader(lines))
        for i, row in enumerate(rows[1:]):
            row[2] = f"{row[2]} {words[i % 400]} {words[(i // 400) % 400]}"
        with open(src, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows[: args.n + 1])
        more = Path(tmp) / "more.csv"
        with open(more, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([rows[0]] + rows[args.n + 1 :])
        with Library(Path(tmp) / "library.sqlite3") as lib:
            t = time.perf_counter()
            pid = lib.import_file(src, person_name="Bench").person_id
            out["import_s"] = time.perf_counter() - t
            from cta_desktop.core.analysis import analyze_person

            t = time.perf_counter()
            plain = analyze_person(lib, pid, model=model, engine=engine, workers=args.workers)
            runs = [("plain pipeline", time.perf_counter() - t, args.n, plain.counts)]
            for label in ("first", "second"):
                t = time.perf_counter()
                done = analyze_library_person(lib, pid, model=model, engine=engine, workers=args.workers)
                runs.append((label, time.perf_counter() - t, done.engine_tweets, done.result.counts))
            assert lib.import_file(more, person_id=pid).new == 10
            t = time.perf_counter()
            done = analyze_library_person(lib, pid, model=model, engine=engine, workers=args.workers)
            runs.append(("after +10 tweets", time.perf_counter() - t, done.engine_tweets, done.result.counts))
    shutdown_workers()
    out["runs"] = [{"run": r[0], "seconds": round(r[1], 4), "engine_tweets": r[2]} for r in runs]
    out["ratio_first_over_second"] = round(runs[1][1] / runs[2][1], 1)
    assert runs[0][3] == runs[1][3] == runs[2][3], "the cached summary differs from the plain analysis"
    if args.json:
        print(json.dumps(out))
    else:
        print(f"person of {args.n:,} tweets (import {out['import_s']:.2f} s)")
        for r in out["runs"]:
            print(f"  {r['run']:<18} {r['seconds']:8.3f} s   engine_tweets {r['engine_tweets']:,}")
        print(f"  first / second = {out['ratio_first_over_second']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
