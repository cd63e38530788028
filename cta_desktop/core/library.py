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
from typing import Any, Protocol

import numpy as np

from cta_desktop.core.datasets import (
    ColumnMapping,
    CsvImportError,
    TweetChunk,
    guess_person,
    read_tweets,
)
from cta_desktop.core.errors import Cancelled, UserError
from cta_desktop.core.library_schema import _MIGRATE_TO_2, _SCHEMA, dedup_key

LIBRARY_FILE = "library.sqlite3"
SCHEMA_VERSION = 2
BUSY_TIMEOUT_S = 30.0  # how long one statement waits for another process's write
LOCK_RETRY_S = 600.0  # how long a transaction keeps retrying to become the (one) writer

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class AnalysisRecord(Protocol):
    """What `save_analysis` needs of an analysis result (an `AnalysisResult` is one)."""

    model_name: str
    probs: np.ndarray

    def summary_json(self) -> dict[str, Any]: ...


@dataclass
class SavedAnalysis:
    """A saved analysis as stored: the summary JSON and the per-tweet probabilities."""

    model_name: str
    summary: dict[str, Any]
    probs: np.ndarray
    cache_key: str | None = None
    created_at: str = ""


FETCH_BATCH = 512  # rows per fetchmany: see _fetch_all


def _fetch_all(cursor: sqlite3.Cursor) -> list[tuple]:
    """cursor.fetchall(), in batches. A C-level fetchall of a large page keeps re-taking the GIL between
    rows without running a bytecode, so a waiting thread (the GUI's event loop) could not get it for
    200+ ms; between batches the interpreter hands the GIL over as usual."""
    rows: list[tuple] = []
    while batch := cursor.fetchmany(FETCH_BATCH):
        rows.extend(batch)
    return rows


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
    is_reply: bool = False


@dataclass
class ImportReport:
    """What one import did. `new` tweets were added; `duplicates` were already there (in the person or
    earlier in the file); `skipped` rows had no usable text or were malformed."""

    person_id: int
    n_tweets: int  # the person's tweets after the import
    skipped_rows: int  # every data row not kept: empty text, malformed, duplicate within the file
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
    new: int = 0
    skipped: int = 0
    format: str = ""
    sha256: str = ""


_PERSON_COLUMNS = ("id, name, handle, source_file, imported_at, tweet_count, first_date, last_date, "
                   "skipped_rows, duplicates, encoding")
_STAGING = ("CREATE TEMP TABLE IF NOT EXISTS staging (dedup INTEGER, text TEXT, date TEXT, tweet_id TEXT, "
            "likes INTEGER, retweets INTEGER, replies INTEGER, is_retweet INTEGER, is_reply INTEGER)")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


