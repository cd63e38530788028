"""Which column holds what: shared by every reader (CSV columns and JSON fields alike).

`Layout` is what a reader's preview found: columns, a sample of rows as strings, the encoding and
the format. `detect_mapping` matches columns by name (`values.NAME_CANDIDATES`), checks them by
content, and falls back to content alone (the tweet text is the longest free-text column; a date
column parses as dates; an id column holds unique long numbers).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from cta_desktop.core.datasets.encoding import DetectedEncoding
from cta_desktop.core.datasets.values import (
    BOOL_STRINGS,
    NA_STRINGS,
    NAME_CANDIDATES,
    STATUS_ID_RE,
    URL_HANDLE_RE,
    date_parser_for,
    is_numberish,
    norm_name,
)


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what (column names as in the header; None = the file has no such column).

    `name` is an optional display-name column (e.g. "Elon Musk"), used only to guess the person.
    `reply_to` holds the id of the tweet replied to (or a yes/no), which marks replies.
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
    reply_to: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def with_overrides(self, **overrides: str | None) -> ColumnMapping:
        """A copy with the given fields replaced (e.g. `with_overrides(text="body")`)."""
        return replace(self, **overrides)


@dataclass
class Layout:
    """What a reader's preview found in the bounded head of a file."""

    path: Path
    encoding: DetectedEncoding
    delimiter: str
    has_header: bool
    columns: list[str]
    sample_rows: list[list[str]]
    sample_bytes: int  # bytes of text the sample was cut from
    file_bytes: int
    sample_complete: bool = False  # the sample rows are all the rows of the file
    format: str = "CSV"  # a human name: "CSV", "X archive (zip)", "JSON Lines (gzip)", ...
    reader: str = "csv"  # which reader reads it (datasets.readers key)
    person_hint: str | None = None  # from the file itself (an X archive's account.js)
    handle_hint: str | None = None
    extra: dict = field(default_factory=dict)  # reader-specific (e.g. the Excel sheet)


CsvLayout = Layout  # the old name


def column_values(layout: Layout, index: int) -> list[str]:
    """A column's sample values, from rows with the header's field count (misaligned rows mislead)."""
    width = len(layout.columns)
    aligned = [r for r in layout.sample_rows if len(r) == width]
    return [r[index] for r in (aligned or layout.sample_rows) if len(r) > index]


def text_likeness(values: list[str]) -> float:
    """Mean length of free-text values (0 if the column looks numeric, boolean or empty)."""
    vals = [v for v in values if v.strip() and v not in NA_STRINGS]
    if not vals:
        return 0.0
    numeric = sum(is_numberish(v) for v in vals)
    if numeric > 0.5 * len(vals):
        return 0.0
    spaced = sum(" " in v.strip() for v in vals)
    mean_len = sum(len(v) for v in vals) / len(vals)
    if spaced < 0.2 * len(vals) and mean_len < 15:
        return 0.0
    if sum("://" in v and " " not in v.strip() for v in vals) > 0.5 * len(vals):
        return 0.0  # a URL column
    return mean_len * (0.5 + spaced / len(vals))


def _is_text(vals: list[str]) -> bool:
    # Named like a text column: accept unless it is mostly numbers (short tweets like "Yes" are text).
    filled = [v for v in vals if v.strip() and v not in NA_STRINGS]
    return sum(is_numberish(v) for v in filled) <= 0.5 * len(filled)


def _is_date(vals: list[str]) -> bool:
    return date_parser_for(vals) is not None or not any(v.strip() for v in vals)


def _is_count(vals: list[str]) -> bool:
    filled = [v for v in vals if v.strip()]
    return not filled or sum(is_numberish(v) for v in filled) >= 0.8 * len(filled)


def _is_bool(vals: list[str]) -> bool:
    return all(v.strip().lower() in BOOL_STRINGS for v in vals)


def _is_handle(vals: list[str]) -> bool:
    filled = [v.strip() for v in vals if v.strip()]
    return bool(filled) and sum(bool(re.fullmatch(r"@?\w{1,50}", v)) for v in filled) >= 0.8 * len(filled)


