"""The CSV reader parses rows in batches over lines read in blocks: the same rows, the same mended rows
and the same errors (with their line numbers) as the row-by-row loop it replaced (frozen below), on
generated files of every kind of line a CSV can hold, with batches and blocks small enough that every
boundary falls somewhere awkward."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cta_desktop.core.datasets import csv_reader, read_tweets_csv
from cta_desktop.core.datasets.chunks import RowCounters
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.source import buffered


def _row_by_row(source, layout, mapping, stream, counters) -> Iterator[list[str]]:
    """The reader as it was (one Python step per line and per row), errors included."""
    name, enc, delim = source.name, layout.encoding, layout.delimiter
    width = len(layout.columns)
    csv_reader.set_field_limit()
    fh = io.TextIOWrapper(buffered(stream), encoding=enc.codec, errors=enc.errors, newline="")
    record: list[str] = []

    def lines() -> Iterator[str]:
        for line in fh:
            record.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delim)
    first = True
    last: list[str] = []
    text_col = layout.columns.index(mapping.text) if mapping.text in layout.columns else 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CsvImportError(f"{name}: line {reader.line_num}: the CSV is malformed ({exc}); "
                                 "fix that line and import again") from None
        last = record[:]
        record.clear()
        if not row:
            continue
        if first:
            first = False
            if layout.has_header:
                continue
        n = len(row)
        if n > width:
            extra = n - width
            t = text_col
            row = row[:t] + [delim.join(row[t : t + extra + 1])] + row[t + extra + 1 :]
            counters.repaired += 1
        yield row
    if len(last) > 1:
        csv_reader._check_unterminated_quote(name, "".join(last), delim, reader.line_num - len(last))


def _rows(path: Path, read) -> tuple[str, list[list[str]] | None, int]:
    """(error message or "", the rows, rows mended) of a file through `read`."""
    tweets = read_tweets_csv(path)
    counters = RowCounters()
    stream = tweets.source.open()
    rows: list[list[str]] = []
    try:
        for row in read(tweets.source, tweets.layout, tweets.mapping, stream, counters):
            rows.append(row)
    except CsvImportError as exc:
        return str(exc), None, counters.repaired
    finally:
        stream.close()
    return "", rows, counters.repaired


_WORDS = st.sampled_from(["hello", "big day", "a,b", 'say "hi"', "line\nbreak", "two\r\nlines", "x", "", "NaN",
                          "caf\u00e9", "\U0001F600 ok", "#tag @you"])


@st.composite
def _line(draw) -> str:
    """One physical record, or a blank line, or a row too wide, with any of the line ends."""
    kind = draw(st.sampled_from(["row", "row", "row", "blank", "wide", "short"]))
    end = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    if kind == "blank":
        return end
    tid = str(draw(st.integers(1, 10**6)))
    text = draw(_WORDS)
    quoted = '"' + text.replace('"', '""') + '"'
    if kind == "wide":  # unquoted delimiters inside the text
        return f"{tid},2020-01-0{draw(st.integers(1, 9))},{text.replace(chr(10), ' ').replace(chr(13), ' ')},x,y,3{end}"
    if kind == "short":
        return f"{tid}{end}"
    return f"{tid},2020-01-0{draw(st.integers(1, 9))},{quoted},{draw(st.integers(0, 99))}{end}"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line(), min_size=1, max_size=40),
       tail=st.sampled_from(["", "5,2020-01-01,\"never closed\nmore\n", "6,2020-01-01,\"open at the end",
                             "7,2020-01-01,last without end"]),
       batch=st.integers(1, 6), block=st.integers(1, 80))
def test_batches_give_the_row_by_row_rows(tmp_path, monkeypatch, lines, tail, batch, block):
    monkeypatch.setattr(csv_reader, "_BATCH_ROWS", batch)
    monkeypatch.setattr(csv_reader, "_BLOCK_CHARS", block)
    path = tmp_path / "t.csv"
    # a header and a first row that make the layout the same whatever was drawn
    path.write_text("id,date,text,likes\n1,2020-01-01,first tweet,0\n" + "".join(lines) + tail,
                    encoding="utf-8", newline="")
    new, old = _rows(path, csv_reader.CsvReader.read_rows), _rows(path, _row_by_row)
    assert new == old


def test_unterminated_quote_after_many_batches(tmp_path):
    """A quote left open in the last record of a file of many batches and blocks: named by its line."""
    body = "id,date,text,likes\n" + "".join(f'{i},2020-01-01,"tweet {i}\nits second line",{i}\n' for i in range(12_000))
    path = tmp_path / "big.csv"
    path.write_text(body + '99999,2020-01-01,"never closed\nand more\nlines\n', encoding="utf-8", newline="")
    with pytest.raises(CsvImportError, match=r"line 24002: a quoted field is never closed"):
        list(read_tweets_csv(path))
    assert _rows(path, csv_reader.CsvReader.read_rows)[0] == _rows(path, _row_by_row)[0]
    path.write_text(body, encoding="utf-8", newline="")  # the same without it: every tweet
    assert sum(len(c.texts) for c in read_tweets_csv(path)) == 12_000
