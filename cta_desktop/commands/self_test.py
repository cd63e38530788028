"""`cta-desktop self-test`: check an installation (a checkout, a wheel or the bundle) and exit.

Loads every shipped model (each NZB file's checksums are verified on reading), runs the NZB engine
against the NumPy reference on a few tweets (and dense TensorFlow unless `--no-tf`), the compiled
tokenizer against the Python one and the compiled language identifier against py3langid, imports and
analyses the shipped example dataset into a throw-away library, and checks that JIT caches go to
the user's cache directory, not into the install. Prints one summary line; exits 0 when everything
works, 1 naming what is broken. CI runs it inside the built bundle (packaging/build_bundle.sh).
No Qt here: the GUI is checked separately (the bundled `screenshot` command).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

# Engine outputs must agree with the NumPy definition this closely (elementwise, relative).
MAX_REL_ERR = 1e-5
# Probabilities below this are compared absolutely (a relative error of a ~0 value means nothing).
REL_ERR_FLOOR = 1e-6

# Short, varied tweets: emoji, emoticons, a URL, a mention, numbers, non-ASCII text, an empty one.
SAMPLE_TWEETS = (
    "I love this so much!!! ❤️😍 best day ever",
    "This is the worst service I have ever had. Never again. @airline",
    "The meeting is moved to 3pm tomorrow, see https://example.com/agenda",
    "meh :( not sure how I feel about the new album",
    "Grüße aus München – the weather is great today :)",
    "Breaking: 12 people were injured in the crash on highway 5",
    "",
    "ok",
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)


class CheckFailed(Exception):
    """A check found a problem; the message says what is broken."""


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--models", default=None, help="models folder to check (default: the shipped models/)")
    p.add_argument("--no-tf", action="store_true", help="skip the dense TensorFlow engine check")
    p.add_argument("--require-tf", action="store_true",
                   help="fail if TensorFlow cannot be imported (the bundle ships it, so CI uses this)")
    p.add_argument("--no-example", action="store_true", help="skip analysing the shipped example dataset")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary line")
    p.add_argument("-v", "--verbose", action="store_true", help="print each check as it finishes (stderr)")


# --------------------------------------------------------------------------------------------------
# The checks. Each returns (detail, data) or raises CheckFailed / any exception (reported by name).


def check_models(directory: Path | None) -> tuple[str, dict]:
    from cta_desktop.core.modelstore import DEFAULT_SPARSITY, available_levels, load_model, load_vocab
    from cta_desktop.paths import models_dir

    where = directory or models_dir()
    levels = available_levels(directory)
    if not levels:
        raise CheckFailed(f"no models found in {where} (expected cta_dense.nzb, cta_p70.nzb ... cta_p85.nzb)")
    if DEFAULT_SPARSITY not in levels:
        raise CheckFailed(f"the default model (pruned {DEFAULT_SPARSITY}%) is missing from {where}")
    vocab = load_vocab(directory)
    models = {}
    for level in levels:
        models[level] = load_model(level, directory)  # read_nzb verifies every CRC-32
    sizes = {level: m.file_bytes for level, m in models.items()}
    detail = f"{len(levels)} models ({', '.join(map(str, levels))}) in {where}, vocabulary {len(vocab)} words"
    return detail, {"levels": levels, "vocab_size": len(vocab), "file_bytes": sizes, "_models": models}


def relative_error(got, want) -> float:
    import numpy as np

    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise CheckFailed(f"output shape {got.shape}, expected {want.shape}")
    if not np.isfinite(got).all():
        raise CheckFailed("output has NaN or infinite values")
    return float((np.abs(got - want) / np.maximum(np.abs(want), REL_ERR_FLOOR)).max(initial=0.0))


def compare(engine_name: str, got, want, level: int) -> float:
    err = relative_error(got, want)
    if err > MAX_REL_ERR:
        raise CheckFailed(f"{engine_name} on the {level}% model differs from the NumPy reference: "
                          f"max relative error {err:.2e} > {MAX_REL_ERR:.0e}")
    if not (got.argmax(1) == want.argmax(1)).all():
        raise CheckFailed(f"{engine_name} on the {level}% model predicts different labels than the NumPy reference")
    return err


def check_nzb_engine(models: dict) -> tuple[str, dict]:
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.engines.reference import NumpyEngine

    errors, names = {}, set()
    for level, model in models.items():
        ids = model.vocab.encode(SAMPLE_TWEETS)
        want = NumpyEngine(model.weights).predict_proba(ids)
        engine = best_engine(model)
        names.add(engine.name)
        errors[level] = compare(engine.name, engine.predict_proba(ids), want, level)
        # The GUI classifies single tweets too; the one-row path must agree with the batch.
        predict_one = getattr(engine, "predict_one", None)
        if predict_one is not None:
            compare(f"{engine.name}.predict_one", predict_one(ids[0])[None, :], want[:1], level)
    worst = max(errors.values())
    detail = f"{'/'.join(sorted(names))} matches NumPy on {len(SAMPLE_TWEETS)} tweets x {len(models)} models " \
             f"(max rel err {worst:.1e})"
    return detail, {"engines": sorted(names), "max_rel_err": worst}


def check_tokenizer(models: dict) -> tuple[str, dict]:
    """The compiled tokenizer loads (compiling it on a fresh install) and gives the Python tokenizer's ids;
    the compiled language identifier gives py3langid's languages."""
    import numpy as np

    from cta_desktop.core import _kernels_tokens, fast_tokens

    model = next(iter(models.values()))
    t0 = time.perf_counter()
    if not fast_tokens.warm_up():
        raise CheckFailed("the compiled tokenizer does not load (numba failed; analyses fall back to Python)")
    seconds = time.perf_counter() - t0
    texts = [*SAMPLE_TWEETS, "#SoHappy 1️⃣ &amp; Soooo good :-D", "ΟΔΟΣ İstanbul"]
    fast = fast_tokens.encode(texts, model.vocab.index)
    if fast is None or not np.array_equal(fast.ids, model.vocab.encode(texts)):
        raise CheckFailed("the compiled tokenizer's token ids differ from the Python tokenizer's")
    from cta_desktop.core import language

    # (it is held to py3langid's own classify on probe texts in several languages)
    if not language.compiled_identifier_ready(fast_tokens.langid_walk()):
        raise CheckFailed("the compiled language identifier does not match py3langid (analyses ask py3langid "
                          "tweet by tweet, slower)")
    cached = bool(_kernels_tokens.CACHE)
    return (f"compiled tokenizer matches Python on {len(texts)} tweets, compiled language identifier matches "
            f"py3langid (loaded in {seconds:.1f} s, "
            f"{'cached' if cached else 'NOT cached: compiles at every start'})"), {"cached": cached, "seconds": seconds}


