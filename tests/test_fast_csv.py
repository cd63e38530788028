"""The compiled CSV reader (`datasets.fast_csv`) gives what the csv module gives: the same chunks (texts,
dates, ids, counts, flags, duplicates), the same totals and the same hash, on generated files with every
kind of line and with blocks and batches small enough that every boundary falls somewhere awkward; a
file it does not read exactly is left whole to the csv module (same tweets, same errors)."""

from __future__ import annotations

import io
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cta_desktop.core.datasets import fast_csv, read_tweets_csv
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.values import date_parser_for, generic_date
from cta_desktop.paths import shared_data_dir

pytestmark = pytest.mark.skipif(not fast_csv.warm_up(), reason="numba is not available")


def _read(path: Path, fast: bool, monkeypatch, chunk_size: int = 8192):
    """(chunks, totals, hash, whether the compiled reader read it) or the error message."""
    used = []
    real = fast_csv.FastRecords

    def spy(*args, **kwargs):
        used.append(real(*args, **kwargs))
        return used[-1]

    with monkeypatch.context() as m:
        m.setattr(fast_csv, "FastRecords", spy)
        if not fast:
            m.setattr(fast_csv, "ready_now", lambda *_: False)
        try:
            reader = read_tweets_csv(path, chunk_size=chunk_size)
            # A chunk's `repaired` counts the rows csv_reader mended while parsing the batch the chunk's
            # rows came from, which may hold the next chunk's rows too (csv_reader._row_batches); where the
            # compiled reader hands over, the batches start elsewhere. The totals (`stats`) are exact.
            chunks = []
            for c in reader:
                # the compiled reader also keeps the texts' bytes: they decode, stripped, to the texts
                assert c.text_utf8 is None or c.text_utf8.texts() == c.texts
                chunks.append({k: v for k, v in asdict(c).items() if k not in ("repaired", "text_utf8")})
        except CsvImportError as exc:
            return str(exc), None, None, bool(used) and used[0].fallback is None
    return chunks, asdict(reader.stats), reader.sha256, bool(used) and used[0].fallback is None


def _same(path: Path, monkeypatch, chunk_size: int = 8192) -> bool:
    """Both readers agree on the file; returns whether the compiled one read all of it."""
    fast, slow = _read(path, True, monkeypatch, chunk_size), _read(path, False, monkeypatch, chunk_size)
    assert not slow[3]
    assert fast[:3] == slow[:3]
    return fast[3]


_TEXTS = st.sampled_from(["hello", "big day", "a,b", 'say "hi"', 'a "quote" inside', "line\nbreak", "two\r\nlines",
                          "x", "", "NaN", "  padded  ", "caf\u00e9", "\U0001F600 ok", "#tag @you", "RT @a: hi",
                          "\u00a0nbsp\u00a0", "\u3000wide space"])
_DATES = st.sampled_from(["2020-01-02 03:04:05", "2020-01-02T03:04:05", "2022-07-05 17:55:09+00:00",
                          "2022-07-05 17:55:09-05:30", "10/16/17 22:59", "1/2/2019", "13/01/17 1:02:03",
                          "2020-02-30 00:00:00", "2020-13-01 00:00:00", "0000-01-01 00:00:00", "", " 2020-01-02",
                          "Wed Oct 10 20:19:24 +0000 2018", "yesterday", "2020-01-02", "10/16/17 10:59 PM",
                          "\u0661\u0660/16/17 22:59"])
_COUNTS = st.sampled_from(["", "0", "12", "007", "1,234", "-3", " 5", "1.5K", "99999999999999999999", "NaN", "x"])


@st.composite
def _line(draw, plain: bool) -> str:
    kind = draw(st.sampled_from(["row"] * 6 + ([] if plain else ["wide", "short", "after-quote"]) + ["blank"]))
    end = draw(st.sampled_from(["\n", "\r\n"] if plain else ["\n", "\r\n", "\r"]))
    if kind == "blank":
        return end
    tid = draw(st.sampled_from([str(draw(st.integers(1, 40))), "", "1.0", "x"]))
    text, when, likes = draw(_TEXTS), draw(_DATES), draw(_COUNTS)
    quote = draw(st.booleans()) or any(c in text for c in ',"\r\n')

    def q(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if quote or any(c in v for c in ',"\r\n') else v

    if kind == "wide":
        return f"{tid},{q(when)},{text.replace(chr(10), ' ').replace(chr(13), ' ').replace(chr(34), '')},x,{likes}{end}"
    if kind == "short":
        return f"{tid}{end}"
    if kind == "after-quote":
        return f'{tid},{q(when)},"closed"then,{q(likes)}{end}'
    return f"{tid},{q(when)},{q(text)},{q(likes)}{end}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plain=st.booleans(), data=st.data(), block=st.integers(1, 64), batch=st.integers(1, 5),
       chunk=st.integers(1, 7), bom=st.booleans(),
       tail=st.sampled_from(["", "9,2020-01-01,last without end,3", '8,2020-01-01,"open at the end', "\r",
                             '7,2020-01-01,"never closed\nmore\n']))
def test_generated_files_read_the_same(tmp_path, monkeypatch, plain, data, block, batch, chunk, bom, tail):
    lines = data.draw(st.lists(_line(plain), min_size=0, max_size=30))
    monkeypatch.setattr(fast_csv, "_BLOCK_BYTES", block)
    monkeypatch.setattr(fast_csv, "_BATCH_RECORDS", batch)
    path = tmp_path / "t.csv"
    body = "id,date,text,likes\n1,2020-01-01 00:00:00,first tweet,0\n" + "".join(lines) + tail
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8"))
    fast = _same(path, monkeypatch, chunk)
    if plain and tail in ("", "9,2020-01-01,last without end,3"):
        assert fast, "a plain file goes through the compiled reader"


