"""`cta-desktop bench`: dense TensorFlow against the NZB sparse engine, side by side in one process."""

from __future__ import annotations

import argparse
import json
import os
import sys


def _layers(text: str) -> tuple[int, ...]:
    try:
        layers = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--layers takes conv layer numbers like 1,2,3,4, not {text!r}") from exc
    if any(not 1 <= i <= 4 for i in layers):
        raise argparse.ArgumentTypeError("--layers: conv layers are numbered 1 to 4")
    return layers


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n", type=int, default=4096, help="tweets per round (default 4096)")
    p.add_argument("--batch", type=int, default=4096, help="batch size for both engines (default 4096)")
    p.add_argument("--sparsity", type=int, default=80, choices=(0, 70, 75, 80, 85), help="pruning level (default 80)")
    p.add_argument("--layers", type=_layers, default=(1, 2, 3, 4),
                   help="conv layers the NZB engine runs sparse, e.g. 1 or 1,2 (default 1,2,3,4)")
    p.add_argument("--rounds", type=int, default=5, help="interleaved timed rounds; medians are reported (default 5)")
    p.add_argument("--naive", action="store_true",
                   help="also time the study's per-tweet model.predict (on a small sample, extrapolated)")
    p.add_argument("--naive-n", type=int, default=32, help="tweets in the --naive sample (default 32)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _mb(b) -> str:
    return f"{(b or 0) / 1e6:,.1f} MB"


def _x(ratio) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def _print_table(r: dict) -> None:
    print(f"CTA benchmark: {r['n']:,} tweets ({r['input_source']}), batch {r['batch']:,}, {r['sparsity']}% pruned, "
          f"NZB on conv {','.join(map(str, r['layers']))}, {r['rounds']} interleaved rounds (medians)")
    print(f"{'engine':<15}{'seconds':>10}{'tweets/s':>12}{'CPU %':>8}{'peak mem':>12}{'run mem':>11}{'model':>11}")
    for name, e in r["engines"].items():
        print(f"{name:<15}{e['seconds']:>10.4f}{e['tweets_per_s']:>12,.0f}{e['cpu_percent'] or 0:>8.0f}"
              f"{_mb(e['peak_mem_bytes']):>12}{_mb(e.get('run_mem_bytes')):>11}{_mb(e['model_bytes']):>11}")
        if e.get("note"):
            print(f"{'':<15}({e['note']})")
    print(f"speedup (dense TF s / NZB s): {_x(r['speedup'])} median round; {_x(r['speedup_best_round'])} best round; "
          f"{_x(r['speedup_cpu_time'])} by CPU time")
    print(f"max relative difference of probabilities: {r['max_rel_err']:.2e}; "
          f"same label: {100 * r['label_agreement']:.2f}%")
    lat = {name: e.get("single_tweet_ms") for name, e in r["engines"].items() if e.get("single_tweet_ms") is not None}
    if lat:
        print("single-tweet latency (median): " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in lat.items()))
    jit = r.get("jit_compile_seconds")
    print(f"NZB kernels ready in {jit:.2f} s (numba cache: {r.get('jit_cache')}); not included in the timings"
          if jit is not None else "NZB kernels: not compiled")
    m = r["machine"]
    print(f"machine: {m.get('processor')}, {m.get('cpu_count')} CPUs, load average {m.get('load_average')}; "
          f"memory: {r['memory_method']}")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from cta_desktop.core.benchmark import BenchmarkCancelled, run_benchmark
    from cta_desktop.core.modelstore import ModelError

    def progress(done: int, total: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        result = run_benchmark(n=args.n, batch=args.batch, sparsity=args.sparsity, layers=args.layers,
                               rounds=args.rounds, naive=args.naive, naive_n=args.naive_n, progress=progress)
    except (ModelError, ValueError) as exc:
        print(f"cta-desktop bench: {exc}", file=sys.stderr)
        return 2
    except BenchmarkCancelled:
        return 130
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_table(result)
    return 0
