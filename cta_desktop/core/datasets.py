"""Reading the CSV files of tweets that people really have.

Real archives differ in everything: column names (`text`/`content`, `date`/`created_at`/`Date`,
`retweets`/`number_of_shares`), encodings (UTF-8 with or without BOM, UTF-16, Windows-1252, Mac
Roman, a UTF-8 file with a few Windows-1252 rows pasted in), delimiters, quoted newlines, blank
lines and duplicated rows. So nothing is assumed:

* the encoding is *detected*: a BOM or a NUL-byte pattern means UTF-16; otherwise the whole file
  is checked as strict UTF-8; if that fails, a mostly-UTF-8 file keeps UTF-8 and reads the odd
  bytes as Windows-1252, and a single-byte file gets whichever of Windows-1252 / Mac Roman yields
  the more plausible characters (letters inside words, typographic quotes; not control characters,
  undefined bytes or stray symbols);
* the delimiter is the candidate whose parse gives the most consistent field counts;
* columns are matched by name and, failing that, by content (the tweet text is the longest
  free-text column), and the caller can override the result (`ColumnMapping`).

Everything is read in chunks, so a million-tweet file needs little memory. Every problem that
stops an import is a `CsvImportError` whose message is one line: which file, what is wrong and
what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path

from cta_desktop.core.errors import UserError

MAX_FIELD_BYTES = 64 * 1024 * 1024  # the csv module's per-field limit (its default is 128 KiB)
MAX_TEXT_CHARS = 10_000  # a tweet is at most 280 characters; longer cells are cut to this
SAMPLE_BYTES = 256 * 1024  # what delimiter and column detection look at
ENCODING_SAMPLE_BYTES = 4 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
NA_STRINGS = frozenset({"nan", "NaN", "NAN", "None", "none", "null", "NULL", "N/A", "n/a", "#N/A", "NA", "<NA>"})
_TRUE_STRINGS = frozenset({"true", "1", "yes", "y", "t"})
_BOOL_STRINGS = _TRUE_STRINGS | {"false", "0", "no", "n", "f", ""}


class CsvImportError(UserError, ValueError):
    """The file cannot be imported. str() is one line: which file, what is wrong, what to do."""

    def __init__(self, message: str):
        # Column names and file names may hold line breaks or tabs: the message stays one line.
        super().__init__(" ".join(str(message).split()))


# --------------------------------------------------------------------------------------------
# Column mapping


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what (column names as in the header; None = the file has no such column).

    `name` is an optional display-name column (e.g. "Elon Musk"), used only to guess the person.
    """

    text: str | None = None
    date: str | None = None
    id: str | None = None
    likes: str | None = None
    retweets: str | None = None
    replies: str | None = None
    handle: str | None = None
    is_retweet: str | None = None
    name: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def with_overrides(self, **overrides: str | None) -> ColumnMapping:
        """A copy with the given fields replaced (e.g. `with_overrides(text="body")`)."""
        return replace(self, **overrides)


def _norm_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


_NAME_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "tweet", "tweet_text", "full_text", "tweet_content", "body", "message",
             "status", "post", "tweets", "text_content", "clean_text"),
    "date": ("date", "created_at", "created", "datetime", "date_time", "timestamp", "time", "tweet_date",
             "posted_at", "published", "published_at", "created_date", "tweet_created_at", "date_utc"),
    "id": ("id", "tweet_id", "id_str", "status_id", "tweetid", "tweet_id_str", "url", "tweet_url",
           "link", "permalink"),
    "likes": ("likes", "favorites", "favourites", "favorite_count", "favourite_count", "like_count",
              "likes_count", "number_of_likes", "num_likes", "favorites_count", "hearts"),
    "retweets": ("retweets", "retweet_count", "retweets_count", "number_of_shares", "shares",
                 "share_count", "num_retweets", "number_of_retweets"),
    "replies": ("replies", "reply_count", "replies_count", "number_of_replies", "num_replies"),
    "handle": ("handle", "screen_name", "username", "user_screen_name", "user_handle", "author",
               "user", "account", "twitter_handle", "user_username"),
    "is_retweet": ("is_retweet", "isretweet", "retweeted", "is_rt", "retweet"),
    "name": ("user_name", "name", "display_name", "user_display_name", "author_name", "full_name"),
}


