"""Every reader on the same three tweets, written at run time in each format the issue names."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cta_desktop.core.datasets import CsvImportError, preview_file, read_tweets
from cta_desktop.core.errors import UserError
from cta_desktop.paths import shared_data_dir

TWEETS = [
    {"id": "1034548129237086208", "created_at": "Wed Aug 29 20:21:02 +0000 2018",
     "iso": "2018-08-29T20:21:02+00:00", "text": "Just landed in Paris — the croissants are unreal 🥐",
     "likes": 120, "retweets": 14, "reply_to": None},
    {"id": "1034600000000000001", "created_at": "Thu Aug 30 08:15:00 +0000 2018",
     "iso": "2018-08-30T08:15:00+00:00", "text": "RT @nasa: Launch window opens tonight!",
     "likes": 0, "retweets": 300, "reply_to": None},
    {"id": "1034700000000000002", "created_at": "Fri Aug 31 12:00:00 +0000 2018",
     "iso": "2018-08-31T12:00:00+00:00", "text": "@friend thanks, it was a terrible day though",
     "likes": 3, "retweets": 0, "reply_to": "1034600000000000001"},
]
DATES = [t["iso"] for t in TWEETS]
TEXTS = [t["text"] for t in TWEETS]


def archive_tweet(t: dict) -> dict:
    out = {"retweeted": False, "source": "<a href=\"https://mobile.twitter.com\">Twitter Web App</a>",
           "entities": {"hashtags": [], "user_mentions": []}, "display_text_range": ["0", "50"],
           "favorite_count": str(t["likes"]), "id_str": t["id"], "truncated": False,
           "retweet_count": str(t["retweets"]), "id": t["id"], "created_at": t["created_at"],
           "favorited": False, "full_text": t["text"], "lang": "en"}
    if t["reply_to"]:
        out.update(in_reply_to_status_id_str=t["reply_to"], in_reply_to_status_id=t["reply_to"],
                   in_reply_to_screen_name="friend")
    return out


def tweets_js(wrapped: bool = True, part: str = "tweets") -> str:
    items = [{"tweet": archive_tweet(t)} if wrapped else archive_tweet(t) for t in TWEETS]
    return f"window.YTD.{part}.part0 = " + json.dumps(items, indent=2, ensure_ascii=False)


def write_archive(path: Path, wrapped: bool = True) -> Path:
    account = [{"account": {"email": "ada@example.com", "username": "ada_l", "accountId": "42",
                            "accountDisplayName": "Ada Lovelace", "createdAt": "2010-01-01T00:00:00.000Z"}}]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Your archive.html", "<html><body>Your archive</body></html>")
        zf.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps(account))
        zf.writestr("data/like.js", "window.YTD.like.part0 = " + json.dumps(
            [{"like": {"tweetId": "1", "fullText": "somebody else's tweet I liked"}}]))
        zf.writestr("data/tweets.js" if wrapped else "data/tweet.js", tweets_js(wrapped))
    return path


def snscrape_lines() -> str:
    lines = []
    for t in TWEETS:
        iso = t["iso"]
        rec = {"_type": "snscrape.modules.twitter.Tweet", "url": f"https://twitter.com/ada_l/status/{t['id']}",
               "date": iso, "rawContent": t["text"], "renderedContent": t["text"], "id": int(t["id"]),
               "user": {"username": "ada_l", "displayname": "Ada Lovelace", "followersCount": 10},
               "replyCount": 1, "retweetCount": t["retweets"], "likeCount": t["likes"], "quoteCount": 0,
               "lang": "en", "retweetedTweet": ({"id": 1, "rawContent": "Launch window opens tonight!"}
                                                if t["text"].startswith("RT @") else None),
               "inReplyToTweetId": int(t["reply_to"]) if t["reply_to"] else None, "media": None}
        lines.append(json.dumps(rec, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def twarc_array() -> str:
    recs = []
    for t in TWEETS:
        recs.append({"id": t["id"], "text": t["text"], "created_at": t["iso"].replace("+00:00", ".000Z"),
                     "author_id": "42", "author": {"username": "ada_l", "name": "Ada Lovelace"},
                     "public_metrics": {"retweet_count": t["retweets"], "reply_count": 0,
                                        "like_count": t["likes"], "quote_count": 0},
                     "referenced_tweets": [{"type": "replied_to", "id": t["reply_to"]}] if t["reply_to"] else []})
    return json.dumps(recs, ensure_ascii=False)


def csv_text() -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "created_at", "text", "favorite_count", "retweet_count"])
    for t in TWEETS:
        w.writerow([t["id"], t["created_at"], t["text"], t["likes"], t["retweets"]])
    return buf.getvalue()


def sentiment140_text() -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    for i, t in enumerate(TWEETS):
        pdt = t["created_at"].replace("+0000", "PDT")
        w.writerow([4 if i == 0 else 0, t["id"], pdt, "NO_QUERY", "ada_l", t["text"]])
    return buf.getvalue()


def write_zip(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return path


def write_xlsx(path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "Info"
    info.append(["About"])
    info.append(["exported by a tool"])
    sheet = wb.create_sheet("Tweets")
    sheet.append(["Tweet ID", "Date", "Text", "Likes"])
    for t in TWEETS:
        sheet.append([t["id"], t["iso"][:19], t["text"], t["likes"]])
    wb.save(path)
    return path


def make(kind: str, tmp: Path) -> Path:
    """The three tweets in one format."""
    u = "utf-8"
    if kind == "x-archive-zip":
        return write_archive(tmp / "twitter-2023-01-01-abc.zip")
    if kind == "x-archive-zip-old":
        return write_archive(tmp / "twitter-2019.zip", wrapped=False)
    if kind == "tweets.js":
        p = tmp / "tweets.js"
        p.write_text(tweets_js(True), u)
        return p
    if kind == "tweet.js-old":
        p = tmp / "tweet.js"
        p.write_text(tweets_js(False, "tweet"), u)
        return p
    if kind == "tweets.js-as-csv":
        p = tmp / "tweets.csv"
        p.write_text(tweets_js(True), u)
        return p
    if kind == "snscrape.jsonl":
        p = tmp / "ada.jsonl"
        p.write_text(snscrape_lines(), u)
        return p
    if kind == "twarc.json":
        p = tmp / "ada.json"
        p.write_text(twarc_array(), u)
        return p
    if kind == "csv.gz":
        p = tmp / "ada.csv.gz"
        p.write_bytes(gzip.compress(csv_text().encode(u)))
        return p
    if kind == "csv.bz2":
        p = tmp / "ada.csv.bz2"
        p.write_bytes(bz2.compress(csv_text().encode(u)))
        return p
    if kind == "csv.xz":
        p = tmp / "ada.csv.xz"
        p.write_bytes(lzma.compress(csv_text().encode(u)))
        return p
    if kind == "jsonl.gz":
        p = tmp / "ada.jsonl.gz"
        p.write_bytes(gzip.compress(snscrape_lines().encode(u)))
        return p
    if kind == "csv.zip":
        return write_zip(tmp / "ada.zip", "export/ada.csv", csv_text().encode(u))
    if kind == "sentiment140":
        p = tmp / "training.1600000.processed.noemoticon.csv"
        p.write_text(sentiment140_text(), "latin-1", errors="replace")
        return p
    if kind == "xlsx":
        return write_xlsx(tmp / "ada.xlsx")
    raise AssertionError(kind)


KINDS = ["x-archive-zip", "x-archive-zip-old", "tweets.js", "tweet.js-old", "tweets.js-as-csv", "snscrape.jsonl",
         "twarc.json", "csv.gz", "csv.bz2", "csv.xz", "jsonl.gz", "csv.zip", "sentiment140", "xlsx"]
FORMATS = {"x-archive-zip": "X archive (zip)", "x-archive-zip-old": "X archive (zip)",
           "tweets.js": "X archive tweets.js", "tweet.js-old": "X archive tweets.js",
           "tweets.js-as-csv": "X archive tweets.js", "snscrape.jsonl": "JSON Lines", "twarc.json": "JSON array",
           "csv.gz": "CSV (gzip)", "csv.bz2": "CSV (bzip2)", "csv.xz": "CSV (xz)", "jsonl.gz": "JSON Lines (gzip)",
           "csv.zip": "CSV (zip)", "sentiment140": "CSV, no header", "xlsx": "Excel workbook, sheet 'Tweets'"}


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_three_tweets_in_every_format(tmp_path, kind):
    path = make(kind, tmp_path)
    preview = preview_file(path)
    assert preview.format == FORMATS[kind]
    reader = read_tweets(path, preview=preview)
    chunks = list(reader)
    texts = [t for c in chunks for t in c.texts]
    dates = [d for c in chunks for d in c.dates]
    if kind == "sentiment140":
        # Sentiment140 gives Pacific time (PDT) and Latin-1; the instants are the same.
        assert [d[:19] for d in dates] == [d[:19] for d in DATES] and all(d.endswith("-07:00") for d in dates)
        assert texts[1:] == TEXTS[1:] and texts[0].startswith("Just landed in Paris")
    elif kind == "xlsx":
        assert texts == TEXTS and dates == [d[:19] for d in DATES]
    else:
        assert texts == TEXTS
        assert dates == DATES
    ids = [i for c in chunks for i in c.tweet_ids]
    assert ids == [t["id"] for t in TWEETS]
    assert [r for c in chunks for r in c.is_retweet] == [False, True, False]
    if kind not in ("csv.gz", "csv.bz2", "csv.xz", "csv.zip", "sentiment140", "xlsx", "twarc.json"):
        assert [r for c in chunks for r in c.is_reply] == [False, False, True]
    if kind not in ("sentiment140",):
        assert [v for c in chunks for v in c.likes] == [t["likes"] for t in TWEETS]
    assert reader.sha256 and len(reader.sha256) == 64


def test_x_archive_names_the_person_and_ignores_likes(tmp_path):
    preview = preview_file(write_archive(tmp_path / "twitter.zip"))
    assert (preview.person_guess, preview.handle_guess) == ("Ada Lovelace", "ada_l")
    assert "somebody else's tweet" not in json.dumps(preview.rows)


def test_x_archive_in_parts_reads_every_part(tmp_path):
    path = tmp_path / "big.zip"
    items = [{"tweet": archive_tweet(t)} for t in TWEETS]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(items[:2]))
        zf.writestr("data/tweets-part1.js", "window.YTD.tweets.part1 = " + json.dumps(items[2:]))
    texts = [t for c in read_tweets(path) for t in c.texts]
    assert texts == TEXTS


def test_zip_with_several_files_lists_them(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.csv", csv_text())
        zf.writestr("b.csv", csv_text())
    with pytest.raises(CsvImportError, match="several files.*a.csv, b.csv"):
        preview_file(path)


def test_zip_with_several_files_picks_the_tweets(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("followers.csv", "name\nbob\n")
        zf.writestr("tweets.csv", csv_text())
    assert [t for c in read_tweets(path) for t in c.texts] == TEXTS


@pytest.mark.parametrize("body", [
    "// my tweets\n" + tweets_js(True),  # JavaScript with a comment in front: not JSON, not a CSV either
    "<html>\n<head><title>Tweets</title></head>\n<body>\n<div class=\"tweet\">\n<p>hello</p>\n</div>\n</body>\n</html>\n",
])
def test_fragments_are_refused_never_turned_into_tweets(tmp_path, body):
    path = tmp_path / "tweets.csv"
    path.write_text(body, "utf-8")
    with pytest.raises(CsvImportError) as info:
        list(read_tweets(path))
    msg = str(info.value)
    assert msg.startswith("tweets.csv:") and "\n" not in msg
    assert "JSON" in msg and ("CSV" in msg or "zip" in msg)


def test_broken_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(snscrape_lines() + '{"rawContent": "cut off', "utf-8")
    with pytest.raises(CsvImportError, match=r"bad.jsonl: not valid JSON near line 4"):
        list(read_tweets(path))


def test_json_that_is_not_tweet_objects(tmp_path):
    path = tmp_path / "nums.json"
    path.write_text("[1, 2, 3]", "utf-8")
    with pytest.raises(CsvImportError, match="not tweet objects"):
        preview_file(path)


def test_large_json_array_streams_across_blocks(tmp_path):
    path = tmp_path / "big.json"
    recs = [{"text": f"tweet number {i} " + "x" * 400, "created_at": "2020-01-02T03:04:05Z", "id": str(i)}
            for i in range(6000)]  # ~2.6 MB: several parser blocks, beyond the preview head
    path.write_text(json.dumps(recs), "utf-8")
    reader = read_tweets(path, chunk_size=1000)
    n = sum(len(c) for c in reader)
    assert n == 6000 and reader.stats.kept == 6000


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400).map(lambda b: b"[" + b),
    st.binary(max_size=400).map(lambda b: b"window.YTD.tweets.part0 = [" + b),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
                     st.sampled_from(["text", "full_text", "rawContent", "date", "created_at", "id", "tweet",
                                      "likeCount", "public_metrics", "user", "x"]), kids, max_size=5),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
    st.lists(st.dictionaries(st.sampled_from(["text", "date", "id", "likeCount"]),
                             st.text(max_size=15) | st.integers(), max_size=4), max_size=6)
    .map(lambda rs: "\n".join(json.dumps(r) for r in rs).encode()),
))
def test_json_readers_any_bytes_give_tweets_or_a_clear_error(tmp_path, data):
    for name in ("fuzz.json", "fuzz.jsonl.gz"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        try:
            reader = read_tweets(path, chunk_size=3)
            n = sum(len(c) for c in reader)
            assert n == reader.stats.kept and reader.stats.kept + reader.stats.skipped_rows == reader.stats.rows
        except UserError as exc:
            assert "\n" not in str(exc) and str(exc)


class _StubEngine:
    name = "stub"

    def predict_proba(self, ids):
        import numpy as np

        p = np.full((len(ids), 3), 0.1, np.float32)
        p[np.arange(len(ids)), ids[:, 0] % 3] = 0.8
        return p


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_analyses_to_three_tweets_with_their_dates(tmp_path, kind):
    from types import SimpleNamespace

    from cta_desktop.core.analysis import analyze_csv
    from cta_desktop.core.preprocess import Vocabulary

    # "terrible": each tweet needs a word the model knows, else it is not judged (core/judgement.py)
    model = SimpleNamespace(vocab=Vocabulary(["<pad>", "<oov>", "just", "rt", "friend", "terrible"]), sparsity=80)
    result = analyze_csv(make(kind, tmp_path), model=model, engine=_StubEngine(), workers=0, include_retweets=True)
    assert result.n_tweets == 3
    assert [(m["month"], m["negative"] + m["neutral"] + m["positive"]) for m in result.by_month] == [("2018-08", 3)]


def test_preview_file_is_thread_safe(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    paths = [make(kind, tmp_path / kind) for kind in KINDS if not (tmp_path / kind).mkdir()]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"text\n" + "Schön – grüß dich\n".encode() * 50 + "Caf\xe9\n".encode("latin-1"))
    paths.append(mixed)
    expected = [(p.format, p.encoding, p.mapping) for p in map(preview_file, paths)]
    with ThreadPoolExecutor(8) as pool:
        for _ in range(3):
            got = [(p.format, p.encoding, p.mapping) for p in pool.map(preview_file, paths)]
            assert got == expected


CELEB_DIR = shared_data_dir() / "celebrity_tweets"


@pytest.mark.skipif(not CELEB_DIR.is_dir(), reason="shared celebrity data not available")
def test_a_real_archive_rewritten_in_each_format_reads_the_same(tmp_path):
    """elonmusk.csv (3,684 real tweets) as an X archive zip, snscrape .jsonl.gz and a JSON array: same tweets."""
    expected = list(read_tweets(CELEB_DIR / "elonmusk.csv"))
    texts = [t for c in expected for t in c.texts]
    dates = [d for c in expected for d in c.dates]
    ids = [i for c in expected for i in c.tweet_ids]
    from datetime import datetime

    def twitter_date(iso: str) -> str:
        return datetime.fromisoformat(iso).strftime("%a %b %d %H:%M:%S %z %Y")

    archive = [{"tweet": {"id_str": i, "full_text": t, "created_at": twitter_date(d), "favorite_count": "1",
                          "retweet_count": "0"}} for i, t, d in zip(ids, texts, dates, strict=True)]
    with zipfile.ZipFile(tmp_path / "elon.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps(archive, indent=2))
    lines = "\n".join(json.dumps({"id": int(i), "rawContent": t, "date": d, "likeCount": 1})
                      for i, t, d in zip(ids, texts, dates, strict=True))
    (tmp_path / "elon.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    (tmp_path / "elon.json").write_text(json.dumps([{"text": t, "created_at": d, "id": i}
                                                     for i, t, d in zip(ids, texts, dates, strict=True)]), "utf-8")
    for name in ("elon.zip", "elon.jsonl.gz", "elon.json"):
        chunks = list(read_tweets(tmp_path / name, chunk_size=1000))
        assert [t for c in chunks for t in c.texts] == texts, name
        assert [d for c in chunks for d in c.dates] == dates, name


def test_excel_cells_become_text_as_a_spreadsheet_shows_them(tmp_path):
    """Numbers, dates, empty cells, blank rows and odd headers in a workbook written by openpyxl."""
    import datetime as dt

    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append([])  # a blank row before the header is skipped
    sheet.append(["text", "created", "likes", None, "likes", None])  # empty and repeated names; empty tail
    sheet.append(["first tweet", dt.datetime(2021, 3, 4, 5, 6, 7), 12, "x", 3.0])
    sheet.append([])  # a blank row between tweets is skipped
    sheet.append(["second tweet", "2021-03-05 10:00:00", 2.5, None, None, None, "beyond the header"])
    sheet.append(["third tweet"])
    path = tmp_path / "cells.xlsx"
    wb.save(path)

    preview = preview_file(path)
    assert preview.columns == ["text", "created", "likes", "column 4", "likes.1"]
    assert [list(r.values()) for r in preview.rows] == [["first tweet", "2021-03-04 05:06:07", "12", "x", "3"],
                                                        ["second tweet", "2021-03-05 10:00:00", "2.5", "", ""],
                                                        ["third tweet", "", "", "", ""]]
    chunks = list(read_tweets(path, preview=preview))
    assert [t for c in chunks for t in c.texts] == ["first tweet", "second tweet", "third tweet"]
    assert [d for c in chunks for d in c.dates][:2] == ["2021-03-04T05:06:07", "2021-03-05T10:00:00"]
    assert sum(c.rows for c in chunks) == 3


def test_excel_preview_reads_the_first_rows_only(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from cta_desktop.core.datasets import excel_reader

    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet("big")
    sheet.append(["text"])
    for i in range(excel_reader._SAMPLE_ROWS + 50):
        sheet.append([f"tweet number {i}"])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    preview = preview_file(path, n_rows=1000)
    assert len(preview.rows) == excel_reader._SAMPLE_ROWS
    assert sum(len(c) for c in read_tweets(path, preview=preview)) == excel_reader._SAMPLE_ROWS + 50


@pytest.mark.parametrize("damage", ["truncated", "bad-sheet-xml"])
def test_damaged_workbook_gives_a_clear_message(tmp_path, damage):
    good = write_xlsx(tmp_path / "good.xlsx")
    path = tmp_path / "damaged.xlsx"
    if damage == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:  # a readable zip whose sheet is not XML
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                data = src.read(item)
                dst.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet2.xml") else data)
    message = "the zip file is damaged" if damage == "truncated" else "cannot read the Excel workbook"
    with pytest.raises(CsvImportError, match=f"damaged.xlsx: {message}"):
        list(read_tweets(path))
