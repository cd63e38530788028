"""The fast way through a UTF-8 CSV: fields found by a compiled scan, taken out a column at a time.

`csv_reader` parses with Python's `csv` module, which makes a list of strings per row, and then every
column is taken out of those lists. For records that are plain (every record as wide as the header,
nothing the `csv` module would have to guess about: see `_kernels_csv`), the compiled scan finds where
every field is instead; each column is then gathered by a kernel and decoded and split in one go, and
counts and the usual date shapes are parsed by kernels too. What comes out is the same as from the
`csv` module, string for string (`tests/test_fast_csv.py` holds them to each other).

From the first record the scan does not read exactly as the `csv` module would, the rest of the file
is read by `csv_reader` (the same stream, read once), with its error messages (their line numbers
counted from the file's start) and its mending of rows. The kernels are
used only once they are compiled and loaded in this process (`warm_up`, at app start with the other
kernels); until then, and without numba, every file goes to the `csv` module.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core import kernel_marker

_BLOCK_BYTES = 1 << 20  # bytes read at a time
_BATCH_RECORDS = 4096  # records scanned at a time
_UTF8_CODECS = {"utf-8": False, "utf-8-sig": True}  # codec -> skips a byte-order mark

_kernels: Any = None
_lock = threading.Lock()
_warming = False


@functools.lru_cache(maxsize=1)
def _marker() -> Path | None:
    """A file that says the kernels compiled into numba's cache once (this numba, this kernel source)."""
    return kernel_marker.marker_for(Path(__file__).with_name("_kernels_csv.py"), "csv")


_COMPILE_FROM_BYTES = 16 << 20  # a file this large starts the compile for the next one (CLI imports, analyses)


def ready_now(file_bytes: int = 0) -> bool:
    """The kernels, if they can be had at once: loaded already, or loaded now from numba's cache when
    they were compiled before (a fraction of a second). Otherwise this file goes to the csv module; a
    large one starts the compile in the background for the next file (the app compiles them at start,
    after the engine and the tokenizer; a small file is not worth a compile competing with its reading)."""
    if _kernels is not None:
        return True
    marker = _marker()
    if marker is not None and marker.exists():
        return warm_up()
    if file_bytes >= _COMPILE_FROM_BYTES:
        warm_up_async()
    return False


def warm_up() -> bool:
    """Compile (or load from numba's cache) the kernels now; False without numba or if that fails."""
    global _kernels
    with _lock:
        if _kernels is None:
            try:
                from cta_desktop.core.datasets import _kernels_csv as k

                data = np.frombuffer(b'id,text\r\n1,"a ""b"" \xc3\xa9"\n', np.uint8)
                starts, ends, doubled = _buffers(4, 2)
                k.scan_records(data, 0, len(data), True, 44, 2, 1 << 20, 4, starts, ends, doubled)
                k.parse_counts(data, starts, ends, 0, 2, np.zeros(4, np.int64), np.zeros(4, np.uint8))
                k.gather_column(data, starts, ends, doubled, 1, 2, np.zeros(64, np.uint8))
                k.parse_dates(data, starts, ends, 1, 2, True, False, np.zeros(64, np.uint8), np.zeros(4, np.uint8))
            except Exception:  # noqa: BLE001 - the csv module reads every file
                return False
            _kernels = k
            kernel_marker.mark_compiled(_marker())
    return True


def warm_up_async() -> None:
    """`warm_up` in a background thread (once per process)."""
    global _warming
    with _lock:
        if _warming or _kernels is not None:
            return
        _warming = True
    threading.Thread(target=warm_up, name="cta-csv-warmup", daemon=True).start()


def can_read(codec: str, delimiter: str) -> bool:
    """The scan reads files in this encoding with this delimiter (UTF-8, a one-byte delimiter)."""
    return codec in _UTF8_CODECS and len(delimiter) == 1 and ord(delimiter) < 128


