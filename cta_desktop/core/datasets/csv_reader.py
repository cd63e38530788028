"""CSV (and TSV, semicolon, pipe) files of tweets, with or without a header.

The delimiter is the candidate whose parse gives the most consistent field counts; a header is
recognised by known column names or by cells that look like labels rather than data; without
one, columns are named "column 1", "column 2", … and found by content (Sentiment140's
`target,id,date,flag,user,text`). Quoted line breaks, blank lines and rows with unquoted
delimiters in the text (glued back) are handled. Only the source's bounded head is sniffed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from cta_desktop.core.datasets.chunks import RowCounters
from cta_desktop.core.datasets.encoding import DetectedEncoding, detect_encoding_of
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.mapping import ColumnMapping, Layout
from cta_desktop.core.datasets.source import HashingStream, Source, buffered
from cta_desktop.core.datasets.values import NAME_CANDIDATES, is_numberish, norm_name, parse_date

MAX_FIELD_BYTES = 64 * 1024 * 1024  # the csv module's per-field limit (its default is 128 KiB)
SAMPLE_CHARS = 256 * 1024  # what delimiter and column detection look at
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_ROW_LIMIT = 400


def set_field_limit() -> None:
    if csv.field_size_limit() < MAX_FIELD_BYTES:
        csv.field_size_limit(MAX_FIELD_BYTES)


def _parse_sample(text: str, delimiter: str, complete: bool, limit: int = _SAMPLE_ROW_LIMIT) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            if row:
                rows.append(row)
            if len(rows) > limit:
                break
    except csv.Error:
        pass
    if not complete and len(rows) > 1 and len(rows) <= limit:
        rows.pop()  # the last record may be cut by the sample's end
    return rows


def _delimiter_score(rows: list[list[str]]) -> tuple[float, int]:
    if not rows:
        return 0.0, 0
    counts = Counter(len(r) for r in rows)
    mode, freq = counts.most_common(1)[0]
    if mode < 2:
        return 0.0, mode
    header_bonus = 0.05 if len(rows[0]) == mode else 0.0
    return freq / len(rows) + header_bonus, mode


def _looks_like_header(first: list[str], rest: list[list[str]]) -> bool:
    names = [norm_name(v) for v in first]
    known = {n for cands in NAME_CANDIDATES.values() for n in cands}
    if any(n in known for n in names):
        return True
    if any(not v.strip() for v in first) or len(set(first)) != len(first):
        return False
    for v in first:
        if len(v) > 64 or is_numberish(v) or parse_date(v) is not None or "://" in v:
            return False
    # A header's cells are short labels; the data below them usually differ in kind or length.
    return bool(rest) or len(first) > 1


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters but tab, CR and LF


def head_text(source: Source) -> tuple[str, bool, DetectedEncoding]:
    """The decoded head (at most SAMPLE_CHARS), whether it is the whole file, and the encoding."""
    enc = detect_encoding_of(source.head, source.head_complete)
    # Decoded a piece at a time, only as far as SAMPLE_CHARS needs (a byte is at most a character): a
    # mostly-ASCII head is a quarter decoded instead of whole, which is most of a file's opening time.
    decoder = codecs.getincrementaldecoder(enc.codec)(enc.errors)
    head, pos, pieces, chars = source.head, 0, [], 0
    while chars <= SAMPLE_CHARS and pos < len(head):
        step = SAMPLE_CHARS + 1 - chars
        piece = decoder.decode(head[pos : pos + step], final=source.head_complete and pos + step >= len(head))
        pieces.append(piece)
        chars += len(piece)
        pos += step
    decoded = "".join(pieces)
    complete = source.head_complete and pos >= len(head) and len(decoded) <= SAMPLE_CHARS
    text = decoded[:SAMPLE_CHARS]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, complete, enc


class CsvReader:
    """Delimited text. The fallback: any text file that no other reader claims."""

    key = "csv"

    @staticmethod
    def sniff(head: bytes, name: str) -> float:
        return 0.1

    @staticmethod
    def preview(source: Source, delimiter: str | None = None) -> Layout:
        """Encoding, delimiter, header and a sample of rows. Raises CsvImportError on unusable files."""
        name = source.name
        text, complete, enc = head_text(source)
        if not text.strip():
            raise CsvImportError(f"{name}: the file holds no text (only blank lines); choose another file")
        probe = text[:65536]
        controls = len(_CONTROLS.findall(probe))
        if "\x00" in probe or controls > max(2, len(probe) // 200):
            raise CsvImportError(
                f"{name}: this is not a text CSV file (it holds binary data); export the tweets as CSV and try again"
            )
        set_field_limit()
        if delimiter is None:
            scored = []
            for order, cand in enumerate(DELIMITERS):
                rows = _parse_sample(text, cand, complete)
                score, mode = _delimiter_score(rows)
                scored.append((score, mode, -order, cand, rows))
            scored.sort(reverse=True)
            best = scored[0]
            delimiter, rows = (best[3], best[4]) if best[0] > 0 else (",", _parse_sample(text, ",", complete))
        else:
            rows = _parse_sample(text, delimiter, complete)
        if not rows:
            raise CsvImportError(f"{name}: no rows could be read; check that it is a CSV file")
        has_header = _looks_like_header(rows[0], rows[1:])
        if has_header:
            columns = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
            # Duplicate header names get a suffix so every column can be named.
            seen: Counter[str] = Counter()
            for i, c in enumerate(columns):
                seen[c] += 1
                if seen[c] > 1:
                    columns[i] = f"{c} ({seen[c]})"
            sample = rows[1:]
        else:
            width = Counter(len(r) for r in rows).most_common(1)[0][0]
            columns = [f"column {i + 1}" for i in range(width)]
            sample = rows
        exact = complete and len(rows) <= _SAMPLE_ROW_LIMIT
        fmt = {",": "CSV", ";": "CSV (semicolons)", "\t": "TSV (tabs)", "|": "CSV (pipes)"}.get(delimiter, "CSV")
        if not has_header:
            fmt += ", no header"
        return Layout(source.path, enc, delimiter, has_header, columns, sample, len(text.encode("utf-8")),
                      source.size, exact, format=fmt, reader=CsvReader.key)

    @staticmethod
    def read_rows(source: Source, layout: Layout, mapping: ColumnMapping, stream: HashingStream,
                  counters: RowCounters, lines_before: int = 0, header: bool = True) -> Iterator[list[str]]:
        """Every data row, padded or glued to the header's width where it can be mended.

        The rows come in batches (`_row_batches`) and are handed on at C speed: no Python code runs
        per row unless a row needs mending. `fast_csv` hands over the rest of a file here where it
        stops reading it itself: `stream` then starts after `lines_before` lines, and `header` says
        whether the header is still to come."""
        return chain.from_iterable(_row_batches(source, layout, mapping, stream, counters, lines_before, header))


_BATCH_ROWS = 4096  # rows parsed per batch
_BLOCK_CHARS = 1 << 18  # characters of lines read at once


def _row_batches(source: Source, layout: Layout, mapping: ColumnMapping, stream: Any, counters: RowCounters,
                 lines_before: int = 0, header: bool = True) -> Iterator[list[list[str]]]:
    """`CsvReader.read_rows` in batches of rows. The csv module reads lines that the text stream splits
    in blocks (`readlines`, in C); the lines since the last batch began are kept, so that at the end of
    the file the last record can be parsed again strictly (`_check_last_record`)."""
    name, enc, delim = source.name, layout.encoding, layout.delimiter
    width = len(layout.columns)
    set_field_limit()
    fh = io.TextIOWrapper(buffered(stream), encoding=enc.codec, errors=enc.errors, newline="")
    kept: list[tuple[int, list[str]]] = []  # (number of the block's first line - 1, its lines)
    read = 0  # lines read so far

    def blocks() -> Iterator[list[str]]:
        nonlocal read
        while True:
            lines = fh.readlines(_BLOCK_CHARS)
            if not lines:
                return
            kept.append((read, lines))
            read += len(lines)
            yield lines

    reader = csv.reader(chain.from_iterable(blocks()), delimiter=delim)
    first = header
    text_col = layout.columns.index(mapping.text) if mapping.text in layout.columns else 0
    start = 0  # lines before the last batch of rows (a batch starts where a record starts)
    while True:
        while len(kept) > 1 and kept[1][0] <= start:
            del kept[0]
        begin = reader.line_num
        try:
            batch = list(islice(reader, _BATCH_ROWS))
        except csv.Error as exc:
            msg = str(exc)
            if "field larger than field limit" in msg:
                raise CsvImportError(
                    f"{name}: line {lines_before + reader.line_num}: a field is larger than "
                    f"{MAX_FIELD_BYTES // 2**20} MB, probably an unterminated quote (\"); "
                    "fix the quoting and import again") from None
            raise CsvImportError(f"{name}: line {lines_before + reader.line_num}: the CSV is malformed ({msg}); "
                                 "fix that line and import again") from None
        except UnicodeDecodeError as exc:
            raise CsvImportError(f"{name}: cannot decode the file as {enc.label} ({exc.reason}); "
                                 "save it as UTF-8 and import again") from None
        if not batch:
            break
        start = begin
        if not all(batch):
            batch = [row for row in batch if row]  # a blank line is not a row
        if first and batch:
            first = False
            if layout.has_header:
                del batch[0]
        if batch and max(map(len, batch)) > width:
            batch = [_glue(row, width, text_col, delim, counters) if len(row) > width else row for row in batch]
        yield batch
    tail = [line for first_line, lines in kept for line in lines[max(0, start - first_line):]]
    _check_last_record(name, tail, delim, lines_before + start)


def _glue(row: list[str], width: int, text_col: int, delim: str, counters: RowCounters) -> list[str]:
    """A row wider than the header: unquoted delimiters inside the tweet (the usual cause), glued back."""
    extra = len(row) - width
    t = text_col
    counters.repaired += 1
    return row[:t] + [delim.join(row[t : t + extra + 1])] + row[t + extra + 1 :]


def _check_last_record(name: str, tail: list[str], delimiter: str, start: int) -> None:
    """`tail` holds the file's lines from a record's start (after `start` lines) to the end: find where its
    last record begins and, if that record spans lines, parse it strictly (`_check_unterminated_quote`)."""
    reader = csv.reader(tail, delimiter=delimiter)
    before = after = 0  # the lines of the last record: tail[before:after]
    while True:
        line = reader.line_num
        if next(reader, None) is None:
            break
        before, after = line, reader.line_num
    if after - before > 1:
        _check_unterminated_quote(name, "".join(tail[before:after]), delimiter, start + before)


def _check_unterminated_quote(name: str, tail: str, delimiter: str, start_line: int) -> None:
    """Parse the last record strictly: a quote open at the end of the file means lost rows."""
    try:
        for _ in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise CsvImportError(
                f"{name}: line {start_line + 1}: a quoted field is never closed (unterminated \" "
                "quote), so the rest of the file would be one field; fix the quote and import again"
            ) from None


__all__ = ["CsvReader", "MAX_FIELD_BYTES", "DELIMITERS", "head_text", "set_field_limit"]
