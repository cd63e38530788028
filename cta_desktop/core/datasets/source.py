"""Opening a file of tweets: decompression, zip members, a bounded head, and hashing while reading.

A `Source` is what every reader reads from. It knows the file's compression (found by its magic
bytes, not its name), the zip member(s) that hold the tweets, and the first `HEAD_BYTES` of the
decompressed content (what format, encoding and layout detection look at). `Source.open()` gives
one stream over the whole content that hashes what it reads, so an import reads the file exactly
once beyond that bounded head: no separate hashing pass.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from cta_desktop.core.datasets.encoding import HEAD_BYTES
from cta_desktop.core.datasets.errors import CsvImportError

_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip", b"PK\x05\x06": "zip"}
_OPENERS: dict[str, Callable[[Any], Any]] = {"gzip": lambda f: gzip.GzipFile(fileobj=f), "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}
_COMPRESSED_SUFFIXES = (".gz", ".gzip", ".bz2", ".xz", ".zip")
# The X archive's tweets; like.js, direct-messages.js and the rest are ignored.
X_TWEET_FILE_RE = re.compile(r"(?:^|/)data/(?:tweets?|tweets-part\d+)\.js$")
X_ACCOUNT_FILE_RE = re.compile(r"(?:^|/)data/account\.js$")
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".jsonl", ".ndjson", ".js", ".xlsx")


class HashingStream(io.RawIOBase):
    """A read-only binary stream that feeds every byte it passes on into a SHA-256 (unless `hashed` is
    False: then `hexdigest()` is "")."""

    def __init__(self, raw: BinaryIO, hashed: bool = True):
        self._raw = raw
        self._hash = hashlib.sha256() if hashed else None
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if self._hash is not None:
            self._hash.update(data)
        self.bytes_read += n
        return n

    def hexdigest(self) -> str:
        return self._hash.hexdigest() if self._hash is not None else ""

    @property
    def position(self) -> int:
        """How far through the file the reading is, in the units of `Source.content_bytes`."""
        return self.bytes_read

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


@dataclass
class Source:
    """One file (or the tweet files inside an archive), ready to sniff and to read once."""

    path: Path
    size: int
    compression: str | None = None  # "gzip", "bz2", "xz", "zip" or None
    members: list[str] = field(default_factory=list)  # zip members read, in order
    account_member: str | None = None  # an X archive's data/account.js
    head: bytes = b""
    head_complete: bool = True
    x_archive: bool = False
    workbook: bool = False  # an .xlsx (itself a zip), opened whole by the Excel reader
    content_bytes: int = 0  # bytes the reader will see (a zip's members uncompressed), for progress

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def inner_name(self) -> str:
        """The name of what is inside (a zip member, or the file name without .gz/.bz2/.xz)."""
        if self.members:
            return PurePosixPath(self.members[0]).name
        if self.compression is not None:
            return self.path.name.rsplit(".", 1)[0]
        return self.path.name

    def open(self, hashed: bool = True) -> HashingStream:
        """The whole (decompressed) content as one stream; `.hexdigest()` once it is read ("" when not
        `hashed`: an analysis has no use for the hash, which costs ~0.1 us a tweet).

        The hash covers the file's bytes, or for a zip the members' decompressed bytes.
        """
        if self.compression == "zip":
            return HashingStream(_ZipMembers(self.path, self.members), hashed)  # type: ignore[arg-type]
        if self.compression is not None:
            hashing = HashingStream(open(self.path, "rb"), hashed)
            inner = _OPENERS[self.compression](hashing)
            return _Passthrough(inner, hashing)
        return HashingStream(open(self.path, "rb"), hashed)

    def read_account(self) -> dict:
        """An X archive's account.js (username, accountDisplayName), or {}."""
        if not self.account_member:
            return {}
        from cta_desktop.core.datasets.json_reader import iter_json_values

        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(self.account_member) as fh:
                for value in iter_json_values(io.TextIOWrapper(fh, "utf-8-sig", "replace"), self.name):
                    item = value[0] if isinstance(value, list) and value else value
                    account = item.get("account", item) if isinstance(item, dict) else None
                    return account if isinstance(account, dict) else {}
        except (OSError, zipfile.BadZipFile, CsvImportError):
            return {}
        return {}


class _Passthrough(HashingStream):
    """A decompressing stream whose hash is that of the compressed bytes below it."""

    def __init__(self, inner: BinaryIO, hashing: HashingStream):
        super().__init__(inner, hashed=False)  # (the hash is the compressed bytes': `hashing`'s)
        self._hashing = hashing

    def readinto(self, buffer) -> int:
        try:
            data = self._raw.read(len(buffer))
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as exc:
            raise CsvImportError(f"{self._hashing_name()}: the compressed file is damaged ({exc}); "
                                 "download or compress it again") from None
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n

    def _hashing_name(self) -> str:
        return getattr(self._hashing._raw, "name", "file")

    def hexdigest(self) -> str:
        return self._hashing.hexdigest()

    @property
    def position(self) -> int:
        return self._hashing.bytes_read

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            self._hashing.close()


