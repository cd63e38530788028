"""The analysis pipeline: one `analyze(source, ...)` for every input, and thin adapters to it.

Tweets flow through in chunks: the texts are tokenised (in worker processes when the input is
large enough for them to pay off, so both cores work; from the bytes they were read from, where the
fast CSV reader read them), the engine labels them on an engine thread
(the NZB kernels release the GIL), and a running summary keeps only what the results need. Memory
is therefore bounded by the chunk size plus the per-tweet label arrays, whatever the input's size.

An input is a `TweetSource`: a CSV file (`CsvSource`), tweets in memory (`TextsSource`) or a
library person (`LibrarySource`). `analyze_csv`, `analyze_texts` and `analyze_person` only build
one and call `analyze`.

Long calls take `progress(done, total)` and `cancel() -> bool`, checked between chunks, so a GUI
worker thread can show progress and stop the work (`AnalysisCancelled`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from itertools import compress
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from cta_desktop.core.analysis.export import PerTweetCsvWriter
from cta_desktop.core.analysis.result import (
    INCLUDE_REPLIES,
    INCLUDE_RETWEETS,
    AnalysisCancelled,
    AnalysisResult,
)
from cta_desktop.core.analysis.summary import RunningSummary
from cta_desktop.core.analysis.workers import (
    Done,
    EncodedChunk,
    choose_workers,
    encode_chunk,
    encode_chunk_in_worker,
    encode_chunk_utf8_in_worker,
    get_pool,
)
from cta_desktop.core.datasets import ColumnMapping, TweetChunk, read_tweets_csv
from cta_desktop.core.gc_pause import paused_gc
from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.preprocess import SEQ_LEN

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
Encoded = EncodedChunk  # token ids, judgement and words of a chunk (workers.encode_chunk)
T = TypeVar("T")

PIPELINE_CHUNK = 8192  # tweets per work item: small enough to start both cores quickly
# A file's first chunks are smaller, so the workers and then the engine start within milliseconds
# rather than after two full chunks are read and one tokenised (~0.1 s at the start of every run).
RAMP_CHUNKS = (512, 1024, 2048, 4096)


class Engine(Protocol):
    def predict_proba(self, ids: np.ndarray) -> np.ndarray: ...


class EngineCache(Protocol):
    """Engine outputs kept by token ids (e.g. the library's): asked before the engine runs."""

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """float32 (n, 3) probabilities for these token-id rows; NaN rows where unknown."""
        ...

    def store(self, ids: np.ndarray, probs: np.ndarray) -> None: ...


# --------------------------------------------------------------------------------------------
# Sources: what an input must tell the pipeline


class TweetSource:
    """An input: `open()` before reading, `chunks()` yields (chunk, progress-so-far), `finish()` after."""

    person: str | None = None
    total = 0  # the progress total (tweets, or bytes of a file)

    def open(self) -> int:
        """Get ready to read; returns the estimated number of tweets (it decides the worker count)."""
        raise NotImplementedError

    def chunks(self) -> Iterator[tuple[TweetChunk, int]]:
        raise NotImplementedError

    def finish(self) -> dict[str, Any]:
        """What the result needs from the source once read: skipped_rows, duplicates, person, source."""
        return {"skipped_rows": 0, "duplicates": 0, "person": self.person}


class CsvSource(TweetSource):
    """A CSV file (any layout `datasets` reads), read in chunks; progress is bytes of the file."""

    def __init__(self, path: str | Path, mapping: ColumnMapping | None = None, *, person: str | None = None,
                 chunk_size: int = PIPELINE_CHUNK, delimiter: str | None = None):
        self.path, self.mapping, self.person = path, mapping, person
        self.chunk_size, self.delimiter = chunk_size, delimiter

    def open(self) -> int:
        from cta_desktop.core.datasets import estimate_rows, guess_person

        self.reader = read_tweets_csv(self.path, mapping=self.mapping, chunk_size=self.chunk_size,
                                      delimiter=self.delimiter,
                                      first_chunks=[n for n in RAMP_CHUNKS if n < self.chunk_size], hashed=False)
        if self.person is None:
            self.person = guess_person(self.reader.layout, self.reader.mapping)[0]
        self.total = max(1, self.reader.layout.file_bytes)
        return int(estimate_rows(self.reader.layout))

    def chunks(self) -> Iterator[tuple[TweetChunk, int]]:
        for ch in self.reader:
            yield ch, self.reader.stats.bytes_read

    def finish(self) -> dict[str, Any]:
        r, st = self.reader, self.reader.stats
        source = {"file": str(self.path), "encoding": r.encoding, "delimiter": r.delimiter,
                  "columns": {k: v for k, v in r.mapping.as_dict().items() if v is not None},
                  "rows": st.rows, "skipped_empty": st.skipped_empty, "skipped_malformed": st.skipped_malformed,
                  "truncated": st.truncated, "repaired_rows": st.repaired, "first_date": st.first_date,
                  "last_date": st.last_date}
        return {"skipped_rows": st.skipped_rows, "duplicates": st.duplicates, "person": self.person,
                "source": source}


class TextsSource(TweetSource):
    """Tweets in memory (dates as ISO strings); every column optional, each as long as `texts`."""

    def __init__(self, texts: Sequence[str], dates: Sequence[str | None] | None = None, *,
                 tweet_ids: Sequence[str | None] | None = None, likes: Sequence[int | None] | None = None,
                 retweets: Sequence[int | None] | None = None, replies: Sequence[int | None] | None = None,
                 is_retweet: Sequence[bool] | None = None, is_reply: Sequence[bool] | None = None,
                 skipped_rows: int = 0, person: str | None = None, batch_size: int = 4096):
        self.texts = [t if isinstance(t, str) else "" for t in texts]
        n = self.total = len(self.texts)
        self.dates, self.ids = self._column(dates, None), self._column(tweet_ids, None)
        self.likes, self.shares = self._column(likes, None), self._column(retweets, None)
        self.replies = self._column(replies, None)
        self.is_retweet = ([t.startswith("RT @") for t in self.texts] if is_retweet is None
                           else [bool(v) for v in self._column(is_retweet, False)])
        self.is_reply = [] if is_reply is None else [bool(v) for v in self._column(is_reply, False)]
        self.skipped_rows, self.person, self.size = skipped_rows, person, max(1, int(batch_size))
        self._n = n

    def _column(self, values: Sequence[T] | None, default: T) -> list[T]:
        if values is None:
            return [default] * len(self.texts)
        out = list(values)
        if len(out) != len(self.texts):
            raise ValueError(f"got {len(out)} values for {len(self.texts)} texts")
        return out

    def open(self) -> int:
        return self._n

    def chunks(self) -> Iterator[tuple[TweetChunk, int]]:
        for start in range(0, self._n, self.size):
            s = slice(start, min(self._n, start + self.size))
            yield TweetChunk(self.texts[s], self.dates[s], self.ids[s], self.likes[s], self.shares[s],
                             self.replies[s], self.is_retweet[s], rows=s.stop - s.start,
                             is_reply=self.is_reply[s]), s.stop

    def finish(self) -> dict[str, Any]:
        return {"skipped_rows": self.skipped_rows, "duplicates": 0, "person": self.person}


class LibrarySource(TweetSource):
    """A library person's stored tweets. With `results_model`, chunks carry that model's stored
    per-tweet probabilities (NaN where none) and the library's row ids."""

    def __init__(self, library: Any, person_id: int, *, results_model: str | None = None,
                 chunk_size: int = PIPELINE_CHUNK):
        self.library, self.person_id, self.results_model, self.chunk_size = library, person_id, results_model, chunk_size

    def open(self) -> int:
        self.record = self.library.person(self.person_id)
        if self.record is None:
            raise KeyError(f"no person with id {self.person_id} in the library")
        self.person = self.record.name
        self.total = int(self.record.tweet_count)
        return self.total

    def chunks(self) -> Iterator[tuple[TweetChunk, int]]:
        done = 0
        if self.results_model is None:
            chunks = self.library.tweet_chunks(self.person_id, self.chunk_size)
        else:
            chunks = self.library.tweet_chunks(self.person_id, self.chunk_size, model_name=self.results_model,
                                               with_ids=True)
        for ch in chunks:
            done += len(ch)
            yield ch, done

    def finish(self) -> dict[str, Any]:
        p = self.record
        return {"skipped_rows": p.skipped_rows, "duplicates": p.duplicates, "person": p.name,
                "source": {"file": p.source_file, "person_id": p.id}}


# --------------------------------------------------------------------------------------------
# The pipeline


def resolve_model(model: Any) -> Any:
    """The model given, else the shipped default one."""
    if model is None:
        from cta_desktop.core.modelstore import load_model

        model = load_model()
    return model


def default_model(model: Any, engine: Any, n_tweets: int | None = None) -> tuple[Any, Any]:
    """The shipped default model and the best engine for it (for `n_tweets` tweets, if known), where not given."""
    model = resolve_model(model)
    if engine is None:
        from cta_desktop.core.engines import engine_for

        engine = engine_for(model, n_tweets)
    return model, engine


def model_name_of(model: Any) -> str:
    from cta_desktop.core.modelstore import model_stem

    try:
        return model_stem(int(model.sparsity))
    except (AttributeError, TypeError, ValueError):
        return str(getattr(model, "name", "model"))


def warm_engine(engine: Engine) -> None:
    """Run the engine once on a tiny batch so JIT compilation is not counted as analysis time."""
    engine.predict_proba(np.zeros((8, SEQ_LEN), np.int32))


def _predict(engine: Engine, ids: np.ndarray) -> np.ndarray:
    if not len(ids):
        return np.zeros((0, len(LABELS)), np.float32)
    return np.asarray(engine.predict_proba(ids), dtype=np.float32)


def _label(engine: Engine, encoded: Future[Encoded] | Done[Encoded], known: np.ndarray | None,
           cache: EngineCache | None) -> tuple[np.ndarray, Encoded, float, int]:
    """Runs on the engine thread: wait for a chunk's token ids, then label the rows that need it.

    Rows of `known` that are not NaN (precomputed probabilities) are taken as they are, then the
    cache is asked; only the rest go through the engine. Returns (probs, words, engine seconds,
    rows the engine ran)."""
    words = encoded.result()  # the whole EncodedChunk (judgement and words ride along)
    ids = words.ids
    t = time.perf_counter()
    if known is None and cache is None:
        return _predict(engine, ids), words, time.perf_counter() - t, len(ids)
    probs = (np.full((len(ids), len(LABELS)), np.nan, np.float32) if known is None
             else np.array(known, dtype=np.float32, copy=True))
    todo = np.flatnonzero(np.isnan(probs).any(axis=1))
    if cache is not None and len(todo):
        probs[todo] = cache.lookup(ids[todo])
        todo = np.flatnonzero(np.isnan(probs).any(axis=1))
    if len(todo):
        probs[todo] = _predict(engine, ids[todo])
        if cache is not None:
            cache.store(ids[todo], probs[todo])
    return probs, words, time.perf_counter() - t, len(todo)


def select_rows(chunk: TweetChunk, keep: np.ndarray) -> TweetChunk:
    """The chunk's tweets where `keep` is True (every per-tweet column, probabilities and row ids)."""
    keep = np.asarray(keep, dtype=bool)
    mask = keep.tolist()

    def pick(values: list[T]) -> list[T]:
        return list(compress(values, mask)) if values else values

    return replace(chunk, texts=pick(chunk.texts), dates=pick(chunk.dates), tweet_ids=pick(chunk.tweet_ids),
                   likes=pick(chunk.likes), retweets=pick(chunk.retweets), replies=pick(chunk.replies),
                   is_retweet=pick(chunk.is_retweet), is_reply=pick(chunk.is_reply), row_ids=pick(chunk.row_ids),
                   probs=None if chunk.probs is None else np.asarray(chunk.probs)[keep],
                   text_utf8=None if chunk.text_utf8 is None else chunk.text_utf8.take(keep))


def _flags(values: list[bool], n: int) -> np.ndarray:
    return np.fromiter(values, dtype=bool, count=n) if values else np.zeros(n, bool)


class _Run:
    """One pass over a source: tokenise (worker processes or here), label, summarise, write.

    Three stages overlap: this thread reads chunk i+2 while the workers tokenise chunk i+1 and the
    engine thread labels chunk i. Results are summarised in order.
    """

    def __init__(self, *, model: Any, engine: Engine, pool: Any, keep_texts: bool, writer: PerTweetCsvWriter | None,
                 include_retweets: bool, include_replies: bool, cache: EngineCache | None):
        self.index, self.engine, self.pool, self.writer, self.cache = model.vocab.index, engine, pool, writer, cache
        self.include_retweets, self.include_replies = include_retweets, include_replies
        self.summary = RunningSummary(keep_texts, model.vocab.words)
        self.pending: deque[tuple[TweetChunk, int, Future[Encoded] | Done[Encoded], Future[Any]]] = deque()
        self.stage = {"read": 0.0, "tokenize_here": 0.0, "wait": 0.0, "engine": 0.0, "summary": 0.0}
        self.n_retweets = self.n_replies = self.engine_tweets = 0
        self.workers = 0
        if pool is not None:
            from cta_desktop.core.analysis.workers import pool_size

            self.workers = pool_size()

    def submit(self, chunk: TweetChunk, done: int, engine_thread: ThreadPoolExecutor) -> None:
        rt, reply = _flags(chunk.is_retweet, len(chunk)), _flags(chunk.is_reply, len(chunk))
        self.n_retweets += int(rt.sum())
        self.n_replies += int(reply.sum())
        drop = (np.zeros(len(chunk), bool) if self.include_retweets else rt) | (reply & (not self.include_replies))
        if drop.any():
            chunk = select_rows(chunk, ~drop)
        encoded: Future[Encoded] | Done[Encoded] | None = None
        if self.pool is not None:
            try:
                # the texts' bytes where the reader has them: one buffer to send, no strings to pickle
                encoded = (self.pool.submit(encode_chunk_in_worker, chunk.texts) if chunk.text_utf8 is None
                           else self.pool.submit(encode_chunk_utf8_in_worker, chunk.text_utf8))
            except (BrokenProcessPool, RuntimeError):
                self.pool = None
        if encoded is None:
            t = time.perf_counter()
            encoded = Done(encode_chunk(chunk.texts, self.index))
            self.stage["tokenize_here"] += time.perf_counter() - t
        job = engine_thread.submit(_label, self.engine, encoded, chunk.probs, self.cache)
        self.pending.append((chunk, done, encoded, job))

    def finish_one(self, total: int, progress: Progress | None) -> None:
        chunk, done, _, job = self.pending.popleft()
        t = time.perf_counter()
        try:
            probs, words, engine_seconds, n_engine = job.result()
        except BrokenProcessPool:  # a worker died: do this chunk here
            probs, words, engine_seconds, n_engine = _label(self.engine, Done(encode_chunk(chunk.texts, self.index)),
                                                            chunk.probs, self.cache)
        t1 = time.perf_counter()
        self.summary.add(chunk, probs, words)
        if self.writer is not None:
            self.writer.write(chunk.texts, chunk.dates, chunk.tweet_ids, probs, words.reasons, words.languages)
        self.engine_tweets += n_engine
        self.stage["wait"] += t1 - t
        self.stage["engine"] += engine_seconds
        self.stage["summary"] += time.perf_counter() - t1
        if progress is not None:
            progress(done, total)

    def run(self, chunks: Iterator[tuple[TweetChunk, int]], total: int, progress: Progress | None,
            cancel: Cancel | None) -> None:
        max_pending = self.workers + 2
        engine_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cta-analysis-engine")
        try:
            it = iter(chunks)
            while True:
                if cancel is not None and cancel():
                    raise AnalysisCancelled("analysis cancelled")
                t = time.perf_counter()
                item = next(it, None)
                self.stage["read"] += time.perf_counter() - t
                if item is None:
                    break
                self.submit(*item, engine_thread)
                while len(self.pending) >= max_pending:
                    self.finish_one(total, progress)
            while self.pending:
                if cancel is not None and cancel():
                    raise AnalysisCancelled("analysis cancelled")
                self.finish_one(total, progress)
        finally:
            for _, _, encoded, job in self.pending:
                encoded.cancel()
                job.cancel()
            engine_thread.shutdown(wait=True, cancel_futures=True)

    def details(self) -> dict[str, Any]:
        return {"workers": self.workers if self.pool is not None else 0,
                "stage_seconds": {k: round(v, 3) for k, v in self.stage.items()}}


def analyze(source: TweetSource, *, model: Any = None, engine: Any = None, progress: Progress | None = None,
            cancel: Cancel | None = None, keep_texts: bool = False, per_tweet_csv: str | Path | None = None,
            workers: int | None = None, include_retweets: bool = INCLUDE_RETWEETS, include_replies: bool = INCLUDE_REPLIES,
            engine_cache: EngineCache | None = None) -> AnalysisResult:
    """Analyse every tweet of `source`: the one pipeline behind every entry point.

    `keep_texts` keeps the per-tweet texts, dates, ids, likes and retweet counts in the result;
    `per_tweet_csv` writes one row per tweet while going; `workers` tokenising processes (None:
    automatic, 0: none). Retweets and replies are counted in `n_retweets` / `n_replies` whether or
    not they are analysed. Tweets whose chunk carries probabilities (`TweetChunk.probs`, NaN rows
    excepted), then those `engine_cache` knows, skip the engine; `engine_tweets` counts the rest.

    `seconds` in the result is the input's analysis time: wall time from opening the source to the
    finished result (reading, tokenising, the engine, the summary, writing the per-tweet CSV), without
    the two one-off costs of the process: starting the worker pool and warming the engine up (JIT).
    """
    with paused_gc():  # no full collections while it runs (core/gc_pause.py)
        return _analyze(source, model, engine, progress, cancel, keep_texts, per_tweet_csv, workers,
                        include_retweets, include_replies, engine_cache)


def _analyze(source: TweetSource, model: Any, engine: Any, progress: Progress | None, cancel: Cancel | None,
             keep_texts: bool, per_tweet_csv: str | Path | None, workers: int | None, include_retweets: bool,
             include_replies: bool, engine_cache: EngineCache | None) -> AnalysisResult:
    model = resolve_model(model)
    t0 = time.perf_counter()
    n_estimate = source.open()
    if progress is not None:
        progress(0, source.total)  # started: the bar leaves its busy state before the first chunk is done
    t_start_up = time.perf_counter()
    model, engine = default_model(model, engine, n_estimate)  # (made before the pool forks, as always)
    n_workers = choose_workers(workers, n_estimate)
    pool = get_pool(model, n_workers) if n_workers else None
    warm_engine(engine)
    t0 += time.perf_counter() - t_start_up
    run = _Run(model=model, engine=engine, pool=pool, keep_texts=keep_texts, include_retweets=include_retweets,
               include_replies=include_replies, cache=engine_cache,
               writer=PerTweetCsvWriter(per_tweet_csv) if per_tweet_csv is not None else None)
    try:
        run.run(source.chunks(), source.total, progress, cancel)
    finally:
        if run.writer is not None:
            run.writer.close()
    result = run.summary.result(seconds=0.0, model_name=model_name_of(model), engine_name=getattr(engine, "name", ""),
                                details=run.details(), n_retweets=run.n_retweets, n_replies=run.n_replies,
                                include_retweets=include_retweets, include_replies=include_replies,
                                engine_tweets=run.engine_tweets, **source.finish())
    result.seconds = time.perf_counter() - t0
    return result


# --------------------------------------------------------------------------------------------
# The entry points: adapters to `analyze`


def analyze_texts(texts: Sequence[str], dates: Sequence[str | None] | None = None, *,
                  tweet_ids: Sequence[str | None] | None = None, likes: Sequence[int | None] | None = None,
                  retweets: Sequence[int | None] | None = None, replies: Sequence[int | None] | None = None,
                  is_retweet: Sequence[bool] | None = None, is_reply: Sequence[bool] | None = None,
                  skipped_rows: int = 0, person: str | None = None, model: Any = None, engine: Any = None,
                  batch_size: int = 4096, workers: int | None = None, progress: Progress | None = None,
                  cancel: Cancel | None = None, keep_texts: bool = True, include_retweets: bool = INCLUDE_RETWEETS,
                  include_replies: bool = INCLUDE_REPLIES) -> AnalysisResult:
    """Analyse tweets already in memory (dates as ISO strings). Texts are kept for the per-tweet export."""
    source = TextsSource(texts, dates, tweet_ids=tweet_ids, likes=likes, retweets=retweets, replies=replies,
                         is_retweet=is_retweet, is_reply=is_reply, skipped_rows=skipped_rows, person=person,
                         batch_size=batch_size)
    return analyze(source, model=model, engine=engine, progress=progress, cancel=cancel, keep_texts=keep_texts,
                   workers=workers, include_retweets=include_retweets, include_replies=include_replies)


def analyze_csv(path: str | Path, mapping: ColumnMapping | None = None, *, person: str | None = None,
                model: Any = None, engine: Any = None, chunk_size: int = PIPELINE_CHUNK, workers: int | None = None,
                out: str | Path | None = None, delimiter: str | None = None, keep_texts: bool = False,
                progress: Progress | None = None, cancel: Cancel | None = None, include_retweets: bool = INCLUDE_RETWEETS,
                include_replies: bool = INCLUDE_REPLIES) -> AnalysisResult:
    """Read a CSV of tweets in chunks and analyse it (memory stays bounded for any file size).

    progress reports bytes of the file read; `out` writes the per-tweet CSV while going.
    Raises CsvImportError for unusable files (see datasets), AnalysisCancelled when cancelled.
    """
    source = CsvSource(path, mapping, person=person, chunk_size=chunk_size, delimiter=delimiter)
    return analyze(source, model=model, engine=engine, progress=progress, cancel=cancel, keep_texts=keep_texts,
                   per_tweet_csv=out, workers=workers, include_retweets=include_retweets,
                   include_replies=include_replies)


def analyze_person(library: Any, person_id: int, model: Any = None, engine: Any = None,
                   progress: Progress | None = None, cancel: Cancel | None = None, workers: int | None = None,
                   keep_texts: bool = False, include_retweets: bool = INCLUDE_RETWEETS,
                   include_replies: bool = INCLUDE_REPLIES) -> AnalysisResult:
    """Analyse a person's stored tweets. Save the result with `library.save_analysis(person_id, result)`;
    `person_analysis.analyze_library_person` also reuses and keeps per-tweet results."""
    return analyze(LibrarySource(library, person_id), model=model, engine=engine, progress=progress, cancel=cancel,
                   keep_texts=keep_texts, workers=workers, include_retweets=include_retweets,
                   include_replies=include_replies)
