"""Analysis: labels, ratios, examples, top words, months, most liked; pool = in-process; safe export."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import numpy as np
import pytest

from cta_desktop.core.analysis import (
    AnalysisCancelled,
    AnalysisResult,
    analyze_csv,
    analyze_texts,
    encode_texts,
    export_per_tweet_csv,
    spreadsheet_safe,
)
from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.preprocess import Vocabulary
from cta_desktop.core.textstats import STOP_WORDS, count_words, countable_word
from cta_desktop.paths import models_dir, shared_data_dir

CELEB_DIR = shared_data_dir() / "celebrity_tweets"
VOCAB = Vocabulary(["<pad>", "<oov>", "bad", "meh", "good", "day", "awful", "great"])
MODEL = SimpleNamespace(vocab=VOCAB, sparsity=80)


class WordEngine:
    """Stand-in engine: a tweet's class is the first known word (bad=0, meh=1, good=2; others by id)."""

    name = "stub"

    def predict_proba(self, ids):
        first = ids[:, 0]
        label = np.where(first == 2, 0, np.where(first == 3, 1, np.where(first == 4, 2, first % 3)))
        conf = 0.5 + 0.4 * ((ids[:, 1] % 5) / 4.0)  # the second word decides the confidence
        p = np.repeat(((1 - conf) / 2)[:, None], 3, axis=1).astype(np.float32)
        p[np.arange(len(ids)), label] = conf
        return p


def run(texts, **kw):
    kw.setdefault("model", MODEL)
    kw.setdefault("engine", WordEngine())
    kw.setdefault("workers", 0)
    return analyze_texts(texts, **kw)


def test_counts_ratios_examples():
    texts = ["bad day"] * 3 + ["bad awful"] + ["meh day"] * 2 + ["good great", "good day", "good"]
    dates = ["2020-01-05T10:00:00"] * 4 + ["2020-02-01T00:00:00"] * 2 + [None, "2020-02-03T00:00:00", "2020-03-01"]
    r = run(texts, dates=dates, likes=[1, 50, 3, 4, None, 6, 7, 100, 9])
    assert r.n_tweets == 9
    assert r.counts == {"negative": 4, "neutral": 2, "positive": 3}
    assert r.ratios["negative"] == pytest.approx(4 / 9) and sum(r.ratios.values()) == pytest.approx(1)
    assert [len(r.examples[k]) for k in LABELS] == [2, 2, 2]
    # "awful" (id 6) gives the highest confidence among the negatives.
    assert r.examples["negative"][0]["text"] == "bad awful"
    assert r.examples["negative"][0]["confidence"] >= r.examples["negative"][1]["confidence"]
    assert r.by_month == [
        {"month": "2020-01", "negative": 4, "neutral": 0, "positive": 0},
        {"month": "2020-02", "negative": 0, "neutral": 2, "positive": 1},
        {"month": "2020-03", "negative": 0, "neutral": 0, "positive": 1},
    ]
    assert [e["likes"] for e in r.most_liked["negative"]] == [50, 4, 3]
    assert r.most_liked["positive"][0]["text"] == "good day"
    assert r.labels.tolist() == [0, 0, 0, 0, 1, 1, 2, 2, 2]
    np.testing.assert_allclose(r.confidences, r.probs.max(axis=1))
    summary = r.summary_json()
    for key in ("n_tweets", "skipped_rows", "counts", "ratios", "examples", "top_words", "by_month", "seconds"):
        assert key in summary
    assert AnalysisResult.from_summary(summary, r.probs).summary_json() == summary


def test_examples_prefer_original_tweets():
    texts = ["bad great", "bad day", "bad meh"]  # confidences 0.9, 0.5, 0.8
    r = run(texts, is_retweet=[True, False, False])
    assert [e["text"] for e in r.examples["negative"]] == ["bad meh", "bad day"]
    assert r.n_retweets == 1
    r = run(texts, is_retweet=[True, True, False], include_retweets=True)  # too few originals: a retweet fills in
    assert [e["text"] for e in r.examples["negative"]] == ["bad meh", "bad great"]


def test_top_words_skip_stop_words_placeholders_emoji():
    texts = ["The DAY is good 😀 :) http://x.co/a @bob 123 !!", "day day great", "#GreatDay the day"]
    r = run(texts)
    words = dict(r.top_words)
    assert words["day"] == 5 and words["great"] == 2
    for bad in ("the", "is", "<url>", "<user>", "<num>", "<smile>", ":grinning_face:", "!"):
        assert bad not in words
    assert all(w not in STOP_WORDS for w in words)


def test_top_words_keep_at_least_twenty():
    # "the great": a known word and English evidence, else the made-up words are not judged (no known word)
    texts = ["the great " + " ".join(f"word{j}x" for j in range(i, i + 30)) for i in range(10)]
    assert len(run(texts).top_words) >= 20


