"""The SQLite library: imports are all-or-nothing, re-imports do not duplicate, search ignores case and accents."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from cta_desktop.core.analysis import AnalysisResult, analyze_person
from cta_desktop.core.datasets import CsvImportError
from cta_desktop.core.library import ImportCancelled, Library, LibraryError, search_key
from cta_desktop.core.preprocess import Vocabulary
from cta_desktop.paths import shared_data_dir

CELEB_DIR = shared_data_dir() / "celebrity_tweets"
needs_data = pytest.mark.skipif(not CELEB_DIR.is_dir(), reason="shared celebrity data not available")


class StubEngine:
    """Deterministic stand-in for the NZB engine: the class follows the first token id."""

    name = "stub"

    def predict_proba(self, ids):
        p = np.full((len(ids), 3), 0.1, np.float32)
        p[np.arange(len(ids)), ids[:, 0] % 3] = 0.8
        return p


STUB_MODEL = SimpleNamespace(vocab=Vocabulary(["<pad>", "<oov>", "good", "bad", "day"]), sparsity=80)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tweets_csv(path: Path, n: int = 50, extra: str = "") -> Path:
    body = "date,text,favorites\n" + "".join(f"2021-0{1 + i % 9}-01 10:00:{i % 60:02d},good day number {i},{i}\n"
                                             for i in range(n))
    path.write_text(body + extra, encoding="utf-8")
    return path


@pytest.fixture
def lib(tmp_path):
    library = Library(tmp_path / "lib" / "library.sqlite3")
    yield library
    library.close()


def test_default_path_honours_cta_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CTA_DATA_DIR", str(tmp_path / "data"))
    with Library() as library:
        assert library.path == tmp_path / "data" / "library.sqlite3"
        assert library.people() == []


@needs_data
def test_import_six_real_files(lib):
    for path in sorted(CELEB_DIR.glob("*.csv")):
        report = lib.import_csv(path)
        assert report.n_tweets + report.skipped_rows > 1000
        assert not report.already_imported
    people = {p.name: p for p in lib.people()}
    assert set(people) == {"BarackObama", "Elon Musk", "justinbieber", "katyperry", "realDonaldTrump", "taylorswift13"}
    elon = people["Elon Musk"]
    assert elon.tweet_count == 3684 and elon.first_date.startswith("2022-07-05") and elon.last_date.startswith("2023-03")
    tweets = lib.tweets(elon.id)
    assert len(tweets) == 3684 and tweets[0].tweet_id == "1544379368478212100" and tweets[0].likes == 6542
    # The same file again: nothing new.
    again = lib.import_csv(CELEB_DIR / "elonmusk.csv", person_name="Someone Else")
    assert again.already_imported and again.person_id == elon.id
    assert len(lib.people()) == 6


def test_search_is_case_and_accent_insensitive(lib, tmp_path):
    a = lib.import_csv(tweets_csv(tmp_path / "a.csv"), person_name="Beyoncé Knowles", handle="@Beyonce")
    b = lib.import_csv(tweets_csv(tmp_path / "b.csv", 10), person_name="Zoë Ångström", handle="zoe")
    assert [p.id for p in lib.people("BEYONCE")] == [a.person_id]
    assert [p.id for p in lib.people("yoncé")] == [a.person_id]
    assert [p.id for p in lib.people("@beyon")] == [a.person_id]
    assert [p.id for p in lib.people("angstrom")] == [b.person_id]
    assert [p.id for p in lib.people("ZOË")] == [b.person_id]
    assert lib.people("nobody") == []
    assert len(lib.people("")) == 2
    assert search_key("Ærøskøbing ÉCOLE") == "ærøskøbing ecole"
    lib.update_person(b.person_id, name="Chloé")
    assert [p.id for p in lib.people("chloe")] == [b.person_id]


def test_failed_import_leaves_the_file_byte_for_byte_unchanged(tmp_path):
    db = tmp_path / "library.sqlite3"
    with Library(db) as library:
        library.import_csv(tweets_csv(tmp_path / "good.csv"))
    before = sha(db)
    bad_files = {
        "empty.csv": "",
        "header.csv": "date,text\n",
        "numbers.csv": "a,b\n1,2\n3,4\n",
        # Fails only at the end of the file, after rows were already inserted:
        "late_quote.csv": None,
    }
    for name, text in bad_files.items():
        path = tmp_path / name
        if text is None:
            tweets_csv(path, n=30_000, extra='99,"unterminated\nmore,rows\n')
        else:
            path.write_text(text, encoding="utf-8")
        with Library(db) as library:
            with pytest.raises(CsvImportError):
                library.import_csv(path)
            assert len(library.people()) == 1
        assert sha(db) == before, name
    assert not (tmp_path / "library.sqlite3-wal").exists()


def test_cancelled_import_changes_nothing(tmp_path):
    db = tmp_path / "library.sqlite3"
    Library(db).close()
    before = sha(db)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with Library(db) as library:
        with pytest.raises(ImportCancelled):
            library.import_csv(tweets_csv(tmp_path / "t.csv", n=5000), chunk_size=1000, cancel=cancel)
        assert library.people() == []
    assert sha(db) == before


def test_crash_during_import_keeps_the_library(tmp_path):
    db = tmp_path / "library.sqlite3"
    with Library(db) as library:
        library.import_csv(tweets_csv(tmp_path / "first.csv"))
    big = tweets_csv(tmp_path / "big.csv", n=20_000)
    script = textwrap.dedent(f"""
        import os
        from cta_desktop.core.library import Library
        lib = Library({str(db)!r})
        def progress(done, total):
            if done < total:
                os._exit(9)  # the process dies in the middle of the import transaction
        lib.import_csv({str(big)!r}, chunk_size=1000, progress=progress)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    with Library(db) as library:
        assert [p.tweet_count for p in library.people()] == [50]
        assert library._query("PRAGMA integrity_check")[0][0] == "ok"
        assert library._query("SELECT COUNT(*) FROM tweets")[0][0] == 50


