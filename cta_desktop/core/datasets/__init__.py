"""Reading the files of tweets that people really have.

CSV in any common layout, JSON Lines, JSON arrays, the X (Twitter) archive (the downloaded .zip or its
`data/tweets.js`), Excel workbooks, and any of these compressed as .gz, .bz2, .xz or .zip. The format
is found from the content, not the name (an archive's tweets.js renamed to .csv is still read as
JSON). Every reader sits behind one small interface (see `Reader`) and feeds lists of strings to
one shared loop (`chunks.read_chunks`); columns and JSON fields are matched by the same name tables
and content checks (`mapping`). Only a bounded head (`encoding.HEAD_BYTES`) is read to preview a
file; an import then reads it once more from start to end, hashing it on the way.

Every problem that stops an import is a `CsvImportError` (a `UserError`) whose message is one line:
which file, what is wrong and what to do. Rows that turn out to be pieces of JSON, JavaScript or
markup stop the import rather than becoming "tweets".

Module map: `source` (files, compression, zip members, hashing), `encoding`, `values` (name tables,
dates, counts, ids), `mapping` (ColumnMapping, Layout, detection), `chunks` (TweetChunk, the row
loop), one module per reader: `csv_reader`, `json_reader`, `excel_reader`; `fast_csv` (with its kernels in
`_kernels_csv`) reads a plain UTF-8 CSV with a compiled scan instead of the csv module, to the same chunks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cta_desktop.core.datasets import fast_csv
from cta_desktop.core.datasets.chunks import (
    MAX_TEXT_CHARS,
    ReadStats,
    RowCounters,
    TweetChunk,
    Utf8Texts,
    read_chunks,
)
from cta_desktop.core.datasets.csv_reader import CsvReader
from cta_desktop.core.datasets.encoding import DetectedEncoding, detect_encoding
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.excel_reader import ExcelReader
from cta_desktop.core.datasets.json_reader import JsonReader
from cta_desktop.core.datasets.mapping import (
    ColumnMapping,
    CsvLayout,
    Layout,
    column_values,
    detect_mapping,
    estimate_rows,
    guess_person,
)
from cta_desktop.core.datasets.source import HashingStream, Source, open_source
from cta_desktop.core.datasets.values import looks_like_fragments, parse_date


class Reader(Protocol):
    """What each format's reader provides (as static methods on a class)."""

    key: str

    @staticmethod
    def sniff(head: bytes, name: str) -> float:
        """Confidence, 0..1, that the (decompressed) head of a file is this format."""
        ...

    @staticmethod
    def preview(source: Source, delimiter: str | None = None) -> Layout:
        """Columns and sample rows from the bounded head only."""
        ...

    @staticmethod
    def read_rows(source: Source, layout: Layout, mapping: ColumnMapping, stream: HashingStream,
                  counters: RowCounters) -> Iterator[list[str]]:
        """Every row, as strings aligned with layout.columns, read from `stream` (once)."""
        ...


READERS: dict[str, Reader] = {r.key: r for r in (CsvReader, JsonReader, ExcelReader)}
_COMPRESSION_NAMES = {"gzip": "gzip", "bz2": "bzip2", "xz": "xz", "zip": "zip"}


def choose_reader(source: Source) -> Reader:
    """The reader whose sniff is most confident about this content (CSV when none is)."""
    if source.workbook:
        return ExcelReader
    best = max(READERS.values(), key=lambda r: r.sniff(source.head, source.inner_name))
    return best if best.sniff(source.head, source.inner_name) > 0 else CsvReader


def inspect_file(path: str | Path, delimiter: str | None = None) -> tuple[Source, Layout]:
    """Open, sniff and preview a file from its bounded head. Raises CsvImportError."""
    source = open_source(path)
    reader = choose_reader(source)
    layout = reader.preview(source, delimiter)
    layout.file_bytes = source.content_bytes or source.size
    if source.compression is not None and not source.x_archive:
        layout.format += f" ({_COMPRESSION_NAMES[source.compression]})"
    return source, layout


def sniff_layout(path: str | Path, delimiter: str | None = None) -> Layout:
    """Format, encoding, delimiter, header and a sample of rows, from the file's bounded head."""
    return inspect_file(path, delimiter)[1]


