"""The user's library: imported people, their tweets and analysis results, in one SQLite file.

An import is one transaction (WAL journal): if it fails, is cancelled or the app crashes halfway,
the library is exactly as it was (the database file is not touched until a commit). Re-importing
the same file (same content hash) returns the existing person instead of duplicating it.

People are found by a case- and accent-insensitive substring of their name or handle ("beyonce"
finds "Beyoncé"): each row stores a search key (NFKD, combining marks dropped, casefolded).

The connection may be used from a worker thread (e.g. a QThread); a lock serialises access.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.datasets import (
    ColumnMapping,
    CsvImportError,
    TweetChunk,
    file_sha256,
    guess_person,
    read_tweets_csv,
)
from cta_desktop.core.errors import Cancelled, UserError

LIBRARY_FILE = "library.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    handle TEXT,
    search_key TEXT NOT NULL,
    source_file TEXT,
    source_hash TEXT,
    imported_at TEXT NOT NULL,
    tweet_count INTEGER NOT NULL DEFAULT 0,
    first_date TEXT,
    last_date TEXT,
    skipped_rows INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    encoding TEXT,
    columns TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS people_source_hash ON people (source_hash);
CREATE TABLE IF NOT EXISTS tweets (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    date TEXT,
    tweet_id TEXT,
    likes INTEGER,
    retweets INTEGER,
    replies INTEGER,
    is_retweet INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tweets_person ON tweets (person_id, id);
CREATE TABLE IF NOT EXISTS analyses (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    model_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    summary TEXT NOT NULL,
    probs BLOB NOT NULL,
    PRIMARY KEY (person_id, model_name)
);
"""

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class LibraryError(UserError, RuntimeError):
    """The library file cannot be used. The message names the file and what to do."""


class ImportCancelled(Cancelled):
    """The cancel callback returned True; the library is unchanged."""


def search_key(*parts: str | None) -> str:
    """Case- and accent-insensitive form of a text: NFKD, combining marks dropped, casefolded."""
    text = "\n".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass
class Person:
    id: int
    name: str
    handle: str | None
    source_file: str | None
    imported_at: str
    tweet_count: int
    first_date: str | None
    last_date: str | None
    skipped_rows: int = 0
    duplicates: int = 0
    encoding: str | None = None


@dataclass
class StoredTweet:
    id: int
    text: str
    date: str | None
    tweet_id: str | None
    likes: int | None
    retweets: int | None
    replies: int | None
    is_retweet: bool


@dataclass
class ImportReport:
    person_id: int
    n_tweets: int
    skipped_rows: int  # every data row not kept: empty text, malformed, duplicate
    duplicates: int
    already_imported: bool = False
    skipped_empty: int = 0
    skipped_malformed: int = 0
    truncated: int = 0
    n_retweets: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    seconds: float = 0.0


_PERSON_COLUMNS = ("id, name, handle, source_file, imported_at, tweet_count, first_date, last_date, "
                   "skipped_rows, duplicates, encoding")


