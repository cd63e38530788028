"""Analysing a library person with the library as a result cache.

Two levels of reuse:
- **per tweet**: each tweet's probabilities are stored per model, by tweet (`Library.save_results`:
  the person's tweets reach the pipeline as `TweetChunk`s whose `probs` hold the stored rows, NaN
  where not computed yet) and by the tweet's token ids (`engine_cache`: the engine passed to the
  pipeline answers rows it has seen from there), so the engine runs only on new tweets and
  `engine_tweets` counts exactly those;
- **per summary**: the whole summary is kept under a key made of the person's content (tweet
  count and last row id: tweets are only ever added), the model and the options; an unchanged
  person is not re-analysed at all (tokenising alone costs ~20 µs a tweet, so per-tweet reuse
  alone could not make a re-analysis 10× faster).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.datasets import TweetChunk
from cta_desktop.core.library import Library

CACHE_VERSION = 1  # bump when the summary's contents change meaning


@dataclass
class PersonAnalysis:
    result: Any  # AnalysisResult
    engine_tweets: int  # tweets that went through the engine in this call
    cached: bool  # the whole summary came from the library


class _StoredResults:
    """The library as analyze_person sees it, but its tweet chunks carry the stored probabilities."""

    def __init__(self, library: Library, model_name: str, engine: _CachedEngine | None = None):
        self._lib = library
        self._model_name = model_name
        self._engine = engine
        self.row_ids: list[int] = []
        self.missing = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lib, name)

    def tweet_chunks(self, person_id: int, chunk_size: int = 8192) -> Iterator[TweetChunk]:
        if self._engine is not None:
            self._engine.counting = True
        for chunk in self._lib.tweet_chunks(person_id, chunk_size, model_name=self._model_name, with_ids=True):
            self.row_ids.extend(chunk.row_ids)
            self.missing += int(np.isnan(chunk.probs).any(axis=1).sum())
            yield chunk


def _row_hash(row: np.ndarray) -> int:
    return int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little", signed=True)


class _CachedEngine:
    """The engine, answering from the library's `engine_cache` for token-id rows it has already seen.

    Content-addressed (a tweet's token ids -> the model's output), so it is right whatever order or
    batches the pipeline uses; `engine_tweets` counts the rows that really went through the engine.
    Counting starts when the first tweet chunk is read (the pipeline's warm-up batch is not a tweet).
    """

    def __init__(self, engine: Any, library: Library, key: str):
        self._engine, self._lib, self._key = engine, library, key
        self.counting = False
        self.engine_tweets = 0
        self.new: dict[int, bytes] = {}
        # Nothing stored for this model yet (a first analysis): skip the look-ups.
        self._stored = bool(library._query("SELECT 1 FROM engine_cache WHERE model_name = ? LIMIT 1", (key,)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def predict_proba(self, ids: np.ndarray) -> np.ndarray:
        ids = np.ascontiguousarray(ids)
        if not self.counting or not len(ids):
            return self._engine.predict_proba(ids)
        hashes = [_row_hash(r) for r in ids]
        known = self._lib.engine_cache_get(self._key, hashes) if self._stored else {}
        out = np.empty((len(ids), 3), np.float32)
        miss = []
        for i, h in enumerate(hashes):
            blob = known.get(h) or self.new.get(h)
            if blob is None:
                miss.append(i)
            else:
                out[i] = np.frombuffer(blob, "<f4")
        if miss:
            probs = np.asarray(self._engine.predict_proba(ids[miss]), np.float32)
            out[miss] = probs
            self.engine_tweets += len(miss)
            for j, i in enumerate(miss):
                self.new[hashes[i]] = probs[j].astype("<f4").tobytes()
        return out


def results_key(model: Any) -> str:
    """The model's name plus a fingerprint of its weights and metadata: a retrained or recalibrated
    model with the same name never reuses the old model's stored results."""
    from cta_desktop.core.analysis import model_name_of

    h = hashlib.sha256(json.dumps(getattr(model, "metadata", {}) or {}, sort_keys=True, default=str).encode())
    path = getattr(model, "path", None)
    if path is not None:
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(str(path).encode())
    return f"{model_name_of(model)}@{h.hexdigest()[:16]}"


def _options(include_retweets: bool | None, include_replies: bool | None) -> dict[str, bool]:
    from cta_desktop.core.analysis import analyze_person

    params = inspect.signature(analyze_person).parameters
    out = {}
    for key, value in (("include_retweets", include_retweets), ("include_replies", include_replies)):
        if value is not None and key in params:
            out[key] = value
        elif key in params:
            out[key] = params[key].default
    return out


def analyze_library_person(library: Library, person_id: int, *, model: Any = None, engine: Any = None,
                           include_retweets: bool | None = None, include_replies: bool | None = None,
                           progress: Callable[[int, int], None] | None = None,
                           cancel: Callable[[], bool] | None = None, workers: int | None = None,
                           use_cache: bool = True) -> PersonAnalysis:
    """Analyse a person, reusing what the library already holds for this model; save what is new."""
    from cta_desktop.core.analysis import _default_model, analyze_person, model_name_of

    if library.person(person_id) is None:
        raise KeyError(f"no person with id {person_id} in the library")
    model, engine = _default_model(model, engine)
    model_name, fingerprint = model_name_of(model), results_key(model)
    options = _options(include_retweets, include_replies)
    key = json.dumps([CACHE_VERSION, library.content_key(person_id), fingerprint, options], sort_keys=True)
    if use_cache:
        cached = library.load_analysis(person_id, model_name, cache_key=key)
        if cached is not None:
            return PersonAnalysis(cached, 0, True)
    cached_engine = _CachedEngine(engine, library, fingerprint)
    source = _StoredResults(library, fingerprint, cached_engine)
    result = analyze_person(source, person_id, model=model, engine=cached_engine, progress=progress, cancel=cancel,
                            workers=workers, **options)
    engine_tweets = cached_engine.engine_tweets
    library.engine_cache_put(fingerprint, cached_engine.new)
    probs = np.asarray(result.probs, np.float32)
    if len(probs) == len(source.row_ids):
        library.save_results(fingerprint, source.row_ids, probs)
    library.save_analysis(person_id, result, cache_key=key)
    return PersonAnalysis(result, int(engine_tweets), False)


def fill_missing_results(library: Library, person_id: int, model: Any, engine: Any, batch: int = 4096) -> int:
    """Compute and store per-tweet results for the tweets that have none (e.g. before an export)."""
    from cta_desktop.core.analysis import encode_texts

    model_name = results_key(model)
    done = 0
    for chunk in library.tweet_chunks(person_id, batch, model_name=model_name, with_ids=True):
        todo = np.flatnonzero(np.isnan(chunk.probs).any(axis=1))
        if not len(todo):
            continue
        ids, _ = encode_texts([chunk.texts[i] for i in todo], model.vocab.index)
        probs = np.asarray(engine.predict_proba(ids), np.float32)
        library.save_results(model_name, [chunk.row_ids[i] for i in todo], probs)
        done += len(todo)
    return done


def per_tweet_rows(library: Library, person_id: int, model: Any) -> Iterator[TweetChunk]:
    """The person's tweets with this model's stored probabilities (for exports)."""
    yield from library.tweet_chunks(person_id, 8192, model_name=results_key(model))


__all__ = ["PersonAnalysis", "analyze_library_person", "results_key", "fill_missing_results", "per_tweet_rows", "CACHE_VERSION"]