@dataclass
class FilePreview:
    """What the import preview shows, and what the import reuses (no second detection pass)."""

    path: Path
    encoding: str
    delimiter: str
    has_header: bool
    columns: list[str]
    mapping: ColumnMapping
    rows: list[dict[str, str]]
    n_rows_estimate: int
    person_guess: str
    handle_guess: str | None
    file_bytes: int = 0
    format: str = "CSV"  # a human name: "CSV", "X archive (zip)", "JSON Lines (gzip)", "Excel workbook", …
    layout: Layout | None = None
    source: Source | None = None


CsvPreview = FilePreview  # the old name


def preview_file(path: str | Path, n_rows: int = 20, delimiter: str | None = None) -> FilePreview:
    """Detect everything about a file from its first `HEAD_BYTES` and show its first rows.

    Cheap and thread-safe (no shared state): the GUI may call it on a worker thread. Pass the
    result to `Library.import_file(path, preview=...)` so the import does not detect again.
    """
    source, layout = inspect_file(path, delimiter)
    mapping = detect_mapping(layout)
    person, handle = guess_person(layout, mapping)
    rows = [dict(zip(layout.columns, r, strict=False)) for r in layout.sample_rows[:n_rows]]
    return FilePreview(layout.path, layout.encoding.label, layout.delimiter, layout.has_header, layout.columns,
                       mapping, rows, estimate_rows(layout), person, handle, layout.file_bytes, layout.format,
                       layout, source)


preview_csv = preview_file  # the old name, kept while callers move


class TweetReader:
    """Iterates over a file of tweets in chunks (`TweetChunk`), keeping running totals in `.stats`.

    The file is read once, start to end; `.sha256` is its hash once the last chunk is out ("" when
    read with `hashed=False`).
    """

    def __init__(self, path: str | Path, mapping: ColumnMapping | None = None, chunk_size: int = 50_000,
                 delimiter: str | None = None, layout: Layout | None = None, source: Source | None = None,
                 compiled: bool = True, first_chunks: Sequence[int] = (), hashed: bool = True):
        self.path, self.compiled, self.first_chunks = Path(path), compiled, tuple(first_chunks)
        self.hashed = hashed
        if layout is None or source is None:
            source, layout = inspect_file(self.path, delimiter)
        self.source, self.layout = source, layout
        self.reader = READERS[layout.reader]
        self.mapping = mapping if mapping is not None else detect_mapping(layout)
        self.chunk_size = max(1, int(chunk_size))
        self.stats = ReadStats(file_bytes=layout.file_bytes)
        self.sha256: str | None = None
        self._check_not_fragments()
        self._check_mapping()
        self._iter: Iterator[TweetChunk] | None = None

    @property
    def encoding(self) -> str:
        return self.layout.encoding.label

    @property
    def delimiter(self) -> str:
        return self.layout.delimiter

    @property
    def format(self) -> str:
        return self.layout.format

    def _check_mapping(self) -> None:
        name, cols = self.path.name, self.layout.columns
        shown = ", ".join(cols[:12]) + (" …" if len(cols) > 12 else "")
        if self.mapping.text is None:
            raise CsvImportError(
                f"{name}: no column looks like tweet text (columns: {shown}); "
                "choose the text column (--text-column COLUMN)"
            )
        for role, col in self.mapping.as_dict().items():
            if col is not None and col not in cols:
                raise CsvImportError(f"{name}: there is no column {col!r} for the {role} (columns: {shown}); "
                                     "choose one of these")

    def _check_not_fragments(self) -> None:
        cols = self.layout.columns
        if self.mapping.text in cols:
            cells = column_values(self.layout, cols.index(self.mapping.text))
        else:  # no text column found: is the whole "table" pieces of code?
            cells = [c for row in [cols] + self.layout.sample_rows for c in row] if self.layout.reader == "csv" else []
        if looks_like_fragments(cells):
            raise CsvImportError(
                f"{self.path.name}: read as {self.layout.format}, the rows are pieces of JSON, JavaScript or "
                "markup, not tweets; import an X archive as its .zip or data/tweets.js, and other exports as "
                "CSV, JSON Lines or a JSON array")

    def __iter__(self) -> TweetReader:
        return self

    def __next__(self) -> TweetChunk:
        if self._iter is None:
            self._iter = self._chunks()
        chunk = next(self._iter)
        self.stats.add(chunk)
        return chunk

    def _fast_records(self, stream: HashingStream, counters: RowCounters) -> fast_csv.FastRecords | None:
        """The file's records from the compiled scan (`fast_csv`) for an uncompressed UTF-8 CSV, else None."""
        lay, src = self.layout, self.source
        if (not self.compiled or lay.reader != "csv" or src.compression is not None
                or not fast_csv.can_read(lay.encoding.codec, lay.delimiter) or not fast_csv.ready_now(lay.file_bytes)):
            return None

        def rest(more: Any, lines_before: int, header: bool) -> Iterator[list[str]]:
            return CsvReader.read_rows(src, lay, self.mapping, more, counters, lines_before, header)

        return fast_csv.FastRecords(stream, lay.encoding.codec, lay.delimiter, len(lay.columns), lay.has_header, rest)

    def _chunks(self) -> Iterator[TweetChunk]:
        counters = RowCounters()
        try:
            stream = self.source.open(self.hashed)
        except OSError as exc:
            raise CsvImportError(f"{self.path.name}: cannot read the file ({exc}); check its permissions") from None
        try:
            records = self._fast_records(stream, counters)
            rows = (iter(()) if records is not None
                    else self.reader.read_rows(self.source, self.layout, self.mapping, stream, counters))
            last: TweetChunk | None = None

            def at_end() -> None:
                self.sha256 = stream.hexdigest()

            # Each chunk goes out as soon as it is read, the last one once the file is hashed.
            for chunk in read_chunks(rows, self.layout, self.mapping, self.chunk_size, counters, records,
                                     self.first_chunks, at_end):
                if self.sha256 is not None:
                    last = chunk
                    break
                self.stats.bytes_read = min(stream.position, self.stats.file_bytes)
                yield chunk
        except OSError as exc:
            raise CsvImportError(f"{self.path.name}: cannot read the file ({exc}); check it is not damaged") from None
        finally:
            stream.close()
        assert last is not None
        self.stats.bytes_read = self.stats.file_bytes
        if self.stats.rows + last.rows == 0:
            if self.layout.has_header and self.layout.reader == "csv":
                raise CsvImportError(f"{self.path.name}: the file has a header but no tweets; export the tweets "
                                     "again or choose another file")
            raise CsvImportError(f"{self.path.name}: the file holds no tweets; export the tweets again or "
                                 "choose another file")
        yield last


