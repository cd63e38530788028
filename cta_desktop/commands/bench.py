"""`cta-desktop bench`: the NZB sparse engine against dense runtimes (TensorFlow, TFLite/LiteRT, ONNX Runtime),
timed side by side in one process; each engine's peak memory in a fresh process of its own."""

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


PEER_NAMES = ("dense_tf", "tflite", "onnxruntime")


def _peers(text: str) -> tuple[str, ...] | str:
    if text.strip() == "all":
        return "all"
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    bad = [x for x in names if x not in PEER_NAMES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"--peers takes runtimes from {','.join(PEER_NAMES)}, not {text!r}")
    return names


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
    p.add_argument("--peers", nargs="?", const="all", default=None, type=_peers,
                   help="compare with every dense runtime installed (TensorFlow, TFLite via LiteRT, ONNX Runtime), "
                        "or those listed, e.g. --peers tflite,onnxruntime (default: TensorFlow where installed, "
                        "else every runtime available)")
    p.add_argument("--no-memory", action="store_true",
                   help="skip the per-engine memory measurement (one fresh process per engine)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _mb(b) -> str:
    return f"{(b or 0) / 1e6:,.1f} MB"


def _x(ratio) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def _print_table(r: dict) -> None:
    print(f"CTA benchmark: {r['n']:,} tweets ({r['input_source']}), batch {r['batch']:,}, {r['sparsity']}% pruned, "
          f"NZB on conv {','.join(map(str, r['layers']))}, {r['rounds']} interleaved rounds (medians)")
    print(f"{'engine':<17}{'seconds':>9}{'tweets/s':>11}{'GFLOP/s':>9}{'CPU %':>7}{'peak mem':>11}{'run mem':>10}"
          f"{'model':>10}{'NZB ×':>8}{'agree':>9}{'max rel err':>12}")
    for name, e in r["engines"].items():
        agree = e.get("label_agreement")
        err = e.get("max_rel_err")
        print(f"{e.get('title', name):<17}{e['seconds']:>9.4f}{e['tweets_per_s']:>11,.0f}{e.get('gflops') or 0:>9.1f}"
              f"{e['cpu_percent'] or 0:>7.0f}{_mb(e.get('peak_mem_bytes')):>11}{_mb(e.get('run_mem_bytes')):>10}"
              f"{_mb(e['model_bytes']):>10}{_x(e.get('nzb_speedup')) if e.get('nzb_speedup') else '':>8}"
              f"{f'{100 * agree:.2f}%' if agree is not None else '':>9}{f'{err:.1e}' if err is not None else '':>12}")
        if e.get("note"):
            print(f"{'':<17}({e['note']})")
        if e.get("memory_error"):
            print(f"{'':<17}(memory not measured: {e['memory_error']})")
    for name, why in (r.get("missing") or {}).items():
        print(f"{name:<17}skipped: {why}")
    best = r["engines"][r["best_dense"]].get("title", r["best_dense"])
    print(f"NZB vs the best dense runtime ({best}): {_x(r['speedup'])} median round; "
          f"{_x(r['speedup_best_round'])} best round; {_x(r['speedup_cpu_time'])} by CPU time")
    print(f"NZB does {r['engines']['nzb']['gflops']:.1f} GFLOP/s of real work "
          f"({r['engines']['nzb']['gflops_dense_equiv']:.1f} dense-equivalent); "
          f"worst label agreement {100 * r['label_agreement']:.2f}%, worst max rel err {r['max_rel_err']:.1e}")
    lat = {e.get("title", k): e.get("single_tweet_ms") for k, e in r["engines"].items()
           if e.get("single_tweet_ms") is not None}
    if lat:
        print("single-tweet latency (median): " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in lat.items()))
    jit = r.get("jit_compile_seconds")
    print(f"NZB kernels ready in {jit:.2f} s (numba cache: {r.get('jit_cache')}); not included in the timings"
          if jit is not None else "NZB kernels: not compiled")
    m = r["machine"]
    print(f"machine: {m.get('processor')}, {m.get('cpu_count')} CPUs, load average {m.get('load_average')}")
    print(f"peak memory: {r['memory_method']}")


def _choose_peers(arg: tuple[str, ...] | str | None) -> tuple[str, ...] | None:
    """None (every runtime available) for --peers; the list given; by default TensorFlow where installed."""
    if arg == "all":
        return None
    if arg:
        return tuple(arg)
    import importlib.util

    return ("dense_tf",) if importlib.util.find_spec("tensorflow") is not None else None


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from cta_desktop.core.benchmark import BenchmarkCancelled, run_benchmark
    from cta_desktop.core.modelstore import ModelError

    def progress(done: int, total: int) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    try:
        result = run_benchmark(n=args.n, batch=args.batch, sparsity=args.sparsity, layers=args.layers,
                               rounds=args.rounds, naive=args.naive, naive_n=args.naive_n, progress=progress,
                               peers=_choose_peers(args.peers), memory=not args.no_memory)
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