@pytest.mark.parametrize("body", [
    "id,text\n1,a\rb\n",  # a lone carriage return ends a record for the csv module
    'id,text\n1,"a"b\n',  # a character after the closing quote
    'id,text\n1,"never closed\n',
    "id,text\n1,a,b\n",  # wider than the header
    "id,text\n1\n",  # narrower
    "id,text\n1,a\x00b\n",
])
def test_files_it_does_not_read_go_to_the_csv_module(tmp_path, monkeypatch, body):
    path = tmp_path / "t.csv"
    path.write_bytes(body.encode("utf-8"))
    assert not _same(path, monkeypatch)


def test_bytes_that_are_not_utf8_go_to_the_csv_module(tmp_path, monkeypatch):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,text\n1,hello\n" + "2,caf\u00e9 cr\u00e8me\n".encode("cp1252"))
    assert not _same(path, monkeypatch)
    for bad in (b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\xff"):  # overlong, surrogate, ...
        # valid UTF-8 for 60 KB, then not: the compiled reader stops there and the csv module reads on
        path.write_bytes(b"id,text\n" + b"".join(b"%d,ok\n" % i for i in range(3000, 9000)) + b"2,x" + bad + b"y\n3,z\n")
        assert not _same(path, monkeypatch, chunk_size=1000)


def _dates_of(values: list[str], parser) -> list[str | None]:
    body = "".join(f'"{v}"\n' for v in values).encode("utf-8")
    records = fast_csv.FastRecords(io.BytesIO(body), "utf-8", ",", 1, skip_header=False)
    out: list[str | None] = []
    while (rows := records.take(1 << 20)) is not None:
        out += rows.dates(0, parser)
    return out


def test_the_kernels_dates_are_the_parsers_dates():
    """Every day of four years (two leap), impossible days, every clock hour and offset, both slash orders."""
    values = []
    d = date(1999, 1, 1)
    while d < date(2003, 1, 1):
        values += [f"{d.isoformat()} 12:34:56", f"{d.month}/{d.day}/{d.year % 100:02d} 7:05",
                   f"{d.day:02d}/{d.month:02d}/{d.year}"]
        d += timedelta(days=1)
    values += [f"2000-{m:02d}-{day:02d} 00:00:00" for m in (0, 2, 4, 12, 13) for day in (0, 28, 29, 30, 31, 32)]
    values += [f"2004-02-29 {h:02d}:{mi:02d}:{s:02d}" for h in (0, 23, 24, 99) for mi in (0, 59, 60) for s in (0, 59, 60)]
    values += [f"2020-01-02T03:04:05{sign}{h:02d}:{m:02d}" for sign in "+-" for h in range(0, 26) for m in (0, 30, 59, 60)]
    values += ["1900-02-29 00:00:00", "2000-02-29 00:00:00", "0001-01-01 00:00:00", "0000-12-31 23:59:59",
               "12/31/69", "12/31/70", "1/1/00 0:00:00", "1/1/2000 24:00", "1/1/2000 1:60", "1/1/2000 1:2",
               "1/1/2000  1:02", "1/1/2000 1:02:3", "1/1/2000 1:02:03 ", "001/1/2000", "1/1/200", "1.1.2000",
               "2020-01-02 3:04:05", "2020-01-02 03:04:05.5", "2020-01-02 03:04:05Z", ""]
    for sample in (["10/16/17 22:59"], ["16/10/17 22:59"], ["2020-01-02 03:04:05"]):
        parser = date_parser_for(sample)
        expected = [parser(v) for v in values]
        assert _dates_of(values, parser) == expected
    assert _dates_of(values, generic_date) == [generic_date(v) for v in values]


def test_counts_and_doubled_quotes():
    body = b'a,b\n"x ""y"" z",123\n"""",\n"",99999999999999999999\nplain,00042\n'
    records = fast_csv.FastRecords(io.BytesIO(body), "utf-8", ",", 2, skip_header=True)
    rows = records.take(100)
    assert rows is not None and records.take(100) is None
    assert rows.column(0) == ['x "y" z', '"', "", "plain"]
    values, others = rows.counts(1)
    assert values[0] == 123 and values[1] is None and values[3] == 42 and others == [2]


CELEB = shared_data_dir() / "celebrity_tweets"


@pytest.mark.skipif(not CELEB.is_dir(), reason="the shared data is not beside the repo")
def test_shared_files_read_the_same(monkeypatch):
    paths = sorted(CELEB.glob("*.csv")) + [shared_data_dir() / "tweet_sentiment_extraction" / "train.csv"]
    for path in paths:
        assert _same(path, monkeypatch, chunk_size=1000), path


def test_fast_rows_keep_their_columns_apart():
    body = b"id,text\n" + b"".join(b"%d,t%d\n" % (i, i) for i in range(10))
    records = fast_csv.FastRecords(io.BytesIO(body), "utf-8", ",", 2, skip_header=True)
    rows = records.take(4)
    assert rows is not None and rows.column(1) == ["t0", "t1", "t2", "t3"]
    rest = records.take(100)
    assert rest is not None and rest.column(0) == [str(i) for i in range(4, 10)]
    assert np.array_equal(rows.take([3, 0]).starts, rows.starts[[3, 0]])
