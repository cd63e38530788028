"""CSV import: the six real archives, encodings, delimiters, quirks and bad input."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cta_desktop.core.datasets import (
    ColumnMapping,
    CsvImportError,
    detect_encoding,
    parse_date,
    preview_csv,
    read_tweets_csv,
)
from cta_desktop.paths import shared_data_dir

CELEB_DIR = shared_data_dir() / "celebrity_tweets"
CELEBS = {
    # file stem: (text column, date column, likes column, retweets column, first ISO date prefix)
    "elonmusk": ("text", "date", "favorites", "retweets"),
    "realdonaldtrump": ("text", "created_at", "favorites", "retweets"),
    "barackobama": ("text", "created_at", "favorites", "retweets"),
    "taylorswift13": ("content", "Date", "number_of_likes", "number_of_shares"),
    "katyperry": ("content", "Date", "number_of_likes", "number_of_shares"),
    "justinbieber": ("content", "Date", "number_of_likes", "number_of_shares"),
}
needs_data = pytest.mark.skipif(not CELEB_DIR.is_dir(), reason="shared celebrity data not available")


def read_all(path, **kw):
    reader = read_tweets_csv(path, **kw)
    chunks = list(reader)
    texts = [t for c in chunks for t in c.texts]
    return reader, chunks, texts


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ---- the six real files ----------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize("stem", sorted(CELEBS))
def test_real_file_imports_every_row(stem):
    path = CELEB_DIR / f"{stem}.csv"
    text_col, date_col, likes_col, rts_col = CELEBS[stem]
    with open(path, newline="", encoding="utf-8") as fh:
        parser_rows = list(csv.DictReader(fh))
    preview = preview_csv(path)
    assert preview.encoding == "utf-8"
    assert preview.delimiter == ","
    assert preview.mapping.text == text_col
    assert preview.mapping.date == date_col
    assert preview.mapping.likes == likes_col
    assert preview.mapping.retweets == rts_col
    reader, chunks, texts = read_all(path, chunk_size=1000)
    st_ = reader.stats
    assert st_.kept + st_.skipped_rows == len(parser_rows)
    assert st_.kept == len(texts) > 1000
    assert texts[0] == parser_rows[0][text_col].strip()
    dates = [d for c in chunks for d in c.dates]
    assert all(d is not None and d[4] == "-" and d[10] == "T" for d in dates)
    likes = [v for c in chunks for v in c.likes]
    assert likes[0] == int(parser_rows[0][likes_col])


@needs_data
def test_real_file_details():
    elon = preview_csv(CELEB_DIR / "elonmusk.csv")
    assert elon.person_guess == "Elon Musk"
    assert elon.mapping.id == "id" and elon.mapping.is_retweet == "is_retweet"
    obama = preview_csv(CELEB_DIR / "barackobama.csv")
    assert obama.handle_guess == "BarackObama"
    assert obama.mapping.id == "url"  # the tweet id is the permalink's last segment
    reader, chunks, _ = read_all(CELEB_DIR / "barackobama.csv")
    assert chunks[0].tweet_ids[0] == "920061541986250758"
    assert chunks[0].dates[0] == "2017-10-16T22:59:00"  # 10/16/17 22:59
    assert reader.stats.retweets == 351  # "RT @" prefixes
    _, chunks, _ = read_all(CELEB_DIR / "elonmusk.csv")
    assert chunks[0].dates[0] == "2022-07-05T17:55:09+00:00"
    _, chunks, _ = read_all(CELEB_DIR / "taylorswift13.csv")
    assert chunks[0].dates[0] == "2011-01-05T02:15:00"


@needs_data
def test_mac_roman_original_of_obama_file_is_detected(tmp_path):
    """The upstream FiveThirtyEight file is Mac Roman: encoding it back must be detected as such."""
    original = (CELEB_DIR / "barackobama.csv").read_bytes().decode("utf-8")
    path = tmp_path / "BarackObama.csv"
    path.write_bytes(original.encode("mac_roman"))
    assert detect_encoding(path).label == "mac_roman"
    _, _, texts = read_all(path)
    _, _, expected = read_all(CELEB_DIR / "barackobama.csv")
    assert texts == expected


# ---- encodings -------------------------------------------------------------------------------

SAMPLE = "id,text,date\n1,Café crème – “déjà vu” ’tis naïve,2020-01-02 10:00:00\n2,Ça va très bien,2020-01-03 11:00:00\n"


@pytest.mark.parametrize("codec,label", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8 (BOM)"), ("utf-16", "utf-16 (BOM)"),
    ("cp1252", "cp1252"), ("mac_roman", "mac_roman"), ("utf-16-le", "utf-16-le"),
])
def test_encodings_are_detected(tmp_path, codec, label):
    path = write(tmp_path / "t.csv", SAMPLE * 3, codec)
    reader, _, texts = read_all(path)
    assert reader.encoding == label
    assert texts[0] == "Café crème – “déjà vu” ’tis naïve"
    assert texts[1] == "Ça va très bien"


def test_mixed_utf8_and_cp1252_rows(tmp_path):
    good = "text\n" + "".join(f"Schön {i} – grüß dich\n" for i in range(20))
    path = tmp_path / "mixed.csv"
    path.write_bytes(good.encode("utf-8") + "Caf\xe9 au lait\n".encode("latin-1"))
    reader, _, texts = read_all(path)
    assert reader.encoding.startswith("utf-8")
    assert "cp1252" in reader.encoding
    assert texts[0] == "Schön 0 – grüß dich"
    assert texts[-1] == "Café au lait"


# ---- layouts and quirks ----------------------------------------------------------------------


@pytest.mark.parametrize("delim", [";", "\t", ","])
def test_delimiters_are_detected(tmp_path, delim):
    rows = [["Date", "content", "number_of_likes"]] + [
        [f"2020-01-0{i + 1} 10:00:00", f"Hello, world; tab\there #{i}", str(i * 10)] for i in range(5)
    ]
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim).writerows(rows)
    path = write(tmp_path / "d.csv", buf.getvalue())
    preview = preview_csv(path)
    assert preview.delimiter == delim
    _, chunks, texts = read_all(path)
    assert texts[0] == "Hello, world; tab\there #0"
    assert chunks[0].likes == [0, 10, 20, 30, 40]


def test_quoted_newlines_blank_lines_duplicates_retweets_and_empty_text(tmp_path):
    text = (
        "created_at,text,retweets\r\n"
        "1/2/17 9:05,\"line one\nline two, with comma\",3\r\n"
        "\r\n"
        "1/3/17 10:00,RT @someone: great news,1\r\n"
        "1/3/17 10:00,RT @someone: great news,1\r\n"  # exact duplicate row
        "1/4/17 11:00,,5\r\n"  # no text
        "1/5/17 12:00,NaN,5\r\n"  # NaN text from pandas
        "1/6/17 13:00,   ,5\r\n"
        "\r\n"
        "12/31/16 23:59,last one,0\r\n"
    )
    path = write(tmp_path / "q.csv", text)
    reader, chunks, texts = read_all(path)
    assert texts == ["line one\nline two, with comma", "RT @someone: great news", "last one"]
    st_ = reader.stats
    assert st_.rows == 7 and st_.kept == 3 and st_.duplicates == 1 and st_.skipped_empty == 3
    assert st_.skipped_rows == 4
    assert [d for c in chunks for d in c.dates] == ["2017-01-02T09:05:00", "2017-01-03T10:00:00", "2016-12-31T23:59:00"]
    assert [r for c in chunks for r in c.is_retweet] == [False, True, False]
    assert st_.first_date == "2016-12-31T23:59:00" and st_.last_date == "2017-01-03T10:00:00"


def test_is_retweet_column_and_same_text_different_ids_are_kept(tmp_path):
    text = "id,text,is_retweet\n1,Yes,False\n2,Yes,True\n2,Yes,True\n"
    reader, chunks, texts = read_all(write(tmp_path / "r.csv", text))
    assert texts == ["Yes", "Yes"]
    assert chunks[0].is_retweet == [False, True]
    assert reader.stats.duplicates == 1


def test_text_column_found_by_content_and_override(tmp_path):
    rows = [["a", "b", "c"]] + [[str(i), f"this is tweet number {i} and it is long enough", "x"] for i in range(10)]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = write(tmp_path / "anon.csv", buf.getvalue())
    assert preview_csv(path).mapping.text == "b"
    _, _, texts = read_all(path, mapping=ColumnMapping(text="c"))
    assert texts == ["x"] * 10


def test_headerless_file(tmp_path):
    body = "".join(f'0,{1000 + i},Mon Apr 06 22:19:45 +0000 2009,NO_QUERY,user{i},"is upset that he can\'t update {i}"\n'
                   for i in range(30))
    path = write(tmp_path / "s140.csv", body)
    preview = preview_csv(path)
    assert not preview.has_header
    assert preview.mapping.text == "column 6"
    reader, chunks, texts = read_all(path)
    assert len(texts) == 30 and reader.stats.rows == 30
    assert chunks[0].dates[0] == "2009-04-06T22:19:45+00:00"


@pytest.mark.parametrize("value,iso", [
    ("2022-07-05 17:55:09+00:00", "2022-07-05T17:55:09+00:00"),
    ("10/16/17 22:59", "2017-10-16T22:59:00"),
    ("2015-01-06 05:50:00", "2015-01-06T05:50:00"),
    ("2015-01-06T05:50:00Z", "2015-01-06T05:50:00+00:00"),
    ("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24+00:00"),
    ("3/4/2016 1:05 PM", "2016-03-04T13:05:00"),
    ("not a date", None),
    ("13/45/99 99:99", None),
])
def test_dates(value, iso):
    assert parse_date(value) == iso


def _slash_reference(value: str, day_first: bool) -> str | None:
    """The slash-date parser as it was (the full pattern for every value)."""
    import re
    from datetime import datetime

    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?",
                     value)
    if not m:
        return None
    a, b, year, hour, minute, second, ampm = m.groups()
    month, day = (int(b), int(a)) if day_first else (int(a), int(b))
    y = int(year)
    if len(year) == 2:
        y += 2000 if y < 70 else 1900
    h = int(hour) if hour else 0
    if ampm:
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    try:
        return datetime(y, month, day, h, int(minute or 0), int(second or 0)).isoformat()
    except ValueError:
        return None


_num = st.integers(0, 99).map(str) | st.integers(0, 9).map(lambda n: f"0{n}")
_slash_value = st.tuples(
    _num, st.sampled_from("/."), _num, st.sampled_from("/."),
    st.integers(0, 2099).map(str) | st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.sampled_from(["", " ", "  ", "T", ", ", " x"]), _num, st.sampled_from([":", ""]),
    st.integers(0, 99).map(lambda n: f"{n:02d}"), st.sampled_from(["", ":00", ":59", ":60", ":7"]),
    st.sampled_from(["", " PM", "am", " AM ", " zz"]),
).map(lambda t: "".join(t) if t[5].strip() or t[5] else "".join(t[:5]))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_slash_value | st.text(alphabet="0123456789/. :TtAPMm,", max_size=20), max_size=40),
       day_first=st.booleans())
def test_slash_dates_taken_apart_parse_as_the_full_pattern(values, day_first):
    """The slash-date parser takes "M/D/YY H:MM" apart and remembers each part: the same answers as
    the full pattern, for every value and in any order (the parts' memory never changes an answer)."""
    from cta_desktop.core.datasets.values import _slash_parser

    parse = _slash_parser(day_first)
    for value in values + values[::-1]:
        assert parse(value) == _slash_reference(value, day_first), value


def _iso_reference(value: str) -> str | None:
    """The ISO-date parser as it was."""
    import re
    from datetime import datetime

    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2})?", value):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return None
        return value if value[10] == "T" else value[:10] + "T" + value[11:]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?)?",
                        value):
        return None
    if value.endswith("UTC"):
        value = value[:-3].rstrip() + "+00:00"
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


