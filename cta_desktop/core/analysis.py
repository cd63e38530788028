"""Sentiment analysis of a person's tweets (no Qt): what the results page and `analyze` show.

Tweets flow through in chunks: the texts are tokenised (in worker processes when the input is
large enough for them to pay off, so both cores work), the NZB engine labels them in the main
process, and a running summary keeps only what the results need: counts, the most confident
examples, word counts, counts by month and the most-liked tweets. Memory is therefore bounded by
the chunk size plus the per-tweet label arrays (17 bytes a tweet), whatever the file's size.

Long calls take `progress(done, total)` and `cancel() -> bool`, checked between chunks, so a GUI
worker thread can show progress and stop the work (`AnalysisCancelled`).
"""

from __future__ import annotations

import csv
import html
import math
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.datasets import ColumnMapping, TweetChunk, read_tweets_csv
from cta_desktop.core.errors import Cancelled
from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.preprocess import OOV_ID, SEQ_LEN, tokenize
from cta_desktop.core.textstats import countable_word, top_words

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

EXAMPLES_PER_CLASS = 2
MOST_LIKED_PER_CLASS = 3
TOP_WORDS_KEPT = 50
TOP_WORDS_SHOWN = 5
TOP_WORDS_IN_JSON = 20
PIPELINE_CHUNK = 8192  # tweets per work item: small enough to start both cores quickly
POOL_MIN_TWEETS = 20_000  # below this, starting worker processes costs more than it saves


class AnalysisCancelled(Cancelled):
    """The cancel callback returned True; nothing was kept."""


@dataclass
class AnalysisResult:
    """Everything the results page shows, plus the per-tweet labels and probabilities."""

    n_tweets: int
    skipped_rows: int
    counts: dict[str, int]
    ratios: dict[str, float]
    examples: dict[str, list[dict[str, Any]]]
    top_words: list[tuple[str, int]]
    by_month: list[dict[str, Any]]
    most_liked: dict[str, list[dict[str, Any]]]
    seconds: float
    model_name: str
    engine_name: str = ""
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))  # index into LABELS
    confidences: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    probs: np.ndarray = field(default_factory=lambda: np.zeros((0, len(LABELS)), np.float32))
    duplicates: int = 0
    n_retweets: int = 0
    person: str | None = None
    source: dict[str, Any] = field(default_factory=dict)  # file, encoding, delimiter, columns
    details: dict[str, Any] = field(default_factory=dict)  # workers, stage timings
    texts: list[str] | None = None  # kept for small inputs (per-tweet export, tables)
    dates: list[str | None] | None = None
    tweet_ids: list[str | None] | None = None

    def summary_json(self) -> dict[str, Any]:
        """The summary as plain JSON types (what `cta-desktop analyze --json` prints)."""
        out: dict[str, Any] = {
            "person": self.person,
            "n_tweets": self.n_tweets,
            "skipped_rows": self.skipped_rows,
            "duplicates": self.duplicates,
            "n_retweets": self.n_retweets,
            "counts": dict(self.counts),
            "ratios": {k: round(v, 6) for k, v in self.ratios.items()},
            "examples": self.examples,
            "top_words": [[w, c] for w, c in self.top_words[:TOP_WORDS_IN_JSON]],
            "by_month": self.by_month,
            "most_liked": self.most_liked,
            "model": self.model_name,
            "engine": self.engine_name,
            "seconds": round(self.seconds, 4),
        }
        if self.source:
            out["source"] = self.source
        return out

    @classmethod
    def from_summary(cls, summary: dict[str, Any], probs: np.ndarray | None = None) -> AnalysisResult:
        """Rebuild a result from `summary_json()` and the per-tweet probabilities (the library's copy)."""
        probs = np.zeros((0, len(LABELS)), np.float32) if probs is None else np.asarray(probs, np.float32)
        return cls(
            n_tweets=int(summary["n_tweets"]), skipped_rows=int(summary["skipped_rows"]),
            counts=dict(summary["counts"]), ratios=dict(summary["ratios"]), examples=summary["examples"],
            top_words=[(w, int(c)) for w, c in summary["top_words"]], by_month=summary["by_month"],
            most_liked=summary.get("most_liked", {}), seconds=float(summary["seconds"]),
            model_name=summary.get("model", ""), engine_name=summary.get("engine", ""),
            labels=probs.argmax(axis=1).astype(np.uint8) if len(probs) else np.zeros(0, np.uint8),
            confidences=probs.max(axis=1) if len(probs) else np.zeros(0, np.float32), probs=probs,
            duplicates=int(summary.get("duplicates", 0)), n_retweets=int(summary.get("n_retweets", 0)),
            person=summary.get("person"), source=summary.get("source", {}),
        )


