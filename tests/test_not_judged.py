"""Tweets the model cannot judge get no sentiment, with a reason; English tweets beside them keep their labels."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from cta_desktop.core.analysis import analyze_csv, analyze_texts, export_per_tweet_csv
from cta_desktop.core.engines import best_engine
from cta_desktop.core.judgement import NO_KNOWN_WORDS, NOT_ENGLISH, NOT_JUDGED_LABEL, judge_rows
from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.modelstore import load_model
from cta_desktop.core.preprocess import tokenize
from cta_desktop.paths import shared_data_dir

FOREIGN = {
    "ko": "오늘 콘서트 정말 최고였어요! 와주신 모든 분들 감사합니다",
    "ja": "今日のライブ本当にありがとうございました！最高の夜でした",
    "zh": "今天的演唱会太棒了，谢谢大家的支持！",
    "es": "¡Gracias México! Fue una noche increíble, los quiero mucho",
    "fr": "Je suis tellement déçu par cette décision du gouvernement",
    "de": "Ich bin so enttäuscht von diesem Ergebnis, wirklich schrecklich",
    "ar": "أنا حزين جدا بسبب هذه الأخبار",
}
NO_WORDS = {"link": "https://t.co/abc123XYZ", "mention": "@someone", "number": "2024 100"}
ENGLISH = ["Thank you Paris! Merci beaucoup, what a night", "I love this so much",
           "what a terrible and rude service", "I hate mondays", "Just landed in Tokyo, konnichiwa everyone!",
           "The meeting is at noon today"]


@pytest.fixture(scope="module")
def model_engine():
    model = load_model()
    return model, best_engine(model)


@pytest.fixture(scope="module")
def mixed_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nj") / "mixed.csv"
    rows = list(FOREIGN.values()) + list(NO_WORDS.values()) + ENGLISH
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "date", "text"])
        for i, text in enumerate(rows):
            w.writerow([1000 + i, f"2021-0{1 + i % 3}-15T10:00:00", text])
    return path


def test_mixed_csv(model_engine, mixed_csv: Path, tmp_path: Path) -> None:
    model, engine = model_engine
    out = tmp_path / "per_tweet.csv"
    r = analyze_csv(mixed_csv, model=model, engine=engine, workers=0, out=out, keep_texts=True)
    n_foreign, n_nowords = len(FOREIGN), len(NO_WORDS)
    assert r.n_tweets == n_foreign + n_nowords + len(ENGLISH)
    assert r.not_judged["total"] == n_foreign + n_nowords
    assert r.not_judged["reasons"] == {"not English": n_foreign, "no known words": n_nowords}
    assert r.not_judged["languages"] == dict.fromkeys(FOREIGN, 1)
    assert sum(r.counts.values()) == len(ENGLISH) == r.n_judged
    assert sum(r.ratios.values()) == pytest.approx(1.0)
    # The English tweets keep exactly the labels they get on their own.
    alone = analyze_texts(ENGLISH, model=model, engine=engine, workers=0)
    names = r.label_names()
    assert names[-len(ENGLISH):] == alone.label_names()
    assert names[: n_foreign + n_nowords] == [NOT_JUDGED_LABEL] * (n_foreign + n_nowords)
    assert alone.label_names()[:4] == ["positive", "positive", "negative", "negative"]
    reasons = r.reason_texts()
    assert reasons[:n_foreign] == ["not English (Korean)", "not English (Japanese)", "not English (Chinese)",
                                   "not English (Spanish)", "not English (French)", "not English (German)",
                                   "not English (Arabic)"]
    assert reasons[n_foreign: n_foreign + n_nowords] == ["no known words"] * n_nowords
    assert reasons[-len(ENGLISH):] == [""] * len(ENGLISH)
    # Examples, words and months count judged tweets only.
    example_texts = {e["text"] for k in LABELS for e in r.examples[k]}
    assert example_texts <= set(ENGLISH)
    words = {w for w, _ in r.top_words}
    assert "love" in words and not words & {"gracias", "noche", "déçu", "enttäuscht"}
    assert sum(m[k] for m in r.by_month for k in LABELS) == len(ENGLISH)
    assert {w for w, _ in r.top_words_by_class["positive"]} >= {"love"}
    assert "terrible" in {w for w, _ in r.top_words_by_class["negative"]}
    # The summary JSON and both per-tweet CSVs (written while going, and from the result).
    summary = json.loads(json.dumps(r.summary_json()))
    assert summary["not_judged"]["total"] == n_foreign + n_nowords
    assert set(summary["top_words_by_class"]) == set(LABELS)
    for path in (out, export_per_tweet_csv(r, tmp_path / "again.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [row["label"] for row in rows] == names
        assert [row["reason"] for row in rows] == reasons
        assert all(row["confidence"] == "" for row in rows if row["label"] == NOT_JUDGED_LABEL)
        assert all(float(row["confidence"]) > 0 for row in rows if row["label"] != NOT_JUDGED_LABEL)


def test_judge_rows_reasons(model_engine) -> None:
    model, _ = model_engine
    index = model.vocab.index
    texts = ["https://t.co/x", "@a @b", "42", "!!!", "qzxv wbnm", "hello :)", "good", "Danke Berlin, you guys were loud!",
             "Wir müssen endlich etwas gegen den Klimawandel tun"]
    tokens = [tokenize(t) for t in texts]
    ids = model.vocab.encode(texts)
    reasons, languages = judge_rows(texts, tokens, ids, index)
    assert reasons.tolist() == [NO_KNOWN_WORDS] * 5 + [0, 0, 0, NOT_ENGLISH]  # (qzxv wbnm: too short to call)
    assert languages == {8: "de"}


def test_pool_workers_judge_the_same(model_engine, mixed_csv: Path) -> None:
    model, engine = model_engine
    here = analyze_csv(mixed_csv, model=model, engine=engine, workers=0, keep_texts=True)
    pooled = analyze_csv(mixed_csv, model=model, engine=engine, workers=2, keep_texts=True)
    assert pooled.not_judged == here.not_judged
    assert pooled.label_names() == here.label_names()
    np.testing.assert_array_equal(pooled.reasons, here.reasons)


@pytest.mark.skipif(not (shared_data_dir() / "celebrity_tweets").is_dir(), reason="needs ../shared/data")
def test_fast_path_gives_detect_languages_answers(model_engine) -> None:
    from cta_desktop.core.language import ENGLISH as EN
    from cta_desktop.core.language import detect_language

    model, _ = model_engine
    texts: list[str] = []
    for path in sorted((shared_data_dir() / "celebrity_tweets").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            texts += [r.get("text") or r.get("content") or "" for r in csv.DictReader(fh)]
    texts += [r for r in FOREIGN.values()] + ENGLISH
    # short ASCII tweets (the third fast path) and HTML entities that unescape to another script
    texts += ["the end", "merci beaucoup", "das ist gut", "hola amigo", "ok", "@bob http://x.co/a 12",
              "&#1488;&#1489;&#1490; &#1491;&#1492;", "&#xC548;&#xB155; the", "caf&eacute; au lait",
              "Привет друзья мои", "and &#1044;&#1072; &#1076;&#1072;", "vote now", "danke schön"]
    tokens = [tokenize(t) for t in texts]
    reasons, languages = judge_rows(texts, tokens, model.vocab.encode(texts), model.vocab.index)
    want = [detect_language(t, tk, model.vocab.index) for t, tk in zip(texts, tokens, strict=True)]
    assert [languages.get(i, EN) for i in range(len(texts))] == want
    assert (reasons == NOT_ENGLISH).sum() == sum(w != EN for w in want)


def test_row_counts_are_the_per_table_counts(model_engine) -> None:
    """judge_rows counts known words, marker words, words and unknown words per row with one packed
    gather: the same counts as counting each against its own table (as it did), on the shared tweets and
    on rows wider than one 63-column pass."""
    from cta_desktop.core.judgement import _packed_table, _row_counts, non_word_ids
    from cta_desktop.core.language import ENGLISH_MARKERS, word_tokens
    from cta_desktop.core.preprocess import OOV_ID

    model, _ = model_engine
    index = model.vocab.index
    texts = [r for r in FOREIGN.values()] + ENGLISH + list(NO_WORDS.values())
    if (shared_data_dir() / "celebrity_tweets").is_dir():
        for path in sorted((shared_data_dir() / "celebrity_tweets").glob("*.csv")):
            with open(path, newline="", encoding="utf-8") as fh:
                texts += [r.get("text") or r.get("content") or "" for r in csv.DictReader(fh)]
    size = max(index.values()) + 1
    markers, words = np.zeros(size, np.int64), np.zeros(size, np.int64)
    markers[[i for w, i in index.items() if w in ENGLISH_MARKERS]] = 1
    words[[i for w, i in index.items() if word_tokens([w]) and i > OOV_ID]] = 1
    packed = _packed_table(index)
    rng = np.random.default_rng(0)
    for ids in (model.vocab.encode(texts), rng.integers(0, size, (500, 130)).astype(np.int32)):
        got = _row_counts(ids, packed)
        np.testing.assert_array_equal(got[0], (~np.isin(ids, non_word_ids(index))).sum(axis=1))
        np.testing.assert_array_equal(got[1], markers[ids].sum(axis=1))
        np.testing.assert_array_equal(got[2], words[ids].sum(axis=1))
        np.testing.assert_array_equal(got[3], (ids == OOV_ID).sum(axis=1))
