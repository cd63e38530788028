"""`cta-desktop analyze`: JSON summary, per-tweet CSV, one clear stderr line on bad input."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from cta_desktop.cli import main
from cta_desktop.paths import models_dir, shared_data_dir

CELEB_DIR = shared_data_dir() / "celebrity_tweets"
pytestmark = pytest.mark.skipif(not (models_dir() / "cta_p80.nzb").exists(), reason="models not available")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def small_csv(tmp_path):
    body = "Date,author,content,number_of_likes\n" + "".join(
        f"2016-0{1 + i % 3}-02 10:00:{i:02d},zoë,{t} number {i},{i}\n"
        for i, t in enumerate(["I love this, what a great day!", "This is terrible and sad.", "The meeting is at noon."] * 10)
    ) + "2016-01-05 10:00:00,zoë,,3\n"
    return write(tmp_path / "Zoë tweets.csv", body)


def test_json_summary(small_csv, capsys):
    assert main(["analyze", small_csv, "--json", "--person", "Zoë"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out)
    assert out.count("\n") == 1  # one JSON object on one line
    assert summary["person"] == "Zoë"
    assert summary["n_tweets"] == 30 and summary["skipped_rows"] == 1
    assert sum(summary["counts"].values()) == 30
    assert abs(sum(summary["ratios"].values()) - 1) < 1e-5
    assert set(summary["examples"]) == {"negative", "neutral", "positive"}
    assert [m["month"] for m in summary["by_month"]] == ["2016-01", "2016-02", "2016-03"]
    assert summary["seconds"] > 0 and summary["model"] == "cta_p80"
    assert summary["top_words"][0][0] in {"number", "love", "great", "day", "terrible", "sad", "meeting", "noon"}
    assert summary["most_liked"]["positive"] or summary["most_liked"]["negative"]


def test_human_summary_and_out(small_csv, tmp_path, capsys):
    out_csv = tmp_path / "per tweet.csv"
    assert main(["analyze", small_csv, "--out", str(out_csv), "--sparsity", "85"]) == 0
    text = capsys.readouterr().out
    assert "30 tweets analysed" in text and "positive" in text and "Top words:" in text
    with open(out_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30
    assert set(rows[0]) >= {"text", "label", "confidence", "p_negative", "p_neutral", "p_positive", "date"}
    assert rows[0]["date"] == "2016-01-02T10:00:00"


def test_text_column_override(tmp_path, capsys):
    path = write(tmp_path / "two.csv", "a,b\nfirst text here,second text here\nmore words,other words\n")
    assert main(["analyze", path, "--json", "--text-column", "b"]) == 0
    assert json.loads(capsys.readouterr().out)["source"]["columns"]["text"] == "b"


@pytest.mark.parametrize("make,fragment", [
    (lambda d: write(d / "empty.csv", ""), "empty"),
    (lambda d: write(d / "header.csv", "text,date\n"), "no tweets"),
    (lambda d: write(d / "nums.csv", "a,b\n1,2\n3,4\n"), "no column looks like tweet text"),
    (lambda d: str(d / "missing.csv"), "not found"),
    (lambda d: (d / "junk.csv").write_bytes(bytes(range(256)) * 10) and str(d / "junk.csv"), "binary"),
    (lambda d: write(d / "quote.csv", 'text\nok\n"open\nx\ny\n'), "never closed"),
])
def test_bad_input_gives_one_clear_line(tmp_path, capsys, make, fragment):
    path = make(tmp_path)
    code = main(["analyze", path, "--json"])
    captured = capsys.readouterr()
    assert code != 0 and captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in captured.err
    assert lines[0].startswith("cta-desktop analyze: ")


def test_bad_options(tmp_path, small_csv, capsys):
    assert main(["analyze", small_csv, "--text-column", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no column 'nope'" in err and err.count("\n") == 1
    assert main(["analyze", small_csv, "--sparsity", "42"]) == 2
    assert "--sparsity 42" in capsys.readouterr().err
    assert main(["analyze", small_csv, "--out", str(tmp_path / "no such dir" / "x.csv")]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.csv" in err


@pytest.mark.skipif(not CELEB_DIR.is_dir(), reason="shared celebrity data not available")
def test_real_file_through_the_console_script():
    proc = subprocess.run([sys.executable, "-m", "cta_desktop", "analyze", str(CELEB_DIR / "realdonaldtrump.csv"),
                           "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    with open(CELEB_DIR / "realdonaldtrump.csv", newline="", encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.DictReader(fh))
    assert summary["n_tweets"] + summary["skipped_rows"] + summary["n_retweets"] == rows == 3232  # retweets counted
    assert summary["person"] == "realDonaldTrump"


def test_retweet_and_reply_flags(tmp_path, capsys):
    rows = ["I love this", "RT @zoe: I love this too", "@bob that is terrible", "The meeting is at noon."]
    path = write(tmp_path / "rt.csv", "date,text\n" + "".join(f"2020-01-0{i + 1},{t}\n" for i, t in enumerate(rows)))
    runs = {}
    for flags in (["--include-retweets"], ["--exclude-retweets"], ["--include-retweets", "--exclude-replies"]):
        assert main(["analyze", path, "--json", *flags]) == 0
        runs[" ".join(flags)] = json.loads(capsys.readouterr().out)
    assert runs["--include-retweets"]["n_tweets"] == 4 and runs["--exclude-retweets"]["n_tweets"] == 3
    for s in runs.values():
        assert s["n_retweets"] == 1 and "n_replies" in s
    excluded = runs["--include-retweets --exclude-replies"]
    assert excluded["n_tweets"] == 4 - excluded["n_replies"] and excluded["include_replies"] is False
    assert main(["analyze", path, "--exclude-retweets"]) == 0
    assert "1 retweets left out" in capsys.readouterr().out