# --------------------------------------------------------------------------------------------
# Tokenising (in-process or in worker processes)


def encode_texts(texts: Sequence[str], index: dict[str, int], seq_len: int = SEQ_LEN) -> tuple[np.ndarray, Counter]:
    """Token ids (as `Vocabulary.encode`) and the countable-word counts of a list of tweets."""
    out = np.zeros((len(texts), seq_len), dtype=np.int32)
    all_tokens: list[str] = []
    keep = all_tokens.extend
    get = index.get
    for row, text in enumerate(texts):
        tokens = tokenize(text)
        if not tokens:
            continue
        head = tokens[:seq_len] if len(tokens) > seq_len else tokens
        out[row, : len(head)] = [get(t, OOV_ID) for t in head]
        keep(tokens)
    # Count every token at C speed, then judge each distinct token once.
    words: Counter[str] = Counter()
    for token, n in Counter(all_tokens).items():
        word = countable_word(token)
        if word is not None:
            words[word] += n
    return out, words


_WORKER_INDEX: dict[str, int] | None = None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


def _exit_with_app(app_pid: int, interval: float = 1.0) -> None:
    """Worker side: leave when the app that started the pool is gone (killed or crashed).

    A ProcessPoolExecutor's workers otherwise wait on their queue forever once the app dies hard.
    Under forkserver our parent is the app's own fork server, which outlives a killed app: stop it too.
    """
    while True:
        time.sleep(interval)
        if not _process_alive(app_pid):
            parent = os.getppid()
            if parent not in (app_pid, 1) and sys.platform != "win32":
                import signal

                try:
                    os.kill(parent, signal.SIGTERM)
                except OSError:
                    pass
            os._exit(0)


def _init_worker(vocab: str | list[str], app_pid: int | None = None) -> None:
    """Worker start-up: watch the app, build the word index (from the vocabulary file or the words)."""
    global _WORKER_INDEX
    if app_pid is not None:
        threading.Thread(target=_exit_with_app, args=(app_pid,), daemon=True, name="cta-app-watch").start()
    if isinstance(vocab, str):
        from cta_desktop.core.preprocess import Vocabulary

        vocab = Vocabulary.load(vocab).words
    _WORKER_INDEX = {w: i for i, w in enumerate(vocab)}


def _encode_in_worker(texts: list[str]) -> tuple[np.ndarray, Counter]:
    assert _WORKER_INDEX is not None
    return encode_texts(texts, _WORKER_INDEX)


def _ping() -> int:
    return os.getpid()


# A PyInstaller bundle can start spawn workers only because its entry point
# (packaging/launcher.py) calls multiprocessing.freeze_support(); fork needs nothing.
WORKERS_IN_FROZEN_APP = True

_POOL: ProcessPoolExecutor | None = None
_POOL_WORDS: list[str] | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def _start_method() -> str:
    forced = os.environ.get("CTA_MP_START")
    if forced:
        return forced
    # fork starts in milliseconds but is only safe while this process has one thread (the CLI,
    # before the engine starts its helper threads); forkserver forks from a clean helper process.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    if "forkserver" in multiprocessing.get_all_start_methods() and not getattr(sys, "frozen", False):
        return "forkserver"
    return "spawn"


def _vocab_source(model) -> str | list[str]:
    """What workers build their word index from: the vocabulary file when the model has one.

    Sending a path rather than 20,000 words keeps the start-up message small; a large one can block
    forever in CPython if a spawned child dies before reading it.
    """
    path = getattr(model, "path", None)
    if path is not None:
        vocab_file = Path(path).parent / "vocab.json"
        if vocab_file.exists():
            return str(vocab_file)
    return list(model.vocab.words)