_two = st.integers(0, 99).map(lambda n: f"{n:02d}")
_iso_value = st.tuples(
    st.integers(0, 9999).map(lambda n: f"{n:04d}"), st.just("-"), _two, st.sampled_from(["-", "/"]), _two,
    st.sampled_from(["T", " ", "t", ""]), _two, st.just(":"), _two, st.sampled_from([":", ""]), _two,
    st.sampled_from(["", "+00:00", "-05:00", "+23:59", "+24:00", "+05:99", "Z", "+0000", " UTC", ".5", "٠٠"]),
).map("".join)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(_iso_value | st.text(alphabet="0123456789-: T+Z٣", max_size=26), max_size=40))
def test_iso_dates_checked_by_parts_parse_as_before(values):
    """Canonical ISO dates are checked part by part (each day, clock time and offset once): the same
    answers as the full check, for every value, in any order."""
    from cta_desktop.core.datasets.values import _parse_iso

    for value in values + values[::-1]:
        assert _parse_iso(value) == _iso_reference(value), value


@needs_data
def test_slash_dates_of_the_real_archives():
    from cta_desktop.core.datasets.values import _slash_parser

    for stem in ("realdonaldtrump", "barackobama"):
        with open(CELEB_DIR / f"{stem}.csv", newline="", encoding="utf-8") as fh:
            values = [row["created_at"] for row in csv.DictReader(fh)]
        parse = _slash_parser(False)
        assert [parse(v) for v in values] == [_slash_reference(v, False) for v in values]
        assert all(parse(v) for v in values)