def check_csv_reader() -> tuple[str, dict]:
    """The compiled CSV reader loads (compiling it on a fresh install) and reads a file as the csv module does."""
    from cta_desktop.core.datasets import fast_csv, read_tweets

    t0 = time.perf_counter()
    if not fast_csv.warm_up():
        raise CheckFailed("the compiled CSV reader does not load (numba failed; files are read by the csv module)")
    seconds = time.perf_counter() - t0
    body = ('id,created_at,text,favorites\r\n1,10/16/17 22:59,"Hi, ""you"" \u00e9\n\U0001F600",12\r\n'
            '2,2015-01-06 05:50:00,RT @x plain,\r\n3,13/13/2020,third,7x\r\n')
    with tempfile.TemporaryDirectory(prefix="cta-self-test-") as tmp:
        path = Path(tmp) / "tweets.csv"
        path.write_bytes(body.encode("utf-8"))
        fast_chunks = list(read_tweets(path))
        # (the compiled reader also hands on the texts' bytes: they must decode to the texts)
        same_bytes = all(c.text_utf8 is None or c.text_utf8.texts() == c.texts for c in fast_chunks)
        fast = [asdict(replace(c, text_utf8=None)) for c in fast_chunks]
        slow = [asdict(c) for c in read_tweets(path, compiled=False)]
    if fast != slow or not same_bytes:
        raise CheckFailed("the compiled CSV reader's tweets differ from the csv module's")
    return f"compiled CSV reader matches the csv module (loaded in {seconds:.1f} s)", {"seconds": seconds}


def check_dense_tf(models: dict, require: bool) -> tuple[str, dict]:
    from cta_desktop.core.engines.reference import NumpyEngine
    from cta_desktop.core.modelstore import DEFAULT_SPARSITY

    try:
        import importlib.util

        if importlib.util.find_spec("tensorflow") is None:  # e.g. the bundle, which ships LiteRT instead
            raise ImportError("TensorFlow is not installed")
        from cta_desktop.core.engines.dense_tf import DenseTfEngine
    except ImportError as exc:
        if require:
            raise CheckFailed(f"TensorFlow engine cannot be imported: {exc}") from exc
        return f"skipped (cannot import: {exc})", {"skipped": True}
    level = DEFAULT_SPARSITY if DEFAULT_SPARSITY in models else next(iter(models))
    model = models[level]
    ids = model.vocab.encode(SAMPLE_TWEETS)
    want = NumpyEngine(model.weights).predict_proba(ids)
    engine = DenseTfEngine(model.weights)
    got = engine.predict_proba(ids)
    err = compare(getattr(engine, "name", "dense_tf"), got, want, level)
    import tensorflow as tf  # already imported by the engine; only for the version

    return f"TensorFlow {tf.__version__} matches NumPy (max rel err {err:.1e})", {"max_rel_err": err,
                                                                                "tf_version": tf.__version__}