def _get_pool(model, workers: int) -> ProcessPoolExecutor | None:
    """A started pool of tokenising processes, kept for the next analysis; None if it cannot start."""
    global _POOL, _POOL_WORDS, _POOL_SIZE
    words = model.vocab.words
    with _POOL_LOCK:
        if _POOL is not None and (_POOL_WORDS is not words or _POOL_SIZE != workers or _pool_broken(_POOL)):
            _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = None
        if _POOL is None:
            method = _start_method()
            if method != "fork" and getattr(sys, "frozen", False) and not WORKERS_IN_FROZEN_APP:
                return None  # spawn re-runs the bundle's executable: needs freeze_support()
            try:
                ctx = multiprocessing.get_context(method)
                if method == "forkserver":
                    # Never re-import __main__ (a script without a main guard would run again).
                    ctx.set_forkserver_preload(["cta_desktop.core.analysis"])
                pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                           initargs=(_vocab_source(model), os.getpid()))
                # Start every worker now: with fork, before the engine starts its threads.
                for fut in [pool.submit(_ping) for _ in range(workers)]:
                    fut.result(timeout=120)
            except Exception:  # noqa: BLE001 - no pool is not an error: tokenise in this process
                return None
            _POOL, _POOL_WORDS, _POOL_SIZE = pool, words, workers
        return _POOL


def _pool_broken(pool: ProcessPoolExecutor) -> bool:
    return bool(getattr(pool, "_broken", False))


def shutdown_workers() -> None:
    """Stop the tokenising processes (they are also stopped at interpreter exit)."""
    global _POOL, _POOL_WORDS
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL, _POOL_WORDS = None, None


def choose_workers(workers: int | None, n_estimate: int) -> int:
    """How many tokenising processes to use: 0 means tokenise in this process."""
    if workers is None:
        env = os.environ.get("CTA_WORKERS")
        workers = int(env) if env and env.strip().isdigit() else (os.cpu_count() or 1)
        if n_estimate < POOL_MIN_TWEETS or workers < 2:
            return 0
    return max(0, int(workers))


class _Done:
    """A finished 'future' for work done in-process (same interface as concurrent.futures.Future)."""

    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value

    def cancel(self) -> bool:
        return False


# --------------------------------------------------------------------------------------------
# The running summary


def _entry(chunk: TweetChunk, i: int, conf: float, probs: np.ndarray) -> dict[str, Any]:
    e: dict[str, Any] = {"text": html.unescape(chunk.texts[i]), "confidence": round(float(conf), 4), "date": chunk.dates[i],
                         "tweet_id": chunk.tweet_ids[i]}
    if chunk.is_retweet[i]:
        e["is_retweet"] = True
    return e