def _is_id(vals: list[str]) -> bool:
    filled = [v.strip() for v in vals if v.strip()]
    if not filled:
        return False
    if all("/" in v for v in filled):
        return all(STATUS_ID_RE.search(v) for v in filled)
    return len(set(filled)) >= 0.5 * len(filled)


def _is_status_ids(vals: list[str]) -> bool:
    """By content alone: long unique numbers (tweet ids have 6 to 20 digits)."""
    filled = [v.strip() for v in vals if v.strip()]
    return (len(filled) >= 2 and all(v.isdigit() and 6 <= len(v) <= 20 for v in filled)
            and len(set(filled)) == len(filled))


_CHECKS = {"text": _is_text, "date": _is_date, "id": _is_id, "likes": _is_count, "retweets": _is_count,
           "replies": _is_count, "handle": _is_handle, "is_retweet": _is_bool, "name": None, "reply_to": None}


def detect_mapping(layout: Layout) -> ColumnMapping:
    """Match columns by name, check them by content, fall back to content alone."""
    norm = [norm_name(c) for c in layout.columns]
    found: dict[str, str | None] = {}
    used: set[int] = set()

    def by_name(role: str) -> int | None:
        check = _CHECKS[role]
        for cand in NAME_CANDIDATES[role]:
            for i, n in enumerate(norm):
                if n == cand and i not in used and (check is None or check(column_values(layout, i))):
                    return i
        return None

    for role in ("text", "date", "id", "likes", "retweets", "replies", "is_retweet", "reply_to", "handle", "name"):
        i = by_name(role)
        if i is not None:
            used.add(i)
            found[role] = layout.columns[i]
    if "text" not in found:
        scores = [(text_likeness(column_values(layout, i)), i) for i in range(len(layout.columns)) if i not in used]
        scores = [s for s in scores if s[0] > 0]
        if scores:
            best = max(scores)[1]
            used.add(best)
            found["text"] = layout.columns[best]
    if "date" not in found:
        for i in range(len(layout.columns)):
            vals = [v for v in column_values(layout, i) if v.strip()]
            if i not in used and vals and not all(is_numberish(v) for v in vals) and date_parser_for(vals):
                used.add(i)
                found["date"] = layout.columns[i]
                break
    if "id" not in found and not layout.has_header:
        for i in range(len(layout.columns)):
            if i not in used and _is_status_ids(column_values(layout, i)):
                used.add(i)
                found["id"] = layout.columns[i]
                break
    return ColumnMapping(**{f.name: found.get(f.name) for f in fields(ColumnMapping)})


def guess_person(layout: Layout, mapping: ColumnMapping) -> tuple[str, str | None]:
    """(name, handle) of the person a file is about: the file's own account, display-name column,
    handle column, a status URL, or the file name."""
    def most_common(column: str | None) -> str | None:
        if column is None or column not in layout.columns:
            return None
        i = layout.columns.index(column)
        vals = [v.strip() for v in column_values(layout, i) if v.strip() and v.strip() not in NA_STRINGS]
        return Counter(vals).most_common(1)[0][0] if vals else None

    handle = layout.handle_hint or most_common(mapping.handle)
    if handle:
        handle = handle.lstrip("@")
    if handle is None and mapping.id is not None and mapping.id in layout.columns:
        i = layout.columns.index(mapping.id)
        for v in column_values(layout, i):
            m = URL_HANDLE_RE.search(v)
            if m:
                handle = m.group(1)
                break
    name = layout.person_hint or most_common(mapping.name) or handle or _stem(layout.path)
    return name, handle


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".gzip", ".bz2", ".xz", ".zip"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return Path(name).stem or path.stem


def estimate_rows(layout: Layout) -> int:
    """Data rows in the file, estimated from the sample's bytes per row (exact for small files)."""
    if not layout.sample_rows:
        return 0
    if layout.sample_complete:
        return len(layout.sample_rows)
    per_row = sum(len(layout.delimiter.join(r).encode("utf-8")) + 3 for r in layout.sample_rows) / len(layout.sample_rows)
    return max(len(layout.sample_rows), int(layout.file_bytes / per_row))


__all__ = ["ColumnMapping", "Layout", "CsvLayout", "detect_mapping", "guess_person", "estimate_rows",
           "column_values", "text_likeness"]