def test_mojibake_is_cut_from_word_edges():
    assert countable_word("ûópresident") == "president"
    assert countable_word("hillaryâ") == "hillary"
    assert countable_word("beyoncé") == "beyoncé"
    assert countable_word("the") is None and countable_word("<url>") is None
    assert count_words([["ûópresident", "president", "a"]]) == {"president": 2}


def test_encode_matches_vocabulary_encode():
    texts = ["good day " * 40, "", "unknown words here", "bad 😀 day", None]
    ids, _ = encode_texts([t if isinstance(t, str) else "" for t in texts], VOCAB.index)
    np.testing.assert_array_equal(ids, VOCAB.encode(texts))


def test_worker_processes_give_the_same_result():
    texts = [f"{w} day {i} great" for i, w in enumerate(["good", "bad", "meh", "awful"] * 500)]
    one = run(texts, batch_size=300)
    two = run(texts, batch_size=300, workers=2)
    assert two.details["workers"] == 2
    assert one.summary_json() | {"seconds": 0} == two.summary_json() | {"seconds": 0}
    np.testing.assert_array_equal(one.probs, two.probs)


def test_progress_and_cancel():
    texts = ["good day"] * 1000
    seen = []
    run(texts, batch_size=100, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 1000)  # started, before the first batch is done
    assert seen[-1] == (1000, 1000) and len(seen) == 11
    calls = []
    with pytest.raises(AnalysisCancelled):
        run(texts, batch_size=100, cancel=lambda: len(calls) > 3 or calls.append(1))


def test_empty_input():
    r = run([])
    assert r.n_tweets == 0 and r.counts == {"negative": 0, "neutral": 0, "positive": 0}
    assert r.ratios["positive"] == 0.0 and r.top_words == [] and r.by_month == []


def test_export_is_spreadsheet_safe(tmp_path):
    texts = ["=HYPERLINK(\"http://evil\")", "+1 good", "-bad", "@user good", "\tbad", "normal good"]
    r = run(texts, dates=[None, "2020-01-01T00:00:00", None, None, None, None])
    path = export_per_tweet_csv(r, tmp_path / "per tweet é.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["text", "label", "confidence", "p_negative", "p_neutral", "p_positive", "date", "tweet_id",
                             "reason"]
    assert [row["text"] for row in rows] == ["'" + t for t in texts[:5]] + ["normal good"]
    assert rows[1]["date"] == "2020-01-01T00:00:00"
    assert all(abs(sum(float(row[f"p_{k}"]) for k in LABELS) - 1) < 1e-3 for row in rows if row["label"] != "not judged")
    assert spreadsheet_safe(3) == 3 and spreadsheet_safe("\rx") == "'\rx"


def test_analyze_csv_streams_and_writes_per_tweet(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("created_at,text,retweets\n" + "".join(f"1/{1 + i % 28}/17 9:00,good day {i},{i}\n"
                                                          for i in range(5000)) + "1/1/17 9:00,,1\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    seen = []
    r = analyze_csv(src, model=MODEL, engine=WordEngine(), workers=0, out=out, chunk_size=700,
                    progress=lambda d, t: seen.append((d, t)))
    assert r.n_tweets == 5000 and r.skipped_rows == 1
    assert r.source["encoding"] == "utf-8" and r.source["columns"]["text"] == "text"
    assert r.by_month == [{"month": "2017-01", "negative": 0, "neutral": 0, "positive": 5000}]
    assert r.most_liked["positive"][0]["retweets"] == 4999
    with open(out, newline="", encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == 5000
    assert seen[-1][0] == seen[-1][1]


real_model = pytest.mark.skipif(not (models_dir() / "cta_p80.nzb").exists() or not CELEB_DIR.is_dir(),
                                reason="models or shared data not available")


@real_model
@pytest.mark.parametrize("stem", ["elonmusk", "realdonaldtrump", "barackobama", "taylorswift13", "katyperry",
                                  "justinbieber"])
def test_real_files_with_the_real_model(stem):
    import csv as _csv

    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.modelstore import load_model

    model = load_model(80)
    path = CELEB_DIR / f"{stem}.csv"
    r = analyze_csv(path, model=model, engine=best_engine(model), workers=0)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in _csv.DictReader(fh))
    assert r.n_tweets + r.skipped_rows + r.n_retweets == rows  # retweets are counted, not analysed
    assert sum(r.counts.values()) + r.not_judged["total"] == r.n_tweets and len(r.probs) == r.n_tweets
    assert all(len(r.examples[k]) == 2 for k in LABELS)
    assert len(r.top_words) >= 20 and r.by_month and r.most_liked
    np.testing.assert_allclose(r.probs.sum(axis=1), 1, atol=1e-4)