class _Summary:
    def __init__(self, keep_texts: bool):
        self.n = 0
        self.counts = np.zeros(len(LABELS), np.int64)
        self.prob_parts: list[np.ndarray] = []
        self.examples: dict[int, list[tuple[float, int, dict]]] = {c: [] for c in range(len(LABELS))}
        self.examples_rt: dict[int, list[tuple[float, int, dict]]] = {c: [] for c in range(len(LABELS))}
        self.liked: dict[int, list[tuple[int, int, dict]]] = {c: [] for c in range(len(LABELS))}
        self.months: Counter[tuple[str, int]] = Counter()
        self.words: Counter[str] = Counter()
        self.retweets = 0
        self.has_likes = False
        self.has_retweet_counts = False
        self.keep = keep_texts
        self.texts: list[str] = []
        self.dates: list[str | None] = []
        self.ids: list[str | None] = []

    def add(self, chunk: TweetChunk, probs: np.ndarray, words: Counter) -> None:
        k = EXAMPLES_PER_CLASS
        labels = probs.argmax(axis=1)
        conf = probs[np.arange(len(probs)), labels]
        self.counts += np.bincount(labels, minlength=len(LABELS))
        self.prob_parts.append(probs.astype(np.float32, copy=False))
        self.words.update(words)
        rt = np.fromiter(chunk.is_retweet, dtype=bool, count=len(chunk))
        self.retweets += int(rt.sum())
        base = self.n
        for c in range(len(LABELS)):
            idx = np.flatnonzero(labels == c)
            if not len(idx):
                continue
            order = idx[np.argsort(-conf[idx], kind="stable")]
            for target, pick in ((self.examples[c], order[~rt[order]][:k]), (self.examples_rt[c], order[rt[order]][:k])):
                target.extend((-float(conf[i]), base + int(i), _entry(chunk, int(i), conf[i], probs[i])) for i in pick)
                target.sort(key=lambda t: (t[0], t[1]))
                del target[k:]
        self._add_liked(chunk, labels, conf, probs, base)
        for month, label in zip([d[:7] if d else None for d in chunk.dates], labels.tolist(), strict=True):
            if month:
                self.months[(month, label)] += 1
        if self.keep:
            self.texts.extend(chunk.texts)
            self.dates.extend(chunk.dates)
            self.ids.extend(chunk.tweet_ids)
        self.n += len(chunk)

    def _add_liked(self, chunk: TweetChunk, labels: np.ndarray, conf: np.ndarray, probs: np.ndarray, base: int) -> None:
        likes = np.fromiter((-1 if v is None else v for v in chunk.likes), dtype=np.int64, count=len(chunk))
        shares = np.fromiter((-1 if v is None else v for v in chunk.retweets), dtype=np.int64, count=len(chunk))
        self.has_likes |= bool((likes >= 0).any())
        self.has_retweet_counts |= bool((shares >= 0).any())
        key = likes if (likes >= 0).any() else shares
        if not (key >= 0).any():
            return
        for c in range(len(LABELS)):
            idx = np.flatnonzero((labels == c) & (key >= 0))
            if not len(idx):
                continue
            top = idx[np.argsort(-key[idx], kind="stable")][:MOST_LIKED_PER_CLASS]
            target = self.liked[c]
            for i in top:
                e = _entry(chunk, int(i), conf[i], probs[i])
                e["likes"] = None if likes[i] < 0 else int(likes[i])
                e["retweets"] = None if shares[i] < 0 else int(shares[i])
                if chunk.replies[i] is not None:
                    e["replies"] = chunk.replies[i]
                target.append((-int(key[i]), base + int(i), e))
            target.sort(key=lambda t: (t[0], t[1]))
            del target[MOST_LIKED_PER_CLASS:]

    def result(self, **extra: Any) -> AnalysisResult:
        n = self.n
        probs = np.concatenate(self.prob_parts) if self.prob_parts else np.zeros((0, len(LABELS)), np.float32)
        labels = probs.argmax(axis=1).astype(np.uint8) if n else np.zeros(0, np.uint8)
        confidences = probs.max(axis=1) if n else np.zeros(0, np.float32)
        counts = {name: int(self.counts[i]) for i, name in enumerate(LABELS)}
        ratios = {name: (counts[name] / n if n else 0.0) for name in LABELS}
        examples: dict[str, list[dict]] = {}
        for c, name in enumerate(LABELS):
            chosen = [e for _, _, e in self.examples[c]]
            chosen += [e for _, _, e in self.examples_rt[c]][: EXAMPLES_PER_CLASS - len(chosen)]
            examples[name] = chosen
        months = sorted({m for m, _ in self.months})
        by_month = [{"month": m, **{name: self.months.get((m, c), 0) for c, name in enumerate(LABELS)}}
                    for m in months]
        most_liked: dict[str, list[dict]] = {}
        if self.has_likes or self.has_retweet_counts:
            most_liked = {name: [e for _, _, e in self.liked[c]] for c, name in enumerate(LABELS)}
        return AnalysisResult(
            n_tweets=n, counts=counts, ratios=ratios, examples=examples,
            top_words=top_words(self.words, TOP_WORDS_KEPT), by_month=by_month, most_liked=most_liked,
            labels=labels, confidences=confidences.astype(np.float32), probs=probs, n_retweets=self.retweets,
            texts=self.texts if self.keep else None, dates=self.dates if self.keep else None,
            tweet_ids=self.ids if self.keep else None, **extra,
        )


# --------------------------------------------------------------------------------------------
# Per-tweet export


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PER_TWEET_COLUMNS = ["text", "label", "confidence", *(f"p_{name}" for name in LABELS), "date", "tweet_id"]


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise cells a spreadsheet would run as a formula (CSV injection): prefix an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class PerTweetCsvWriter:
    """Writes one row per tweet: text, label, confidence, the three probabilities, date, tweet id."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fh = open(self.path, "w", newline="", encoding="utf-8")
        self._w = csv.writer(self._fh)
        self._w.writerow(PER_TWEET_COLUMNS)

    def write(self, texts: Sequence[str], dates: Sequence[str | None], tweet_ids: Sequence[str | None],
              probs: np.ndarray) -> None:
        labels = probs.argmax(axis=1)
        safe = spreadsheet_safe
        rows = []
        for i, text in enumerate(texts):
            p = probs[i]
            rows.append([safe(text), LABELS[labels[i]], f"{p[labels[i]]:.4f}", f"{p[0]:.4f}", f"{p[1]:.4f}",
                         f"{p[2]:.4f}", dates[i] or "", safe(tweet_ids[i] or "")])
        self._w.writerows(rows)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> PerTweetCsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def export_per_tweet_csv(result: AnalysisResult, path: str | Path) -> Path:
    """Write a result's per-tweet table (needs a result that kept its texts)."""
    if result.texts is None:
        raise ValueError("this result did not keep the tweet texts; analyse with keep_texts=True "
                         "or pass out= to analyze_csv")
    with PerTweetCsvWriter(path) as w:
        w.write(result.texts, result.dates or [None] * len(result.texts),
                result.tweet_ids or [None] * len(result.texts), result.probs)
    return Path(path)


