"""The jobs the window runs on its worker thread: thin, Qt-free glue over the core.

Each job takes `progress` and `cancel` keyword callbacks (see workers.Worker) and returns one
plain object for the result signal. SQLite connections belong to the thread that opened them,
so a job opens its own `Library` on the database path rather than borrowing the window's.
The loaded model is kept between analyses (loading and verifying it is the slow part of a
small analysis).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cta_desktop.core.analysis import AnalysisResult
    from cta_desktop.core.library import Person
    from cta_desktop.gui.tweet_table import TweetColumns

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

_model_lock = threading.Lock()
_models: dict[int, tuple[Any, Any]] = {}


def cached_model(sparsity: int) -> tuple[Any, Any]:
    """(LoadedModel, engine) for a pruning level, built once per process (raises ModelError)."""
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.modelstore import load_model

    with _model_lock:
        if sparsity not in _models:
            model = load_model(sparsity)
            # never wait for the kernel compiler: the NumPy reference stands in until it is done
            _models[sparsity] = (model, best_engine(model, wait_for_kernels=False))
        return _models[sparsity]


def warm_up_engine(done: Callable[[], None]) -> threading.Thread:
    """In one background thread: load the language identifier's model (needed by the first analysis:
    ~0.3-0.8 s, decompressing), then compile (or load from the cache) the NZB kernels (seconds when
    cold; until they are ready analyses run on the NumPy reference, see `best_engine`), then the
    tokenizer kernel (`core.fast_tokens`; until it is ready analyses tokenise in Python) and the CSV
    reader's. One after the other, so the first does not fight the compiler for the GIL. Then it
    imports the matplotlib modules the charts use, and calls `done` from this thread when it ends (also
    if a step failed: each then has its slower stand-in).

    The app runs it once, from `gui/warm_up.py`, which holds garbage collection off meanwhile and
    collects and freezes the start-up garbage on the GUI thread after `done`. This thread never
    collects: a collection run from it could free Qt objects off the GUI thread (`gui/gc_collector.py`)."""

    def warm() -> None:
        try:
            _warm()
        finally:
            done()

    thread = threading.Thread(target=warm, name="cta-warmup", daemon=True)
    thread.start()
    return thread


def _warm() -> None:
    from cta_desktop.core.engines import start_warmup
    from cta_desktop.core.language import warm_up as warm_up_language

    warm_up_language()
    start_warmup()
    import matplotlib.backends.backend_agg  # noqa: F401 - imported here so that they are frozen after
    import matplotlib.figure  # noqa: F401

    try:
        from cta_desktop.core.engines import sparse
    except ImportError:  # no numba: nothing to wait for
        pass
    else:
        sparse.warmup_async().join()
    from cta_desktop.core import fast_tokens

    fast_tokens.warm_up()  # the compiled tokenizer (analyses tokenise in Python until it is ready)
    from cta_desktop.core.datasets import fast_csv

    fast_csv.warm_up()  # the compiled CSV reader (files are read by the csv module until it is ready)


@dataclass
class AnalysisBundle:
    """Everything the results tab shows: the person, the core's AnalysisResult and the tweets it scored."""

    person: Person
    result: AnalysisResult
    columns: TweetColumns | None = None  # built here so the main thread only shows it
    sparsity: int = 80


def analyze_job(db_path: Path, person_id: int, sparsity: int, include_retweets: bool = False,
                include_replies: bool = True, *, progress: Progress, cancel: Cancel) -> AnalysisBundle:
    """Analyse a person from the library, reusing the per-tweet results it holds for this model."""
    from cta_desktop.core.gc_pause import paused_gc

    with paused_gc():  # also while the library stores results and the table's columns are built
        return _analyze_job(db_path, person_id, sparsity, include_retweets, include_replies, progress, cancel)


def _analyze_job(db_path: Path, person_id: int, sparsity: int, include_retweets: bool, include_replies: bool,
                 progress: Progress, cancel: Cancel) -> AnalysisBundle:
    from cta_desktop.core.library import Library
    from cta_desktop.core.person_analysis import analyze_library_person
    from cta_desktop.gui.tweet_table import TweetColumns

    model, engine = cached_model(sparsity)
    library = Library(db_path)
    try:
        person = library.person(person_id)
        if person is None:
            raise KeyError(f"person {person_id} is no longer in the library")
        result = analyze_library_person(library, person_id, model=model, engine=engine, progress=progress,
                                        cancel=cancel, keep_texts=True, include_retweets=include_retweets,
                                        include_replies=include_replies).result
    finally:
        library.close()
    columns = TweetColumns(result.texts or [], result.labels, result.confidences, result.dates, result.likes,
                           result.retweets)
    return AnalysisBundle(person, result, columns, sparsity)


def benchmark_job(n: int, batch: int, sparsity: int, layers: tuple[int, ...], rounds: int,
                  *, progress: Progress, cancel: Cancel) -> dict:
    from cta_desktop.core.benchmark import run_benchmark

    return run_benchmark(n=n, batch=batch, sparsity=sparsity, layers=layers, rounds=rounds,
                         progress=progress, cancel=cancel)


def example_csvs() -> list[Path]:
    from cta_desktop.paths import resources_dir

    return sorted((resources_dir() / "example").glob("*.csv"))
