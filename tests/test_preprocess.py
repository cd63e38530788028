"""Preprocessing: the study's rules, tweet-aware tokens, odd input, and the vocabulary."""

import numpy as np
import pytest

from cta_desktop.core.preprocess import (
    OOV_ID,
    PAD_ID,
    SEQ_LEN,
    Vocabulary,
    is_emoji_token,
    normalize_tweet,
    tokenize,
)


def test_study_example():
    text = "Thank you @Spotify for making my mug the cover of Pop List playlist 😊 https://t.co/abc123"
    assert tokenize(text) == ["thank", "you", "<user>", "for", "making", "my", "mug", "the", "cover", "of", "pop",
                              "list", "playlist", ":smiling_face_with_smiling_eyes:", "<url>"]


@pytest.mark.parametrize("text, expected", [
    ("see http://example.com/a?b=1 and www.test.org/x", ["see", "<url>", "and", "<url>"]),
    ("@user @BarackObama thanks", ["<user>", "<user>", "thanks"]),
    ("email me at a@b.com", ["email", "me", "at", "a", "b", "com"]),
    ("#MakeAmericaGreatAgain #nhl #COVID19", ["make", "america", "great", "again", "nhl", "covid", "<num>"]),
    ("Tom &amp; Jerry &lt;3", ["tom", "jerry", "<heart>"]),
    ("SOOOOO HAPPYYYY!!!", ["soo", "happyy", "!", "!"]),
    ("I love it 😂❤️", ["i", "love", "it", ":face_with_tears_of_joy:", ":red_heart:"]),
    ("great :) bad :( lol :D", ["great", "<smile>", "bad", "<sad>", "lol", "<lol>"]),
    ("I can’t wait", ["i", "can't", "wait"]),
    ("12,000 people at 10:30", ["<num>", "people", "at", "<num>"]),
])
def test_rules(text, expected):
    assert tokenize(text) == expected


def test_non_latin_scripts_are_kept_and_lowered():
    assert tokenize("Привет МИР! Ça va?") == ["привет", "мир", "!", "ça", "va", "?"]
    assert tokenize("日本語のツイート テスト") == ["日本語のツイート", "テスト"]
    assert tokenize("مرحبا بالعالم") == ["مرحبا", "بالعالم"]


@pytest.mark.parametrize("empty", ["", "   ", None, float("nan"), 42])
def test_empty_and_non_text(empty):
    assert tokenize(empty) == []
    assert normalize_tweet(empty) == ""


def test_emoji_only_where_present():
    assert is_emoji_token(":red_heart:") and not is_emoji_token(":") and not is_emoji_token("word")
    assert tokenize("plain ascii text") == ["plain", "ascii", "text"]
    assert tokenize("café naïve") == ["café", "naïve"]  # non-ASCII but no emoji
    assert tokenize("1️⃣ first") == [":keycap_1:", "first"]  # emoji starting with an ASCII digit


def test_vocabulary_encode_pads_truncates_and_round_trips(tmp_path):
    vocab = Vocabulary.build([["good", "day"], ["good", "night"], ["rare"]], max_size=10, min_count=2)
    assert vocab.words[:3] == ["<pad>", "<oov>", "good"]
    ids = vocab.encode(["Good unknownword", "", "good " * 80])
    assert ids.shape == (3, SEQ_LEN) and ids.dtype == np.int32
    assert ids[0, :3].tolist() == [vocab.index["good"], OOV_ID, PAD_ID]
    assert (ids[1] == PAD_ID).all()
    assert (ids[2] == vocab.index["good"]).all()
    vocab.save(tmp_path / "v.json")
    again = Vocabulary.load(tmp_path / "v.json")
    assert again.words == vocab.words
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="bad.json"):
        Vocabulary.load(tmp_path / "bad.json")


EMOJI_CASES = ["1️⃣ 2⃣ #️⃣ keycaps", "👨‍👩‍👧 family", "👍🏽👍🏿 skin tones", "🏳️‍🌈 flag 🇺🇸🇫🇷", "❤ ❤️ ♥️ hearts",
               "©2017 ® ™", "a😂b", "👩🏽‍💻 coder", "🫠 new", "naïve café ‰Û_ mojibake"]


def _celebrity_texts():
    import csv

    from cta_desktop.paths import shared_data_dir

    texts = []
    for path in sorted((shared_data_dir() / "celebrity_tweets").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            texts += [row.get("text") or row.get("content") or "" for row in csv.DictReader(fh)]
    return texts


def test_fast_demojize_matches_the_emoji_package():
    import emoji

    from cta_desktop.core.preprocess import _TOKEN_SEP_RE, _demojize

    texts = EMOJI_CASES + [t for t in _celebrity_texts() if not t.isascii()]
    for text in texts:
        ours = _TOKEN_SEP_RE.findall(_demojize(text).lower())
        theirs = _TOKEN_SEP_RE.findall(emoji.demojize(text, delimiters=(" :", ": ")).lower())
        assert ours == theirs, text