def check_dense_peers(models: dict) -> tuple[str, dict]:
    """LiteRT and ONNX Runtime (the benchmark's dense peers), where installed, agree with NumPy."""
    from cta_desktop.core.engines.peers import TITLES, build_engine, peer_status
    from cta_desktop.core.engines.reference import NumpyEngine
    from cta_desktop.core.modelstore import DEFAULT_SPARSITY

    level = DEFAULT_SPARSITY if DEFAULT_SPARSITY in models else next(iter(models))
    model = models[level]
    ids = model.vocab.encode(SAMPLE_TWEETS)
    want = NumpyEngine(model.weights).predict_proba(ids)
    status = peer_status(model, ("tflite", "onnxruntime"))
    ok = {name: compare(name, build_engine(name, model, len(ids)).predict_proba(ids), want, level)
          for name, why in status.items() if why is None}
    skipped = {name: why for name, why in status.items() if why}
    parts = [f"{TITLES[k]} matches NumPy (max rel err {v:.1e})" for k, v in ok.items()]
    parts += [f"{TITLES[k]} skipped ({v})" for k, v in skipped.items()]
    return "; ".join(parts), {"peers": sorted(ok), "skipped": skipped}


def example_csvs() -> list[Path]:
    from cta_desktop.paths import resources_dir

    return sorted((resources_dir() / "example").glob("*.csv"))


def check_example(directory: Path | None) -> tuple[str, dict]:
    from cta_desktop.core.modelstore import load_model
    from cta_desktop.paths import resources_dir

    csvs = example_csvs()
    if not csvs:
        raise CheckFailed(f"no example dataset in {resources_dir() / 'example'}")
    try:
        from cta_desktop.core.analysis import analyze_person
        from cta_desktop.core.library import Library
    except ImportError as exc:
        raise CheckFailed(f"the analysis core cannot be imported: {exc}") from exc
    model = load_model(directory=directory)
    summaries = []
    with tempfile.TemporaryDirectory(prefix="cta-self-test-") as tmp:
        # A throw-away library: the self-test never touches the user's own.
        library = Library(Path(tmp) / "library.sqlite3")
        try:
            for csv in csvs:
                report = library.import_csv(csv)
                result = analyze_person(library, report.person_id, model=model)
                counts = dict(result.counts)
                if result.n_tweets <= 0:
                    raise CheckFailed(f"{csv.name}: no tweets analysed")
                if sum(counts.values()) + result.not_judged.get("total", 0) != result.n_tweets:  # + not judged
                    raise CheckFailed(f"{csv.name}: label counts {counts} do not add up to {result.n_tweets} tweets")
                summaries.append({"file": csv.name, "n_tweets": result.n_tweets, "counts": counts,
                                  "skipped_rows": report.skipped_rows, "seconds": round(result.seconds, 3)})
        finally:
            library.close()
    total = sum(s["n_tweets"] for s in summaries)
    detail = ", ".join(f"{s['file']}: {s['n_tweets']} tweets " +
                       "/".join(f"{k[:3]} {v}" for k, v in s["counts"].items()) for s in summaries)
    return detail, {"files": summaries, "n_tweets": total}


# Modules that need Qt (checked by the GUI smoke test) or the training stack (not part of the app).
HEADLESS_SKIP = ("cta_desktop.gui", "cta_desktop.training", "cta_desktop.commands.gui", "cta_desktop.commands.screenshot",
                 "cta_desktop.commands.train", "cta_desktop.commands.evaluate", "cta_desktop.core.engines._kernels_gen")


def _other_cpu_kernels() -> str:
    """The conv kernel module this CPU does not run (the AVX-512 one on an AVX2 CPU, and the other way)."""
    from cta_desktop.core.engines.tile_layout import KERNEL_MODULES, SPLIT_LANES

    return f"cta_desktop.core.engines.{KERNEL_MODULES[not SPLIT_LANES]}"


