"""Cell values shared by every reader: column-name tables, dates, counts and tweet ids.

A JSON field is matched exactly like a CSV column: its name is normalised (`likeCount`,
`like_count` and `Like Count` are the same) and looked up in `NAME_CANDIDATES`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

NA_STRINGS = frozenset({"nan", "NaN", "NAN", "None", "none", "null", "NULL", "N/A", "n/a", "#N/A", "NA", "<NA>"})
TRUE_STRINGS = frozenset({"true", "1", "yes", "y", "t"})
BOOL_STRINGS = TRUE_STRINGS | {"false", "0", "no", "n", "f", ""}

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def norm_name(name: str) -> str:
    """`likeCount`, `Like Count` and `like_count` all become `like_count`."""
    return re.sub(r"[^0-9a-z]+", "_", _CAMEL_RE.sub("_", name.strip()).lower()).strip("_")


# Names (normalised) that each role may have, best first: CSV headers and JSON fields alike
# (X archive, snscrape, twarc2, the v1.1 and v2 APIs, common scrapers and Kaggle exports).
NAME_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "full_text", "raw_content", "content", "tweet", "tweet_text", "tweet_content", "body",
             "message", "status", "post", "tweets", "text_content", "clean_text", "rendered_content"),
    "date": ("date", "created_at", "created", "datetime", "date_time", "timestamp", "time", "tweet_date",
             "posted_at", "published", "published_at", "created_date", "tweet_created_at", "date_utc"),
    "id": ("id", "tweet_id", "id_str", "status_id", "tweetid", "tweet_id_str", "url", "tweet_url",
           "link", "permalink"),
    "likes": ("likes", "favorites", "favourites", "favorite_count", "favourite_count", "like_count",
              "likes_count", "number_of_likes", "num_likes", "favorites_count", "hearts",
              "public_metrics_like_count"),
    "retweets": ("retweets", "retweet_count", "retweets_count", "number_of_shares", "shares",
                 "share_count", "num_retweets", "number_of_retweets", "public_metrics_retweet_count"),
    "replies": ("replies", "reply_count", "replies_count", "number_of_replies", "num_replies",
                "public_metrics_reply_count"),
    "handle": ("handle", "screen_name", "username", "user_screen_name", "user_username", "user_handle",
               "author_username", "author", "user", "account", "twitter_handle"),
    "is_retweet": ("is_retweet", "isretweet", "retweeted", "is_rt", "retweet", "retweeted_tweet",
                   "retweeted_status"),
    "reply_to": ("in_reply_to_status_id_str", "in_reply_to_status_id", "in_reply_to_tweet_id",
                 "in_reply_to_id", "reply_to", "in_reply_to", "is_reply"),
    "name": ("user_name", "name", "display_name", "user_display_name", "user_displayname", "author_name",
             "full_name"),
}

# ---- dates ------------------------------------------------------------------------------------

_ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?)?")
_SLASH_RE = re.compile(
    r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?"
)
_TWITTER_RE = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} ([+-]\d{4}|[A-Z]{3,4}) \d{4}")
_CANONICAL_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2})?")
# Sentiment140 writes "Mon Apr 06 22:19:45 PDT 2009": the zone as an abbreviation.
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
          "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2}


_ISO_PART_RES = (re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\d{2}:\d{2}:\d{2}"), re.compile(r"[+-]\d{2}:\d{2}"))
_ISO_PART_SAMPLES = ("{}T00:00:00", "2000-01-01T{}", "2000-01-01T00:00:00{}")
# Days, clock times and UTC offsets of canonical ISO dates already checked -> valid (an archive's repeat).
_ISO_PARTS: tuple[dict[str, bool], dict[str, bool], dict[str, bool]] = ({}, {}, {})
_PARTS_KEPT = 100_000  # distinct parts remembered


def _remember(known: dict, part: str, value: Any) -> Any:
    """Store a parsed date part (at most _PARTS_KEPT of them: the memory starts afresh when full)."""
    if len(known) >= _PARTS_KEPT:
        known.clear()
    known[part] = value
    return value


def _iso_part_valid(part: str, kind: int) -> bool:
    """Is this day (kind 0), clock time (1) or UTC offset (2) of a canonical ISO date valid, as
    `datetime.fromisoformat` decides for the whole (it checks the parts independently)?"""
    ok = _ISO_PART_RES[kind].fullmatch(part) is not None
    if ok:
        try:
            datetime.fromisoformat(_ISO_PART_SAMPLES[kind].format(part))
        except ValueError:
            ok = False
    return _remember(_ISO_PARTS[kind], part, ok)


def _parse_iso(value: str) -> str | None:
    n = len(value)
    if (n == 19 or n == 25) and value[10] in "T ":
        # Already ISO apart from the separator ("2015-01-06 05:50:00[+00:00]"): validate each part
        # (month 13 fails) and skip re-formatting.
        day, clock = value[:10], value[11:19]
        days, clocks, offsets = _ISO_PARTS
        ok = days.get(day)
        if ok is None:
            ok = _iso_part_valid(day, 0)
        if ok:
            ok = clocks.get(clock)
            if ok is None:
                ok = _iso_part_valid(clock, 1)
        if ok and n == 25:
            offset = value[19:]
            ok = offsets.get(offset)
            if ok is None:
                ok = _iso_part_valid(offset, 2)
        if ok:
            return value if value[10] == "T" else f"{day}T{value[11:]}"
        if _CANONICAL_RE.fullmatch(value):
            return None  # the canonical shape with an invalid part
    if not _ISO_RE.fullmatch(value):
        return None
    if value.endswith("UTC"):
        value = value[:-3].rstrip() + "+00:00"
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None


_SLASH_DAY_RE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})")
_CLOCK_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


_NOT_THIS_SHAPE = ""  # what a slash date's part parser says of a part of another shape


def _slash_parser(day_first: bool):
    """A parser for "10/16/17 22:59"-style dates (month first unless `day_first`).

    The usual shape, a day and an optional "H:MM[:SS]" after one space, is taken apart and each part
    parsed once per distinct value (an archive has a few thousand days and clock times, repeated);
    anything else goes through the full pattern. Both give what `datetime(...).isoformat()` does."""
    days: dict[str, str | None] = {}
    clocks: dict[str, str | None] = {}

    def year_month_day(a: str, b: str, year: str) -> tuple[int, int, int]:
        month, day = (int(b), int(a)) if day_first else (int(a), int(b))
        y = int(year)
        if len(year) == 2:
            y += 2000 if y < 70 else 1900
        return y, month, day

    def full(value: str) -> str | None:
        m = _SLASH_RE.fullmatch(value)
        if not m:
            return None
        a, b, year, hour, minute, second, ampm = m.groups()
        h = int(hour) if hour else 0
        if ampm:
            h = h % 12 + (12 if ampm.lower() == "pm" else 0)
        try:
            return datetime(*year_month_day(a, b, year), h, int(minute or 0), int(second or 0)).isoformat()
        except ValueError:
            return None

    def day_of(text: str) -> str | None:
        m = _SLASH_DAY_RE.fullmatch(text)
        if not m:
            return _NOT_THIS_SHAPE
        try:
            return date(*year_month_day(*m.groups())).isoformat()
        except ValueError:
            return None

    def clock_of(text: str) -> str | None:
        m = _CLOCK_RE.fullmatch(text)
        if not m:
            return _NOT_THIS_SHAPE
        try:
            return time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)).isoformat()
        except ValueError:
            return None

    def parse(value: str) -> str | None:
        day_text, space, clock_text = value.partition(" ")
        d = days[day_text] if day_text in days else _remember(days, day_text, day_of(day_text))
        if not space:
            c: str | None = "00:00:00"
        else:
            c = clocks[clock_text] if clock_text in clocks else _remember(clocks, clock_text, clock_of(clock_text))
        if d == _NOT_THIS_SHAPE or c == _NOT_THIS_SHAPE:
            return full(value)  # another shape: the full pattern decides
        return None if d is None or c is None else f"{d}T{c}"

    return parse


def _parse_twitter(value: str) -> str | None:
    m = _TWITTER_RE.fullmatch(value)
    if not m:
        return None
    zone = m.group(1)
    try:
        if zone[0] in "+-":
            return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").isoformat()
        if zone not in _ZONES:
            return None
        plain = value.replace(f" {zone} ", " ")
        tz = timezone(timedelta(hours=_ZONES[zone]))
        return datetime.strptime(plain, "%a %b %d %H:%M:%S %Y").replace(tzinfo=tz).isoformat()
    except ValueError:
        return None


def date_parser_for(samples: list[str]):
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
        if best_hits == len(values):  # none after it can do better (the usual case: the first parses all)
            break
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

    parse.day_first = day_first  # type: ignore[attr-defined]  # for the compiled reader (fast_csv)
    return parse


def parse_date(value: str) -> str | None:
    """Parse one date in any supported format to ISO 8601 (None if it is not a date)."""
    parser = date_parser_for([value])
    return parser(value) if parser else None


def generic_date(value: str) -> str | None:
    return parse_date(value) if value.strip() else None


# ---- counts and ids ---------------------------------------------------------------------------


def parse_count(value: str) -> int | None:
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


def is_numberish(value: str) -> bool:
    return parse_count(value) is not None


STATUS_ID_RE = re.compile(r"/status(?:es)?/(\d+)")
URL_HANDLE_RE = re.compile(r"(?:twitter|x)\.com/(\w{1,15})/status", re.IGNORECASE)


def parse_id(value: str) -> str | None:
    value = value.strip()
    if not value or value in NA_STRINGS:
        return None
    if "/" in value:
        m = STATUS_ID_RE.search(value)
        if m:
            return m.group(1)
    if value.endswith(".0") and value[:-2].isdigit():
        return value[:-2]
    return value


# ---- never garbage ----------------------------------------------------------------------------

# What a JSON, JavaScript or HTML file looks like when it is split into "rows" by a CSV parser.
_FRAGMENT_RE = re.compile(
    r"\s*(?:[\[\]{}(),;:]+|\"[\w$ -]{1,64}\"\s*:.*|window\.[\w.$]+\s*=.*|[{}\]].*|"
    r"</?[A-Za-z][\w-]*(?:\s[^>]*)?/?>.*|<!DOCTYPE.*|<\?xml.*)\s*",
    re.DOTALL | re.IGNORECASE,
)


def looks_like_fragments(texts: list[str]) -> bool:
    """True when most of these "tweets" are pieces of JSON, JavaScript or markup."""
    filled = [t for t in texts if t.strip()]
    if not filled:
        return False
    hits = sum(bool(_FRAGMENT_RE.fullmatch(t)) for t in filled)
    return hits >= max(2, 0.3 * len(filled)) or (len(filled) < 2 and hits == len(filled))
