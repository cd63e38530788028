"""Word statistics for the results page: which words a person uses most.

Words are counted on the tokens of `preprocess.tokenize`, so they match what the model sees.
Placeholders (<url>, <user>, <num>), emoticon tokens, emoji names, "!"/"?", one-letter tokens and
common English function words are not counted: they say nothing about the person.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# A reasonable English stop-word list for tweets: function words, contractions (with and without
# the apostrophe, as people type them), and Twitter noise ("rt", "amp", "via").
STOP_WORDS = frozenset("""
a about above after again against ago all almost also although always am among an and another any
anyone anything are aren aren't around as at away back be became because been before being below
between both but by came can can't cannot could couldn couldn't did didn didn't do does doesn doesn't
doing don don't done down during each either else even ever every few for from further get gets
getting go goes going gone got had hadn hadn't has hasn hasn't have haven haven't having he he'd
he'll he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've id
if im in into is isn isn't it it'd it'll it's its itself ive just let let's lets like ll made make
many may me might mine more most much must mustn mustn't my myself need no nor not now o of off
often on once one only or other others our ours ourselves out over own per put rather re really s
said same say says see seem shall shan't she she'd she'll she's should shouldn shouldn't since so
some still such t than that that's thats the their theirs them themselves then there there's
therefore these they they'd they'll they're they've thing things this those though through thru to
too toward towards u under until up upon ur us use used very via was wasn wasn't way we we'd we'll
we're we've were weren weren't what what's whatever when when's where where's whether which while
who who's whom whose why why's will with within without won won't would wouldn wouldn't y yet you
you'd you'll you're you've your yours yourself yourselves youre
rt amp http https www com co t.co gt lt via cc dm
""".split())

_NOT_WORD_START = frozenset("<:!?")
# Mojibake glued to words, as in the FiveThirtyEight archives: "‰ÛÓPresident" tokenises to
# "ûópresident" and "I’m" mangled to "Iâ€™m" gives "iâ". Runs of these characters at a word's
# edge are cut off for counting (real words rarely start with two of them or end in "â").
_MOJIBAKE_EDGES = re.compile(r"^[âûóªïòùœ]{2,}|â+$")


def countable_word(token: str) -> str | None:
    """The word to count for a token, or None for tokens that say nothing about the person."""
    if not token.isascii():
        token = _MOJIBAKE_EDGES.sub("", token)
    if len(token) > 1 and token[0] not in _NOT_WORD_START and token not in STOP_WORDS:
        return token
    return None


def is_countable_word(token: str) -> bool:
    """True for tokens that are real words worth counting (as they are, without mojibake repair)."""
    return countable_word(token) == token


def count_words(token_lists: Iterable[list[str]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(word_list(tokens))
    return counts


def word_list(tokens: list[str]) -> list[str]:
    """The countable words of one tweet's tokens."""
    out = []
    for t in tokens:
        if t.isascii():
            if len(t) > 1 and t[0] not in _NOT_WORD_START and t not in STOP_WORDS:
                out.append(t)
        else:
            w = countable_word(t)
            if w is not None:
                out.append(w)
    return out


def top_words(counts: Counter[str], n: int = 50) -> list[tuple[str, int]]:
    """The n most frequent words, ties broken alphabetically (stable across runs)."""
    return heapq.nsmallest(n, counts.items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class _CountableTable:
    """A vocabulary's countable words by id (`countable_word` of each token), made once per vocabulary."""

    words: list[str | None]
    countable: np.ndarray  # bool per id
    index: dict[str, int]  # countable word -> its id (the first, when two ids name one word)
    unique: bool  # no two ids name the same word


_TABLES: dict[int, tuple[Sequence[str], _CountableTable]] = {}
_TABLES_KEPT = 4


def countable_table(vocab_words: Sequence[str]) -> _CountableTable:
    """The countable word of each vocabulary id (`countable_word` of its token, None where not counted),
    with a mask and a word -> id index; made once per vocabulary (the last few asked are kept: the
    summary's and the tokenizer's vocabularies are two lists)."""
    cached = _TABLES.get(id(vocab_words))
    if cached is None or cached[0] is not vocab_words:
        words = [countable_word(w) for w in vocab_words]
        index: dict[str, int] = {}
        for i, w in enumerate(words):
            if w is not None:
                index.setdefault(w, i)
        table = _CountableTable(words, np.array([w is not None for w in words], bool), index,
                                len(index) == sum(w is not None for w in words))
        cached = (vocab_words, table)
        while len(_TABLES) >= _TABLES_KEPT:
            del _TABLES[next(iter(_TABLES))]  # the oldest
        _TABLES[id(vocab_words)] = cached
    return cached[1]


def top_words_of(counts_by_id: np.ndarray, vocab_words: Sequence[str], extra: Mapping[str, int] | None = None,
                 n: int = 50) -> list[tuple[str, int]]:
    """`top_words` of the words counted per vocabulary id (`counts_by_id[i]` times the token
    `vocab_words[i]`, named by `countable_word`) plus those counted by name in `extra`; words
    counted 0 or less left out. The same list as naming and merging every word first, but only the
    words that can reach the top n are named: those counted at least as often as the n-th most
    counted id, or as the n-th word of `extra`, and the words counted both ways."""
    t = countable_table(vocab_words)
    extra = extra if extra is not None else {}
    v = np.asarray(counts_by_id)[: len(t.words)]
    ids = np.flatnonzero((v > 0) & t.countable[: len(v)])
    counts = v[ids]
    merged: dict[str, int] = {}
    if not t.unique:  # two ids name one word: merge them all by name
        for i, c in zip(ids.tolist(), counts.tolist(), strict=True):
            w = t.words[i]
            assert w is not None
            merged[w] = merged.get(w, 0) + c
        for w, c in extra.items():
            merged[w] = merged.get(w, 0) + c
        return top_words(Counter({w: c for w, c in merged.items() if c > 0}), n)
    # Each id is a word of its own, so n ids counted at least `floor` times each are n words counted at
    # least that often: nothing counted less can be among the top n (likewise for n words of `extra`).
    floor = 1
    names = list(extra)
    values = np.fromiter(extra.values(), np.int64, len(names))
    if len(counts) > n and not (values < 0).any():  # (a negative count in extra could lower one)
        floor = max(floor, int(np.partition(counts, len(counts) - n)[len(counts) - n]))
    positive = values[values > 0]
    if len(positive) > n:
        floor = max(floor, int(np.partition(positive, len(positive) - n)[len(positive) - n]))
    keep = ids[counts >= floor]
    merged = dict(zip([t.words[i] for i in keep.tolist()], v[keep].tolist(), strict=True))
    # `extra`'s words that can reach the top n, picked at C speed: those at or above the floor, and
    # those counted both ways (each gets its whole count, whatever the floor).
    at_floor = np.flatnonzero(values >= floor).tolist()
    both = extra.keys() & t.index.keys()
    for w in [*map(names.__getitem__, at_floor), *both]:
        i = t.index.get(w)
        c = extra[w]
        merged[w] = (int(v[i]) if i < len(v) and v[i] > 0 else 0) + c if i is not None else c
    return top_words(Counter({w: c for w, c in merged.items() if c > 0}), n)