def _buffers(rows: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each field's start and end in the bytes, and whether it holds doubled quotes."""
    return np.zeros((rows, width), np.int64), np.zeros((rows, width), np.int64), np.zeros((rows, width), np.uint8)


@dataclass
class Utf8Texts:
    """A chunk's texts as the UTF-8 bytes they were read from: text i is `data[starts[i]:ends[i]]`
    decoded and stripped (`str.strip()`). The tokenising workers take these (one buffer, no string
    objects to pickle) and make code points of them in a kernel (`fast_tokens.encode_utf8`)."""

    data: np.ndarray  # uint8
    starts: np.ndarray  # int64
    ends: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, keep: Any) -> Utf8Texts:
        """The texts where `keep` (a bool mask or row numbers) says."""
        return Utf8Texts(self.data, self.starts[keep], self.ends[keep])

    def texts(self) -> list[str]:
        """The texts as strings (what `TweetChunk.texts` holds)."""
        raw = self.data.tobytes()
        return [raw[a:b].decode("utf-8").strip() for a, b in zip(self.starts.tolist(), self.ends.tolist(), strict=True)]


class FastRows:
    """A batch of records: field f of row r is `data[starts[r, f]:ends[r, f]]` (`""` read as `"` where
    `doubled[r, f]`), taken out a column at a time by the kernels."""

    def __init__(self, data: bytes, starts: np.ndarray, ends: np.ndarray, doubled: np.ndarray):
        self.data, self.starts, self.ends, self.doubled = data, starts, ends, doubled

    def __len__(self) -> int:
        return len(self.starts)

    def _buf(self) -> np.ndarray:
        return np.frombuffer(self.data, np.uint8)

    def _gathered(self, i: int) -> np.ndarray:
        n = len(self)
        out = np.empty(int((self.ends[:, i] - self.starts[:, i]).sum()) + n, np.uint8)
        w = _kernels.gather_column(self._buf(), self.starts, self.ends, self.doubled, i, n, out)
        return out[:w]

    def column(self, i: int) -> list[str]:
        if not len(self):
            return []
        return self._gathered(i).tobytes().decode("utf-8").split("\0")

    def column_utf8(self, i: int) -> tuple[list[str], Utf8Texts | None]:
        """`column(i)`, and the same fields as UTF-8 bytes (None where a field holds a NUL byte)."""
        n = len(self)
        if not n:
            return [], None
        data = self._gathered(i)
        values = data.tobytes().decode("utf-8").split("\0")
        if len(values) != n:  # (a NUL inside a field: the fields cannot be told apart by it)
            return values, None
        nul = np.flatnonzero(data == 0)
        starts = np.empty(n, np.int64)
        starts[0] = 0
        starts[1:] = nul + 1
        ends = np.empty(n, np.int64)
        ends[:-1] = nul
        ends[-1] = len(data)
        return values, Utf8Texts(data, starts, ends)

    def field(self, r: int, i: int) -> str:
        value = self.data[self.starts[r, i]:self.ends[r, i]].decode("utf-8")
        return value.replace('""', '"') if self.doubled[r, i] else value

    def counts(self, i: int) -> tuple[list[int | None], list[int]]:
        """Field i as counts where it is plain digits (None where empty), and the rows to parse in Python."""
        n = len(self)
        out, kind = np.zeros(n, np.int64), np.zeros(n, np.uint8)
        _kernels.parse_counts(self._buf(), self.starts, self.ends, i, n, out, kind)
        values: list[int | None] = out.tolist()
        for r in np.flatnonzero(kind == 0).tolist():
            values[r] = None
        return values, np.flatnonzero(kind == 2).tolist()

    def dates(self, i: int, parser: Any) -> list[str | None]:
        """Field i through `parser` (`values.date_parser_for`'s or `generic_date`): the usual shapes by the
        kernel, exactly as the parser writes them, the rest by the parser."""
        n = len(self)
        if not n:
            return []
        k = _kernels
        day_first = getattr(parser, "day_first", None)
        out = np.empty(26 * n, np.uint8)
        status = np.zeros(n, np.uint8)
        w = k.parse_dates(self._buf(), self.starts, self.ends, i, n, day_first is not None, bool(day_first), out,
                          status)
        values: list[str | None] = out[:w].tobytes().decode("ascii").split("\0")  # type: ignore[assignment]
        for r in np.flatnonzero(status != k.DATE_DONE).tolist():
            values[r] = None if status[r] == k.DATE_NONE else parser(self.field(r, i))
        return values

    def take(self, rows: list[int] | slice) -> FastRows:
        idx = rows if isinstance(rows, slice) else np.asarray(rows, dtype=np.int64)
        return FastRows(self.data, self.starts[idx], self.ends[idx], self.doubled[idx])

    def row_keys(self, width: int) -> list[int]:
        """hash(tuple(row)) of each row, as for rows read by the csv module."""
        return [hash(row) for row in zip(*(self.column(i) for i in range(width)), strict=True)]


