"""A person grows: imports into an existing person, de-duplicated; one pass over a file; schema migration."""

from __future__ import annotations

import builtins
import hashlib
import sqlite3
from pathlib import Path

import pytest

from cta_desktop.core import library as library_module
from cta_desktop.core.datasets import preview_file
from cta_desktop.core.datasets.encoding import HEAD_BYTES
from cta_desktop.core.library import SCHEMA_VERSION, ImportCancelled, Library


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archive_csv(path: Path, ids: range, with_ids: bool = True) -> Path:
    head = "id,date,text\n" if with_ids else "date,text\n"
    rows = "".join((f"{i}," if with_ids else "") + f"2021-01-{1 + i % 28:02d} 10:00:00,tweet number {i} is here\n"
                   for i in ids)
    path.write_text(head + rows, encoding="utf-8")
    return path


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "library.sqlite3") as library:
        yield library


def test_updated_file_adds_only_new_tweets(lib, tmp_path):
    first = lib.import_file(archive_csv(tmp_path / "a.csv", range(1000, 1050)))
    assert (first.new, first.duplicates, first.skipped) == (50, 0, 0)
    updated = archive_csv(tmp_path / "a2.csv", range(1000, 1060))
    report = lib.import_file(updated, person_id=first.person_id)
    assert (report.person_id, report.new, report.duplicates, report.n_tweets) == (first.person_id, 10, 50, 60)
    assert lib.person(first.person_id).tweet_count == 60
    assert [t.tweet_id for t in lib.tweets(first.person_id)] == [str(i) for i in range(1000, 1060)]
    assert len(lib.people()) == 1


def test_without_ids_duplicates_are_found_by_date_and_text(lib, tmp_path):
    first = lib.import_file(archive_csv(tmp_path / "a.csv", range(20), with_ids=False))
    body = (tmp_path / "a.csv").read_text("utf-8") + "2021-02-01 10:00:00,tweet number 0 is here\n"  # new date
    (tmp_path / "b.csv").write_text(body + ",\n", encoding="utf-8")
    report = lib.import_file(tmp_path / "b.csv", person_id=first.person_id)
    assert (report.new, report.duplicates, report.skipped) == (1, 20, 1)


def test_same_file_as_a_new_person_is_already_imported(lib, tmp_path):
    path = archive_csv(tmp_path / "a.csv", range(30))
    first = lib.import_file(path)
    again = lib.import_file(path, person_name="Someone else")
    assert again.already_imported and again.person_id == first.person_id and again.new == 0
    assert len(lib.people()) == 1


def test_unknown_person_is_refused(lib, tmp_path):
    with pytest.raises(KeyError):
        lib.import_file(archive_csv(tmp_path / "a.csv", range(3)), person_id=999)


def test_cancelled_or_failed_import_into_a_person_changes_nothing(tmp_path):
    db = tmp_path / "library.sqlite3"
    with Library(db) as lib:
        pid = lib.import_file(archive_csv(tmp_path / "a.csv", range(100))).person_id
    before = sha(db)
    big = archive_csv(tmp_path / "big.csv", range(100, 20_100))
    with Library(db) as lib:
        with pytest.raises(ImportCancelled):
            lib.import_file(big, person_id=pid, chunk_size=1000, cancel=lambda: True)
        bad = tmp_path / "late.csv"
        bad.write_text(big.read_text("utf-8") + '99,"unterminated\nmore,rows\n', encoding="utf-8")
        with pytest.raises(library_module.CsvImportError):
            lib.import_file(bad, person_id=pid, chunk_size=1000)
        assert lib.person(pid).tweet_count == 100
    assert sha(db) == before


def test_an_import_reads_the_file_once_beyond_a_bounded_head(lib, tmp_path, monkeypatch):
    path = archive_csv(tmp_path / "big.csv", range(10**6, 10**6 + 60_000))  # ~3 MB, well beyond the head
    size = path.stat().st_size
    assert size > 2 * HEAD_BYTES
    read = {"bytes": 0, "opens": 0}
    real_open = builtins.open

    class Counting:
        def __init__(self, fh):
            self._fh = fh

        def read(self, *a):
            data = self._fh.read(*a)
            read["bytes"] += len(data)
            return data

        def readinto(self, b):
            n = self._fh.readinto(b)
            read["bytes"] += n or 0
            return n

        def __getattr__(self, name):
            if name in ("readline", "readlines", "__iter__", "__next__", "read1", "readinto1"):
                raise AssertionError(f"uncounted read method {name}")
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

    def counting_open(file, *args, **kwargs):
        fh = real_open(file, *args, **kwargs)
        if str(file) == str(path):
            read["opens"] += 1
            return Counting(fh)
        return fh

    monkeypatch.setattr(builtins, "open", counting_open)
    preview = preview_file(path)
    after_preview = read["bytes"]
    report = lib.import_file(path, preview=preview)
    monkeypatch.undo()
    assert report.new == 60_000
    assert after_preview <= HEAD_BYTES + 16  # the preview reads a bounded head (and the magic bytes)
    assert read["bytes"] - after_preview == size  # the import: every byte exactly once
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # hashed while reading


def test_version_1_library_is_migrated(tmp_path):
    db = tmp_path / "library.sqlite3"
    con = sqlite3.connect(db)
    con.executescript(library_module._SCHEMA + """
        CREATE UNIQUE INDEX people_source_hash ON people (source_hash);
        INSERT INTO meta VALUES ('schema_version', '1');
        INSERT INTO people (id, name, search_key, source_file, source_hash, imported_at, tweet_count)
            VALUES (1, 'Old', 'old', '/x/old.csv', 'abc', '2024-01-01T00:00:00+00:00', 2);
        INSERT INTO tweets (person_id, text, date, tweet_id) VALUES (1, 'first tweet', '2020-01-01', '5');
        INSERT INTO tweets (person_id, text, date, tweet_id) VALUES (1, 'second tweet', '2020-01-02', '6');
    """)
    con.commit()
    con.close()
    with Library(db) as lib:
        assert lib._query("SELECT value FROM meta WHERE key = 'schema_version'")[0][0] == str(SCHEMA_VERSION)
        assert [t.text for t in lib.tweets(1)] == ["first tweet", "second tweet"]
        path = tmp_path / "more.csv"
        path.write_text("id,date,text\n5,2020-01-01,first tweet\n7,2020-01-03,third tweet\n", encoding="utf-8")
        report = lib.import_file(path, person_id=1)
        assert (report.new, report.duplicates, report.n_tweets) == (1, 1, 3)
    with Library(db) as lib:  # opening again does not migrate again
        assert lib.person(1).tweet_count == 3