def test_non_ascii_file_name_and_text(tmp_path):
    folder = tmp_path / "données été"
    folder.mkdir()
    path = write(folder / "Beyoncé_твиты_😀.csv", "text,date\nСпасибо! 😍 مرحبا,2020-02-03 04:05:06\n")
    preview = preview_csv(path)
    assert preview.person_guess == "Beyoncé_твиты_😀"
    _, _, texts = read_all(path)
    assert texts == ["Спасибо! 😍 مرحبا"]


def test_chunks_bound_memory(tmp_path):
    body = "text\n" + "".join(f"tweet {i}\n" for i in range(2500))
    _, chunks, texts = read_all(write(tmp_path / "c.csv", body), chunk_size=1000)
    assert [len(c) for c in chunks] == [1000, 1000, 500]
    assert len(set(texts)) == 2500


@pytest.mark.parametrize("compiled", [True, False])
def test_first_chunks_come_out_as_soon_as_read(tmp_path, compiled):
    from cta_desktop.core.datasets import fast_csv, file_sha256

    if compiled:
        fast_csv.warm_up()
    body = "id,text\n" + "".join(f"{i},tweet {i} {'x' * 50}\n" for i in range(30_000))
    path = write(tmp_path / "c.csv", body)
    reader = read_tweets_csv(path, chunk_size=10_000, first_chunks=(100, 200), compiled=compiled)
    first = next(reader)
    # the first 100 tweets are out before the rest is read (the reader reads in blocks of at most 1 MiB)
    assert len(first) == 100 and reader.sha256 is None
    assert reader.stats.bytes_read < 0.7 * path.stat().st_size
    chunks = [first, *reader]
    assert [len(c) for c in chunks] == [100, 200, 10_000, 10_000, 9_700]
    assert [t for c in chunks for t in c.texts] == [f"tweet {i} {'x' * 50}" for i in range(30_000)]
    assert reader.sha256 == file_sha256(path) and reader.stats.bytes_read == path.stat().st_size