class _Rest(io.RawIOBase):
    """The bytes not read yet: what `FastRecords` holds, then the rest of the stream."""

    def __init__(self, head: bytes, stream: Any):
        self._head, self._stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if len(self._head):
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        return self._stream.readinto(buffer)


class FastRecords:
    """The records of a CSV read once from `stream`, in `FastRows` batches; from the first record the
    scan does not read exactly as the csv module would (see `_kernels_csv`), the rest of the file is
    read by `csv_reader` instead, in lists of strings (`fallback` says after how many lines)."""

    def __init__(self, stream: Any, codec: str, delimiter: str, width: int, skip_header: bool,
                 rest: Callable[[Any, int, bool], Iterator[list[str]]] | None = None):
        from cta_desktop.core.datasets.csv_reader import MAX_FIELD_BYTES

        self.stream, self.delim, self.width, self.skip_header = stream, ord(delimiter), width, skip_header
        self.rest, self.max_field = rest, MAX_FIELD_BYTES
        self.data: bytes = stream.read(_BLOCK_BYTES)
        self.eof = not self.data
        if _UTF8_CODECS[codec] and self.data.startswith(b"\xef\xbb\xbf"):
            self.data = self.data[3:]
        self.pos = 0
        self.lines = 0  # lines before self.pos (a plain record's line ends are all "\n" or "\r\n")
        self.pending: FastRows | None = None
        self.fallback: int | None = None
        self.rows: Iterator[list[str]] | None = None

    def _scan(self) -> FastRows | None:
        """The next records (None at the end of the file, or where the csv module takes over)."""
        k = _kernels
        while True:
            buf = np.frombuffer(self.data, np.uint8)
            bufs = _buffers(_BATCH_RECORDS, self.width)
            n, end, status = k.scan_records(buf, self.pos, len(buf), self.eof, self.delim, self.width,
                                            self.max_field, _BATCH_RECORDS, *bufs)
            self.lines += self.data.count(b"\n", self.pos, end)
            self.pos = end  # (blank lines are passed over even where no record follows yet)
            if status != k.OK and self.rows is None:
                self._hand_over(self.skip_header and not n)
            if n:
                starts, ends, doubled = bufs
                rows = FastRows(self.data, starts[:n], ends[:n], doubled[:n])
                if self.skip_header:
                    self.skip_header = False
                    rows = rows.take(slice(1, n))
                    if not len(rows):
                        continue
                return rows
            if status != k.OK or self.eof:
                return None
            block = self.stream.read(_BLOCK_BYTES)
            self.eof = not block
            self.data = self.data[self.pos:] + block
            self.pos = 0

    def _hand_over(self, header: bool) -> None:
        if self.rest is None:
            raise ValueError("not a plain CSV")
        self.fallback = self.lines
        self.rows = self.rest(_Rest(self.data[self.pos:], self.stream), self.lines, header)

    def take(self, most: int) -> FastRows | list[list[str]] | None:
        """Up to `most` records (fewer at a batch's end; None at the end of the file)."""
        if self.pending is None and self.rows is not None:
            return list(islice(self.rows, most)) or None
        rows = self.pending if self.pending is not None else self._scan()
        self.pending = None
        if rows is None:
            return self.take(most) if self.rows is not None else None
        if len(rows) > most:
            self.pending = rows.take(slice(most, len(rows)))
            rows = rows.take(slice(0, most))
        return rows
