"""Analysing a library person with the library as a result cache.

Two levels of reuse:
- **per tweet**: each tweet's probabilities are stored per model, by tweet (`Library.save_results`:
  the person's tweets reach the pipeline as `TweetChunk`s whose `probs` hold the stored rows, NaN
  where not computed yet) and by the tweet's token ids (`engine_cache`, the pipeline's
  `EngineCache`), so the engine runs only on new tweets and the pipeline's `engine_tweets` counts
  exactly those;
- **per summary**: the whole summary is kept under a key made of the person's content (tweet
  count and last row id: tweets are only ever added), the model and the options; an unchanged
  person is not re-analysed at all (tokenising alone costs ~20 µs a tweet, so per-tweet reuse
  alone could not make a re-analysis 10× faster).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.analysis import (
    INCLUDE_REPLIES,
    INCLUDE_RETWEETS,
    AnalysisResult,
    LibrarySource,
    analyze,
    default_model,
    encode_ids,
    model_name_of,
)
from cta_desktop.core.datasets import TweetChunk
from cta_desktop.core.library import Library

CACHE_VERSION = 2  # bump when the summary's contents change meaning (2: not-judged tweets)


@dataclass
class PersonAnalysis:
    result: AnalysisResult
    engine_tweets: int  # tweets that went through the engine in this call (= result.engine_tweets)
    cached: bool  # the whole summary came from the library


def _row_hash(row: np.ndarray) -> int:
    return int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little", signed=True)


class LibraryEngineCache:
    """The library's `engine_cache` as the pipeline's `EngineCache`: engine outputs by token ids.

    Content-addressed (a tweet's token ids -> the model's output), so it is right whatever order or
    batches the pipeline uses. New outputs are collected in `new` and written once at the end.
    """

    def __init__(self, library: Library, key: str):
        self._lib, self._key = library, key
        self.new: dict[int, bytes] = {}
        self._misses: list[int] = []  # hashes of the rows the last lookup did not know, in order
        # Nothing stored for this model yet (a first analysis): skip the look-ups.
        self._stored = bool(library._query("SELECT 1 FROM engine_cache WHERE model_name = ? LIMIT 1", (key,)))

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        hashes = [_row_hash(r) for r in np.ascontiguousarray(ids)]
        known = self._lib.engine_cache_get(self._key, hashes) if self._stored else {}
        out = np.full((len(ids), 3), np.nan, np.float32)
        self._misses = []
        for i, h in enumerate(hashes):
            blob = known.get(h) or self.new.get(h)
            if blob is None:
                self._misses.append(h)
            else:
                out[i] = np.frombuffer(blob, "<f4")
        return out

    def store(self, ids: np.ndarray, probs: np.ndarray) -> None:
        # The pipeline stores exactly the rows its last lookup missed: reuse their hashes.
        hashes = self._misses if len(self._misses) == len(ids) else [_row_hash(r) for r in np.ascontiguousarray(ids)]
        for h, row in zip(hashes, np.asarray(probs, "<f4"), strict=True):
            self.new[h] = row.tobytes()
        self._misses = []


def results_key(model: Any) -> str:
    """The model's name plus a fingerprint of its weights and metadata: a retrained or recalibrated
    model with the same name never reuses the old model's stored results."""
    h = hashlib.sha256(json.dumps(getattr(model, "metadata", {}) or {}, sort_keys=True, default=str).encode())
    path = getattr(model, "path", None)
    if path is not None:
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(str(path).encode())
    return f"{model_name_of(model)}@{h.hexdigest()[:16]}"


def analyze_library_person(library: Library, person_id: int, *, model: Any = None, engine: Any = None,
                           include_retweets: bool | None = None, include_replies: bool | None = None,
                           progress: Callable[[int, int], None] | None = None,
                           cancel: Callable[[], bool] | None = None, workers: int | None = None,
                           use_cache: bool = True, keep_texts: bool = False) -> PersonAnalysis:
    """Analyse a person, reusing what the library already holds for this model; save what is new.

    `include_retweets` / `include_replies` None: the analysis defaults (INCLUDE_RETWEETS, INCLUDE_REPLIES)."""
    if library.person(person_id) is None:
        raise KeyError(f"no person with id {person_id} in the library")
    model, engine = default_model(model, engine)
    model_name, fingerprint = model_name_of(model), results_key(model)
    rts = INCLUDE_RETWEETS if include_retweets is None else bool(include_retweets)
    replies = INCLUDE_REPLIES if include_replies is None else bool(include_replies)
    options = {"include_retweets": rts, "include_replies": replies}
    key = json.dumps([CACHE_VERSION, library.content_key(person_id), fingerprint, options], sort_keys=True)
    if use_cache and not keep_texts:
        saved = library.load_analysis(person_id, model_name, cache_key=key)
        if saved is not None:
            return PersonAnalysis(AnalysisResult.from_summary(saved.summary, saved.probs), 0, True)
    cache = LibraryEngineCache(library, fingerprint)
    result = analyze(LibrarySource(library, person_id, results_model=fingerprint), model=model, engine=engine,
                     progress=progress, cancel=cancel, workers=workers, keep_texts=keep_texts, engine_cache=cache,
                     include_retweets=rts, include_replies=replies)
    library.engine_cache_put(fingerprint, cache.new)
    if result.row_ids is not None:
        library.save_results(fingerprint, result.row_ids, np.asarray(result.probs, np.float32))
    library.save_analysis(person_id, result, cache_key=key)
    return PersonAnalysis(result, result.engine_tweets, False)


def fill_missing_results(library: Library, person_id: int, model: Any, engine: Any, batch: int = 4096) -> int:
    """Compute and store per-tweet results for the tweets that have none (e.g. before an export)."""
    model_name = results_key(model)
    done = 0
    for chunk in library.tweet_chunks(person_id, batch, model_name=model_name, with_ids=True):
        todo = np.flatnonzero(np.isnan(chunk.probs).any(axis=1))
        if not len(todo):
            continue
        ids = encode_ids([chunk.texts[i] for i in todo], model.vocab.index)
        probs = np.asarray(engine.predict_proba(ids), np.float32)
        library.save_results(model_name, [chunk.row_ids[i] for i in todo], probs)
        done += len(todo)
    return done


def per_tweet_rows(library: Library, person_id: int, model: Any) -> Iterator[TweetChunk]:
    """The person's tweets with this model's stored probabilities (for exports)."""
    yield from library.tweet_chunks(person_id, 8192, model_name=results_key(model))


__all__ = ["PersonAnalysis", "LibraryEngineCache", "analyze_library_person", "results_key", "fill_missing_results", "per_tweet_rows", "CACHE_VERSION"]
