"""Which tweets the model can judge, and why not the others.

A tweet gets no sentiment when
  * `NOT_ENGLISH`: it is not in English (core/language.py), or
  * `NO_KNOWN_WORDS`: after preprocessing it holds no token the model knows other than
    placeholders: a bare link, @mention or number, punctuation, words outside the vocabulary.
The analysis (core/analysis) keeps a per-tweet reason code (0: judged) and leaves the others out
of ratios, examples, top words and months; the summary JSON counts them under `not_judged`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from cta_desktop.core.language import (
    ENGLISH,
    ENGLISH_MARKERS,
    MIN_WORDS,
    Walk,
    detect_languages,
    language_name,
    word_tokens,
)
from cta_desktop.core.preprocess import NUMBER_TOKEN, OOV_ID, PAD_ID, URL_TOKEN, USER_TOKEN

JUDGED = 0
NOT_ENGLISH = 1
NO_KNOWN_WORDS = 2
REASONS = {NOT_ENGLISH: "not English", NO_KNOWN_WORDS: "no known words"}
NOT_JUDGED_LABEL = "not judged"
# Tokens in the vocabulary that are not words the model can judge by.
NON_WORD_TOKENS = (URL_TOKEN, USER_TOKEN, NUMBER_TOKEN, "!", "?")


def non_word_ids(index: dict[str, int]) -> np.ndarray:
    """The vocabulary ids that do not count as a known word (padding, unknown, placeholders, ! ?)."""
    return np.array(sorted({PAD_ID, OOV_ID, *(index[t] for t in NON_WORD_TOKENS if t in index)}), np.int32)


_TABLES: dict[int, tuple[dict[str, int], np.ndarray]] = {}
_BITS = 6  # judge_rows counts four things per row in one int32 sum, 6 bits each (at most 63 tokens)


def _packed_table(index: dict[str, int]) -> np.ndarray:
    """Per id of a vocabulary index, the packed counts judge_rows sums (built once per index): 1 if it is
    a known word (not padding, unknown or a placeholder: `non_word_ids`), + 1 << 6 for an English marker
    word, + 1 << 12 for a word as language.word_tokens takes it (unknown words are counted apart),
    + 1 << 18 for the unknown-word id."""
    cached = _TABLES.get(id(index))
    if cached is None or cached[0] is not index:
        size = max(index.values(), default=0) + 1
        skip = non_word_ids(index)
        packed = np.ones(size, np.int32)
        packed[skip[skip < size]] = 0
        packed[[i for w, i in index.items() if w in ENGLISH_MARKERS]] += 1 << _BITS
        packed[[i for w, i in index.items() if word_tokens([w]) and i > OOV_ID]] += 1 << (2 * _BITS)
        if OOV_ID < size:
            packed[OOV_ID] += 1 << (3 * _BITS)
        cached = (index, packed)
        _TABLES.clear()
        _TABLES[id(index)] = cached
    return cached[1]


def _row_counts(ids: np.ndarray, packed: np.ndarray) -> np.ndarray:
    """Per row of ids: (known words, English marker words, words, unknown words), from one gather and
    one sum of the packed table per 63 columns (`_packed_table`)."""
    low = (1 << _BITS) - 1
    out = np.zeros((4, len(ids)), np.int32)
    for a in range(0, ids.shape[1], low):
        sums = packed[ids[:, a : a + low]].sum(axis=1, dtype=np.int32)
        for k in range(4):
            out[k] += (sums >> (k * _BITS)) & low
    return out


def judge_rows(texts: Sequence[str], tokens: Sequence[Sequence[str]], ids: np.ndarray, index: dict[str, int],
               skip_ids: np.ndarray | None = None, walk: Walk | None = None,
               row_counts: np.ndarray | None = None, ascii: np.ndarray | None = None) -> tuple[np.ndarray, dict[int, str]]:
    """Per-tweet reason codes (uint8, JUDGED = 0) and the detected language of each non-English row.

    `tokens[i]` is `tokenize(texts[i])`, `ids` the (n, 50) token ids. Not English comes first (a
    Korean tweet has no word the model knows either; its language is the better reason); the
    language pre-check uses the vocabulary `index`; `walk` is the identifier's compiled kernels, if
    loaded (`language.detect_languages`); `row_counts`, if given, is `_row_counts` of ids (the compiled
    tokenizer adds them up as it goes); `ascii`, if given, is `str.isascii()` of each text."""
    known, hits, known_words, unknown = _row_counts(ids, _packed_table(index)) if row_counts is None else row_counts
    known_any = known > 0 if skip_ids is None else (~np.isin(ids, skip_ids)).any(axis=1)
    reasons = np.where(known_any, JUDGED, NO_KNOWN_WORDS).astype(np.uint8)
    languages: dict[int, str] = {}
    # Fast path, same answers as detect_language: an all-ASCII tweet with two English marker words
    # among its first 50 tokens is English (detect_language's first rule), so it is not asked.
    plain = np.fromiter(map(str.isascii, texts), dtype=bool, count=len(texts)) if ascii is None else ascii
    # Second fast path, also exact: the whole tweet within the 50 ids and at least 75% of its words
    # known (unknown-word ids all counted as words, so the share is never overestimated) is English
    # by detect_language's vocabulary pre-check, whatever its earlier rules say (they say English too).
    whole = ids[:, -1] == PAD_ID  # the whole tweet is within the 50 ids
    words_at_most = known_words + unknown  # unknown-word ids all counted as words
    mostly_known = whole & (known_words > 0) & (4 * known_words >= 3 * words_at_most)
    rows = np.flatnonzero(~(((hits >= 2) & plain) | mostly_known)).tolist()
    # Third, exact as well: an ASCII tweet within the 50 ids with fewer than MIN_WORDS words, or at
    # most three of which one is a marker word, is English by detect_language's first two rules. Not
    # when it holds "&": an HTML entity can unescape to letters of another script.
    few_words = plain & whole & ((words_at_most < MIN_WORDS) | ((hits >= 1) & (words_at_most <= 3)))
    rows = [r for r in rows if not few_words[r] or "&" in texts[r]]
    take = getattr(tokens, "take", None)  # (the compiled tokenizer's lists gather many rows in one go)
    picked = take(rows) if take is not None else [tokens[r] for r in rows]
    found = detect_languages([texts[r] for r in rows], picked, index, walk)
    for row, lang in zip(rows, found, strict=True):
        if lang != ENGLISH:
            reasons[row] = NOT_ENGLISH
            languages[row] = lang
    return reasons, languages


def reason_text(code: int, language: str | None = None) -> str:
    """'not English (Korean)', 'no known words'; '' for a judged tweet."""
    if code == JUDGED:
        return ""
    if code == NOT_ENGLISH and language:
        return f"{REASONS[NOT_ENGLISH]} ({language_name(language)})"
    return REASONS.get(code, "not judged")


def not_judged_summary(reasons: np.ndarray, languages: dict[int, str]) -> dict[str, Any]:
    """The summary JSON's `not_judged`: {"total", "reasons": {reason: n}, "languages": {code: n}}."""
    counts = np.bincount(reasons, minlength=len(REASONS) + 1) if len(reasons) else np.zeros(len(REASONS) + 1, int)
    return {"total": int(counts[1:].sum()),
            "reasons": {name: int(counts[code]) for code, name in REASONS.items()},
            "languages": dict(Counter(languages.values()).most_common())}