class Library:
    """The SQLite library. `Library()` opens (or creates) user_data_dir()/library.sqlite3."""

    def __init__(self, path: str | Path | None = None):
        if path is None:
            from cta_desktop.paths import user_data_dir

            path = user_data_dir() / LIBRARY_FILE
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA foreign_keys = ON")
            mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            raise LibraryError(
                f"{self.path}: not a usable CTA Desktop library ({exc}); move the file away to start a new library"
            ) from None
        except OSError as exc:
            raise LibraryError(f"{self.path}: cannot open the library ({exc}); check the folder's permissions") from None

    def _ensure_schema(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if {"meta", "people", "tweets", "analyses"} <= tables:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise LibraryError(f"{self.path}: made by a newer CTA Desktop (schema {version}); update the app")
            return
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    class _Txn:
        def __init__(self, lib: Library):
            self.lib = lib

        def __enter__(self):
            self.lib._lock.acquire()
            try:
                self.lib._db.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.lib._lock.release()
                raise
            return self.lib._db

        def __exit__(self, exc_type, exc, tb):
            try:
                if exc_type is None:
                    self.lib._db.execute("COMMIT")
                else:
                    self.lib._db.execute("ROLLBACK")
            finally:
                self.lib._lock.release()
            return False

    def _transaction(self) -> Library._Txn:
        return Library._Txn(self)

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # ---- import -----------------------------------------------------------------------------

    def import_csv(self, path: str | Path, person_name: str | None = None, handle: str | None = None,
                   mapping: ColumnMapping | None = None, progress: Progress | None = None,
                   cancel: Cancel | None = None, chunk_size: int = 20_000) -> ImportReport:
        """Import a CSV of one person's tweets in one transaction.

        Raises CsvImportError (bad file) or ImportCancelled; in both cases nothing is written.
        """
        t0 = time.perf_counter()
        path = Path(path)
        try:
            digest = file_sha256(path)
        except FileNotFoundError:
            raise CsvImportError(f"{path}: file not found; check the path and try again") from None
        except IsADirectoryError:
            raise CsvImportError(f"{path}: is a folder, not a CSV file; choose a .csv file") from None
        except OSError as exc:
            raise CsvImportError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
        existing = self._query("SELECT id, tweet_count, skipped_rows, duplicates, encoding FROM people "
                               "WHERE source_hash = ?", (digest,))
        if existing:
            pid, count, skipped, dups, enc = existing[0]
            return ImportReport(pid, count, skipped, dups, already_imported=True, encoding=enc,
                                seconds=time.perf_counter() - t0)
        reader = read_tweets_csv(path, mapping=mapping, chunk_size=chunk_size)
        if person_name is None or handle is None:
            name_guess, handle_guess = guess_person(reader.layout, reader.mapping)
            person_name = person_name or name_guess
            handle = handle if handle is not None else handle_guess
        person_name = person_name.strip() or path.stem
        handle = (handle.strip().lstrip("@") or None) if handle else None
        imported_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        total = max(1, reader.layout.file_bytes)
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO people (name, handle, search_key, source_file, source_hash, imported_at, encoding, columns)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (person_name, handle, search_key(person_name, handle, f"@{handle}" if handle else None),
                 str(path.resolve()), digest, imported_at, reader.encoding, json.dumps(reader.mapping.as_dict())),
            )
            pid = int(cur.lastrowid)
            for chunk in reader:
                if cancel is not None and cancel():
                    raise ImportCancelled("import cancelled")
                db.executemany(
                    "INSERT INTO tweets (person_id, text, date, tweet_id, likes, retweets, replies, is_retweet)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    zip([pid] * len(chunk), chunk.texts, chunk.dates, chunk.tweet_ids, chunk.likes,
                        chunk.retweets, chunk.replies, chunk.is_retweet, strict=True),
                )
                if progress is not None:
                    progress(reader.stats.bytes_read, total)
            st = reader.stats
            if st.kept == 0:
                raise CsvImportError(
                    f"{path.name}: none of the {st.rows:,} rows has tweet text in column {reader.mapping.text!r}; "
                    "choose the text column and import again"
                )
            db.execute("UPDATE people SET tweet_count = ?, first_date = ?, last_date = ?, skipped_rows = ?, "
                       "duplicates = ? WHERE id = ?",
                       (st.kept, st.first_date, st.last_date, st.skipped_rows, st.duplicates, pid))
        if progress is not None:
            progress(total, total)
        st = reader.stats
        return ImportReport(pid, st.kept, st.skipped_rows, st.duplicates, False, st.skipped_empty,
                            st.skipped_malformed, st.truncated, st.retweets, reader.encoding, reader.delimiter,
                            reader.mapping.as_dict(), time.perf_counter() - t0)

    # ---- people -----------------------------------------------------------------------------

    def people(self, query: str = "") -> list[Person]:
        """All people, or those whose name or handle contains `query` (ignoring case and accents)."""
        key = search_key(query.strip().lstrip("@")) if query.strip() else ""
        if key:
            rows = self._query(f"SELECT {_PERSON_COLUMNS} FROM people WHERE instr(search_key, ?) > 0 "
                               "ORDER BY name COLLATE NOCASE, id", (key,))
        else:
            rows = self._query(f"SELECT {_PERSON_COLUMNS} FROM people ORDER BY name COLLATE NOCASE, id")
        return [Person(*r) for r in rows]

    def person(self, person_id: int) -> Person | None:
        rows = self._query(f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = ?", (int(person_id),))
        return Person(*rows[0]) if rows else None

    def update_person(self, person_id: int, name: str | None = None, handle: str | None = None) -> None:
        person = self.person(person_id)
        if person is None:
            raise KeyError(f"no person with id {person_id}")
        name = (name or person.name).strip()
        handle = person.handle if handle is None else (handle.strip().lstrip("@") or None)
        with self._transaction() as db:
            db.execute("UPDATE people SET name = ?, handle = ?, search_key = ? WHERE id = ?",
                       (name, handle, search_key(name, handle, f"@{handle}" if handle else None), int(person_id)))

    def delete_person(self, person_id: int) -> None:
        """Remove a person with their tweets and analyses."""
        with self._transaction() as db:
            db.execute("DELETE FROM analyses WHERE person_id = ?", (int(person_id),))
            db.execute("DELETE FROM tweets WHERE person_id = ?", (int(person_id),))
            db.execute("DELETE FROM people WHERE id = ?", (int(person_id),))

    # ---- tweets -----------------------------------------------------------------------------

    def _tweet_pages(self, person_id: int, page: int) -> Iterator[list[tuple]]:
        """A person's tweet rows in file order, `page` at a time (keyset pagination: bounded memory)."""
        last = 0
        while True:
            rows = self._query(
                "SELECT id, text, date, tweet_id, likes, retweets, replies, is_retweet FROM tweets "
                "WHERE person_id = ? AND id > ? ORDER BY id LIMIT ?", (int(person_id), last, page))
            if rows:
                yield rows
            if len(rows) < page:
                return
            last = rows[-1][0]

    def iter_tweets(self, person_id: int, page: int = 10_000) -> Iterator[StoredTweet]:
        """A person's tweets in file order, fetched page by page (bounded memory)."""
        for rows in self._tweet_pages(person_id, page):
            for r in rows:
                yield StoredTweet(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]))

    def tweets(self, person_id: int) -> list[StoredTweet]:
        return list(self.iter_tweets(person_id))

    def tweet_chunks(self, person_id: int, chunk_size: int = 8192) -> Iterator[TweetChunk]:
        """A person's tweets as `TweetChunk`s (what the analysis consumes)."""
        for rows in self._tweet_pages(person_id, chunk_size):
            cols = list(zip(*rows, strict=True))
            yield TweetChunk(list(cols[1]), list(cols[2]), list(cols[3]), list(cols[4]), list(cols[5]),
                             list(cols[6]), [bool(v) for v in cols[7]], rows=len(rows))

    # ---- analyses ---------------------------------------------------------------------------

    def save_analysis(self, person_id: int, result: Any) -> None:
        """Keep an AnalysisResult (its summary and per-tweet probabilities), one per model."""
        summary = result.summary_json()
        probs = np.ascontiguousarray(result.probs, dtype="<f4")
        created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM people WHERE id = ?", (int(person_id),)).fetchone() is None:
                raise KeyError(f"no person with id {person_id}")
            db.execute("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?)",
                       (int(person_id), result.model_name, created, json.dumps(summary, ensure_ascii=False),
                        probs.tobytes()))

    def load_analysis(self, person_id: int, model_name: str) -> Any | None:
        from cta_desktop.core.analysis import AnalysisResult

        rows = self._query("SELECT summary, probs FROM analyses WHERE person_id = ? AND model_name = ?",
                           (int(person_id), model_name))
        if not rows:
            return None
        summary = json.loads(rows[0][0])
        probs = np.frombuffer(rows[0][1], dtype="<f4").reshape(-1, 3).astype(np.float32)
        return AnalysisResult.from_summary(summary, probs)

    def analyses(self, person_id: int) -> list[tuple[str, str]]:
        """(model_name, created_at) of the saved analyses of a person."""
        return [(r[0], r[1]) for r in self._query(
            "SELECT model_name, created_at FROM analyses WHERE person_id = ? ORDER BY model_name", (int(person_id),))]

    # ---- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None  # type: ignore[assignment]

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
