"""Tokenising tweets, in this process or in a kept pool of worker processes (both cores work).

The pool is module-global and kept between analyses (starting it costs 0.1-1 s). Workers watch the
app that started them and exit when it dies, even when killed outright; the start method is fork
when this process has one thread, else forkserver (never re-importing `__main__`), else spawn. A
PyInstaller bundle can start spawn workers because its entry point (packaging/launcher.py) calls
`multiprocessing.freeze_support()`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

from cta_desktop.core import fast_tokens
from cta_desktop.core.datasets.fast_csv import Utf8Texts
from cta_desktop.core.preprocess import OOV_ID, SEQ_LEN, encode_tokens, tokenize_many
from cta_desktop.core.textstats import countable_table, countable_word

POOL_MIN_TWEETS = 20_000  # below this, starting worker processes costs more than it saves
T = TypeVar("T")


def encode_texts(texts: Sequence[str], index: dict[str, int], seq_len: int = SEQ_LEN) -> tuple[np.ndarray, Counter[str]]:
    """Token ids (as `Vocabulary.encode`) and the countable-word counts of a list of tweets."""
    token_lists = tokenize_many(texts)
    out = encode_tokens(token_lists, index, seq_len)
    return out, _word_counts(Counter(chain.from_iterable(token_lists)))


def encode_ids(texts: Sequence[str], index: dict[str, int], seq_len: int = SEQ_LEN) -> np.ndarray:
    """Token ids of tweets (as `Vocabulary.encode`): through the compiled tokenizer once it is loaded in
    this process, else in Python (the same ids: tests/test_fast_tokens.py)."""
    fast = fast_tokens.encode(texts, index, seq_len)
    return fast.ids if fast is not None else encode_tokens(tokenize_many(texts), index, seq_len)


def _word_counts(counted: Counter[str]) -> Counter[str]:
    """Countable-word counts from token counts (counted at C speed): each distinct token judged
    once, tokens counted 0 or less left out."""
    words: dict[str, int] = {}
    get = words.get
    for token, n in counted.items():
        if n > 0:
            word = countable_word(token)
            if word is not None:
                words[word] = get(word, 0) + n
    return Counter(words)


def _split_word_counts(counted: Counter[str], index: dict[str, int]) -> tuple[np.ndarray, Counter[str]]:
    """`_word_counts` in two parts: the counts of countable tokens in the vocabulary, per id (numpy adds
    them up in the summary), and the countable words of the other tokens."""
    size = max(index.values(), default=0) + 1
    per_id = np.zeros(size, np.int64)
    rest: Counter[str] = Counter()
    get = index.get
    for token, n in counted.items():
        if n > 0:
            word = countable_word(token)
            if word is not None:
                tid = get(token, OOV_ID)
                if tid > OOV_ID:
                    per_id[tid] += n
                else:
                    rest[word] += n
    return per_id, rest


def words_of_ids(word_ids: np.ndarray, vocab_words: Sequence[str]) -> Counter[str]:
    """Countable-word counts from per-vocabulary-id counts (`EncodedChunk.word_ids`)."""
    words = countable_table(vocab_words).words
    out: Counter[str] = Counter()
    for tid, n in zip(np.flatnonzero(word_ids).tolist(), word_ids[word_ids != 0].tolist(), strict=True):
        word = words[tid]
        if word is not None:
            out[word] += n
    return out


@dataclass
class EncodedChunk:
    """A chunk's token ids, judgement and words (what `encode_chunk` returns, from a worker or here).

    `reasons`: per tweet, 0 = judged, else a `core.judgement` reason; `languages`: row -> detected
    language of the non-English rows; the judged tweets' countable words: `word_ids` counts those in the
    vocabulary per id (`words_of_ids` names them), `words` the others by name. Words per
    sentiment class are counted once the engine has labelled the rows (summary.py): vocabulary words
    from `ids`, the others from (`oov_rows[k]`, `oov_words[k]`), the judged tweets' countable words
    outside the vocabulary among their first 50 tokens."""

    ids: np.ndarray
    words: Counter[str]
    reasons: np.ndarray
    languages: dict[int, str]
    oov_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    oov_words: list[str] = field(default_factory=list)
    word_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    # Pickled small (a worker sends one a chunk): the ids as int16 where they fit, the word counts by id
    # without their zeros. A chunk of 8192 tweets goes from ~1.9 MB to ~0.9 MB, and the app's CPU time
    # to take it off the pipe with it.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self.ids.dtype == np.int32 and self.ids.size and self.ids.max() < 2**15 and self.ids.min() >= 0:
            state["ids"] = self.ids.astype(np.int16)
        nonzero = np.flatnonzero(self.word_ids)
        state["word_ids"] = (len(self.word_ids), nonzero.astype(np.int32), self.word_ids[nonzero])
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state["ids"] = state["ids"].astype(np.int32, copy=False)
        size, nonzero, values = state["word_ids"]
        state["word_ids"] = np.zeros(size, np.int64)
        state["word_ids"][nonzero] = values
        self.__dict__.update(state)


def encode_chunk(texts: Sequence[str], index: dict[str, int], seq_len: int = SEQ_LEN) -> EncodedChunk:
    """`encode_texts` plus the judgement (core/judgement.py); words are counted on judged tweets only.

    Through the compiled tokenizer (`fast_tokens`) once it is loaded in this process, else in Python:
    the same ids, words and judgement either way (tests/test_fast_tokens.py)."""
    return _encoded(texts, fast_tokens.encode(texts, index, seq_len), index, seq_len)


def encode_chunk_utf8(utf8: Utf8Texts, index: dict[str, int], seq_len: int = SEQ_LEN) -> EncodedChunk:
    """`encode_chunk` of the texts behind `utf8` (a chunk's `text_utf8`): the compiled tokenizer
    decodes their bytes itself, so no string is made but those the judgement and the words need."""
    got = fast_tokens.encode_utf8(utf8.data, utf8.starts, utf8.ends, index, seq_len)
    if got is None:
        return encode_chunk(utf8.texts(), index, seq_len)
    fast, texts = got
    return _encoded(texts, fast, index, seq_len)


def _encoded(texts: Sequence[str], fast: fast_tokens.FastEncoded | None, index: dict[str, int],
             seq_len: int) -> EncodedChunk:
    from cta_desktop.core.judgement import JUDGED, judge_rows

    if fast is None:
        token_lists = tokenize_many(texts)
        out = encode_tokens(token_lists, index, seq_len)
        reasons, languages = judge_rows(texts, token_lists, out, index)
        word_ids, words, oov_rows, oov_words = _judged_words(token_lists, out, reasons == JUDGED, index)
        return EncodedChunk(out, words, reasons, languages, oov_rows, oov_words, word_ids)
    reasons, languages = judge_rows(texts, fast.token_lists(), fast.ids, index, walk=fast_tokens.langid_walk(),
                                    row_counts=fast.row_counts, ascii=fast.ascii)
    judged = reasons == JUDGED
    word_ids, words, oov_rows, oov_words = fast.word_counts(judged, seq_len)
    if fast.fallback:  # the tweets the kernel left to Python: counted as above, merged in row order
        rows = np.array(sorted(fast.fallback), np.int64)
        more_ids, more, more_rows, more_words = _judged_words([fast.fallback[r] for r in rows.tolist()],
                                                              fast.ids[rows], judged[rows], index)
        word_ids += more_ids
        words.update(more)
        all_rows = np.concatenate([oov_rows, rows[more_rows].astype(np.int32)])
        order = np.argsort(all_rows, kind="stable")
        all_words = oov_words + more_words
        oov_rows, oov_words = all_rows[order], [all_words[k] for k in order.tolist()]
    return EncodedChunk(fast.ids, words, reasons, languages, oov_rows, oov_words, word_ids)


def _judged_words(token_lists: Sequence[Sequence[str]], ids: np.ndarray, judged: np.ndarray,
                  index: dict[str, int]) -> tuple[np.ndarray, Counter[str], np.ndarray, list[str]]:
    """The judged rows' countable words (per vocabulary id, and by name outside it: `_split_word_counts`),
    and the rows and words of their countable words outside the vocabulary (id OOV_ID) among the tokens
    in `ids`, in row order."""
    counted = Counter(chain.from_iterable(token_lists))
    for row in np.flatnonzero(~judged).tolist():  # few: take their tokens back out
        counted.subtract(token_lists[row])
    rows, cols = np.nonzero((ids == OOV_ID) & judged[:, None])
    oov_rows: list[int] = []
    oov_words: list[str] = []
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        word = countable_word(token_lists[r][c])
        if word is not None:
            oov_rows.append(r)
            oov_words.append(word)
    word_ids, words = _split_word_counts(counted, index)
    return word_ids, words, np.asarray(oov_rows, np.int32), oov_words


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


def _init_worker(vocab: str | list[str], app_pid: int | None = None, compile_lock: Any = None) -> None:
    """Worker start-up: watch the app, build the word index (from the vocabulary file or the words),
    load the compiled tokenizer in the background (on a fresh install the first worker to take
    `compile_lock` compiles it; the others load it once it is in the cache)."""
    global _WORKER_INDEX
    fast_tokens.start_in_worker(compile=compile_lock is None or compile_lock.acquire(block=False))
    if app_pid is not None:
        threading.Thread(target=_exit_with_app, args=(app_pid,), daemon=True, name="cta-app-watch").start()
    if isinstance(vocab, str):
        from cta_desktop.core.preprocess import Vocabulary

        vocab = Vocabulary.load(vocab).words
    _WORKER_INDEX = {w: i for i, w in enumerate(vocab)}


def encode_chunk_in_worker(texts: list[str]) -> EncodedChunk:
    assert _WORKER_INDEX is not None
    return encode_chunk(texts, _WORKER_INDEX)


def encode_chunk_utf8_in_worker(utf8: Utf8Texts) -> EncodedChunk:
    assert _WORKER_INDEX is not None
    return encode_chunk_utf8(utf8, _WORKER_INDEX)


def _ping() -> int:
    return os.getpid()


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


def _vocab_source(model: Any) -> str | list[str]:
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


def get_pool(model: Any, workers: int) -> ProcessPoolExecutor | None:
    """A started pool of tokenising processes, kept for the next analysis; None if it cannot start."""
    global _POOL, _POOL_WORDS, _POOL_SIZE
    words = model.vocab.words
    with _POOL_LOCK:
        if _POOL is not None and (_POOL_WORDS is not words or _POOL_SIZE != workers or _pool_broken(_POOL)):
            _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = None
        if _POOL is None:
            method = _start_method()
            try:
                ctx = multiprocessing.get_context(method)
                if method == "forkserver":
                    # Never re-import __main__ (a script without a main guard would run again).
                    ctx.set_forkserver_preload([__name__])
                compile_lock = ctx.Lock()
                if fast_tokens.loading_here():  # the app compiles it (GUI start): the workers only load it
                    compile_lock.acquire()
                pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                           initargs=(_vocab_source(model), os.getpid(), compile_lock))
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


class Done(Generic[T]):
    """A finished 'future' for work done in-process (same interface as concurrent.futures.Future)."""

    def __init__(self, value: T):
        self._value = value

    def result(self) -> T:
        return self._value

    def cancel(self) -> bool:
        return False


def pool_size() -> int:
    """Worker processes of the kept pool (0 when there is none)."""
    return _POOL_SIZE if _POOL is not None else 0


# The old private names (tests and benchmarks reach for them).
_get_pool = get_pool
