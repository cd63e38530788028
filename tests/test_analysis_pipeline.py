"""The one pipeline: every entry point adapts to analyze(); precomputed probabilities and an engine
cache skip the engine (engine_tweets counts the rest); retweets and replies can be left out and are
always counted; the result carries per-tweet likes and retweets."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import numpy as np

from cta_desktop.core.analysis import (
    CsvSource,
    TextsSource,
    analyze,
    analyze_csv,
    analyze_texts,
    select_rows,
)
from cta_desktop.core.datasets import TweetChunk
from cta_desktop.core.preprocess import Vocabulary

VOCAB = Vocabulary(["<pad>", "<oov>", "bad", "meh", "good", "day"])
MODEL = SimpleNamespace(vocab=VOCAB, sparsity=80)
ALL = {"include_retweets": True}  # every tweet analysed (the default leaves retweets out)
TEXTS = ["good day", "bad day", "meh", "RT @x: good good", "@bob bad", "good"]


class CountingEngine:
    """bad=0, meh=1, good=2 by the first word; counts the rows it is asked to label (warm-up excepted)."""

    name = "counting"

    def __init__(self) -> None:
        self.rows = 0

    def predict_proba(self, ids: np.ndarray) -> np.ndarray:
        if not ids.any():  # the warm-up batch is all padding
            return np.full((len(ids), 3), 1 / 3, np.float32)
        self.rows += len(ids)
        first = ids[:, 0]
        label = np.where(first == 2, 0, np.where(first == 3, 1, 2))
        p = np.full((len(ids), 3), 0.1, np.float32)
        p[np.arange(len(ids)), label] = 0.8
        return p


def test_adapters_give_the_same_result_as_analyze(tmp_path):
    path = tmp_path / "t.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "date", "favorites", "retweets"])
        for i, t in enumerate(TEXTS):
            w.writerow([t, f"2024-0{i % 3 + 1}-01", i * 10, i])
    via_csv = analyze_csv(path, model=MODEL, engine=CountingEngine(), workers=0, keep_texts=True, **ALL)
    direct = analyze(CsvSource(path), model=MODEL, engine=CountingEngine(), workers=0, keep_texts=True, **ALL)
    assert via_csv.summary_json() | {"seconds": 0} == direct.summary_json() | {"seconds": 0}
    assert via_csv.likes == [0, 10, 20, 30, 40, 50] and via_csv.retweets == [0, 1, 2, 3, 4, 5]
    texts = analyze_texts(TEXTS, model=MODEL, engine=CountingEngine(), workers=0, **ALL)
    assert texts.counts == via_csv.counts and texts.n_retweets == 1 and texts.engine_tweets == len(TEXTS)


def test_precomputed_probabilities_skip_the_engine():
    known = np.full((len(TEXTS), 3), np.nan, np.float32)
    known[[0, 2, 5]] = [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]  # deliberately not the engine's answer

    class Stored(TextsSource):
        def chunks(self):
            for chunk, done in super().chunks():
                chunk.probs = known[done - len(chunk):done]
                yield chunk, done

    engine = CountingEngine()
    result = analyze(Stored(TEXTS, batch_size=4), model=MODEL, engine=engine, workers=0, **ALL)
    assert engine.rows == 3 and result.engine_tweets == 3
    np.testing.assert_array_equal(result.probs[[0, 2, 5]], known[[0, 2, 5]])
    assert result.labels.tolist() == [2, 0, 0, 2, 2, 1]  # "@bob bad" starts with <user>


def test_engine_cache_is_asked_first_and_filled():
    class DictCache:
        def __init__(self):
            self.kept: dict[bytes, np.ndarray] = {}

        def lookup(self, ids):
            return np.array([self.kept.get(r.tobytes(), [np.nan] * 3) for r in ids], np.float32).reshape(-1, 3)

        def store(self, ids, probs):
            self.kept.update((r.tobytes(), p) for r, p in zip(ids, probs, strict=True))

    cache, engine = DictCache(), CountingEngine()
    first = analyze(TextsSource(TEXTS), model=MODEL, engine=engine, workers=0, engine_cache=cache, **ALL)
    assert first.engine_tweets == len(TEXTS) == engine.rows
    again = analyze(TextsSource(TEXTS + ["meh day"]), model=MODEL, engine=engine, workers=0, engine_cache=cache, **ALL)
    assert again.engine_tweets == 1 and engine.rows == len(TEXTS) + 1
    np.testing.assert_array_equal(again.probs[: len(TEXTS)], first.probs)


def test_retweets_and_replies_can_be_left_out_and_are_always_counted():
    is_reply = [False, False, False, False, True, False]
    kw = dict(model=MODEL, engine=CountingEngine(), workers=0, is_reply=is_reply, likes=list(range(6)))
    everything = analyze_texts(TEXTS, include_retweets=True, include_replies=True, **kw)
    originals = analyze_texts(TEXTS, include_retweets=False, include_replies=False, **kw)
    assert everything.n_tweets == 6 and originals.n_tweets == 4
    for r in (everything, originals):
        assert (r.n_retweets, r.n_replies) == (1, 1)
        assert r.summary_json()["n_retweets"] == 1 and r.summary_json()["n_replies"] == 1
    assert originals.texts == ["good day", "bad day", "meh", "good"] and originals.likes == [0, 1, 2, 5]
    assert originals.summary_json()["include_retweets"] is False


def test_select_rows_keeps_columns_aligned():
    chunk = TweetChunk(["a", "b", "c"], ["d1", None, "d3"], ["1", "2", "3"], [1, 2, 3], [4, 5, 6], [None] * 3,
                       [False, True, False], rows=3, is_reply=[], probs=np.arange(9, dtype=np.float32).reshape(3, 3),
                       row_ids=[7, 8, 9])
    out = select_rows(chunk, np.array([True, False, True]))
    assert out.texts == ["a", "c"] and out.dates == ["d1", "d3"] and out.likes == [1, 3] and out.row_ids == [7, 9]
    assert out.is_reply == [] and out.probs.tolist() == [[0, 1, 2], [6, 7, 8]]


def test_select_rows_keeps_the_texts_bytes_aligned():
    from cta_desktop.core.datasets import Utf8Texts

    raw = b" a \0b&amp;\0\xc3\xa9 c"
    utf8 = Utf8Texts(np.frombuffer(raw, np.uint8), np.array([0, 4, 11]), np.array([3, 10, 15]))
    chunk = TweetChunk(utf8.texts(), [None] * 3, [None] * 3, [None] * 3, [None] * 3, [None] * 3, [False] * 3,
                       rows=3, text_utf8=utf8)
    assert chunk.texts == ["a", "b&amp;", "é c"]
    out = select_rows(chunk, np.array([False, True, True]))
    assert out.text_utf8 is not None and out.text_utf8.texts() == out.texts == ["b&amp;", "é c"]


def test_a_csv_read_by_the_fast_reader_gives_the_same_result_from_its_bytes(tmp_path, monkeypatch):
    """The fast CSV reader hands the tokenising workers the texts' bytes (`TweetChunk.text_utf8`): the
    same result as from the texts themselves, in worker processes or here, over several chunks with
    padded texts, HTML entities, emoji, other scripts, duplicates, empty rows and retweets."""
    import pytest

    from cta_desktop.core import fast_tokens
    from cta_desktop.core.datasets import fast_csv
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.modelstore import load_model

    pytest.importorskip("numba")
    assert fast_csv.warm_up() and fast_tokens.warm_up()
    pieces = ["  I love this &amp; that ", "\u00a0so sad &lt;3\u3000", "RT @x: great day", "😀😀 happy", "",
              "오늘 정말 최고였어요", "what &quot;news&quot; &nbsp;today", "meh &ampx; ok", "Bad day. Awful!"]
    path = tmp_path / "t.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "date", "text"])
        for i in range(3000):
            w.writerow([i % 2900, "2020-01-02", f"{pieces[i % len(pieces)]} {i % 7}" if i % 11 else ""])
    from cta_desktop.core.datasets import read_tweets_csv

    chunks = list(read_tweets_csv(path, chunk_size=700))
    assert sum(c.duplicates for c in chunks) and sum(c.skipped_empty for c in chunks)
    # every chunk, duplicates and empty rows taken out, still has its texts' bytes
    assert all(c.text_utf8 is not None and c.text_utf8.texts() == c.texts for c in chunks if len(c))
    model = load_model()
    engine = best_engine(model)
    sent = []
    real = fast_csv.FastRows.column_utf8
    monkeypatch.setattr(fast_csv.FastRows, "column_utf8", lambda self, i: sent.append(1) or real(self, i))

    def result(workers: int) -> dict:
        r = analyze_csv(path, model=model, engine=engine, workers=workers, chunk_size=700, keep_texts=True)
        return {"summary": r.summary_json() | {"seconds": 0}, "probs": r.probs.tolist(), "texts": r.texts,
                "reasons": r.reasons.tolist()}

    here, pooled = result(0), result(2)
    assert sent
    monkeypatch.setattr(fast_csv.FastRows, "column_utf8", lambda self, i: (self.column(i), None))
    from_texts = result(2)
    assert pooled == from_texts == here
    assert here["summary"]["n_tweets"] > 2000