@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_reading_without_the_hash_gives_the_same_tweets(tmp_path, suffix):
    """An analysis reads with hashed=False (it has no use for the file's SHA-256): same chunks and
    counts, `.sha256` is "" at the end (not None, which means "not read to the end yet")."""
    import gzip

    body = "id,text\n" + "".join(f"{i},tweet {i}\n" for i in range(5_000)) + "4,tweet 4\n"
    path = tmp_path / f"h.csv{suffix}"
    path.write_bytes(gzip.compress(body.encode()) if suffix else body.encode())
    hashed = list(read_tweets_csv(path, chunk_size=1_000))
    reader = read_tweets_csv(path, chunk_size=1_000, hashed=False)
    plain = list(reader)
    assert [c.texts for c in plain] == [c.texts for c in hashed] and sum(map(len, plain)) == 5_000
    assert reader.stats.duplicates == 1 and reader.sha256 == ""

# ---- bad input: a clear one-line error or a result ---------------------------------------------


def error_of(path, **kw) -> str:
    with pytest.raises(CsvImportError) as info:
        read_all(path, **kw)
    msg = str(info.value)
    assert "\n" not in msg and Path(path).name in msg
    return msg


def test_empty_file(tmp_path):
    assert "empty" in error_of(write(tmp_path / "e.csv", ""))


