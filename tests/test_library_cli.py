"""`cta-desktop library …`: list/import/analyze/export/remove, incremental analysis, several processes at once."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cta_desktop.paths import shared_data_dir

CELEB_DIR = shared_data_dir() / "celebrity_tweets"
needs_data = pytest.mark.skipif(not CELEB_DIR.is_dir(), reason="shared celebrity data not available")


def cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, CTA_DATA_DIR=str(data_dir))
    proc = subprocess.run([sys.executable, "-m", "cta_desktop", "library", *args], capture_output=True, text=True,
                          env=env, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def tweets_file(path: Path, ids: range) -> Path:
    """Tweets whose words (not only their numbers) differ, so each has its own token ids."""
    from cta_desktop.core.modelstore import load_vocab

    vocab = [w for w in load_vocab().words[200:400] if w.isalpha()][:60]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "created_at", "text", "favorite_count"])
        words = ["love this", "terrible news", "what a great day", "so sad about it", "meeting at noon"]
        for i in ids:
            text = f"{words[i % 5]} {vocab[i % 60]} {vocab[(i // 60) % 60]} number {i}"
            w.writerow([i, f"2021-03-{1 + i % 28:02d} 12:00:00", text, i % 7])
    return path


def test_list_import_analyze_export_remove(tmp_path):
    data = tmp_path / "data"
    assert json.loads(cli(data, "list", "--json").stdout) == []
    f1 = tweets_file(tmp_path / "ada.csv", range(1000, 1200))
    reports = json.loads(cli(data, "import", str(f1), "--person", "Ada Lovelace", "--handle", "@ada", "--json").stdout)
    assert reports[0]["new"] == 200 and reports[0]["format"] == "CSV"
    people = json.loads(cli(data, "list", "--json").stdout)
    assert [(p["name"], p["handle"], p["n_tweets"]) for p in people] == [("Ada Lovelace", "ada", 200)]

    first = json.loads(cli(data, "analyze", "Ada Lovelace", "--json", "--workers", "0").stdout)
    assert first["n_tweets"] == 200 and first["engine_tweets"] == 200
    second = json.loads(cli(data, "analyze", "@ada", "--json", "--workers", "0").stdout)
    assert second["engine_tweets"] == 0 and second["cached"]
    for key in ("n_tweets", "counts", "ratios", "top_words", "examples", "by_month"):
        assert second[key] == first[key], key

    # Ten new tweets in an updated file: only those are new, and only those go through the engine.
    f2 = tweets_file(tmp_path / "ada2.csv", range(1000, 1210))
    grown = json.loads(cli(data, "import", str(f2), "--person", "ada lovelace", "--json").stdout)[0]
    assert (grown["new"], grown["duplicates"], grown["n_tweets"]) == (10, 200, 210)
    third = json.loads(cli(data, "analyze", "ada", "--json", "--workers", "0").stdout)
    assert third["n_tweets"] == 210 and not third["cached"] and third["engine_tweets"] == 10
    fresh = json.loads(cli(tmp_path / "fresh", "import", str(f2), "--json").stdout)[0]
    assert fresh["new"] == 210
    recomputed = json.loads(cli(tmp_path / "fresh", "analyze", "1", "--json", "--workers", "0").stdout)
    assert recomputed["engine_tweets"] == 210
    for key in ("counts", "top_words", "by_month"):
        assert third[key] == recomputed[key], key  # the incremental result is the full one
    out = tmp_path / "ada_per_tweet.csv"
    cli(data, "export", "ada", "--out", str(out))
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 210 and rows[0]["tweet_id"] == "1000" and rows[0]["label"] in ("negative", "neutral", "positive")
    removed = json.loads(cli(data, "remove", "1", "--json").stdout)
    assert removed["removed"]["n_tweets"] == 210
    assert json.loads(cli(data, "list", "--json").stdout) == []


def test_errors_are_one_line(tmp_path):
    data = tmp_path / "data"
    proc = cli(data, "analyze", "nobody", check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no person 'nobody'" in proc.stderr
    bad = tmp_path / "tweets.csv"
    bad.write_text("<html>\n<body>\n<p>hi</p>\n</body>\n</html>\n", encoding="utf-8")
    proc = cli(data, "import", str(bad), check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "tweets.csv" in proc.stderr
    assert json.loads(cli(data, "list", "--json").stdout) == []


@needs_data
def test_four_processes_import_and_analyse_into_one_library(tmp_path):
    data = tmp_path / "data"
    files = sorted(str(p) for p in CELEB_DIR.glob("*.csv"))
    expected = {}
    for f in files:
        single = tmp_path / f"single_{Path(f).stem}"
        expected[Path(f).stem] = json.loads(cli(single, "import", f, "--json").stdout)[0]["n_tweets"]
    env = dict(os.environ, CTA_DATA_DIR=str(data))
    procs = []
    for k in range(4):
        order = files[k:] + files[:k]  # each process starts on a different file
        script = [sys.executable, "-m", "cta_desktop", "library", "import", *order]
        procs.append(subprocess.Popen(script, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        assert "locked" not in err.lower()
    people = json.loads(cli(data, "list", "--json").stdout)
    assert len(people) == len(files)
    assert sum(p["n_tweets"] for p in people) == sum(expected.values())
    # and four analyses at once
    procs = [subprocess.Popen([sys.executable, "-m", "cta_desktop", "library", "analyze", str(people[k]["id"]),
                               "--json", "--workers", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for k in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        assert json.loads(out)["n_tweets"] > 0
