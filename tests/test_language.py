"""Language identification: foreign tweets are found, English ones (with a foreign word or name) stay English."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cta_desktop.core import language
from cta_desktop.core.language import ENGLISH, detect_language, is_english, language_name
from cta_desktop.core.preprocess import tokenize
from cta_desktop.paths import shared_data_dir

CHECK_SET = Path(__file__).parent / "data" / "multilingual_tweets.csv"


def check_rows() -> list[dict[str, str]]:
    with open(CHECK_SET, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", check_rows(), ids=lambda r: f"{r['lang']}:{r['text'][:24]}")
def test_check_set_language(row: dict[str, str]) -> None:
    assert detect_language(row["text"]) == row["lang"]


def test_english_with_foreign_words_stays_english() -> None:
    assert is_english("Thank you Paris! Merci beaucoup, what a night")
    assert is_english("Happy Lunar New Year! 新年快乐 to all my fans")
    assert not is_english("Merci à tous pour ce concert magnifique à Paris hier soir !")


def test_nothing_to_identify_is_english_here() -> None:
    # Links, mentions and numbers alone are not words: the "no known words" reason takes them.
    for text in ("", "https://t.co/abc", "@someone", "2024", "❤️❤️"):
        assert detect_language(text) == ENGLISH


def test_tokens_and_vocab_precheck_give_the_same_answers() -> None:
    vocab = {"the", "a", "great", "day", "team", "win", "today", "big", "news"}
    for row in check_rows():
        toks = tokenize(row["text"])
        assert detect_language(row["text"], toks) == detect_language(row["text"])
        assert detect_language(row["text"], toks, vocab) == row["lang"]


def test_language_names() -> None:
    assert language_name("de") == "German"
    assert language_name("xx") == "xx"


@pytest.mark.skipif(not (shared_data_dir() / "celebrity_tweets").is_dir(), reason="needs ../shared/data")
def test_english_archives_stay_english_and_precheck_changes_nothing() -> None:
    from cta_desktop.core.modelstore import load_model

    vocab = load_model().vocab.index
    texts = []
    for path in sorted((shared_data_dir() / "celebrity_tweets").glob("*.csv"))[:3]:
        with open(path, newline="", encoding="utf-8") as fh:
            texts += [r.get("text") or r.get("content") or "" for r in csv.DictReader(fh)]
    plain = [detect_language(t) for t in texts]
    assert sum(lang != ENGLISH for lang in plain) <= 0.002 * len(texts)  # a few really foreign tweets
    assert [detect_language(t, tokenize(t), vocab) for t in texts] == plain
    assert language._IDENTIFIER is not None