# --------------------------------------------------------------------------------------------
# The pipeline


def _default_model(model, engine):
    if model is None:
        from cta_desktop.core.modelstore import load_model

        model = load_model()
    if engine is None:
        from cta_desktop.core.engines import best_engine

        engine = best_engine(model)
    return model, engine


def model_name_of(model) -> str:
    from cta_desktop.core.modelstore import model_stem

    try:
        return model_stem(int(model.sparsity))
    except (AttributeError, TypeError, ValueError):
        return str(getattr(model, "name", "model"))


def warm_engine(engine) -> None:
    """Run the engine once on a tiny batch so JIT compilation is not counted as analysis time."""
    engine.predict_proba(np.zeros((8, SEQ_LEN), np.int32))


def _predict(engine, ids: np.ndarray) -> np.ndarray:
    if not len(ids):
        return np.zeros((0, len(LABELS)), np.float32)
    return np.asarray(engine.predict_proba(ids), dtype=np.float32)


def _engine_job(engine, encoded) -> tuple[np.ndarray, Counter, float]:
    """Runs on the engine thread: wait for a chunk's token ids, then label it."""
    ids, words = encoded.result()
    t = time.perf_counter()
    probs = _predict(engine, ids)
    return probs, words, time.perf_counter() - t


def _run(chunks: Iterator[tuple[TweetChunk, int]], total: int, *, model, engine, pool: ProcessPoolExecutor | None,
         progress: Progress | None, cancel: Cancel | None, keep_texts: bool,
         writer: PerTweetCsvWriter | None) -> tuple[_Summary, dict[str, Any]]:
    """Tokenise (worker processes or here), run the engine, summarise; chunks yield (chunk, done-so-far).

    Three stages overlap: this thread reads chunk i+2 while the workers tokenise chunk i+1 and an
    engine thread labels chunk i (the NZB kernels release the GIL). Results are summarised in order.
    """
    from concurrent.futures import ThreadPoolExecutor

    summary = _Summary(keep_texts)
    index = model.vocab.index
    workers = _POOL_SIZE if pool is not None else 0
    pending: deque[tuple[TweetChunk, int, Any, Any]] = deque()
    stage = {"read": 0.0, "tokenize_here": 0.0, "wait": 0.0, "engine": 0.0, "summary": 0.0}
    max_pending = workers + 2
    engine_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cta-analysis-engine")

    def submit(chunk: TweetChunk, done: int) -> None:
        nonlocal pool
        encoded = None
        if pool is not None:
            try:
                encoded = pool.submit(_encode_in_worker, chunk.texts)
            except (BrokenProcessPool, RuntimeError):
                pool = None
        if encoded is None:
            t = time.perf_counter()
            encoded = _Done(encode_texts(chunk.texts, index))
            stage["tokenize_here"] += time.perf_counter() - t
        pending.append((chunk, done, encoded, engine_thread.submit(_engine_job, engine, encoded)))

    def finish_one() -> None:
        chunk, done, encoded, job = pending.popleft()
        t = time.perf_counter()
        try:
            probs, words, engine_seconds = job.result()
        except BrokenProcessPool:  # a worker died: do this chunk here
            ids, words = encode_texts(chunk.texts, index)
            t_engine = time.perf_counter()
            probs = _predict(engine, ids)
            engine_seconds = time.perf_counter() - t_engine
        t1 = time.perf_counter()
        summary.add(chunk, probs, words)
        if writer is not None:
            writer.write(chunk.texts, chunk.dates, chunk.tweet_ids, probs)
        stage["wait"] += t1 - t
        stage["engine"] += engine_seconds
        stage["summary"] += time.perf_counter() - t1
        if progress is not None:
            progress(done, total)

    try:
        it = iter(chunks)
        while True:
            if cancel is not None and cancel():
                raise AnalysisCancelled("analysis cancelled")
            t = time.perf_counter()
            item = next(it, None)
            stage["read"] += time.perf_counter() - t
            if item is None:
                break
            submit(*item)
            while len(pending) >= max_pending:
                finish_one()
        while pending:
            if cancel is not None and cancel():
                raise AnalysisCancelled("analysis cancelled")
            finish_one()
    finally:
        for _, _, encoded, job in pending:
            encoded.cancel()
            job.cancel()
        engine_thread.shutdown(wait=True, cancel_futures=True)
    details = {"workers": workers if pool is not None else 0,
               "stage_seconds": {k: round(v, 3) for k, v in stage.items()}}
    return summary, details