# --------------------------------------------------------------------------------------------
# Encoding detection

# Characters that are normal in tweets written in Western European languages.
_PLAUSIBLE_SYMBOLS = frozenset("€£¥©®™°§¶•·…–—‘’‚“”„«»¡¿×")


def _register_error_handlers() -> None:
    def latin1_bytes(exc: UnicodeError) -> tuple[str, int]:
        # Bytes a codec cannot map (cp1252 leaves five undefined) are kept as the Latin-1 character.
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        return exc.object[exc.start : exc.end].decode("latin-1"), exc.end

    def cp1252_bytes(exc: UnicodeError) -> tuple[str, int]:
        # For a mostly-UTF-8 file: invalid UTF-8 bytes are read as Windows-1252.
        if not isinstance(exc, UnicodeDecodeError):
            raise exc
        return exc.object[exc.start : exc.end].decode("cp1252", "cta-latin1"), exc.end

    codecs.register_error("cta-latin1", latin1_bytes)
    codecs.register_error("cta-cp1252", cp1252_bytes)


_register_error_handlers()


@dataclass(frozen=True)
class DetectedEncoding:
    codec: str  # what Python opens the file with
    errors: str  # the decode error handler
    label: str  # what we tell the user, e.g. "utf-8", "utf-8 (BOM)", "mac_roman"


def _plausibility(text: str) -> float:
    """Score decoded text: high when its non-ASCII characters look like real writing."""
    score = 0.0
    n = len(text)
    for i, ch in enumerate(text):
        if ch < "\x80":
            continue
        cat = unicodedata.category(ch)
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if ch == "\ufffd" or cat in ("Cc", "Cn", "Co", "Cs"):
            score -= 10
        elif cat[0] == "L":
            prev_lower = prev.isalpha() and prev.islower()
            if cat == "Ll" and (prev_lower or (nxt.isalpha() and nxt.islower())):
                score += 2
            elif cat == "Lu" and prev_lower:
                score -= 2
            else:
                score += 0.25
        elif ch in _PLAUSIBLE_SYMBOLS:
            score += 1.5 if ch in "’‘" and prev.isalpha() and nxt.isalpha() else 1
        elif cat == "Zs":
            score += 0
        else:
            score -= 1
    return score


def _score_single_byte(sample: bytes) -> tuple[str, float, float]:
    """Windows-1252 or Mac Roman? Bytes cp1252 leaves undefined never occur in real cp1252 text."""
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return "mac_roman", float("-inf"), 0.0
    cp = _plausibility(sample.decode("cp1252", "replace"))
    mac = _plausibility(sample.decode("mac_roman", "replace"))
    return ("cp1252" if cp >= mac else "mac_roman"), cp, mac


