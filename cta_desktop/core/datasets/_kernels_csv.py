"""numba: where the records and fields of a plain UTF-8 CSV are, in one pass over its bytes.

`scan_records` walks the bytes as Python's `csv` module (excel dialect: `"` quotes, `""` inside
quotes, no escape character, not strict) walks the decoded text, and writes each field's start and
end; `gather_column`, `parse_counts` and `parse_dates` then take a column out of them. It reads only
what it is sure to read exactly as the `csv` module would; anything else makes it stop and say
UNCLEAN at that record (`fast_csv` then leaves the rest of the file to the `csv` module):
a record with another number of fields than the header, a lone carriage return, a character after a
closing quote, a quote never closed, a NUL byte, bytes that are not strict UTF-8, or a field longer
than the `csv` module's limit. Blank lines are skipped, as `csv_reader` does.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from cta_desktop.core.engines import _numba_cache  # noqa: F401 - sets numba's cache directory first
from cta_desktop.core.engines._kernels_simd import cache_enabled

CACHE = cache_enabled(__file__)

OK = 0  # stopped after the last whole record in the bytes (or after max_records)
UNCLEAN = 1  # something the fast reader does not read: the rest of the file goes to the csv module

_QUOTE = 34
_LF = 10
_CR = 13


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _utf8_length(buf, p, end, final):
    """Bytes of the strict UTF-8 sequence starting at buf[p] (>= 0x80): > 0 valid, 0 invalid, -1 cut
    by the end of the bytes read so far (more may follow)."""
    b = buf[p]
    if 0xC2 <= b <= 0xDF:
        k = 2
    elif 0xE0 <= b <= 0xEF:
        k = 3
    elif 0xF0 <= b <= 0xF4:
        k = 4
    else:
        return 0
    for j in range(1, k):
        if p + j >= end:
            return 0 if final else -1
        c = buf[p + j]
        if c < 0x80 or c > 0xBF:
            return 0
        if j == 1:
            if b == 0xE0 and c < 0xA0:  # overlong
                return 0
            if b == 0xED and c > 0x9F:  # surrogate
                return 0
            if b == 0xF0 and c < 0x90:  # overlong
                return 0
            if b == 0xF4 and c > 0x8F:  # beyond U+10FFFF
                return 0
    return k


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _char_length(buf, p, end, final):
    """Bytes of the character at buf[p] inside a field: > 0, 0 where the scan stops (NUL, not strict
    UTF-8), -1 when it is cut by the end of the bytes read so far."""
    b = buf[p]
    if b < 0x80:
        return 0 if b == 0 else 1
    return _utf8_length(buf, p, end, final)


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _line_end(buf, p, end, final):
    """Bytes of the line end at buf[p] (an LF or a CR): 1 for LF, 2 for CR LF, 0 for a lone CR (where the
    scan stops), -1 when it is cut by the end of the bytes read so far."""
    if buf[p] == _LF:
        return 1
    if p + 1 < end:
        return 2 if buf[p + 1] == _LF else 0
    return 0 if final else -1


@nb.njit(cache=CACHE, nogil=True)
def scan_records(buf, pos, end, final, delim, width, max_field, max_records, starts, ends, doubled):
    """Records of buf[pos:end] with exactly `width` fields, at most `max_records` of them.

    Row r's field f is buf[starts[r, f]:ends[r, f]]; doubled[r, f] is 1 when the quoted field holds
    `""` (to be read as `"`). Unless `final`, a record is taken only when its end is in the bytes.
    Returns (records, the byte after the last record taken and the blank lines after it, OK or UNCLEAN);
    with UNCLEAN, that byte is where the record the scan stopped at starts."""
    n = 0
    p = pos
    while n < max_records:
        rec = p
        if p >= end:
            return n, p, OK
        b = buf[p]
        if b == _LF or b == _CR:  # a blank line is not a record
            k = _line_end(buf, p, end, final)
            if k > 0:
                p += k
                continue
            return n, rec, UNCLEAN if k == 0 else OK
        f = 0
        while True:  # the record's fields
            if f >= width:
                return n, rec, UNCLEAN
            dq = 0
            if p < end and buf[p] == _QUOTE:
                p += 1
                s = p
                e = -1
                while p < end:
                    b = buf[p]
                    if b == _QUOTE:
                        if p + 1 < end:
                            if buf[p + 1] == _QUOTE:
                                dq = 1
                                p += 2
                                continue
                        elif not final:
                            break  # a quote at the end of the bytes read: closing or doubled?
                        e = p
                        p += 1
                        break
                    if 0 < b < 0x80:  # ASCII other than NUL: one byte
                        p += 1
                        continue
                    k = _char_length(buf, p, end, final)
                    if k <= 0:
                        return n, rec, UNCLEAN if k == 0 else OK
                    p += k
                if e < 0:  # no closing quote in the bytes read
                    return n, rec, UNCLEAN if final else OK
            else:
                s = p
                while p < end:
                    b = buf[p]
                    if b == delim or b == _LF or b == _CR:
                        break
                    if 0 < b < 0x80:  # ASCII other than NUL: one byte
                        p += 1
                        continue
                    k = _char_length(buf, p, end, final)
                    if k <= 0:
                        return n, rec, UNCLEAN if k == 0 else OK
                    p += k
                e = p
            if e - s > max_field:
                return n, rec, UNCLEAN
            if n < starts.shape[0]:
                starts[n, f] = s
                ends[n, f] = e
                doubled[n, f] = dq
            f += 1
            if p >= end:  # the end of the bytes ends the record only at the end of the file
                if final:
                    break
                return n, rec, OK
            b = buf[p]
            if b == delim:
                p += 1
                continue
            if b == _LF or b == _CR:
                k = _line_end(buf, p, end, final)
                if k <= 0:
                    return n, rec, UNCLEAN if k == 0 else OK
                p += k
                break
            return n, rec, UNCLEAN  # a character after a closing quote
        if f != width:
            return n, rec, UNCLEAN
        n += 1
    return n, p, OK


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _digits(buf, s, k):
    """The number written by the k ASCII digits at buf[s:], -1 if one is not a digit."""
    v = 0
    for p in range(s, s + k):
        d = np.int64(buf[p]) - 48
        if d < 0 or d > 9:
            return -1
        v = v * 10 + d
    return v


@nb.njit(cache=CACHE, nogil=True)
def parse_counts(buf, starts, ends, col, n, out, kind):
    """Field `col` of rows 0..n-1 as a count: kind 0 empty, 1 ASCII digits (fewer than 19) parsed
    into out, 2 anything else (parsed in Python)."""
    for r in range(n):
        s = starts[r, col]
        e = ends[r, col]
        if e == s:
            kind[r] = 0
            continue
        if e - s >= 19:
            kind[r] = 2
            continue
        v = _digits(buf, s, e - s)
        kind[r] = 1 if v >= 0 else 2
        out[r] = v


@nb.njit(cache=CACHE, nogil=True)
def gather_column(buf, starts, ends, doubled, col, n, out):
    """Field `col` of rows 0..n-1 written one after another into out, NUL between two (`""` read as
    `"`); returns the bytes written. A plain file holds no NUL, so splitting at NUL gives the fields."""
    w = 0
    for r in range(n):
        if r:
            out[w] = 0
            w += 1
        s = starts[r, col]
        e = ends[r, col]
        if doubled[r, col]:
            p = s
            while p < e:
                out[w] = buf[p]
                w += 1
                p += 2 if buf[p] == _QUOTE else 1
        else:
            out[w:w + e - s] = buf[s:e]
            w += e - s
    return w


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _digit_run(buf, p, e, most):
    """The end of the ASCII digits that start at buf[p] (before e), counting at most `most` of them."""
    q = p
    while q < e and 48 <= buf[q] <= 57 and q - p < most:
        q += 1
    return q


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _valid_day(y, m, d):
    if y < 1 or m < 1 or m > 12 or d < 1:
        return False
    if m == 2:
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        return d <= (29 if leap else 28)
    if m == 4 or m == 6 or m == 9 or m == 11:
        return d <= 30
    return d <= 31


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _put2(out, w, v):
    out[w] = 48 + v // 10
    out[w + 1] = 48 + v % 10


DATE_NONE = 0  # an empty field: no date
DATE_DONE = 1  # written in ISO 8601
DATE_PYTHON = 2  # left to the Python parsers


@nb.njit(cache=CACHE, nogil=True)
def parse_dates(buf, starts, ends, col, n, slash, day_first, out, status):
    """Dates of field `col` in the two shapes most files have, as `values.date_parser_for` writes them
    ("YYYY-MM-DDTHH:MM:SS[+HH:MM]"), NUL between two (an empty piece where not DATE_DONE); `slash`:
    "M/D/YY[YY][ H:MM[:SS]]" too (day first if `day_first`). Anything else, or an invalid date, is
    DATE_PYTHON. Returns the bytes written."""
    w = 0
    for r in range(n):
        if r:
            out[w] = 0
            w += 1
        s = starts[r, col]
        e = ends[r, col]
        k = e - s
        status[r] = DATE_PYTHON
        if k == 0:
            status[r] = DATE_NONE
            continue
        if (k == 19 or k == 25) and buf[s + 4] == 45 and buf[s + 7] == 45 and (buf[s + 10] == 84 or buf[s + 10] == 32) \
                and buf[s + 13] == 58 and buf[s + 16] == 58:
            y = _digits(buf, s, 4)
            mo = _digits(buf, s + 5, 2)
            d = _digits(buf, s + 8, 2)
            h = _digits(buf, s + 11, 2)
            mi = _digits(buf, s + 14, 2)
            se = _digits(buf, s + 17, 2)
            if min(y, mo, d, h, mi, se) < 0 or not _valid_day(y, mo, d) or h > 23 or mi > 59 or se > 59:
                continue
            if k == 25:
                if not (buf[s + 19] == 43 or buf[s + 19] == 45) or buf[s + 22] != 58:
                    continue
                oh = _digits(buf, s + 20, 2)
                om = _digits(buf, s + 23, 2)
                if oh < 0 or om < 0 or oh > 23 or om > 59:
                    continue
            out[w:w + k] = buf[s:e]
            out[w + 10] = 84  # "T"
            w += k
            status[r] = DATE_DONE
            continue
        if not slash:
            continue
        # M/D/Y: one or two digits, "/", one or two digits, "/", two or four digits, then " H:MM[:SS]"
        q0 = _digit_run(buf, s, e, 5)
        if q0 - s < 1 or q0 - s > 2 or q0 >= e or buf[q0] != 47:
            continue
        q1 = _digit_run(buf, q0 + 1, e, 5)
        if q1 - q0 - 1 < 1 or q1 - q0 - 1 > 2 or q1 >= e or buf[q1] != 47:
            continue
        q2 = _digit_run(buf, q1 + 1, e, 5)
        year_digits = q2 - q1 - 1
        if year_digits != 2 and year_digits != 4:
            continue
        first = _digits(buf, s, q0 - s)
        second = _digits(buf, q0 + 1, q1 - q0 - 1)
        y = _digits(buf, q1 + 1, year_digits)
        p = q2
        h = mi = se = 0
        if p < e:
            if buf[p] != 32 or p + 5 > e:
                continue
            p += 1
            q = _digit_run(buf, p, e, 3)
            if q - p < 1 or q - p > 2 or q + 3 > e or buf[q] != 58:
                continue
            h = _digits(buf, p, q - p)
            mi = _digits(buf, q + 1, 2)
            if mi < 0:
                continue
            p = q + 3
            if p < e:
                if p + 3 != e or buf[p] != 58:
                    continue
                se = _digits(buf, p + 1, 2)
                if se < 0:
                    continue
        if year_digits == 2:
            y += 2000 if y < 70 else 1900
        mo, d = (second, first) if day_first else (first, second)
        if not _valid_day(y, mo, d) or h > 23 or mi > 59 or se > 59:
            continue
        out[w] = 48 + y // 1000
        out[w + 1] = 48 + (y // 100) % 10
        _put2(out, w + 2, y % 100)
        out[w + 4] = 45
        _put2(out, w + 5, mo)
        out[w + 7] = 45
        _put2(out, w + 8, d)
        out[w + 10] = 84
        _put2(out, w + 11, h)
        out[w + 13] = 58
        _put2(out, w + 14, mi)
        out[w + 16] = 58
        _put2(out, w + 17, se)
        w += 19
        status[r] = DATE_DONE
    return w