def _batches(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


def analyze_texts(texts: Sequence[str], dates: Sequence[str | None] | None = None, *,
                  tweet_ids: Sequence[str | None] | None = None, likes: Sequence[int | None] | None = None,
                  retweets: Sequence[int | None] | None = None, replies: Sequence[int | None] | None = None,
                  is_retweet: Sequence[bool] | None = None, skipped_rows: int = 0, person: str | None = None,
                  model=None, engine=None, batch_size: int = 4096, workers: int | None = None,
                  progress: Progress | None = None, cancel: Cancel | None = None,
                  keep_texts: bool = True) -> AnalysisResult:
    """Analyse tweets already in memory (dates as ISO strings). Texts are kept for the per-tweet export."""
    model, engine = _default_model(model, engine)
    texts = [t if isinstance(t, str) else "" for t in texts]
    n = len(texts)

    def col(values, default):
        if values is None:
            return [default] * n
        values = list(values)
        if len(values) != n:
            raise ValueError(f"got {len(values)} values for {n} texts")
        return values

    dates_l, ids_l = col(dates, None), col(tweet_ids, None)
    likes_l, rts_l, replies_l = col(likes, None), col(retweets, None), col(replies, None)
    rt_l = [t.startswith("RT @") for t in texts] if is_retweet is None else [bool(v) for v in col(is_retweet, False)]
    pool = _get_pool(model, n_workers) if (n_workers := choose_workers(workers, n)) else None
    warm_engine(engine)
    size = max(1, int(batch_size))

    def chunks() -> Iterator[tuple[TweetChunk, int]]:
        for s in _batches(n, size):
            ch = TweetChunk(texts[s], dates_l[s], ids_l[s], likes_l[s], rts_l[s], replies_l[s], rt_l[s], rows=s.stop - s.start)
            yield ch, s.stop

    t0 = time.perf_counter()
    summary, details = _run(chunks(), n, model=model, engine=engine, pool=pool, progress=progress,
                            cancel=cancel, keep_texts=keep_texts, writer=None)
    result = summary.result(skipped_rows=skipped_rows, seconds=0.0, model_name=model_name_of(model),
                            engine_name=getattr(engine, "name", ""), person=person, details=details)
    result.seconds = time.perf_counter() - t0
    return result


def analyze_csv(path: str | Path, mapping: ColumnMapping | None = None, *, person: str | None = None,
                model=None, engine=None, chunk_size: int = PIPELINE_CHUNK, workers: int | None = None,
                out: str | Path | None = None, delimiter: str | None = None, keep_texts: bool = False,
                progress: Progress | None = None, cancel: Cancel | None = None) -> AnalysisResult:
    """Read a CSV of tweets in chunks and analyse it (memory stays bounded for any file size).

    progress reports bytes of the file read; `out` writes the per-tweet CSV while going.
    Raises CsvImportError for unusable files (see datasets), AnalysisCancelled when cancelled.
    """
    from cta_desktop.core.datasets import estimate_rows, guess_person

    model, engine = _default_model(model, engine)
    t0 = time.perf_counter()
    reader = read_tweets_csv(path, mapping=mapping, chunk_size=chunk_size, delimiter=delimiter)
    if person is None:
        person = guess_person(reader.layout, reader.mapping)[0]
    n_workers = choose_workers(workers, estimate_rows(reader.layout))
    pool = _get_pool(model, n_workers) if n_workers else None
    t_warm = time.perf_counter()
    warm_engine(engine)
    t0 += time.perf_counter() - t_warm  # JIT warm-up is not analysis time
    total = max(1, reader.layout.file_bytes)

    def chunks() -> Iterator[tuple[TweetChunk, int]]:
        for ch in reader:
            yield ch, reader.stats.bytes_read

    writer = PerTweetCsvWriter(out) if out is not None else None
    try:
        summary, details = _run(chunks(), total, model=model, engine=engine, pool=pool,
                                progress=progress, cancel=cancel, keep_texts=keep_texts, writer=writer)
    finally:
        if writer is not None:
            writer.close()
    st = reader.stats
    source = {"file": str(path), "encoding": reader.encoding, "delimiter": reader.delimiter,
              "columns": {k: v for k, v in reader.mapping.as_dict().items() if v is not None},
              "rows": st.rows, "skipped_empty": st.skipped_empty, "skipped_malformed": st.skipped_malformed,
              "truncated": st.truncated, "repaired_rows": st.repaired, "first_date": st.first_date, "last_date": st.last_date}
    result = summary.result(skipped_rows=st.skipped_rows, duplicates=st.duplicates, seconds=0.0,
                            model_name=model_name_of(model), engine_name=getattr(engine, "name", ""),
                            person=person, source=source, details=details)
    result.seconds = time.perf_counter() - t0
    return result


def analyze_person(library, person_id: int, model=None, engine=None, progress: Progress | None = None,
                   cancel: Cancel | None = None, workers: int | None = None,
                   keep_texts: bool = False) -> AnalysisResult:
    """Analyse a person's stored tweets. Save the result with `library.save_analysis(person_id, result)`."""
    model, engine = _default_model(model, engine)
    person = library.person(person_id)
    if person is None:
        raise KeyError(f"no person with id {person_id} in the library")
    n_workers = choose_workers(workers, person.tweet_count)
    pool = _get_pool(model, n_workers) if n_workers else None
    warm_engine(engine)
    t0 = time.perf_counter()
    total = person.tweet_count

    def chunks() -> Iterator[tuple[TweetChunk, int]]:
        done = 0
        for ch in library.tweet_chunks(person_id, PIPELINE_CHUNK):
            done += len(ch)
            yield ch, done

    summary, details = _run(chunks(), total, model=model, engine=engine, pool=pool, progress=progress,
                            cancel=cancel, keep_texts=keep_texts, writer=None)
    source = {"file": person.source_file, "person_id": person.id}
    result = summary.result(skipped_rows=person.skipped_rows, duplicates=person.duplicates, seconds=0.0,
                            model_name=model_name_of(model), engine_name=getattr(engine, "name", ""),
                            person=person.name, source=source, details=details)
    result.seconds = time.perf_counter() - t0
    return result


def format_summary(result: AnalysisResult) -> str:
    """A short human-readable summary (what `analyze` prints without --json)."""
    n = result.n_tweets
    lines = [f"{result.person or 'Tweets'}: {n:,} tweets analysed"
             + (f" ({result.skipped_rows:,} rows skipped" + (f", {result.duplicates:,} duplicates" if result.duplicates else "")
                + ")" if result.skipped_rows else "")]
    for name in LABELS:
        bar = "#" * int(round(result.ratios[name] * 40))
        lines.append(f"  {name:<9}{result.ratios[name] * 100:6.1f}%  {result.counts[name]:>9,}  {bar}")
    if result.top_words:
        lines.append("Top words: " + ", ".join(f"{w} ({c})" for w, c in result.top_words[:TOP_WORDS_SHOWN]))
    for name in ("positive", "negative"):
        for e in result.examples.get(name, [])[:1]:
            text = " ".join(e["text"].split())
            text = text if len(text) <= 100 else text[:99] + "…"
            lines.append(f"Most {name}: {text!r} ({e['confidence']:.2f})")
    if result.by_month:
        lines.append(f"Period: {result.by_month[0]['month']} to {result.by_month[-1]['month']}")
    rate = n / result.seconds if result.seconds > 0 else math.inf
    lines.append(f"Model {result.model_name} ({result.engine_name}), {result.seconds:.2f} s, {rate:,.0f} tweets/s")
    return "\n".join(lines)


__all__ = [
    "AnalysisCancelled", "AnalysisResult", "analyze_texts", "analyze_csv", "analyze_person",
    "export_per_tweet_csv", "PerTweetCsvWriter", "spreadsheet_safe", "format_summary", "encode_texts",
    "warm_engine", "shutdown_workers", "choose_workers", "EXAMPLES_PER_CLASS", "TOP_WORDS_SHOWN",
]
