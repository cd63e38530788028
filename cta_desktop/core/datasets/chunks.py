"""Tweets in columns (`TweetChunk`), running totals (`ReadStats`), and the one loop that turns any
reader's rows into chunks: text cut and stripped, empty rows skipped, duplicates dropped, dates,
counts and ids parsed, retweets and replies flagged. Every reader feeds it lists of strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from operator import itemgetter
from typing import Any

import numpy as np

from cta_desktop.core.datasets.fast_csv import FastRecords, FastRows, Utf8Texts
from cta_desktop.core.datasets.mapping import ColumnMapping, Layout, column_values
from cta_desktop.core.datasets.values import (
    NA_STRINGS,
    TRUE_STRINGS,
    date_parser_for,
    generic_date,
    parse_count,
    parse_id,
)

MAX_TEXT_CHARS = 10_000  # a tweet is at most 280 characters; longer cells are cut to this
_FALSE_STRINGS = frozenset({"", "false", "0", "no", "n", "f", "-1"})


class _Utf8Parts:
    """The UTF-8 bytes behind a chunk's texts, batch by batch: only while every batch is a `FastRows`
    one and no text was cut (then a text is exactly its field's bytes, stripped)."""

    def __init__(self) -> None:
        self.parts: list[Utf8Texts] | None = []

    def add(self, part: Utf8Texts | None) -> None:
        if self.parts is not None and part is not None:
            self.parts.append(part)
        else:
            self.parts = None

    def take(self, n: int) -> Utf8Texts | None:
        """The chunk's texts (its `n` rows) in one buffer, if every row came with its bytes; starts anew."""
        parts, self.parts = self.parts, []
        if not parts or sum(map(len, parts)) != n:
            return None
        if len(parts) == 1:
            return parts[0]
        shift = np.cumsum([0] + [len(p.data) for p in parts[:-1]])
        return Utf8Texts(np.concatenate([p.data for p in parts]),
                         np.concatenate([p.starts + s for p, s in zip(parts, shift.tolist(), strict=True)]),
                         np.concatenate([p.ends + s for p, s in zip(parts, shift.tolist(), strict=True)]))


@dataclass
class TweetChunk:
    """Columns of up to `chunk_size` kept tweets, plus what happened to the rows they came from.

    `is_reply` may be empty (= no replies known). `probs`, when set, holds precomputed class
    probabilities, one row per tweet (NaN rows: not computed yet), so the engine skips those tweets.
    """

    texts: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)
    tweet_ids: list[str | None] = field(default_factory=list)
    likes: list[int | None] = field(default_factory=list)
    retweets: list[int | None] = field(default_factory=list)
    replies: list[int | None] = field(default_factory=list)
    is_retweet: list[bool] = field(default_factory=list)
    rows: int = 0  # data rows read for this chunk (kept + skipped)
    skipped_empty: int = 0
    skipped_malformed: int = 0
    duplicates: int = 0
    truncated: int = 0
    repaired: int = 0  # rows with more fields than the header, the extra ones glued into the text
    is_reply: list[bool] = field(default_factory=list)
    probs: Any = None  # numpy float32 (n, 3) or None
    row_ids: list[int] = field(default_factory=list)  # the library's row ids, when read from the library
    text_utf8: Utf8Texts | None = None  # the texts' bytes, when read by the fast CSV scan (see Utf8Texts)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def skipped_rows(self) -> int:
        return self.rows - len(self.texts)


@dataclass
class ReadStats:
    """Running totals. skipped_rows counts every data row not kept (empty, malformed, duplicate)."""

    rows: int = 0
    kept: int = 0
    skipped_empty: int = 0
    skipped_malformed: int = 0
    duplicates: int = 0
    truncated: int = 0
    repaired: int = 0
    retweets: int = 0
    replies: int = 0
    first_date: str | None = None
    last_date: str | None = None
    bytes_read: int = 0
    file_bytes: int = 0

    @property
    def skipped_rows(self) -> int:
        return self.rows - self.kept

    def add(self, chunk: TweetChunk) -> None:
        self.rows += chunk.rows
        self.kept += len(chunk)
        self.skipped_empty += chunk.skipped_empty
        self.skipped_malformed += chunk.skipped_malformed
        self.duplicates += chunk.duplicates
        self.truncated += chunk.truncated
        self.repaired += chunk.repaired
        self.retweets += sum(chunk.is_retweet)
        self.replies += sum(chunk.is_reply)
        dates = list(filter(None, chunk.dates))
        if dates:
            lo, hi = min(dates), max(dates)
            if self.first_date is None or lo < self.first_date:
                self.first_date = lo
            if self.last_date is None or hi > self.last_date:
                self.last_date = hi


