"""Several processes importing into one library at once: a load test.

For 1, 2, 4 and 8 processes, each imports its own file of N real tweets (the six celebrity CSVs
repeated, fresh ids) into one fresh library at the same time. Prints the wall time, the slowest
process, the tweets per second of the whole, each process's peak RSS, and checks that every
tweet arrived. Nothing leaves the temp folder.

    python benchmarks/bench_library.py --n 50000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def child(path: str, db: str) -> int:
    from cta_desktop.core.library import Library

    t = time.perf_counter()
    with Library(db) as lib:
        report = lib.import_file(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": time.perf_counter() - t, "new": report.new, "peak_rss": peak}))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000, help="tweets per file (one file per process)")
    ap.add_argument("--procs", default="1,2,4,8")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=2, metavar=("FILE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    from bench_analyze import build_file

    counts = [int(x) for x in args.procs.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="cta-bench-") as tmp:
        files = []
        for k in range(max(counts)):
            f = Path(tmp) / f"person{k}.csv"
            build_file(f, args.n)
            # a distinct person per process: shift the ids
            text = f.read_text("utf-8").replace("1500000000000000", f"{1500000000000000 + k * 10_000}")
            f.write_text(text, "utf-8")
            files.append(f)
        for n_procs in counts:
            db = Path(tmp) / f"lib{n_procs}.sqlite3"
            t = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, __file__, "--child", str(files[k]), str(db)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for k in range(n_procs)]
            outs = []
            for p in procs:
                out, err = p.communicate()
                if p.returncode != 0:
                    raise SystemExit(f"an import failed: {err.strip().splitlines()[-1] if err.strip() else p.returncode}")
                outs.append(json.loads(out))
            wall = time.perf_counter() - t
            from cta_desktop.core.library import Library

            with Library(db) as lib:
                stored = sum(p.tweet_count for p in lib.people())
            assert stored == n_procs * args.n == sum(o["new"] for o in outs), (stored, n_procs * args.n)
            results.append({"processes": n_procs, "wall_s": round(wall, 3),
                            "slowest_s": round(max(o["seconds"] for o in outs), 3),
                            "tweets_per_s": round(n_procs * args.n / wall),
                            "peak_rss_mib_max": round(max(o["peak_rss"] for o in outs) / 2**20, 1),
                            "tweets_stored": stored})
    if args.json:
        print(json.dumps({"n_per_process": args.n, "results": results}))
    else:
        print(f"{args.n:,} tweets per process, one fresh library per row")
        print(f"{'processes':>9} {'wall s':>8} {'slowest s':>10} {'tweets/s':>10} {'peak RSS MiB':>13} {'stored':>9}")
        for r in results:
            print(f"{r['processes']:>9} {r['wall_s']:>8.2f} {r['slowest_s']:>10.2f} {r['tweets_per_s']:>10,} "
                  f"{r['peak_rss_mib_max']:>13.1f} {r['tweets_stored']:>9,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