class Library:
    """The SQLite library. `Library()` opens (or creates) user_data_dir()/library.sqlite3.

    Several processes may use one library at once: each transaction that writes waits its turn
    (one writer at a time, WAL readers never block), retrying while another process writes, so
    "database is locked" never reaches the user. Imports parse the file into a private temporary
    table first and hold the write lock only to copy the new tweets in.
    """

    def __init__(self, path: str | Path | None = None):
        if path is None:
            from cta_desktop.paths import user_data_dir

            path = user_data_dir() / LIBRARY_FILE
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                       timeout=BUSY_TIMEOUT_S)
            self._db.create_function("cta_dedup", 3, dedup_key, deterministic=True)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._retry(self._set_wal)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            raise LibraryError(
                f"{self.path}: not a usable CTA Desktop library ({exc}); move the file away to start a new library"
            ) from None
        except OSError as exc:
            raise LibraryError(f"{self.path}: cannot open the library ({exc}); check the folder's permissions") from None

    def _set_wal(self) -> None:
        mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            self._db.execute("PRAGMA journal_mode = WAL")

    def _retry(self, fn: Callable[[], Any]) -> Any:
        """Run fn, waiting (with growing pauses) while another process holds the write lock."""
        deadline = time.monotonic() + LOCK_RETRY_S
        pause = 0.01
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    if _is_busy(exc):
                        raise LibraryError(f"{self.path}: another program has kept the library busy for "
                                           f"{LOCK_RETRY_S:.0f} s; close it and try again") from None
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _ensure_schema(self) -> None:
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if {"meta", "people", "tweets", "analyses"} <= tables:
            version = self._version()
            if version > SCHEMA_VERSION:
                raise LibraryError(f"{self.path}: made by a newer CTA Desktop (schema {version}); update the app")
            if version == SCHEMA_VERSION:
                return
        with self._transaction() as db:
            # Look again under the write lock: another process may have created or migrated it meanwhile.
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = self._version() if "meta" in tables else 0
            if version == SCHEMA_VERSION:
                return  # another process got here first
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            for statement in _MIGRATE_TO_2.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    class _Txn:
        def __init__(self, lib: Library):
            self.lib = lib

        def __enter__(self):
            self.lib._lock.acquire()
            try:
                self.lib._retry(lambda: self.lib._db.execute("BEGIN IMMEDIATE"))
            except BaseException:
                self.lib._lock.release()
                raise
            return self.lib._db

        def __exit__(self, exc_type, exc, tb):
            try:
                if exc_type is None:
                    self.lib._retry(lambda: self.lib._db.execute("COMMIT"))
                else:
                    self.lib._db.execute("ROLLBACK")
            finally:
                self.lib._lock.release()
            return False

    def _transaction(self) -> Library._Txn:
        return Library._Txn(self)

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._retry(lambda: _fetch_all(self._db.execute(sql, params)))

    # ---- import -----------------------------------------------------------------------------

    def import_file(self, path: str | Path, *, preview: Any = None, person_id: int | None = None,
                    person_name: str | None = None, handle: str | None = None,
                    mapping: ColumnMapping | None = None, progress: Progress | None = None,
                    cancel: Cancel | None = None, chunk_size: int = 20_000) -> ImportReport:
        """Import a file of tweets (any supported format) as a new person, or into `person_id`.

        The file is read once (hashed on the way); `preview` (from `datasets.preview_file`) skips
        detecting its layout again. Tweets the person already has (same id; without ids, same date
        and text) are counted as duplicates, not added, so importing an updated file adds only the
        new tweets. The same file again as a new person returns the existing person. Raises
        CsvImportError (bad file), LibraryError, KeyError (no such person) or ImportCancelled; in
        every case the library file is left exactly as it was.
        """
        t0 = time.perf_counter()
        path = Path(path)
        if person_id is not None and self.person(person_id) is None:
            raise KeyError(f"no person with id {person_id} in the library")
        reader = read_tweets(path, mapping=mapping, chunk_size=chunk_size, preview=preview)
        total = max(1, reader.layout.file_bytes)
        with self._lock:
            db = self._db
            db.execute(_STAGING)
            db.execute("DELETE FROM staging")
            try:
                db.execute("BEGIN")  # the temp table is private: no lock on the library itself
                for chunk in reader:
                    if cancel is not None and cancel():
                        raise ImportCancelled("import cancelled")
                    replies = chunk.is_reply or [False] * len(chunk)
                    db.executemany(
                        "INSERT INTO staging VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        zip(map(dedup_key, chunk.tweet_ids, chunk.dates, chunk.texts), chunk.texts, chunk.dates,
                            chunk.tweet_ids, chunk.likes, chunk.retweets, chunk.replies, chunk.is_retweet, replies,
                            strict=True))
                    if progress is not None:
                        progress(min(reader.stats.bytes_read, total - 1), total)
                db.execute("COMMIT")
                st = reader.stats
                if st.kept == 0:
                    raise CsvImportError(
                        f"{path.name}: none of the {st.rows:,} rows has tweet text in column "
                        f"{reader.mapping.text!r}; choose the text column and import again")
                if cancel is not None and cancel():
                    raise ImportCancelled("import cancelled")
                report = self._merge(path, reader, person_id, person_name, handle)
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                db.execute("DELETE FROM staging")
        if progress is not None:
            progress(total, total)
        report.seconds = time.perf_counter() - t0
        return report

    def _merge(self, path: Path, reader: Any, person_id: int | None, person_name: str | None,
               handle: str | None) -> ImportReport:
        """Copy the staged tweets into the person (new or given) in one short write transaction."""
        st, digest = reader.stats, reader.sha256 or ""
        skipped = st.skipped_empty + st.skipped_malformed
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        with self._transaction() as db:
            if person_id is None:
                row = db.execute("SELECT person_id FROM imports WHERE sha256 = ? ORDER BY id LIMIT 1",
                                 (digest,)).fetchone()
                if row is not None and db.execute("SELECT 1 FROM people WHERE id = ?", (row[0],)).fetchone():
                    p = self._person_in(db, row[0])
                    return ImportReport(p.id, p.tweet_count, p.skipped_rows, p.duplicates, already_imported=True,
                                        encoding=p.encoding, format=reader.format, sha256=digest)
                name_guess, handle_guess = guess_person(reader.layout, reader.mapping)
                name = (person_name or name_guess).strip() or path.stem
                hnd = handle if handle is not None else handle_guess
                hnd = (hnd.strip().lstrip("@") or None) if hnd else None
                cur = db.execute(
                    "INSERT INTO people (name, handle, search_key, source_file, source_hash, imported_at, encoding, "
                    "columns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, hnd, search_key(name, hnd, f"@{hnd}" if hnd else None), str(path.resolve()), digest, now,
                     reader.encoding, json.dumps(reader.mapping.as_dict())))
                person_id = int(cur.lastrowid)
            before = db.total_changes
            db.execute("INSERT OR IGNORE INTO tweets (person_id, dedup, text, date, tweet_id, likes, retweets, replies,"
                       " is_retweet, is_reply) SELECT ?, dedup, text, date, tweet_id, likes, retweets, replies, "
                       "is_retweet, is_reply FROM staging ORDER BY rowid", (int(person_id),))
            new = db.total_changes - before
            dups = st.duplicates + (st.kept - new)
            count, first, last = db.execute("SELECT COUNT(*), MIN(date), MAX(date) FROM tweets WHERE person_id = ?",
                                            (int(person_id),)).fetchone()
            db.execute("UPDATE people SET tweet_count = ?, first_date = ?, last_date = ?, skipped_rows = "
                       "skipped_rows + ?, duplicates = duplicates + ?, source_file = ?, source_hash = ? WHERE id = ?",
                       (count, first, last, skipped + dups, dups, str(path.resolve()), digest, int(person_id)))
            db.execute("INSERT INTO imports (person_id, file, sha256, format, imported_at, new, duplicates, skipped) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (int(person_id), str(path.resolve()), digest, reader.format, now, new, dups, skipped))
        return ImportReport(int(person_id), count, skipped + dups, dups, False, st.skipped_empty,
                            st.skipped_malformed, st.truncated, st.retweets, reader.encoding, reader.delimiter,
                            reader.mapping.as_dict(), 0.0, new=new, skipped=skipped, format=reader.format,
                            sha256=digest)

    def import_csv(self, path: str | Path, person_name: str | None = None, handle: str | None = None,
                   mapping: ColumnMapping | None = None, progress: Progress | None = None,
                   cancel: Cancel | None = None, chunk_size: int = 20_000) -> ImportReport:
        """The old name of `import_file` (a new person), kept while callers move."""
        return self.import_file(path, person_name=person_name, handle=handle, mapping=mapping, progress=progress,
                                cancel=cancel, chunk_size=chunk_size)

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

    @staticmethod
    def _person_in(db: sqlite3.Connection, person_id: int) -> Person:
        return Person(*db.execute(f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = ?", (int(person_id),)).fetchone())

    def find_person(self, name_or_handle: str) -> Person | None:
        """The person whose name or handle is exactly this (ignoring case, accents and a leading @)."""
        key = search_key(name_or_handle.strip().lstrip("@"))
        for p in self.people(name_or_handle):
            if key in (search_key(p.name), search_key(p.handle or "")):
                return p
        return None

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
        """Remove a person with their tweets, imports, analyses and stored results."""
        pid = int(person_id)
        with self._transaction() as db:
            db.execute("DELETE FROM results WHERE tweet IN (SELECT id FROM tweets WHERE person_id = ?)", (pid,))
            db.execute("DELETE FROM analyses WHERE person_id = ?", (pid,))
            db.execute("DELETE FROM imports WHERE person_id = ?", (pid,))
            db.execute("DELETE FROM tweets WHERE person_id = ?", (pid,))
            db.execute("DELETE FROM people WHERE id = ?", (pid,))

    # ---- tweets -----------------------------------------------------------------------------

    def _tweet_pages(self, person_id: int, page: int, model_name: str | None = None) -> Iterator[list[tuple]]:
        """A person's tweet rows in file order, `page` at a time (keyset pagination: bounded memory).

        With `model_name`, each row ends with that model's stored probabilities (or None)."""
        last = 0
        cols = "t.id, t.text, t.date, t.tweet_id, t.likes, t.retweets, t.replies, t.is_retweet, t.is_reply"
        if model_name is None:
            sql = f"SELECT {cols} FROM tweets t WHERE t.person_id = ? AND t.id > ? ORDER BY t.id LIMIT ?"
            params: tuple = ()
        else:
            sql = (f"SELECT {cols}, r.probs FROM tweets t LEFT JOIN results r ON r.model_name = ? AND r.tweet = t.id "
                   "WHERE t.person_id = ? AND t.id > ? ORDER BY t.id LIMIT ?")
            params = (model_name,)
        while True:
            rows = self._query(sql, params + (int(person_id), last, page))
            if rows:
                yield rows
            if len(rows) < page:
                return
            last = rows[-1][0]

    def iter_tweets(self, person_id: int, page: int = 10_000) -> Iterator[StoredTweet]:
        """A person's tweets in file order, fetched page by page (bounded memory)."""
        for rows in self._tweet_pages(person_id, page):
            for r in rows:
                yield StoredTweet(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), bool(r[8]))

    def tweets(self, person_id: int) -> list[StoredTweet]:
        return list(self.iter_tweets(person_id))

    def tweet_chunks(self, person_id: int, chunk_size: int = 8192, model_name: str | None = None,
                     with_ids: bool = False) -> Iterator[TweetChunk]:
        """A person's tweets as `TweetChunk`s (what the analysis consumes).

        With `model_name`, `chunk.probs` holds that model's stored per-tweet probabilities (NaN rows:
        not computed yet), so the pipeline runs the engine only on the rest. With `with_ids`, the
        chunk's `row_ids` lists the library's row id of each tweet (for `save_results`).
        """
        for rows in self._tweet_pages(person_id, chunk_size, model_name):
            cols = list(zip(*rows, strict=True))
            chunk = TweetChunk(list(cols[1]), list(cols[2]), list(cols[3]), list(cols[4]), list(cols[5]),
                               list(cols[6]), [bool(v) for v in cols[7]], rows=len(rows),
                               is_reply=[bool(v) for v in cols[8]])
            if model_name is not None:
                probs = np.full((len(rows), 3), np.nan, np.float32)
                for i, blob in enumerate(cols[9]):
                    if blob is not None:
                        probs[i] = np.frombuffer(blob, "<f4")
                chunk.probs = probs
            if with_ids:
                chunk.row_ids = list(cols[0])
            yield chunk

    # ---- per-tweet results and analyses -----------------------------------------------------

    def save_results(self, model_name: str, row_ids: list[int], probs: np.ndarray) -> int:
        """Keep per-tweet probabilities of a model (rows of NaN are not kept). Returns rows written."""
        probs = np.ascontiguousarray(probs, dtype="<f4")
        keep = ~np.isnan(probs).any(axis=1)
        rows = [(model_name, int(r), probs[i].tobytes()) for i, r in enumerate(row_ids) if keep[i]]
        with self._transaction() as db:
            db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
        return len(rows)

    def engine_cache_get(self, model_name: str, hashes: list[int]) -> dict[int, bytes]:
        """Stored engine outputs (float32 x3 as bytes) for these token-id hashes, where known."""
        found: dict[int, bytes] = {}
        for start in range(0, len(hashes), 900):  # SQLite's host-parameter limit
            part = hashes[start : start + 900]
            marks = ",".join("?" * len(part))
            found.update(self._query(f"SELECT ids_hash, probs FROM engine_cache WHERE model_name = ? AND ids_hash "
                                     f"IN ({marks})", (model_name, *part)))
        return found

    def engine_cache_put(self, model_name: str, items: dict[int, bytes]) -> None:
        if items:
            with self._transaction() as db:
                db.executemany("INSERT OR REPLACE INTO engine_cache VALUES (?, ?, ?)",
                               [(model_name, h, b) for h, b in items.items()])

    def missing_results(self, person_id: int, model_name: str) -> int:
        """How many of a person's tweets have no stored result for this model."""
        return int(self._query("SELECT COUNT(*) FROM tweets t WHERE t.person_id = ? AND NOT EXISTS "
                               "(SELECT 1 FROM results r WHERE r.model_name = ? AND r.tweet = t.id)",
                               (int(person_id), model_name))[0][0])

    def content_key(self, person_id: int) -> str:
        """Changes whenever the person's tweets do (tweets are only ever added or removed with the person)."""
        n, last = self._query("SELECT COUNT(*), MAX(id) FROM tweets WHERE person_id = ?", (int(person_id),))[0]
        return f"{n}:{last}"

    def save_analysis(self, person_id: int, result: AnalysisRecord, cache_key: str | None = None) -> None:
        """Keep an analysis (an AnalysisResult: its summary and per-tweet probabilities), one per model.

        `cache_key` (see `cached_analysis`) says for which content and options it holds."""
        summary = result.summary_json()
        probs = np.ascontiguousarray(result.probs, dtype="<f4")
        created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM people WHERE id = ?", (int(person_id),)).fetchone() is None:
                raise KeyError(f"no person with id {person_id}")
            db.execute("INSERT OR REPLACE INTO analyses (person_id, model_name, created_at, summary, probs, cache_key) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (int(person_id), result.model_name, created, json.dumps(summary, ensure_ascii=False),
                        probs.tobytes(), cache_key))

    def load_analysis(self, person_id: int, model_name: str, cache_key: str | None = None) -> SavedAnalysis | None:
        """The saved analysis for this model (with `cache_key`: only if saved under that key).

        `AnalysisResult.from_summary(saved.summary, saved.probs)` turns it back into a result
        (person_analysis does): the library does not import the analysis."""
        rows = self._query("SELECT summary, probs, cache_key, created_at FROM analyses WHERE person_id = ? "
                           "AND model_name = ?", (int(person_id), model_name))
        if not rows or (cache_key is not None and rows[0][2] != cache_key):
            return None
        probs = np.frombuffer(rows[0][1], dtype="<f4").reshape(-1, 3).astype(np.float32)
        return SavedAnalysis(model_name, json.loads(rows[0][0]), probs, rows[0][2], rows[0][3])

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