def read_tweets(path: str | Path, mapping: ColumnMapping | None = None, chunk_size: int = 50_000,
                delimiter: str | None = None, preview: FilePreview | None = None, compiled: bool = True,
                first_chunks: Sequence[int] = (), hashed: bool = True) -> TweetReader:
    """Open a file of tweets (any supported format) for chunked reading.

    `mapping` is the full column mapping to use (e.g. `preview_file(path).mapping`, edited by the
    user); None detects it. `preview` (from `preview_file`) skips detection. `compiled=False` reads a
    CSV with the csv module even where the compiled reader could (`fast_csv`); `first_chunks` are the
    sizes of the first chunks (smaller ones let a pipeline start sooner); `hashed=False` skips the
    file's SHA-256 (`.sha256`, which the library keeps to know a file again). Iterate the result for
    `TweetChunk`s; `.stats` has the running totals. Raises CsvImportError (at once for unusable
    files, while iterating for problems found later).
    """
    if preview is not None and preview.layout is not None and preview.source is not None:
        return TweetReader(path, mapping if mapping is not None else preview.mapping, chunk_size,
                           layout=preview.layout, source=preview.source, compiled=compiled, first_chunks=first_chunks,
                           hashed=hashed)
    return TweetReader(path, mapping, chunk_size, delimiter, compiled=compiled, first_chunks=first_chunks, hashed=hashed)


read_tweets_csv = read_tweets  # the old name


def file_sha256(path: str | Path, block: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


__all__ = [
    "CsvImportError", "ColumnMapping", "CsvPreview", "FilePreview", "CsvLayout", "Layout", "DetectedEncoding",
    "TweetChunk", "Utf8Texts", "ReadStats", "TweetReader", "Reader", "READERS", "Source", "preview_file", "preview_csv",
    "read_tweets", "read_tweets_csv", "sniff_layout", "inspect_file", "detect_mapping", "detect_encoding",
    "parse_date", "file_sha256", "guess_person", "estimate_rows", "MAX_TEXT_CHARS",
]
