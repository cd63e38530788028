"""`textstats.top_words_of` (the results' top words from counts per vocabulary id) against naming and
merging every word first, as the summary used to."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cta_desktop.core.textstats import countable_word, top_words, top_words_of

# Tokens: plain words, stop words and placeholders (not counted), and mojibake twins that name the
# same word as another token ("ââgood" -> "good"), which makes the table not one word per id.
TOKENS = ["good", "bad", "love", "hate", "the", "<url>", "!", "x", "ââgood", "ûóbad", "trump", "news",
          "great", "sad", "fake", "happy", "day", "night", "vote", "win"]
EXTRA_WORDS = ["good", "bad", "zebra", "yak", "news", "win", "quux", "trump"]


def _reference(counts: np.ndarray, vocab: list[str], extra: dict[str, int], n: int) -> list[tuple[str, int]]:
    merged: Counter[str] = Counter()
    for i, c in enumerate(counts.tolist()[: len(vocab)]):
        w = countable_word(vocab[i])
        if c > 0 and w is not None:
            merged[w] += c
    for w, c in extra.items():
        merged[w] += c
    return top_words(Counter({w: c for w, c in merged.items() if c > 0}), n)


@settings(max_examples=300, deadline=None)
@given(vocab=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=20, unique=True),
       values=st.lists(st.integers(-2, 6), max_size=24),
       extra=st.dictionaries(st.sampled_from(EXTRA_WORDS), st.integers(-3, 8), max_size=8),
       n=st.integers(1, 6))
def test_same_as_merging_every_word(vocab, values, extra, n):
    counts = np.array(values, np.int64)
    assert top_words_of(counts, vocab, extra, n) == _reference(counts, vocab, extra, n)


def test_ties_at_the_cut_are_broken_alphabetically_as_top_words():
    vocab = ["b", "bb", "dd", "ee", "ff", "gg"]  # "b" is one letter: never counted
    counts = np.array([9, 3, 3, 3, 1, 3], np.int64)
    assert top_words_of(counts, vocab, {"aa": 3, "zz": 2}, 3) == [("aa", 3), ("bb", 3), ("dd", 3)]
    # a word counted both ways gets its whole count, even when neither part alone reaches the top
    assert top_words_of(counts, vocab, {"ff": 5}, 1) == [("ff", 6)]


def test_on_the_shipped_vocabulary():
    from cta_desktop.core.modelstore import load_model

    words = load_model(80).vocab.words
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 40, len(words)) * (rng.random(len(words)) < 0.3)
    extra = {f"w{i}": int(c) for i, c in enumerate(rng.integers(-5, 60, 3000))}
    extra.update({words[i]: 25 for i in rng.choice(len(words), 200, replace=False).tolist()})
    for n in (1, 10, 50):
        assert top_words_of(counts, words, extra, n) == _reference(counts, words, extra, n)


def test_a_vocabulary_is_judged_once_per_list():
    """The summary hands the model's own word list on, and the table of a list stays cached while
    another list (the tokenizer's) is asked for: no analysis judges 20k vocabulary words again."""
    from cta_desktop.core.analysis.summary import RunningSummary
    from cta_desktop.core.textstats import countable_table

    words = ["aa", "the", "bb", "<url>"]
    assert RunningSummary(False, words).vocab_words is words
    table = countable_table(words)
    assert table.words == ["aa", None, "bb", None]
    other = list(words)
    assert countable_table(other) is not table
    assert countable_table(words) is table and countable_table(other) is countable_table(other)
