"""read_chunks converts rows a batch and a column at a time: the same chunks, tweets and counts as the
row-by-row loop it replaced (frozen below), on generated rows of every kind a file can hold."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cta_desktop.core.datasets.chunks import MAX_TEXT_CHARS, RowCounters, TweetChunk, read_chunks
from cta_desktop.core.datasets.encoding import DetectedEncoding
from cta_desktop.core.datasets.mapping import ColumnMapping, Layout, column_values
from cta_desktop.core.datasets.values import (
    NA_STRINGS,
    TRUE_STRINGS,
    date_parser_for,
    generic_date,
    parse_count,
    parse_id,
)

_FALSE_STRINGS = frozenset({"", "false", "0", "no", "n", "f", "-1"})


def _row_by_row_chunks(rows: Iterable[list[str]], layout: Layout, mapping: ColumnMapping, chunk_size: int,
                counters: RowCounters) -> Iterator[TweetChunk]:
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


COLUMNS = ["id", "date", "text", "likes", "retweets", "replies", "is_retweet", "reply_to"]
_cell = st.sampled_from(["", " ", "nan", "None", "N/A", "0", "1", "12", "1,234", "2.5k", "1e3", "-3", "true", "yes",
                         "No", " f ", "x", "https://x.com/a/status/123", "123.0", "١٢", "²", "9" * 5000])
_text = st.sampled_from(["hello", " hello ", "RT @a: hi", "", "  ", "nan", "NULL", "good day", "x" * (MAX_TEXT_CHARS + 5),
                         " " * (MAX_TEXT_CHARS + 2)]) | st.text(max_size=12)
_date = st.sampled_from(["2015-01-06 05:50:00", "10/16/17 22:59", "2015-13-01 00:00:00", "", "soon",
                         "2022-07-05 17:55:09+00:00"])
_id = st.sampled_from(["1", "2", "3", "", "nan", "4.0", "https://twitter.com/a/status/5", " 6 "]) | st.text(max_size=4)
_row = st.tuples(_id, _date, _text, _cell, _cell, _cell, _cell, _cell).map(list)
_rows = st.lists(_row | st.lists(st.text(max_size=3), max_size=4), max_size=60)


def _layout(columns: list[str], sample: list[list[str]]) -> Layout:
    return Layout(Path("x.csv"), DetectedEncoding("utf-8", "strict", "utf-8"), ",", True, columns, sample, 0, 0)


def _chunks(fn, rows, layout, mapping, size):
    counters = RowCounters()
    return [asdict(c) for c in fn(iter(rows), layout, mapping, size, counters)], asdict(counters)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, size=st.integers(1, 9), which=st.sets(st.sampled_from(COLUMNS[:2] + COLUMNS[3:])),
       repaired=st.integers(0, 3))
def test_batches_give_the_row_by_row_chunks(rows, size, which, repaired):
    columns = list(COLUMNS)
    mapping = ColumnMapping(text="text", **{k: k for k in ("date", "id", "likes", "retweets", "replies",
                                                          "is_retweet") if k in which},
                            reply_to="reply_to" if "reply_to" in which else None)
    layout = _layout(columns, rows[:10])

    def counted(fn):  # the reader counts repaired rows as it yields them
        def gen(it, *args):
            counters = args[-1]

            def rows_out():
                for k, row in enumerate(it):
                    if k < repaired:
                        counters.repaired += 1
                    yield row
            return fn(rows_out(), *args)
        return gen

    want = _chunks(counted(_row_by_row_chunks), rows, layout, mapping, size)
    got = _chunks(counted(read_chunks), rows, layout, mapping, size)
    assert got == want


def test_batches_keep_the_chunk_size_with_skipped_rows():
    rows = [[str(i % 7), "2015-01-06 05:50:00", "" if i % 3 == 0 else f"tweet {i}", "1", "2", "", "", ""]
            for i in range(100)]
    layout = _layout(COLUMNS, rows[:10])
    mapping = ColumnMapping(text="text", date="date", id="id", likes="likes")
    got, _ = _chunks(read_chunks, rows, layout, mapping, 4)
    want, _ = _chunks(_row_by_row_chunks, rows, layout, mapping, 4)
    assert got == want
    sizes = [len(c["texts"]) for c in got]
    assert sizes[:-1] == [4] * (len(sizes) - 1) and sum(sizes) == 7  # 7 distinct ids


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, size=st.integers(1, 9), first=st.lists(st.integers(1, 5), max_size=4))
def test_first_sizes_only_move_where_chunks_end(rows, size, first):
    layout = _layout(list(COLUMNS), rows[:10])
    mapping = ColumnMapping(text="text", date="date", id="id", likes="likes", is_retweet="is_retweet")
    ended = []
    counters = RowCounters()
    got = list(read_chunks(iter(rows), layout, mapping, size, counters, first_sizes=first,
                           at_end=lambda: ended.append(True)))
    want, _ = _chunks(read_chunks, rows, layout, mapping, size)
    # every chunk but the last is full: first the `first` sizes, then `size`
    sizes = [*first, *[size] * len(got)]
    assert [len(c) for c in got[:-1]] == sizes[: len(got) - 1]
    assert len(got[-1]) <= sizes[len(got) - 1] and ended == [True]
    for key in ("texts", "dates", "tweet_ids", "likes", "is_retweet"):
        assert [v for c in got for v in getattr(c, key)] == [v for c in want for v in c[key]]
    for key in ("rows", "skipped_empty", "skipped_malformed", "duplicates", "truncated"):
        assert sum(getattr(c, key) for c in got) == sum(c[key] for c in want)
