"""The running summary: what the results need, kept while the tweets stream past in chunks.

Counts, the most confident examples per class (original tweets before retweets), word counts,
counts by month, the most-liked tweets and the per-tweet probabilities (17 bytes a tweet); the
texts, dates, ids, likes and retweet counts only when asked to keep them (tables, exports).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

import numpy as np

from cta_desktop.core.analysis.result import (
    EXAMPLES_PER_CLASS,
    MOST_LIKED_PER_CLASS,
    NOT_JUDGED_CODE,
    TOP_WORDS_KEPT,
    AnalysisResult,
)
from cta_desktop.core.analysis.workers import EncodedChunk
from cta_desktop.core.datasets import TweetChunk
from cta_desktop.core.judgement import not_judged_summary
from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.textstats import top_words_of

Ranked = list[tuple[float, int, dict[str, Any]]]  # (sort key, position, entry)


def _entry(chunk: TweetChunk, i: int, conf: float, probs: np.ndarray) -> dict[str, Any]:
    e: dict[str, Any] = {"text": html.unescape(chunk.texts[i]), "confidence": round(float(conf), 4), "date": chunk.dates[i],
                         "tweet_id": chunk.tweet_ids[i]}
    if chunk.is_retweet[i]:
        e["is_retweet"] = True
    return e


def _top_probability(probs: np.ndarray) -> np.ndarray:
    """probs.max(axis=1), column by column (numpy reduces a 3-wide axis ~10x slower)."""
    if probs.ndim != 2 or not probs.shape[1]:
        return probs.max(axis=1)
    top = probs[:, 0].copy()
    for j in range(1, probs.shape[1]):
        np.maximum(top, probs[:, j], out=top)
    return top


def _top_rows(idx: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """The k rows of idx (ascending) of highest value, as idx[np.argsort(-values[idx], kind="stable")][:k]:
    only the rows at or above the k-th highest are sorted (confidences, or like counts)."""
    if len(idx) > 4 * k:
        minus = -values[idx]
        kth = np.partition(minus, k - 1)[k - 1]
        if not (minus.dtype.kind == "f" and np.isnan(kth)):  # (NaN sorts last: then every row is sorted)
            idx = idx[minus <= kth]
    return idx[np.argsort(-values[idx], kind="stable")][:k]


_DIGITS = (0, 1, 2, 3, 5, 6)  # "YYYY-MM": the digits of an ISO date's month, and "-" at 4


def _months_by_class(dates: list[str | None], labels: np.ndarray, n_classes: int) -> Counter[tuple[str, int]] | None:
    """Counts of (date[:7], class) over the rows of a class (labels 0..n_classes-1), at numpy speed when
    every date is an ASCII string starting "YYYY-MM" (as the readers write them, with or without a time
    and a zone); else None (then the caller counts them one by one)."""
    n = len(dates)
    if not n or None in dates:
        return None
    try:
        buf = np.frombuffer("".join(dates).encode("ascii"), np.uint8)  # type: ignore[arg-type]
        lengths = np.fromiter(map(len, dates), np.int64, n)  # type: ignore[arg-type]
    except (TypeError, UnicodeEncodeError):
        return None
    width = int(lengths[0])
    if lengths.min() < 7:
        return None
    if (lengths == width).all():  # (one length: the usual file)
        chars = buf.reshape(n, width)[:, :7].astype(np.int64)
    else:  # each date from its own start
        starts = np.cumsum(lengths) - lengths
        chars = buf[starts[:, None] + np.arange(7)].astype(np.int64)
    digits = chars[:, _DIGITS] - 48
    if not (((digits >= 0) & (digits <= 9)).all() and (chars[:, 4] == 45).all()):
        return None
    month = digits @ np.array([100000, 10000, 1000, 100, 10, 1], np.int64)  # YYYYMM
    rows = labels < n_classes
    keys, counts = np.unique(month[rows] * n_classes + labels[rows], return_counts=True)
    out: Counter[tuple[str, int]] = Counter()
    for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
        ym, c = divmod(key, n_classes)
        out[(f"{ym // 100:04d}-{ym % 100:02d}", c)] = count
    return out


def _counts(values: Sequence[int | None], n: int) -> np.ndarray:
    """int64 counts, -1 where none (None or negative); converted in C (None -> NaN), huge ones capped."""
    if len(values) != n:
        return np.full(n, -1, np.int64)
    try:  # the usual column: every count known, none past int64
        whole = np.array(values, dtype=np.int64)
    except (TypeError, OverflowError):
        pass
    else:
        return np.where(whole < 0, -1, np.minimum(whole, 2**62))
    a = np.array(values, dtype=np.float64)
    return np.where(np.isnan(a) | (a < 0), -1.0, np.minimum(a, 2.0**62)).astype(np.int64)


class RunningSummary:
    """Adds chunks of labelled tweets; `result()` makes the AnalysisResult."""

    def __init__(self, keep_texts: bool, vocab_words: Sequence[str] = ()):
        self.n = 0
        self.counts = np.zeros(len(LABELS), np.int64)
        self.prob_parts: list[np.ndarray] = []
        self.examples: dict[int, Ranked] = {c: [] for c in range(len(LABELS))}
        self.examples_rt: dict[int, Ranked] = {c: [] for c in range(len(LABELS))}
        self.liked: dict[int, Ranked] = {c: [] for c in range(len(LABELS))}
        self.months: Counter[tuple[str, int]] = Counter()
        # Judged tweets only: their words outside the vocabulary (EncodedChunk.words), counted in numpy by
        # a number per word (its order of first sight, `_oov_ids`); named again in `result()`.
        self._oov_ids: dict[str, int] = {}
        self._oov_total = np.zeros(0, np.int64)
        self.word_ids = np.zeros(0, np.int64)  # and those in it, per id (EncodedChunk.word_ids)
        # Words per class: counts of vocabulary ids in each class's judged tweets (the model's 50 tokens).
        # (the model's own list, not a copy: textstats keeps its countable words by the list it is given)
        self.vocab_words = vocab_words if isinstance(vocab_words, list) else list(vocab_words)
        self.class_ids = np.zeros((len(LABELS), max(1, len(self.vocab_words))), np.int64)
        self._oov_class = np.zeros((len(LABELS), 0), np.int64)  # words outside the vocabulary, by `_oov_ids`
        self.reason_parts: list[np.ndarray] = []
        self.languages: dict[int, str] = {}  # row -> language of the non-English rows
        self.has_likes = False
        self.has_retweet_counts = False
        self.keep = keep_texts
        self.texts: list[str] = []
        self.dates: list[str | None] = []
        self.ids: list[str | None] = []
        self.likes: list[int | None] = []
        self.shares: list[int | None] = []
        self.row_ids: list[int] = []

    def add(self, chunk: TweetChunk, probs: np.ndarray, encoded: EncodedChunk) -> None:
        """Only judged tweets (encoded.reasons == 0) count; the others keep their reason and probabilities."""
        k = EXAMPLES_PER_CLASS
        judged = encoded.reasons == 0
        # Not-judged rows get a label no class has, so every per-class step below passes them by.
        labels = np.where(judged, probs.argmax(axis=1), NOT_JUDGED_CODE)
        conf = _top_probability(probs)
        self.counts += np.bincount(labels[judged], minlength=len(LABELS))[: len(LABELS)]
        self.prob_parts.append(probs.astype(np.float32, copy=False))
        self.reason_parts.append(encoded.reasons)
        if encoded.words:
            ids = self._word_numbers(list(encoded.words))  # (each word once: a plain add)
            self._oov_total[ids] += np.fromiter(encoded.words.values(), np.int64, len(ids))
        if len(encoded.word_ids):
            if len(encoded.word_ids) > len(self.vocab_words):
                raise ValueError("word counts by vocabulary id need the vocabulary's words (vocab_words)")
            if len(self.word_ids) < len(encoded.word_ids):
                self.word_ids = np.pad(self.word_ids, (0, len(encoded.word_ids) - len(self.word_ids)))
            self.word_ids[: len(encoded.word_ids)] += encoded.word_ids
        if self.vocab_words:  # per class, one bincount of its rows' ids (not-judged rows are in no class)
            width = self.class_ids.shape[1]
            for c in range(len(LABELS)):
                counted = np.bincount(encoded.ids[labels == c].ravel(), minlength=width)[:width]
                counted[:2] = 0  # ids 0 and 1: padding and the unknown-word marker
                self.class_ids[c] += counted
        if encoded.oov_words:  # per class, its rows' words: one bincount of (class, word number)
            ids = self._word_numbers(encoded.oov_words)
            oov_labels = labels[encoded.oov_rows]
            in_class = oov_labels < len(LABELS)
            width = self._oov_class.shape[1]
            self._oov_class += np.bincount(oov_labels[in_class] * width + ids[in_class],
                                           minlength=self._oov_class.size).reshape(self._oov_class.shape)
        rt = np.fromiter(chunk.is_retweet, dtype=bool, count=len(chunk))
        base = self.n
        self.languages.update({base + r: lang for r, lang in encoded.languages.items()})
        for c in range(len(LABELS)):
            idx = np.flatnonzero(labels == c)
            if not len(idx):
                continue
            for target, pick in ((self.examples[c], _top_rows(idx[~rt[idx]], conf, k)),
                                 (self.examples_rt[c], _top_rows(idx[rt[idx]], conf, k))):
                target.extend((-float(conf[i]), base + int(i), _entry(chunk, int(i), conf[i], probs[i])) for i in pick)
                target.sort(key=lambda t: (t[0], t[1]))
                del target[k:]
        self._add_liked(chunk, labels, conf, probs, base)
        # Months ("YYYY-MM" of the ISO dates) per class: at numpy speed for the usual dates, else at C speed.
        dates = chunk.dates
        fast = _months_by_class(dates, labels, len(LABELS))
        if fast is not None:
            self.months.update(fast)
        else:
            months: list[str | None] = (list(map(itemgetter(slice(0, 7)), dates)) if None not in dates  # type: ignore[arg-type]
                      else [d[:7] if d else None for d in dates])
            for c in range(len(LABELS)):
                for month, count in Counter(compress(months, (labels == c).tolist())).items():
                    if month:
                        self.months[(month, c)] += count
        if self.keep:
            self.texts.extend(chunk.texts)
            self.dates.extend(chunk.dates)
            self.ids.extend(chunk.tweet_ids)
            self.likes.extend(chunk.likes)
            self.shares.extend(chunk.retweets)
        self.row_ids.extend(chunk.row_ids)
        self.n += len(chunk)

    def _word_numbers(self, words: list[str]) -> np.ndarray:
        """Each word's number in `_oov_ids` (new words get the next ones); the count arrays grow to fit."""
        index = self._oov_ids
        try:  # the words seen before: looked up at C speed
            ids = np.fromiter(map(index.__getitem__, words), np.int64, len(words))
        except KeyError:
            ids = np.array([index.setdefault(w, len(index)) for w in words], np.int64)
        if len(index) > len(self._oov_total):
            size = max(len(index), 2 * len(self._oov_total), 1024)
            self._oov_total = np.pad(self._oov_total, (0, size - len(self._oov_total)))
            self._oov_class = np.pad(self._oov_class, ((0, 0), (0, size - self._oov_class.shape[1])))
        return ids

    @staticmethod
    def _oov_counts(counts: np.ndarray, words: list[str]) -> dict[str, int]:
        """{word: count} of the words outside the vocabulary (`words`: `_oov_ids` in number order) counted
        more than 0 times in `counts`."""
        nonzero = np.flatnonzero(counts[: len(words)] > 0)
        return dict(zip([words[i] for i in nonzero.tolist()], counts[nonzero].tolist(), strict=True))

    def _add_liked(self, chunk: TweetChunk, labels: np.ndarray, conf: np.ndarray, probs: np.ndarray, base: int) -> None:
        likes, shares = _counts(chunk.likes, len(chunk)), _counts(chunk.retweets, len(chunk))
        self.has_likes |= bool((likes >= 0).any())
        self.has_retweet_counts |= bool((shares >= 0).any())
        key = likes if (likes >= 0).any() else shares
        if not (key >= 0).any():
            return
        for c in range(len(LABELS)):
            idx = np.flatnonzero((labels == c) & (key >= 0))
            if not len(idx):
                continue
            top = _top_rows(idx, key, MOST_LIKED_PER_CLASS)
            target = self.liked[c]
            for i in top:
                e = _entry(chunk, int(i), conf[i], probs[i])
                e["likes"] = None if likes[i] < 0 else int(likes[i])
                e["retweets"] = None if shares[i] < 0 else int(shares[i])
                if chunk.replies[i] is not None:
                    e["replies"] = chunk.replies[i]
                target.append((-int(key[i]), base + int(i), e))
            target.sort(key=lambda t: (t[0], t[1]))
            del target[MOST_LIKED_PER_CLASS:]

    def _class_top_words(self, oov_words: list[str]) -> dict[str, list[tuple[str, int]]]:
        """Per class, the countable words most used in its judged tweets (their first 50 tokens)."""
        return {name: top_words_of(self.class_ids[c], self.vocab_words, self._oov_counts(self._oov_class[c], oov_words),
                                   TOP_WORDS_KEPT)
                for c, name in enumerate(LABELS)}

    def result(self, **extra: Any) -> AnalysisResult:
        n = self.n
        probs = np.concatenate(self.prob_parts) if self.prob_parts else np.zeros((0, len(LABELS)), np.float32)
        labels = probs.argmax(axis=1).astype(np.uint8) if n else np.zeros(0, np.uint8)
        confidences = _top_probability(probs) if n else np.zeros(0, np.float32)
        reasons = np.concatenate(self.reason_parts) if self.reason_parts else np.zeros(0, np.uint8)
        oov_words = list(self._oov_ids)  # (named once for the four word lists)
        counts = {name: int(self.counts[i]) for i, name in enumerate(LABELS)}
        n_judged = sum(counts.values())
        ratios = {name: (counts[name] / n_judged if n_judged else 0.0) for name in LABELS}
        examples: dict[str, list[dict[str, Any]]] = {}
        for c, name in enumerate(LABELS):
            chosen = [e for _, _, e in self.examples[c]]
            chosen += [e for _, _, e in self.examples_rt[c]][: EXAMPLES_PER_CLASS - len(chosen)]
            examples[name] = chosen
        months = sorted({m for m, _ in self.months})
        by_month = [{"month": m, **{name: self.months.get((m, c), 0) for c, name in enumerate(LABELS)}}
                    for m in months]
        most_liked: dict[str, list[dict[str, Any]]] = {}
        if self.has_likes or self.has_retweet_counts:
            most_liked = {name: [e for _, _, e in self.liked[c]] for c, name in enumerate(LABELS)}
        return AnalysisResult(
            n_tweets=n, counts=counts, ratios=ratios, examples=examples,
            top_words=top_words_of(self.word_ids, self.vocab_words, self._oov_counts(self._oov_total, oov_words),
                                   TOP_WORDS_KEPT),
            by_month=by_month, most_liked=most_liked,
            reasons=reasons, languages=self.languages, not_judged=not_judged_summary(reasons, self.languages),
            top_words_by_class=self._class_top_words(oov_words),
            labels=labels, confidences=confidences.astype(np.float32), probs=probs,
            texts=self.texts if self.keep else None, dates=self.dates if self.keep else None,
            tweet_ids=self.ids if self.keep else None, likes=self.likes if self.keep else None,
            retweets=self.shares if self.keep else None, row_ids=self.row_ids if len(self.row_ids) == n else None,
            **extra,
        )