def test_progress_and_report(lib, tmp_path):
    seen = []
    report = lib.import_csv(tweets_csv(tmp_path / "p.csv", n=3000, extra="2021-01-01 10:00:00,,5\n"),
                            chunk_size=1000, progress=lambda d, t: seen.append((d, t)))
    assert report.n_tweets == 3000 and report.skipped_rows == 1 and report.skipped_empty == 1
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert report.encoding == "utf-8" and report.mapping["text"] == "text"


def test_delete_person_removes_tweets_and_analyses(lib, tmp_path):
    pid = lib.import_csv(tweets_csv(tmp_path / "d.csv")).person_id
    result = analyze_person(lib, pid, model=STUB_MODEL, engine=StubEngine(), workers=0)
    lib.save_analysis(pid, result)
    lib.delete_person(pid)
    assert lib.person(pid) is None and lib.tweets(pid) == [] and lib.load_analysis(pid, result.model_name) is None
    # The file can be imported again once its person is gone.
    assert not lib.import_csv(tmp_path / "d.csv").already_imported


def test_save_and_load_analysis_round_trip(lib, tmp_path):
    pid = lib.import_csv(tweets_csv(tmp_path / "s.csv", n=300)).person_id
    result = analyze_person(lib, pid, model=STUB_MODEL, engine=StubEngine(), workers=0)
    assert result.n_tweets == 300
    lib.save_analysis(pid, result)
    saved = lib.load_analysis(pid, "cta_p80")
    assert saved.summary == result.summary_json() and saved.model_name == "cta_p80"
    loaded = AnalysisResult.from_summary(saved.summary, saved.probs)
    assert loaded.summary_json() == result.summary_json()
    np.testing.assert_array_equal(loaded.probs, result.probs)
    np.testing.assert_array_equal(loaded.labels, result.labels)
    assert lib.analyses(pid)[0][0] == "cta_p80"
    assert lib.load_analysis(pid, "cta_p70") is None


def test_usable_from_a_worker_thread(lib, tmp_path):
    path = tweets_csv(tmp_path / "thread.csv")
    out = {}

    def work():
        out["report"] = lib.import_csv(path)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert lib.person(out["report"].person_id).tweet_count == 50


def test_non_ascii_paths(tmp_path):
    folder = tmp_path / "Bibliothèque été 😀"
    with Library(folder / "bibliothèque.sqlite3") as library:
        src = tmp_path / "Zoë's tweets.csv"
        src.write_text("text\nΚαλημέρα κόσμε\nこんにちは世界\n", encoding="utf-8")
        report = library.import_csv(src)
        assert report.person_id and [t.text for t in library.tweets(report.person_id)] == ["Καλημέρα κόσμε",
                                                                                              "こんにちは世界"]
        assert library.person(report.person_id).name == "Zoë's tweets"


def test_not_a_database(tmp_path):
    bad = tmp_path / "library.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="library.sqlite3"):
        Library(bad)
