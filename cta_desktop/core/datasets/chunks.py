"""Tweets in columns (`TweetChunk`), running totals (`ReadStats`), and the one loop that turns any
reader's rows into chunks: text cut and stripped, empty rows skipped, duplicates dropped, dates,
counts and ids parsed, retweets and replies flagged. Every reader feeds it lists of strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

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
        dates = [d for d in chunk.dates if d]
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
                counters: RowCounters) -> Iterator[TweetChunk]:  # noqa: C901 - one hot loop, kept flat
    """Turn rows (lists of strings aligned with `layout.columns`) into `TweetChunk`s.

    Duplicates (same tweet id; without an id column, same text and date; without a date column,
    an identical row) are counted and dropped; rows without text are counted and skipped;
    retweets ("RT @" or the is_retweet column) and replies (the reply_to column) are flagged.
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
    na, true, false = NA_STRINGS, TRUE_STRINGS, _FALSE_STRINGS
    chunk = TweetChunk()
    malformed0 = repaired0 = 0

    def flush(c: TweetChunk) -> None:
        nonlocal malformed0, repaired0
        c.skipped_malformed = counters.malformed - malformed0
        c.repaired = counters.repaired - repaired0
        c.rows += c.skipped_malformed
        malformed0, repaired0 = counters.malformed, counters.repaired

    for row in rows:
        chunk.rows += 1
        if len(row) < need:
            chunk.rows -= 1
            counters.malformed += 1
            continue
        text = row[ti]
        if len(text) > MAX_TEXT_CHARS:
            text = text[:MAX_TEXT_CHARS]
            chunk.truncated += 1
        text = text.strip()
        if not text or text in na:
            chunk.skipped_empty += 1
            continue
        date = date_parser(row[di]) if date_parser is not None else None
        tid = parse_id(row[ii]) if ii >= 0 else None
        # The same tweet twice: same id; without ids, same text and date; without dates, same row.
        if tid is not None:
            key = hash(("id", tid))
        elif di >= 0:
            key = hash((text, date))
        else:
            key = hash(tuple(row))
        if key in seen:
            chunk.duplicates += 1
            continue
        seen.add(key)
        chunk.texts.append(text)
        chunk.dates.append(date)
        chunk.tweet_ids.append(tid)
        chunk.likes.append(parse_count(row[li]) if li >= 0 and row[li] else None)
        chunk.retweets.append(parse_count(row[ri]) if ri >= 0 and row[ri] else None)
        chunk.replies.append(parse_count(row[pi]) if pi >= 0 and row[pi] else None)
        chunk.is_retweet.append(text.startswith("RT @") or (rti >= 0 and row[rti].strip().lower() in true))
        chunk.is_reply.append(rpi >= 0 and row[rpi].strip().lower() not in false and row[rpi].strip() not in na)
        if len(chunk.texts) >= chunk_size:
            flush(chunk)
            yield chunk
            chunk = TweetChunk()
    flush(chunk)
    yield chunk


__all__ = ["TweetChunk", "ReadStats", "RowCounters", "read_chunks", "MAX_TEXT_CHARS"]
