"""JSON tweets: JSON Lines, JSON arrays, and the X (Twitter) archive's `tweets.js` (alone or in the zip).

One streaming parser reads all three: `window.YTD.tweets.part0 = [ … ]`, `[ … ]` and one object per
line, value by value, so a large archive never sits in memory whole. Each tweet object is unwrapped
(the archive's `{"tweet": {…}}` layer since 2020), flattened (`public_metrics.like_count` becomes the
field `public_metrics_like_count`, `user.username` becomes `user_username`), and its fields are then
matched exactly as CSV columns are (`values.NAME_CANDIDATES`): snscrape's `rawContent`/`likeCount`,
twarc2's `text`/`created_at`/`public_metrics`, the archive's `full_text`/`favorite_count`/`id_str`.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import IO, Any, TextIO, cast

from cta_desktop.core.datasets.chunks import RowCounters
from cta_desktop.core.datasets.encoding import DetectedEncoding
from cta_desktop.core.datasets.errors import CsvImportError
from cta_desktop.core.datasets.mapping import ColumnMapping, Layout
from cta_desktop.core.datasets.source import HashingStream, Source, buffered

_BLOCK = 1 << 20
_SAMPLE_RECORDS = 400
_FLATTEN = frozenset({"user", "author", "public_metrics", "account", "core", "legacy"})
_RETWEET_OBJECTS = frozenset({"retweetedTweet", "retweeted_status", "retweeted_tweet", "retweetedStatus"})
_WS = " \t\r\n\ufeff"


def _json_error(name: str, exc: json.JSONDecodeError, line_base: int) -> CsvImportError:
    return CsvImportError(f"{name}: not valid JSON near line {line_base + exc.lineno} ({exc.msg}); "
                          "export the tweets again, or save them as CSV")


def iter_json_values(fh: TextIO, name: str) -> Iterator[Any]:
    """The values of a JSON Lines file, the items of a JSON array, or of `window.X = [ … ]`, streamed."""
    dec = json.JSONDecoder()
    buf = fh.read(_BLOCK)
    eof = not buf
    pos, lines_done = 0, 0
    in_array = False

    def skip(p: int, chars: str) -> int:
        n = len(buf)
        while p < n and buf[p] in chars:
            p += 1
        return p

    def refill() -> None:
        nonlocal buf, pos, eof, lines_done
        more = fh.read(_BLOCK)
        lines_done += buf.count("\n", 0, pos)
        buf, pos = buf[pos:] + more, 0
        eof = not more

    def start_of_array() -> None:
        """`window.YTD.x.partN = [` or `[`: enter the array (an archive's parts follow one another)."""
        nonlocal pos, in_array
        if buf.startswith("window.", pos):
            eq = buf.find("=", pos)
            if eq < 0:
                raise CsvImportError(f"{name}: looks like JavaScript but holds no data (no '='); "
                                     "import the X archive's data/tweets.js or the whole archive .zip")
            pos = skip(eq + 1, _WS)
        if buf.startswith("[", pos):
            in_array = True
            pos += 1

    pos = skip(pos, _WS)
    start_of_array()
    while True:
        pos = skip(pos, _WS + ("," if in_array else ""))
        if not eof and len(buf) - pos < _BLOCK // 2:
            refill()
            continue
        if pos >= len(buf):
            if in_array:
                raise CsvImportError(f"{name}: the JSON array is cut off (no closing ']'); export the tweets again")
            return
        if in_array and buf[pos] == "]":
            in_array = False
            pos = skip(pos + 1, _WS + ";")
            if not eof and len(buf) - pos < _BLOCK // 2:
                refill()
            if pos >= len(buf):
                return
            if not buf.startswith(("window.", "["), pos):
                raise CsvImportError(f"{name}: unexpected data after the JSON array; export the tweets again")
            start_of_array()
            continue
        try:
            value, end = dec.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if eof:
                raise _json_error(name, exc, lines_done) from None
            refill()
            continue
        pos = end
        yield value


def records(values: Iterator[Any], name: str) -> Iterator[dict]:
    """Tweet objects from the JSON values: unwrapped, API pages ({"data": [...]}) opened."""
    for value in values:
        if isinstance(value, list):
            items = value
        elif isinstance(value, dict) and isinstance(value.get("data"), list) and "includes" in value:
            items = value["data"]  # a twarc2 / API v2 response page
        else:
            items = [value]
        for item in items:
            if not isinstance(item, dict):
                raise CsvImportError(f"{name}: holds JSON, but not tweet objects (found {type(item).__name__}s); "
                                     "export the tweets as JSON objects or as CSV")
            while len(item) == 1 and isinstance(inner := next(iter(item.values())), dict):
                item = inner  # the archive's {"tweet": {...}}
            yield item


def _scalar(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    return str(v)


def flatten(rec: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in rec.items():
        if isinstance(v, dict):
            if k in _RETWEET_OBJECTS:
                out[k] = "true"
            elif k in _FLATTEN or len(v) <= 8:
                for k2, v2 in v.items():
                    if not isinstance(v2, (dict, list)):
                        out[f"{k}_{k2}"] = _scalar(v2)
        elif isinstance(v, list):
            continue
        else:
            out[k] = _scalar(v)
    return out


def _text(stream: io.RawIOBase | io.BufferedIOBase) -> TextIO:
    return io.TextIOWrapper(cast(IO[bytes], stream), encoding="utf-8-sig", errors="replace", newline="")


def _strip_head(head: bytes) -> bytes:
    return head.lstrip(b" \t\r\n").removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")


class JsonReader:
    """JSON Lines, JSON arrays, the X archive's tweets.js, and the X archive zip."""

    key = "json"

    @staticmethod
    def sniff(head: bytes, name: str) -> float:
        start = _strip_head(head)
        if start.startswith(b"window.YTD.") or start.startswith(b"window."):
            return 1.0
        if start.startswith((b"{", b"[")):
            return 0.9
        return 0.0

    @staticmethod
    def preview(source: Source, delimiter: str | None = None) -> Layout:
        name = source.name
        start = _strip_head(source.head)
        if source.x_archive:
            fmt = "X archive (zip)"
        elif start.startswith(b"window."):
            fmt = "X archive tweets.js"
        elif start.startswith(b"["):
            fmt = "JSON array"
        else:
            fmt = "JSON Lines"
        recs: list[dict[str, str]] = []
        fh = io.StringIO(source.head.decode("utf-8-sig", "replace") if source.head_complete else
                         codecs.getincrementaldecoder("utf-8-sig")("replace").decode(source.head))
        try:
            for rec in records(iter_json_values(fh, name), name):
                recs.append(flatten(rec))
                if len(recs) >= _SAMPLE_RECORDS:
                    break
        except CsvImportError:
            if source.head_complete or not recs:
                raise  # a value cut by the head's end is not an error; anything else is
        if not recs:
            raise CsvImportError(f"{name}: the {fmt} holds no tweets; export the tweets again or choose another file")
        columns: dict[str, None] = {}
        for r in recs:
            for k in r:
                columns.setdefault(k, None)
        cols = list(columns)
        rows = [[r.get(c, "") for c in cols] for r in recs]
        layout = Layout(source.path, DetectedEncoding("utf-8", "replace", "utf-8"), "", True, cols, rows,
                        len(source.head), source.size, source.head_complete and len(recs) < _SAMPLE_RECORDS,
                        format=fmt, reader=JsonReader.key)
        if source.x_archive:
            account = source.read_account()
            layout.person_hint = account.get("accountDisplayName") or account.get("username") or None
            layout.handle_hint = account.get("username") or None
        return layout

    @staticmethod
    def read_rows(source: Source, layout: Layout, mapping: ColumnMapping, stream: HashingStream,
                  counters: RowCounters) -> Iterator[list[str]]:
        cols = layout.columns
        for rec in records(iter_json_values(_text(buffered(stream)), source.name), source.name):
            flat = flatten(rec)
            yield [flat.get(c, "") for c in cols]


__all__ = ["JsonReader", "iter_json_values", "records", "flatten"]