@dataclass
class RowCounters:
    """What a reader counts while producing rows (rows it could not use, rows it mended)."""

    malformed: int = 0
    repaired: int = 0


def read_chunks(rows: Iterable[list[str]], layout: Layout, mapping: ColumnMapping, chunk_size: int,
                counters: RowCounters, records: FastRecords | None = None, first_sizes: Sequence[int] = (),
                at_end: Callable[[], None] | None = None) -> Iterator[TweetChunk]:
    """Turn rows (lists of strings aligned with `layout.columns`) into `TweetChunk`s.

    Duplicates (same tweet id; without an id column, same text and date; without a date column,
    an identical row) are counted and dropped; rows without text are counted and skipped;
    retweets ("RT @" or the is_retweet column) and replies (the reply_to column) are flagged.

    Rows are taken in batches of what the chunk still lacks and each column is converted at once
    (mostly at C speed); a chunk ends after the same row as it would row by row, so chunks and their
    counts do not depend on the batching. With `records` (a plain CSV, `fast_csv`), the batches come
    from there as columns already, and `rows` is not read.

    The first chunks hold `first_sizes` tweets, the others `chunk_size` (a pipeline starts sooner on
    small ones). Every chunk but the last is full; the last one (maybe empty) comes after `at_end()`
    is called, once every row has been read.
    """
    cols = layout.columns

    def idx(col: str | None) -> int:
        return cols.index(col) if col is not None else -1

    m = mapping
    ti, di, ii = idx(m.text), idx(m.date), idx(m.id)
    li, ri, pi, rti, rpi = idx(m.likes), idx(m.retweets), idx(m.replies), idx(m.is_retweet), idx(m.reply_to)
    need = max(ti, di, ii, li, ri, pi, rti, rpi) + 1
    date_parser = None
    if di >= 0:
        date_parser = date_parser_for(column_values(layout, di)) or generic_date
    seen: set[int] = set()
    chunk = TweetChunk()
    malformed0 = repaired0 = 0

    utf8 = _Utf8Parts()

    def flush(c: TweetChunk) -> None:
        nonlocal malformed0, repaired0
        c.text_utf8 = utf8.take(len(c.texts))
        c.skipped_malformed = counters.malformed - malformed0
        c.repaired = counters.repaired - repaired0
        c.rows += c.skipped_malformed
        malformed0, repaired0 = counters.malformed, counters.repaired

    it = iter(rows)
    where = (ti, di, ii, li, ri, pi, rti, rpi)
    width = len(cols)
    sizes = iter([max(1, int(n)) for n in first_sizes])
    size = next(sizes, chunk_size)
    while True:
        batch: list[list[str]] | FastRows | None
        if records is not None:
            batch = records.take(size - len(chunk.texts))
        else:
            batch = list(islice(it, size - len(chunk.texts)))
        if not batch:
            break
        _add_rows(chunk, batch, need, counters, seen, where, date_parser, width, utf8)
        if len(chunk.texts) >= size:
            flush(chunk)
            yield chunk
            chunk = TweetChunk()
            size = next(sizes, chunk_size)
    flush(chunk)
    if at_end is not None:
        at_end()
    yield chunk


def _column(rows: list[list[str]] | FastRows, i: int) -> list[str]:
    if isinstance(rows, FastRows):
        return rows.column(i)
    return list(map(itemgetter(i), rows))


def _take(rows: list[list[str]] | FastRows, keep: list[int]) -> list[list[str]] | FastRows:
    if isinstance(rows, FastRows):
        return rows.take(keep)
    return [rows[i] for i in keep]


def _count_column(rows: list[list[str]] | FastRows, i: int) -> list[int | None]:
    if isinstance(rows, FastRows):  # plain digits parsed by the scan's kernel, the rest as below
        values, others = rows.counts(i)
        for r, v in zip(others, _counts([rows.field(r, i) for r in others]), strict=True):
            values[r] = v
        return values
    return _counts(_column(rows, i))


def _row_keys(rows: list[list[str]] | FastRows, width: int) -> list[int]:
    if isinstance(rows, FastRows):
        return rows.row_keys(width)
    return [hash(tuple(row)) for row in rows]


def _ids(values: list[str]) -> list[str | None]:
    if all(map(str.isdigit, values)):  # the usual column: parse_id returns digits as they are
        return list(values)
    return [v if v.isdigit() else parse_id(v) for v in values]