def test_blank_lines_only(tmp_path):
    assert "no text" in error_of(write(tmp_path / "b.csv", "\n\n  \r\n"))


def test_header_only(tmp_path):
    assert "no tweets" in error_of(write(tmp_path / "h.csv", "id,text,date\n"))


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(bytes(range(256)) * 50)
    assert "binary" in error_of(path)


def test_png_renamed_to_csv(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert "binary" in error_of(path)


def test_no_text_like_column(tmp_path):
    body = "a,b,c\n" + "".join(f"{i},{i * 2},{i * 3}\n" for i in range(20))
    msg = error_of(write(tmp_path / "n.csv", body))
    assert "no column looks like tweet text" in msg and "a, b, c" in msg


def test_wrong_delimiter_forced(tmp_path):
    body = "id;text;date\n" + "".join(f"{i};tweet number {i} is here;2020-01-01\n" for i in range(10))
    path = write(tmp_path / "semi.csv", body)
    _, _, texts = read_all(path)  # detected: fine
    assert texts[0] == "tweet number 0 is here"
    # Forced to ",", the single column is "id;text;date" and its values still read as text.
    _, _, texts = read_all(path, delimiter=",")
    assert texts[0] == "0;tweet number 0 is here;2020-01-01"


def test_unknown_mapping_column(tmp_path):
    path = write(tmp_path / "m.csv", "text\nhello there\n")
    with pytest.raises(CsvImportError, match="no column 'body'"):
        read_tweets_csv(path, mapping=ColumnMapping(text="body"))


def test_unterminated_quote(tmp_path):
    body = 'id,text\n1,fine tweet\n2,"this quote never closes\n3,next\n4,more\n'
    msg = error_of(write(tmp_path / "u.csv", body))
    assert "never closed" in msg and "line 3" in msg


def test_quoted_newline_on_last_row_is_fine(tmp_path):
    _, _, texts = read_all(write(tmp_path / "ok.csv", 'id,text\n1,"two\nlines"\n'))
    assert texts == ["two\nlines"]


def test_ten_megabyte_field(tmp_path):
    big = "word " * 2_000_000
    path = write(tmp_path / "big.csv", f'id,text\n1,"{big}"\n2,short one\n')
    reader, _, texts = read_all(path)
    assert len(texts) == 2 and len(texts[0]) <= 10_000 and texts[1] == "short one"
    assert reader.stats.truncated == 1


def test_rows_with_missing_fields_are_counted(tmp_path):
    body = "id,date,text\n1,2020-01-01,good\n2\n3,2020-01-02,also good\n"
    reader, _, texts = read_all(write(tmp_path / "short.csv", body))
    assert texts == ["good", "also good"]
    assert reader.stats.skipped_malformed == 1 and reader.stats.rows == 3


def test_unquoted_delimiters_in_text_are_glued_back(tmp_path):
    body = "date,text,likes\n2020-01-01,Hello, world, again,5\n2020-01-02,fine,6\n"
    reader, chunks, texts = read_all(write(tmp_path / "unq.csv", body))
    assert texts == ["Hello, world, again", "fine"]
    assert chunks[0].likes == [5, 6] and reader.stats.repaired == 1


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CsvImportError, match="not found"):
        read_tweets_csv(tmp_path / "nope.csv")
    with pytest.raises(CsvImportError, match="folder"):
        read_tweets_csv(tmp_path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=600),
    st.text(alphabet=st.sampled_from(list('ab ,;\t"\n\r\x00é€\U0001f600')), max_size=300).map(lambda s: s.encode("utf-8")),
    st.lists(st.text(max_size=20), min_size=1, max_size=8).map(lambda xs: ("text\n" + "\n".join(xs)).encode("utf-8")),
))
def test_any_bytes_give_a_result_or_a_clear_error(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        reader = read_tweets_csv(path, chunk_size=7)
        n = sum(len(c) for c in reader)
        assert n == reader.stats.kept and reader.stats.kept + reader.stats.skipped_rows == reader.stats.rows
    except CsvImportError as exc:
        assert "\n" not in str(exc) and str(exc)


def test_bom_is_not_part_of_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"text,date\nhello world,2020-01-01\n")
    preview = preview_csv(path)
    assert preview.columns == ["text", "date"]