class _ZipMembers(io.RawIOBase):
    """Zip members read one after another as one stream (the X archive's tweets-part files)."""

    def __init__(self, path: Path, members: list[str]):
        self._zip = zipfile.ZipFile(path)
        self._names: Iterator[str] = iter(members)
        self._current: BinaryIO | None = None
        self._path = path

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        while True:
            if self._current is None:
                name = next(self._names, None)
                if name is None:
                    return b""
                self._current = self._zip.open(name)  # type: ignore[assignment]
            try:
                data = self._current.read(n)  # type: ignore[union-attr]
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise CsvImportError(f"{self._path.name}: the zip file is damaged ({exc}); "
                                     "download or zip it again") from None
            if data:
                return data
            self._current.close()  # type: ignore[union-attr]
            self._current = None
            # members are joined by a newline so that JSON values and CSV rows never run together
            return b"\n"

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        self._zip.close()
        super().close()


def read_exactly(stream: io.RawIOBase, n: int) -> bytes:
    """Up to n bytes (fewer only at the end): a raw stream's read may return less."""
    parts, got = [], 0
    while got < n:
        data = stream.read(n - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def buffered(stream: io.RawIOBase) -> io.BufferedReader:
    return io.BufferedReader(stream, 1 << 16)


def _stat(path: Path) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CsvImportError(f"{path}: file not found; check the path and try again") from None
    except OSError as exc:
        raise CsvImportError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
    if path.is_dir():
        raise CsvImportError(f"{path}: is a folder, not a file of tweets; choose a .csv, .json, .js, .zip or .xlsx file")
    if size == 0:
        raise CsvImportError(f"{path.name}: the file is empty; export the tweets again or choose another file")
    return size


def _choose_members(path: Path, zf: zipfile.ZipFile) -> tuple[list[str], str | None, bool]:
    """(members to read, account.js member, is an X archive). Raises with the list of members."""
    names = [i.filename for i in zf.infolist() if not i.is_dir()
             and not i.filename.startswith("__MACOSX/") and not PurePosixPath(i.filename).name.startswith(".")]
    tweets = sorted((n for n in names if X_TWEET_FILE_RE.search(n)), key=_part_order)
    if tweets:
        account = next((n for n in names if X_ACCOUNT_FILE_RE.search(n)), None)
        return tweets, account, True
    data = [n for n in names if n.lower().endswith(DATA_SUFFIXES)]
    if len(names) == 1:
        return names, None, False
    if len(data) == 1:
        return data, None, False
    named = [n for n in data if "tweet" in n.lower()]
    if len(named) == 1:
        return named, None, False
    shown = ", ".join(names[:10]) + (" …" if len(names) > 10 else "")
    if not names:
        raise CsvImportError(f"{path.name}: the zip file is empty; choose another file")
    raise CsvImportError(f"{path.name}: the zip holds several files and none is clearly the tweets ({shown}); "
                         "unzip it and import the file with the tweets")


def _part_order(name: str) -> tuple[int, str]:
    m = re.search(r"part(\d+)\.js$", name)
    return (int(m.group(1)) + 1 if m else 0, name)


def _is_xlsx(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def open_source(path: str | Path) -> Source:
    """Inspect a file: compression, members, and its first HEAD_BYTES (decompressed). Bounded reads."""
    path = Path(path)
    size = _stat(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise CsvImportError(f"{path.name}: cannot read the file ({exc.strerror or exc}); check its permissions") from None
    compression = next((kind for m, kind in _MAGIC.items() if magic.startswith(m)), None)
    src = Source(path, size, compression, content_bytes=size)
    if compression == "zip":
        try:
            with zipfile.ZipFile(path) as zf:
                if _is_xlsx(zf):
                    src.compression = None  # an Excel workbook is a zip: the Excel reader opens it whole
                    src.head, src.workbook = magic, True
                    return src
                src.members, src.account_member, src.x_archive = _choose_members(path, zf)
                src.content_bytes = sum(zf.getinfo(m).file_size + 1 for m in src.members)
        except zipfile.BadZipFile as exc:
            raise CsvImportError(f"{path.name}: the zip file is damaged ({exc}); download or zip it again") from None
    try:
        with src.open() as stream:
            head = read_exactly(stream, HEAD_BYTES)
            src.head, src.head_complete = head, len(head) < HEAD_BYTES or not read_exactly(stream, 1)
    except OSError as exc:
        raise CsvImportError(f"{path.name}: cannot read the file ({exc}); check it is not damaged") from None
    if src.compression is not None and not src.head:
        raise CsvImportError(f"{path.name}: the compressed file holds nothing; choose another file")
    return src


__all__ = ["Source", "HashingStream", "open_source", "read_exactly", "buffered", "X_TWEET_FILE_RE", "DATA_SUFFIXES"]