def _counts(values: list[str]) -> list[int | None]:
    # short runs of digits: int() as parse_count would (a longer one may pass int()'s digit limit)
    return [int(v) if len(v) < 19 and v.isdecimal() else (parse_count(v) if v else None) for v in values]


def _add_rows(chunk: TweetChunk, batch: list[list[str]] | FastRows, need: int, counters: RowCounters,
              seen: set[int], where: tuple[int, ...], date_parser: Any, width: int, utf8: _Utf8Parts) -> None:
    """Add a batch of rows to the chunk, column by column (`read_chunks`); the texts' bytes to `utf8`."""
    ti, di, ii, li, ri, pi, rti, rpi = where
    if not isinstance(batch, FastRows) and min(map(len, batch)) < need:  # rows too short for every mapped column
        good = [row for row in batch if len(row) >= need]
        counters.malformed += len(batch) - len(good)
        batch = good
    chunk.rows += len(batch)
    part: Utf8Texts | None = None
    if isinstance(batch, FastRows):
        texts, part = batch.column_utf8(ti)
    else:
        texts = _column(batch, ti)
    if max(map(len, texts), default=0) > MAX_TEXT_CHARS:
        chunk.truncated += sum(len(t) > MAX_TEXT_CHARS for t in texts)
        texts = [t[:MAX_TEXT_CHARS] for t in texts]
        part = None  # (a cut text is no longer its field's bytes)
    texts = list(map(str.strip, texts))
    na = NA_STRINGS
    if not (all(texts) and na.isdisjoint(texts)):  # (checked at C speed: most batches have no empty text)
        keep = [i for i, t in enumerate(texts) if t and t not in na]
        chunk.skipped_empty += len(texts) - len(keep)
        batch, texts = _take(batch, keep), [texts[i] for i in keep]
        part = part.take(keep) if part is not None else None
    if date_parser is None:
        dates: list[str | None] = [None] * len(batch)
    elif isinstance(batch, FastRows):
        dates = batch.dates(di, date_parser)
    else:
        dates = list(map(date_parser, _column(batch, di)))
    tids = _ids(_column(batch, ii)) if ii >= 0 else [None] * len(batch)
    # The same tweet twice: same id; without ids, same text and date; without dates, same row.
    if ii >= 0 and None not in tids:
        keys = list(map(hash, tids))  # (a str caches its hash)
    else:
        row_keys = _row_keys(batch, width) if di < 0 else [0] * len(batch)
        keys = [hash(tid) if tid is not None else (hash((text, date)) if di >= 0 else row_key)
                for tid, text, date, row_key in zip(tids, texts, dates, row_keys, strict=True)]
    # The usual batch: no tweet seen before, none twice (two passes over the keys).
    before = len(seen)
    usual = seen.isdisjoint(keys)
    if usual:
        seen.update(keys)
        if len(seen) - before != len(keys):  # the same tweet twice within the batch: take them back out
            seen.difference_update(keys)  # (none of them was there before)
            usual = False
    if not usual:
        fresh: list[int] = []
        for i, key in enumerate(keys):
            if key not in seen:
                seen.add(key)
                fresh.append(i)
        chunk.duplicates += len(keys) - len(fresh)
        if len(fresh) < len(keys):
            batch, texts = _take(batch, fresh), [texts[i] for i in fresh]
            dates, tids = [dates[i] for i in fresh], [tids[i] for i in fresh]
            part = part.take(fresh) if part is not None else None
    n = len(batch)
    utf8.add(part)
    chunk.texts += texts
    chunk.dates += dates
    chunk.tweet_ids += tids
    for values, col in ((chunk.likes, li), (chunk.retweets, ri), (chunk.replies, pi)):
        values += _count_column(batch, col) if col >= 0 else [None] * n
    flags = list(map(str.startswith, texts, repeat("RT @")))
    if rti >= 0:
        true = TRUE_STRINGS
        flags = [f or v.strip().lower() in true for f, v in zip(flags, _column(batch, rti), strict=True)]
    chunk.is_retweet += flags
    if rpi >= 0:
        false = _FALSE_STRINGS
        chunk.is_reply += [v.strip().lower() not in false and v.strip() not in na for v in _column(batch, rpi)]
    else:
        chunk.is_reply += [False] * n


__all__ = ["TweetChunk", "Utf8Texts", "ReadStats", "RowCounters", "read_chunks", "MAX_TEXT_CHARS"]