def test_the_head_is_decoded_only_as_far_as_the_sample_needs():
    """head_text decodes the 1 MiB head a piece at a time up to SAMPLE_CHARS: the same text and the same
    "whole file" answer as decoding it in one go, at every length around the limit, in UTF-8 with
    multi-byte characters cut at the end and with invalid bytes (read as cp1252), and in UTF-16."""
    import codecs
    import random
    from types import SimpleNamespace

    from cta_desktop.core.datasets import csv_reader
    from cta_desktop.core.datasets.encoding import detect_encoding_of

    def in_one_go(src):
        enc = detect_encoding_of(src.head, src.head_complete)
        decoded = codecs.getincrementaldecoder(enc.codec)(enc.errors).decode(src.head, final=src.head_complete)
        text = decoded[: csv_reader.SAMPLE_CHARS]
        return text[1:] if text.startswith("\ufeff") else text, src.head_complete and len(decoded) <= csv_reader.SAMPLE_CHARS

    rng = random.Random(3)
    limit = csv_reader.SAMPLE_CHARS
    checked = 0
    for size in (0, 7, limit - 2, limit, limit + 1, 2 * limit):
        for alphabet in ("ab,\n", "aé😀,\n中"):
            text = "".join(rng.choice(alphabet) for _ in range(size))
            for data in (text.encode("utf-8"), codecs.BOM_UTF8 + text.encode("utf-8"), text.encode("utf-16")):
                if len(data) > 4 and data[:2] not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                    noisy = bytearray(data)
                    for _ in range(20):
                        noisy[rng.randrange(len(noisy))] = rng.choice([0xFF, 0xE2, 0x82])
                    variants = (data, bytes(noisy))
                else:
                    variants = (data,)
                for head in variants:
                    for cut in (len(head), max(0, len(head) - 1)):
                        for complete in (True, False):
                            src = SimpleNamespace(head=head[:cut], head_complete=complete)
                            assert csv_reader.head_text(src)[:2] == in_one_go(src)
                            checked += 1
    assert checked > 100