def check_imports() -> tuple[str, dict]:
    """Every headless module imports: in a bundle, a module PyInstaller missed fails here, not in front of a user.

    The kernel module of the other CPU path is only checked to be there as a source file: importing
    it would compile kernels this CPU never runs (several seconds on a first run)."""
    import importlib
    import importlib.util
    import pkgutil

    import cta_desktop

    names = sorted(m.name for m in pkgutil.walk_packages(cta_desktop.__path__, "cta_desktop.")
                   if not m.name.startswith(HEADLESS_SKIP))
    other = _other_cpu_kernels()
    broken = []
    for name in names:
        try:
            if name == other:
                spec = importlib.util.find_spec(name)
                if spec is None or not spec.origin or not Path(spec.origin).is_file():
                    raise ImportError("its source file is missing (numba's cache needs it)")
            else:
                importlib.import_module(name)
        except Exception as exc:  # ImportError, or a module failing at import time
            broken.append(f"{name} ({type(exc).__name__}: {exc})")
    if broken:
        raise CheckFailed("cannot import " + "; ".join(broken))
    return f"{len(names)} modules import (the other CPU's kernels: found, not compiled)", {"modules": names}


def check_writes_outside_install() -> tuple[str, dict]:
    """JIT caches and user data must live outside the install (the bundle may be read-only)."""
    from cta_desktop.paths import install_root, user_cache_dir, user_data_dir

    root = install_root().resolve()
    places = {"user data": user_data_dir(), "user cache": user_cache_dir()}
    if os.environ.get("NUMBA_CACHE_DIR"):
        places["NUMBA_CACHE_DIR"] = Path(os.environ["NUMBA_CACHE_DIR"])
    for what, path in places.items():
        resolved = path.resolve()
        if resolved == root or root in resolved.parents:
            raise CheckFailed(f"{what} ({path}) is inside the install folder {root}")
    numba_dir = places.get("NUMBA_CACHE_DIR")
    detail = f"caches in {numba_dir or places['user cache']}, data in {places['user data']}"
    return detail, {k: str(v) for k, v in places.items()}


# --------------------------------------------------------------------------------------------------


def _run_check(name: str, fn: Callable[[], tuple[str, dict]], verbose: bool) -> Check:
    t0 = time.perf_counter()
    try:
        detail, data = fn()
        check = Check(name, True, detail, data=data)
    except CheckFailed as exc:
        check = Check(name, False, str(exc))
    except Exception as exc:  # any other error is a broken installation too: name it, don't crash
        check = Check(name, False, f"{type(exc).__name__}: {exc}")
        if verbose:
            traceback.print_exc()
    check.seconds = round(time.perf_counter() - t0, 3)
    if verbose:
        _say(f"  [{'ok' if check.ok else 'FAIL'}] {name} ({check.seconds:.1f} s): {check.detail}", sys.stderr)
    return check


def self_test(models: str | None = None, tf: bool = True, require_tf: bool = False, example: bool = True,
              verbose: bool = False) -> list[Check]:
    directory = Path(models) if models else None
    checks = [_run_check("imports", check_imports, verbose),
              _run_check("models", lambda: check_models(directory), verbose)]
    loaded = checks[1].data.pop("_models", None)
    if loaded:
        checks.append(_run_check("nzb-engine", lambda: check_nzb_engine(loaded), verbose))
        checks.append(_run_check("tokenizer", lambda: check_tokenizer(loaded), verbose))
        checks.append(_run_check("csv-reader", check_csv_reader, verbose))
        if tf:
            checks.append(_run_check("dense-tf", lambda: check_dense_tf(loaded, require_tf), verbose))
            checks.append(_run_check("dense-peers", lambda: check_dense_peers(loaded), verbose))
        if example:
            checks.append(_run_check("example", lambda: check_example(directory), verbose))
    # Last, so the engines have had the chance to set NUMBA_CACHE_DIR.
    checks.append(_run_check("paths", check_writes_outside_install, verbose))
    return checks


def _say(line: str, stream=None) -> None:
    stream = stream or sys.stdout
    if stream is not None:  # a windowed (console-less) exe on Windows has no stdout
        print(line, file=stream, flush=True)


def run(args: argparse.Namespace) -> int:
    from cta_desktop import __version__

    t0 = time.perf_counter()
    checks = self_test(args.models, tf=not args.no_tf, require_tf=args.require_tf, example=not args.no_example,
                       verbose=args.verbose)
    seconds = time.perf_counter() - t0
    failed = [c for c in checks if not c.ok]
    if args.json:
        _say(json.dumps({"ok": not failed, "version": __version__, "frozen": bool(getattr(sys, "frozen", False)),
                         "seconds": round(seconds, 2), "checks": [asdict(c) for c in checks]}, default=str))
    elif failed:
        _say("self-test FAILED: " + "; ".join(f"{c.name}: {c.detail}" for c in failed), sys.stderr)
    else:
        _say(f"self-test OK ({__version__}, {seconds:.1f} s): " + "; ".join(f"{c.name}: {c.detail}" for c in checks))
    return 1 if failed else 0