def _looks_utf16(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nul > 0.3 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


def detect_encoding(path: str | Path) -> DetectedEncoding:
    """Detect a file's text encoding (see the module docstring). Reads the whole file once."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(ENCODING_SAMPLE_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            codec, label = "utf-8-sig", "utf-8 (BOM)"
        elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            return DetectedEncoding("utf-32", "replace", "utf-32 (BOM)")
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return DetectedEncoding("utf-16", "replace", "utf-16 (BOM)")
        elif (u16 := _looks_utf16(head)) is not None:
            return DetectedEncoding(u16, "replace", u16)
        else:
            codec, label = "utf-8", "utf-8"
        # Strict UTF-8 over the whole file, incrementally (a bad byte may sit near the end).
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        block = head
        bad_blocks: list[bytes] = []
        try:
            while block:
                decoder.decode(block)
                block = fh.read(ENCODING_SAMPLE_BYTES)
            decoder.decode(b"", final=True)
            return DetectedEncoding(codec, "strict", label)
        except UnicodeDecodeError as exc:
            start = max(0, exc.start - 2048)
            bad_blocks.append(block[start : exc.start + 2048])
    # Not UTF-8 throughout. Count valid multi-byte characters against invalid bytes.
    sample = head + b"\n" + b"\n".join(bad_blocks)
    invalid = [0]

    def counting(exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        invalid[0] += exc.end - exc.start
        return "", exc.end

    codecs.register_error("cta-count", counting)
    decoded = sample.decode("utf-8", "cta-count")
    valid_multibyte = len(decoded) - len(decoded.encode("ascii", "ignore"))
    if valid_multibyte > invalid[0]:
        return DetectedEncoding(codec, "cta-cp1252", label + " (some bytes read as cp1252)")
    choice, _, _ = _score_single_byte(sample)
    return DetectedEncoding(choice, "cta-latin1", choice)


# --------------------------------------------------------------------------------------------
# Dates


_ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?)?")
_SLASH_RE = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_TWITTER_RE = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}")


_CANONICAL_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2})?")


def _parse_iso(value: str) -> str | None:
    if _CANONICAL_RE.fullmatch(value):
        # Already ISO apart from the separator: validate (month 13 fails) and skip re-formatting.
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return None
        return value if value[10] == "T" else value[:10] + "T" + value[11:]
    if not _ISO_RE.fullmatch(value):
        return None
    if value.endswith("UTC"):
        value = value[:-3].rstrip() + "+00:00"
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _slash_parser(day_first: bool):
    def parse(value: str) -> str | None:
        m = _SLASH_RE.fullmatch(value)
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

    return parse


def _parse_twitter(value: str) -> str | None:
    if not _TWITTER_RE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").isoformat()
    except ValueError:
        return None


def _date_parser_for(samples: list[str]):
    """Pick the date format that parses most of the sample; None if fewer than half parse."""
    values = [v.strip() for v in samples if v and v.strip()]
    if not values:
        return None
    day_first = False
    for v in values:
        m = _SLASH_RE.fullmatch(v)
        if m and int(m.group(1)) > 12:
            day_first = True
            break
    candidates = [_parse_iso, _slash_parser(day_first), _parse_twitter]
    best, best_hits = None, 0
    for parser in candidates:
        hits = sum(parser(v) is not None for v in values)
        if hits > best_hits:
            best, best_hits = parser, hits
    if best is None or best_hits < 0.5 * len(values):
        return None
    first = best

    def parse(value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        out = first(value)
        if out is None:
            for other in candidates:
                if other is not first and (out := other(value)) is not None:
                    break
        return out

    return parse


def parse_date(value: str) -> str | None:
    """Parse one date in any supported format to ISO 8601 (None if it is not a date)."""
    parser = _date_parser_for([value])
    return parser(value) if parser else None


# --------------------------------------------------------------------------------------------
# Values


def _parse_count(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        pass
    v = value.strip().replace(",", "").replace("_", "")
    if not v or v in NA_STRINGS:
        return None
    mult = 1
    if v[-1] in "kKmM":
        mult = 1000 if v[-1] in "kK" else 1_000_000
        v = v[:-1]
    try:
        f = float(v) * mult
    except ValueError:
        return None
    if f != f or f in (float("inf"), float("-inf")):
        return None
    return int(f)


_STATUS_ID_RE = re.compile(r"/status(?:es)?/(\d+)")
_URL_HANDLE_RE = re.compile(r"(?:twitter|x)\.com/(\w{1,15})/status", re.IGNORECASE)


def _parse_id(value: str) -> str | None:
    value = value.strip()
    if not value or value in NA_STRINGS:
        return None
    if "/" in value:
        m = _STATUS_ID_RE.search(value)
        if m:
            return m.group(1)
    if value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


# --------------------------------------------------------------------------------------------
# Layout detection


@dataclass
class CsvLayout:
    path: Path
    encoding: DetectedEncoding
    delimiter: str
    has_header: bool
    columns: list[str]
    sample_rows: list[list[str]]
    sample_bytes: int  # bytes of text the sample was cut from
    file_bytes: int
    sample_complete: bool = False  # the sample rows are all the rows of the file


def _open_text(path: Path, enc: DetectedEncoding) -> io.TextIOWrapper:
    return io.TextIOWrapper(open(path, "rb"), encoding=enc.codec, errors=enc.errors, newline="")


def _read_sample(path: Path, enc: DetectedEncoding) -> tuple[str, bool]:
    with _open_text(path, enc) as fh:
        text = fh.read(SAMPLE_BYTES)
        complete = not fh.read(1)
    return text, complete


def _set_field_limit() -> None:
    if csv.field_size_limit() < MAX_FIELD_BYTES:
        csv.field_size_limit(MAX_FIELD_BYTES)


_SAMPLE_ROW_LIMIT = 400


def _parse_sample(text: str, delimiter: str, complete: bool, limit: int = _SAMPLE_ROW_LIMIT) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            if row:
                rows.append(row)
            if len(rows) > limit:
                break
    except csv.Error:
        pass
    if not complete and len(rows) > 1 and len(rows) <= limit:
        rows.pop()  # the last record may be cut by the sample's end
    return rows


def _delimiter_score(rows: list[list[str]]) -> tuple[float, int]:
    if not rows:
        return 0.0, 0
    counts = Counter(len(r) for r in rows)
    mode, freq = counts.most_common(1)[0]
    if mode < 2:
        return 0.0, mode
    header_bonus = 0.05 if len(rows[0]) == mode else 0.0
    return freq / len(rows) + header_bonus, mode


def _is_numberish(value: str) -> bool:
    return _parse_count(value) is not None


def _looks_like_header(first: list[str], rest: list[list[str]]) -> bool:
    names = [_norm_name(v) for v in first]
    known = {n for cands in _NAME_CANDIDATES.values() for n in cands}
    if any(n in known for n in names):
        return True
    if any(not v.strip() for v in first) or len(set(first)) != len(first):
        return False
    for v in first:
        if len(v) > 64 or _is_numberish(v) or parse_date(v) is not None or "://" in v:
            return False
    # A header's cells are short labels; the data below them usually differ in kind or length.
    return bool(rest) or len(first) > 1


def sniff_layout(path: str | Path, delimiter: str | None = None) -> CsvLayout:
    """Encoding, delimiter, header and a sample of rows. Raises CsvImportError on unusable files."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CsvImportError(f"{path}: file not found; check the path and try again") from None
    except OSError as exc:
        raise CsvImportError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
    if path.is_dir():
        raise CsvImportError(f"{path}: is a folder, not a CSV file; choose a .csv file")
    if size == 0:
        raise CsvImportError(f"{name}: the file is empty; export the tweets again or choose another file")
    try:
        enc = detect_encoding(path)
        text, complete = _read_sample(path, enc)
    except OSError as exc:
        raise CsvImportError(f"{name}: cannot read the file ({exc}); check its permissions") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise CsvImportError(f"{name}: the file holds no text (only blank lines); choose another file")
    probe = text[:65536]
    controls = sum(1 for ch in probe if ch < " " and ch not in "\t\r\n")
    if "\x00" in probe or controls > max(2, len(probe) // 200):
        raise CsvImportError(
            f"{name}: this is not a text CSV file (it holds binary data); export the tweets as CSV and try again"
        )
    _set_field_limit()
    if delimiter is None:
        scored = []
        for order, cand in enumerate(DELIMITERS):
            rows = _parse_sample(text, cand, complete)
            score, mode = _delimiter_score(rows)
            scored.append((score, mode, -order, cand, rows))
        scored.sort(reverse=True)
        best = scored[0]
        delimiter, rows = (best[3], best[4]) if best[0] > 0 else (",", _parse_sample(text, ",", complete))
    else:
        rows = _parse_sample(text, delimiter, complete)
    if not rows:
        raise CsvImportError(f"{name}: no rows could be read; check that it is a CSV file")
    has_header = _looks_like_header(rows[0], rows[1:])
    if has_header:
        columns = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
        # Duplicate header names get a suffix so every column can be named.
        seen: Counter[str] = Counter()
        for i, c in enumerate(columns):
            seen[c] += 1
            if seen[c] > 1:
                columns[i] = f"{c} ({seen[c]})"
        sample = rows[1:]
    else:
        width = Counter(len(r) for r in rows).most_common(1)[0][0]
        columns = [f"column {i + 1}" for i in range(width)]
        sample = rows
    exact = complete and len(rows) <= _SAMPLE_ROW_LIMIT
    return CsvLayout(path, enc, delimiter, has_header, columns, sample, len(text.encode("utf-8")), size, exact)


def _column_values(layout: CsvLayout, index: int) -> list[str]:
    """A column's sample values, from rows with the header's field count (misaligned rows mislead)."""
    width = len(layout.columns)
    aligned = [r for r in layout.sample_rows if len(r) == width]
    return [r[index] for r in (aligned or layout.sample_rows) if len(r) > index]


def _text_likeness(values: list[str]) -> float:
    """Mean length of free-text values (0 if the column looks numeric, boolean or empty)."""
    vals = [v for v in values if v.strip() and v not in NA_STRINGS]
    if not vals:
        return 0.0
    numeric = sum(_is_numberish(v) for v in vals)
    if numeric > 0.5 * len(vals):
        return 0.0
    spaced = sum(" " in v.strip() for v in vals)
    mean_len = sum(len(v) for v in vals) / len(vals)
    if spaced < 0.2 * len(vals) and mean_len < 15:
        return 0.0
    if sum("://" in v and " " not in v.strip() for v in vals) > 0.5 * len(vals):
        return 0.0  # a URL column
    return mean_len * (0.5 + spaced / len(vals))


def detect_mapping(layout: CsvLayout) -> ColumnMapping:
    """Match columns by name, check them by content, fall back to content alone."""
    norm = [_norm_name(c) for c in layout.columns]
    found: dict[str, str | None] = {}
    used: set[int] = set()

    def by_name(role: str, check=None) -> int | None:
        for cand in _NAME_CANDIDATES[role]:
            for i, n in enumerate(norm):
                if n == cand and i not in used and (check is None or check(_column_values(layout, i))):
                    return i
        return None

    def is_text(vals: list[str]) -> bool:
        # Named like a text column: accept unless it is mostly numbers (short tweets like "Yes" are text).
        filled = [v for v in vals if v.strip() and v not in NA_STRINGS]
        return sum(_is_numberish(v) for v in filled) <= 0.5 * len(filled)

    def is_date(vals: list[str]) -> bool:
        return _date_parser_for(vals) is not None or not any(v.strip() for v in vals)

    def is_count(vals: list[str]) -> bool:
        filled = [v for v in vals if v.strip()]
        return not filled or sum(_is_numberish(v) for v in filled) >= 0.8 * len(filled)

    def is_bool(vals: list[str]) -> bool:
        return all(v.strip().lower() in _BOOL_STRINGS for v in vals)

    def is_handle(vals: list[str]) -> bool:
        filled = [v.strip() for v in vals if v.strip()]
        return bool(filled) and sum(bool(re.fullmatch(r"@?\w{1,50}", v)) for v in filled) >= 0.8 * len(filled)

    def is_id(vals: list[str]) -> bool:
        filled = [v.strip() for v in vals if v.strip()]
        if not filled:
            return False
        if all("/" in v for v in filled):
            return all(_STATUS_ID_RE.search(v) for v in filled)
        return len(set(filled)) >= 0.5 * len(filled)

    checks = {"text": is_text, "date": is_date, "id": is_id, "likes": is_count, "retweets": is_count,
              "replies": is_count, "handle": is_handle, "is_retweet": is_bool, "name": None}
    for role in ("text", "date", "id", "likes", "retweets", "replies", "is_retweet", "handle", "name"):
        i = by_name(role, checks[role])
        if i is not None:
            used.add(i)
            found[role] = layout.columns[i]
    if "text" not in found:
        scores = [(_text_likeness(_column_values(layout, i)), i) for i in range(len(layout.columns)) if i not in used]
        scores = [s for s in scores if s[0] > 0]
        if scores:
            best = max(scores)[1]
            used.add(best)
            found["text"] = layout.columns[best]
    if "date" not in found:
        for i in range(len(layout.columns)):
            vals = [v for v in _column_values(layout, i) if v.strip()]
            if i not in used and vals and not all(_is_numberish(v) for v in vals) and _date_parser_for(vals):
                used.add(i)
                found["date"] = layout.columns[i]
                break
    return ColumnMapping(**{f.name: found.get(f.name) for f in fields(ColumnMapping)})


# --------------------------------------------------------------------------------------------
# Preview


@dataclass
class CsvPreview:
    path: Path
    encoding: str
    delimiter: str
    has_header: bool
    columns: list[str]
    mapping: ColumnMapping
    rows: list[dict[str, str]]
    n_rows_estimate: int
    person_guess: str
    handle_guess: str | None
    file_bytes: int = 0


def guess_person(layout: CsvLayout, mapping: ColumnMapping) -> tuple[str, str | None]:
    """(name, handle) of the person a file is about: display-name column, handle column, URL, file name."""
    def most_common(column: str | None) -> str | None:
        if column is None:
            return None
        i = layout.columns.index(column)
        vals = [v.strip() for v in _column_values(layout, i) if v.strip() and v.strip() not in NA_STRINGS]
        return Counter(vals).most_common(1)[0][0] if vals else None

    handle = most_common(mapping.handle)
    if handle:
        handle = handle.lstrip("@")
    if handle is None and mapping.id is not None:
        i = layout.columns.index(mapping.id)
        for v in _column_values(layout, i):
            m = _URL_HANDLE_RE.search(v)
            if m:
                handle = m.group(1)
                break
    name = most_common(mapping.name) or handle or layout.path.stem
    return name, handle


def preview_csv(path: str | Path, n_rows: int = 20, delimiter: str | None = None) -> CsvPreview:
    """Detect everything about a file and show its first rows, without reading it all."""
    layout = sniff_layout(path, delimiter)
    mapping = detect_mapping(layout)
    person, handle = guess_person(layout, mapping)
    rows = [dict(zip(layout.columns, r, strict=False)) for r in layout.sample_rows[:n_rows]]
    return CsvPreview(layout.path, layout.encoding.label, layout.delimiter, layout.has_header, layout.columns,
                      mapping, rows, estimate_rows(layout), person, handle, layout.file_bytes)


def estimate_rows(layout: CsvLayout) -> int:
    """Data rows in the file, estimated from the sample's bytes per row (exact for small files)."""
    if not layout.sample_rows:
        return 0
    per_row = sum(len(layout.delimiter.join(r).encode("utf-8")) + 3 for r in layout.sample_rows)
    per_row /= len(layout.sample_rows)
    if layout.sample_complete:
        return len(layout.sample_rows)
    return max(len(layout.sample_rows), int(layout.file_bytes / per_row))


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class TweetChunk:
    """Columns of up to `chunk_size` kept tweets, plus what happened to the rows they came from."""

    texts: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)
    tweet_ids: list[str | None] = field(default_factory=list)
    likes: list[int | None] = field(default_factory=list)
    retweets: list[int | None] = field(default_factory=list)
    replies: list[int | None] = field(default_factory=list)
    is_retweet: list[bool] = field(default_factory=list)
    rows: int = 0  # data rows read for this chunk (kept + skipped)
    skipped_empty: int = 0
    skipped_malformed: int = 0
    duplicates: int = 0
    truncated: int = 0
    repaired: int = 0  # rows with more fields than the header, the extra ones glued into the text

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def skipped_rows(self) -> int:
        return self.rows - len(self.texts)


@dataclass
class ReadStats:
    """Running totals. skipped_rows counts every data row not kept (empty, malformed, duplicate)."""

    rows: int = 0
    kept: int = 0
    skipped_empty: int = 0
    skipped_malformed: int = 0
    duplicates: int = 0
    truncated: int = 0
    repaired: int = 0
    retweets: int = 0
    first_date: str | None = None
    last_date: str | None = None
    bytes_read: int = 0
    file_bytes: int = 0

    @property
    def skipped_rows(self) -> int:
        return self.rows - self.kept

    def add(self, chunk: TweetChunk) -> None:
        self.rows += chunk.rows
        self.kept += len(chunk)
        self.skipped_empty += chunk.skipped_empty
        self.skipped_malformed += chunk.skipped_malformed
        self.duplicates += chunk.duplicates
        self.truncated += chunk.truncated
        self.repaired += chunk.repaired
        self.retweets += sum(chunk.is_retweet)
        dates = [d for d in chunk.dates if d]
        if dates:
            lo, hi = min(dates), max(dates)
            if self.first_date is None or lo < self.first_date:
                self.first_date = lo
            if self.last_date is None or hi > self.last_date:
                self.last_date = hi


class TweetReader:
    """Iterates over a CSV of tweets in chunks (`TweetChunk`), keeping running totals in `.stats`.

    Duplicates (same tweet id; without an id column, same text and date; without a date column,
    an identical row) are counted and dropped;
    rows without text are counted and skipped; retweets are flagged ("RT @" or the is_retweet column).
    """

    def __init__(self, path: str | Path, mapping: ColumnMapping | None = None, chunk_size: int = 50_000,
                 delimiter: str | None = None, layout: CsvLayout | None = None):
        self.path = Path(path)
        self.layout = layout or sniff_layout(self.path, delimiter)
        self.mapping = mapping if mapping is not None else detect_mapping(self.layout)
        self.chunk_size = max(1, int(chunk_size))
        self.stats = ReadStats(file_bytes=self.layout.file_bytes)
        self._check_mapping()
        self._iter: Iterator[TweetChunk] | None = None

    @property
    def encoding(self) -> str:
        return self.layout.encoding.label

    @property
    def delimiter(self) -> str:
        return self.layout.delimiter

    def _check_mapping(self) -> None:
        name, cols = self.path.name, self.layout.columns
        shown = ", ".join(cols[:12]) + (" …" if len(cols) > 12 else "")
        if self.mapping.text is None:
            raise CsvImportError(
                f"{name}: no column looks like tweet text (columns: {shown}); "
                "choose the text column (--text-column COLUMN)"
            )
        for role, col in self.mapping.as_dict().items():
            if col is not None and col not in cols:
                raise CsvImportError(f"{name}: there is no column {col!r} for the {role} (columns: {shown}); "
                                     "choose one of these")

    def __iter__(self) -> TweetReader:
        return self

    def __next__(self) -> TweetChunk:
        if self._iter is None:
            self._iter = self._chunks()
        chunk = next(self._iter)
        self.stats.add(chunk)
        return chunk

    def _chunks(self) -> Iterator[TweetChunk]:  # noqa: C901 - one hot loop, kept flat for speed
        layout, m, name = self.layout, self.mapping, self.path.name
        cols = layout.columns
        width = len(cols)

        def idx(col: str | None) -> int:
            return cols.index(col) if col is not None else -1

        ti, di, ii = idx(m.text), idx(m.date), idx(m.id)
        li, ri, pi, rti = idx(m.likes), idx(m.retweets), idx(m.replies), idx(m.is_retweet)
        need = max(ti, di, ii, li, ri, pi, rti) + 1
        date_parser = None
        if di >= 0:
            date_parser = _date_parser_for(_column_values(layout, di)) or _generic_date
        seen: set[int] = set()
        na = NA_STRINGS
        true = _TRUE_STRINGS
        _set_field_limit()
        raw = open(self.path, "rb")
        fh = io.TextIOWrapper(raw, encoding=layout.encoding.codec, errors=layout.encoding.errors, newline="")
        delim = layout.delimiter
        reader = csv.reader(fh, delimiter=delim)
        chunk = TweetChunk()
        last_record_lines = 0
        prev_line = 0
        try:
            first = True
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    msg = str(exc)
                    if "field larger than field limit" in msg:
                        raise CsvImportError(
                            f"{name}: line {reader.line_num}: a field is larger than "
                            f"{MAX_FIELD_BYTES // 2**20} MB, probably an unterminated quote (\"); "
                            "fix the quoting and import again") from None
                    raise CsvImportError(f"{name}: line {reader.line_num}: the CSV is malformed ({msg}); "
                                         "fix that line and import again") from None
                except UnicodeDecodeError as exc:
                    raise CsvImportError(f"{name}: cannot decode the file as {layout.encoding.label} ({exc.reason}); "
                                         "save it as UTF-8 and import again") from None
                last_record_lines = reader.line_num - prev_line
                prev_line = reader.line_num
                if not row:
                    continue  # a blank line is not a row
                if first:
                    first = False
                    if layout.has_header:
                        continue
                chunk.rows += 1
                n = len(row)
                if n != width:
                    if n > width:
                        # Unquoted delimiters inside the tweet (the usual cause): glue the text back.
                        extra = n - width
                        row = row[:ti] + [delim.join(row[ti : ti + extra + 1])] + row[ti + extra + 1 :]
                        chunk.repaired += 1
                    elif n < need:
                        chunk.skipped_malformed += 1
                        continue
                text = row[ti]
                if len(text) > MAX_TEXT_CHARS:
                    text = text[:MAX_TEXT_CHARS]
                    chunk.truncated += 1
                text = text.strip()
                if not text or text in na:
                    chunk.skipped_empty += 1
                    continue
                date = date_parser(row[di]) if di >= 0 else None
                tid = _parse_id(row[ii]) if ii >= 0 else None
                # The same tweet twice: same id; without ids, same text and date; without dates, same row.
                if tid is not None:
                    key = hash(("id", tid))
                elif di >= 0:
                    key = hash((text, date))
                else:
                    key = hash(tuple(row))
                if key in seen:
                    chunk.duplicates += 1
                    continue
                seen.add(key)
                chunk.texts.append(text)
                chunk.dates.append(date)
                chunk.tweet_ids.append(tid)
                chunk.likes.append(_parse_count(row[li]) if li >= 0 and row[li] else None)
                chunk.retweets.append(_parse_count(row[ri]) if ri >= 0 and row[ri] else None)
                chunk.replies.append(_parse_count(row[pi]) if pi >= 0 and row[pi] else None)
                chunk.is_retweet.append(
                    text.startswith("RT @") or (rti >= 0 and row[rti].strip().lower() in true))
                if len(chunk.texts) >= self.chunk_size:
                    self.stats.bytes_read = raw.tell()
                    yield chunk
                    chunk = TweetChunk()
            if last_record_lines > 1:
                self._check_unterminated_quote(prev_line - last_record_lines)
            self.stats.bytes_read = layout.file_bytes
            if first or (layout.has_header and self.stats.rows + chunk.rows == 0):
                raise CsvImportError(f"{name}: the file has a header but no tweets; export the tweets again "
                                     "or choose another file")
            yield chunk
        finally:
            fh.close()

    def _check_unterminated_quote(self, start_line: int) -> None:
        """Re-read the last record strictly: a quote open at the end of the file means lost rows."""
        with _open_text(self.path, self.layout.encoding) as fh:
            for _ in range(start_line):
                if not fh.readline():
                    return
            tail = fh.read()
        try:
            for _ in csv.reader(io.StringIO(tail), delimiter=self.layout.delimiter, strict=True):
                pass
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise CsvImportError(
                    f"{self.path.name}: line {start_line + 1}: a quoted field is never closed (unterminated \" "
                    "quote), so the rest of the file would be one field; fix the quote and import again"
                ) from None


def _generic_date(value: str) -> str | None:
    return parse_date(value) if value.strip() else None


def read_tweets_csv(path: str | Path, mapping: ColumnMapping | None = None, chunk_size: int = 50_000,
                    delimiter: str | None = None) -> TweetReader:
    """Open a CSV of tweets for chunked reading.

    `mapping` is the full column mapping to use (e.g. `preview_csv(path).mapping`, edited by the
    user); None detects it. Iterate the result for `TweetChunk`s; `.stats` has the running totals.
    Raises CsvImportError (at once for unusable files, while iterating for problems found later).
    """
    return TweetReader(path, mapping, chunk_size, delimiter)


def file_sha256(path: str | Path, block: int = 1 << 20) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


def describe_mapping(mapping: ColumnMapping) -> str:
    return ", ".join(f"{k}={v}" for k, v in mapping.as_dict().items() if v is not None)


__all__ = [
    "CsvImportError", "ColumnMapping", "CsvPreview", "CsvLayout", "DetectedEncoding", "TweetChunk", "ReadStats",
    "TweetReader", "preview_csv", "read_tweets_csv", "sniff_layout", "detect_mapping", "detect_encoding",
    "parse_date", "file_sha256", "guess_person", "describe_mapping", "estimate_rows", "MAX_TEXT_CHARS",
]
