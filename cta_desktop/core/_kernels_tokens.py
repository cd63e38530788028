"""numba: the rules of `preprocess.tokenize`, compiled, from a tweet's code points to its token ids.

One tweet at a time, the same passes in the same order as `preprocess._tokenize_block` on a tweet
alone: URLs, @mentions, #hashtags (CamelCase split), emoji -> " :name: " and ’ -> ', lower case,
elongations, then the token scan and the id lookup (numbers -> <num>, emoticons -> their tokens).
Each regex is written out as the scan `re` does: leftmost match first, lookbehinds on the pass's
input, the alternatives of the token pattern in its order. Characters are classified by tables
built from Python's own `str` methods (`fast_tokens.char_tables`), so `\\w`, `\\s`, `isalnum`,
`islower` and `lower` mean here what they mean in `re` and `str`.

HTML entities are unescaped before (`fast_tokens.encode`, by `html.unescape` as `preprocess` does; for
tweets read from a CSV's bytes, `decode_fields` decodes them and unescapes the usual entities itself). A
tweet holding a character these passes do not model (U+001C-U+001F, the long s, capital sigma, a
character whose lower case is two characters, one beyond the tables) is left to the Python
tokenizer: its status is FALLBACK and it gets no tokens here.
`tests/test_fast_tokens.py` holds every shared tweet to the Python tokenizer's tokens.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from cta_desktop.core.engines import _numba_cache  # noqa: F401 - sets numba's cache directory first
from cta_desktop.core.engines._kernels_simd import cache_enabled
from cta_desktop.core.judgement import _BITS as PACKED_BITS

CACHE = cache_enabled(__file__)

# Character classes (bits of the uint16 table `flags`).
WORD = 1  # re's \w: str.isalnum() or "_"
ALNUM = 2  # [^\W_]
SPACE = 4  # re's \s (str.isspace())
ALPHA = 8  # str.isalpha()
UPPER_OR_TITLE = 16  # str.isupper() or str.istitle() of the character alone
LOWER = 32  # str.islower()
UDIGIT = 64  # str.isdigit(): a token starting with one becomes <num>
SPECIAL = 128  # the tweet goes to the Python tokenizer
EMOJI_FIRST = 256  # the first character of some emoji sequence
NOTE = 512  # a character the first look at a tweet must note: non-ASCII, "@", "#", ":" (of "://"), "w"/"W" (of "www.")

FAST = 0
FALLBACK = 1
PACKED_MASK = (1 << PACKED_BITS) - 1  # (PACKED_BITS: the width of each count in the judgement's per-id table)

_FNV_OFFSET = np.uint64(2166136261)
_FNV_PRIME = np.uint64(16777619)
_MASK32 = np.uint64(0xFFFFFFFF)
URL_CPS = np.array([ord(ch) for ch in " <url> "], np.uint32)
USER_CPS = np.array([ord(ch) for ch in " <user> "], np.uint32)


@nb.njit(cache=CACHE, nogil=True, inline="always")
def seq_hash(buf, start, end):
    """FNV-1a over code points (32-bit)."""
    h = _FNV_OFFSET
    for k in range(start, end):
        h = ((h ^ np.uint64(buf[k])) * _FNV_PRIME) & _MASK32
    return h


@nb.njit(cache=CACHE, nogil=True)
def _fill_slots(key_cps, key_off, n, size):
    """Open-addressing table of `size` slots (a power of two; -1 empty) of the first n keys
    key_cps[key_off[k]:key_off[k + 1]] (distinct)."""
    slots = np.full(size, -1, np.int32)
    for k in range(n):
        slots[_find_slot(key_cps, key_off[k], key_off[k + 1], key_cps, key_off, slots)] = k
    return slots


@nb.njit(cache=CACHE, nogil=True)
def build_slots(key_cps, key_off):
    n = len(key_off) - 1
    size = 1
    while size < 2 * n + 2:
        size *= 2
    return _fill_slots(key_cps, key_off, n, size)


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _find_slot(buf, start, end, key_cps, key_off, slots):
    """The slot of the key equal to buf[start:end], else the empty slot where it would go."""
    mask = len(slots) - 1
    pos = np.int64(seq_hash(buf, start, end)) & mask
    length = end - start
    while True:
        k = slots[pos]
        if k == -1:
            return pos
        a = key_off[k]
        if key_off[k + 1] - a == length:
            same = True
            for j in range(length):
                if key_cps[a + j] != buf[start + j]:
                    same = False
                    break
            if same:
                return pos
        pos = (pos + 1) & mask


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _lookup(buf, start, end, key_cps, key_off, slots):
    """Index of the key equal to buf[start:end], or -1."""
    return slots[_find_slot(buf, start, end, key_cps, key_off, slots)]


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _has(flags, c, bit):
    return (flags[c] & bit) != 0


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _put(dst, m, cps):
    for ch in cps:
        dst[m] = ch
        m += 1
    return m


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _ascii_lower(c):
    return 97 <= c <= 122


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _ascii_upper(c):
    return 65 <= c <= 90


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _ascii_digit(c):
    return 48 <= c <= 57


@nb.njit(cache=CACHE, nogil=True)
def _url_end(src, i, n, flags):
    """End of r"(?:https?://|www\\.)\\S+" (case-insensitive) matched at src[i], or -1."""
    c = src[i]
    end = -1
    if c == 104 or c == 72:  # h H
        if i + 3 < n and (src[i + 1] | 32) == 116 and (src[i + 2] | 32) == 116 and (src[i + 3] | 32) == 112:
            j = i + 4
            if j < n and (src[j] | 32) == 115:  # s S (the long s sends a tweet to Python)
                j += 1
            if j + 2 < n and src[j] == 58 and src[j + 1] == 47 and src[j + 2] == 47:
                end = j + 3
    elif c == 119 or c == 87:  # w W
        if i + 3 < n and (src[i + 1] | 32) == 119 and (src[i + 2] | 32) == 119 and src[i + 3] == 46:
            end = i + 4
    if end < 0:
        return -1
    k = end
    while k < n and not _has(flags, src[k], SPACE):
        k += 1
    return k if k > end else -1  # \S+ needs a character


@nb.njit(cache=CACHE, nogil=True)
def _tag_end(src, i, n, flags, mark):
    """End of r"(?<![\\w@])@\\w+" (mark "@") or r"(?<![\\w#])#\\w+" (mark "#") matched at src[i], or -1."""
    if src[i] != mark or (i > 0 and (_has(flags, src[i - 1], WORD) or src[i - 1] == mark)):
        return -1
    k = i + 1
    while k < n and _has(flags, src[k], WORD):
        k += 1
    return k if k > i + 1 else -1


@nb.njit(cache=CACHE, nogil=True)
def _put_hashtag(src, a, k, dst, m, flags):
    """A hashtag's word src[a:k] as " words ": as it is when word.islower() and word.isalpha(), else
    with a space at each CamelCase boundary (preprocess._CAMEL_RE)."""
    plain = True
    cased = False
    for j in range(a, k):
        f = flags[src[j]]
        if (f & ALPHA) == 0 or (f & UPPER_OR_TITLE) != 0:
            plain = False
            break
        if (f & LOWER) != 0:
            cased = True
    plain = plain and cased
    dst[m] = 32
    m += 1
    for j in range(a, k):
        if not plain and j > a:
            p, q = src[j - 1], src[j]
            if ((_ascii_lower(p) and _ascii_upper(q))
                    or (_ascii_upper(p) and _ascii_upper(q) and j + 1 < k and _ascii_lower(src[j + 1]))
                    or ((_ascii_lower(p) or _ascii_upper(p)) and _ascii_digit(q))):
                dst[m] = 32
                m += 1
        dst[m] = src[j]
        m += 1
    dst[m] = 32
    return m + 1


URL = 0  # the substitutions of preprocess._tokenize_block, in its order
MENTION = 1
HASHTAG = 2


@nb.njit(cache=CACHE, nogil=True)
def _sub_pass(src, n, dst, flags, rule, start):
    """One substitution (URL -> " <url> ", MENTION -> " <user> ", HASHTAG -> its words) over src[:n]
    into dst, scanning as re.sub does: leftmost match, lookbehinds on the input, on after the match.
    No match starts before `start`: that much is copied as it is."""
    start = min(start, n)
    dst[:start] = src[:start]
    m = start
    i = start
    mark = 64 if rule == MENTION else 35
    while i < n:
        c = src[i]
        # Only h, w (either case) can start a URL and only the mark a tag: other characters are copied.
        if (c | 32) != 104 and (c | 32) != 119 if rule == URL else c != mark:
            dst[m] = c
            m += 1
            i += 1
            continue
        if rule == URL:
            end = _url_end(src, i, n, flags)
        else:
            end = _tag_end(src, i, n, flags, mark)
        if end > 0:
            if rule == URL:
                m = _put(dst, m, URL_CPS)
            elif rule == MENTION:
                m = _put(dst, m, USER_CPS)
            else:
                m = _put_hashtag(src, i + 1, end, dst, m, flags)
            i = end
            continue
        dst[m] = src[i]
        m += 1
        i += 1
    return m


@nb.njit(cache=CACHE, nogil=True)
def _emoji_pass(src, n, dst, flags, emo_cps, emo_off, emo_slots, name_cps, name_off, emo_max):
    """Each emoji -> " :its_name: " (longest sequence first, as preprocess._demojize), then ’ -> '."""
    m = 0
    i = 0
    while i < n:
        c = src[i]
        if _has(flags, c, EMOJI_FIRST):
            ok = True
            if c < 128:  # a keycap: [0-9#*] \ufe0f? \u20e3
                ok = (i + 1 < n and src[i + 1] == 0x20E3) or (i + 2 < n and src[i + 1] == 0xFE0F and src[i + 2] == 0x20E3)
            if ok:
                top = min(emo_max, n - i)
                found = -1
                length = 0
                for L in range(top, 0, -1):
                    found = _lookup(src, i, i + L, emo_cps, emo_off, emo_slots)
                    if found >= 0:
                        length = L
                        break
                if found >= 0:
                    for j in range(name_off[found], name_off[found + 1]):
                        ch = name_cps[j]
                        dst[m] = 39 if ch == 0x2019 else ch
                        m += 1
                    i += length
                    continue
        dst[m] = 39 if c == 0x2019 else c
        m += 1
        i += 1
    return m


@nb.njit(cache=CACHE, nogil=True)
def _lower_pass(src, n, dst, lower):
    """str.lower(), then r"(.)\\1\\1+" -> r"\\1\\1" (the third and later of a run go; never "\\n")."""
    m = 0
    for i in range(n):
        c = lower[src[i]]
        if m >= 2 and c == dst[m - 1] and c == dst[m - 2] and c != 10:
            continue
        dst[m] = c
        m += 1
    return m


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _emoticon_char(c):  # [)(dp/\]]
    return c == 41 or c == 40 or c == 100 or c == 112 or c == 47 or c == 93


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _name_char(c):  # [a-z0-9_&\-']
    return (97 <= c <= 122) or (48 <= c <= 57) or c == 95 or c == 38 or c == 45 or c == 39


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _word_end(buf, i, m, flags):
    """End of [^\\W_]+(?:'[^\\W_]+)? at buf[i] (a letter or digit)."""
    j = i + 1
    while j < m and _has(flags, buf[j], ALNUM):
        j += 1
    if j + 1 < m and buf[j] == 39 and _has(flags, buf[j + 1], ALNUM):
        j += 2
        while j < m and _has(flags, buf[j], ALNUM):
            j += 1
    return j


@nb.njit(cache=CACHE, nogil=True)
def _token_end(buf, i, m, flags):
    """End of the token that preprocess's token pattern matches at buf[i], or -1 (no token starts here)."""
    c = buf[i]
    if _has(flags, c, ALNUM):
        if _ascii_digit(c):  # [0-9]+(?:[.,:][0-9]+)*(?![^\W_]), the longest end that passes the lookahead
            j = i + 1
            while j < m and _ascii_digit(buf[j]):
                j += 1
            best = -1
            if j >= m or not _has(flags, buf[j], ALNUM):
                best = j
            while j + 1 < m and (buf[j] == 46 or buf[j] == 44 or buf[j] == 58) and _ascii_digit(buf[j + 1]):
                j += 2
                while j < m and _ascii_digit(buf[j]):
                    j += 1
                if j >= m or not _has(flags, buf[j], ALNUM):
                    best = j
            if best > 0:
                return best
        return _word_end(buf, i, m, flags)
    if c == 60:  # <(?:url|user)>|<3
        if i + 4 < m and buf[i + 1] == 117 and buf[i + 2] == 114 and buf[i + 3] == 108 and buf[i + 4] == 62:
            return i + 5
        if (i + 5 < m and buf[i + 1] == 117 and buf[i + 2] == 115 and buf[i + 3] == 101 and buf[i + 4] == 114
                and buf[i + 5] == 62):
            return i + 6
        if i + 1 < m and buf[i + 1] == 51:
            return i + 2
        return -1
    if c == 58:  # :[a-z0-9_&\-']+:  |  (?<![\w:]):-?[)(dp/\]](?![\w/])  |  :'\(
        j = i + 1
        while j < m and _name_char(buf[j]):
            j += 1
        if j > i + 1 and j < m and buf[j] == 58:
            return j + 1
        if i == 0 or not (_has(flags, buf[i - 1], WORD) or buf[i - 1] == 58):
            j = i + 1
            if j < m and buf[j] == 45:
                j += 1
            if j < m and _emoticon_char(buf[j]):
                if j + 1 >= m or not (_has(flags, buf[j + 1], WORD) or buf[j + 1] == 47):
                    return j + 1
        if i + 2 < m and buf[i + 1] == 39 and buf[i + 2] == 40:
            return i + 3
        return -1
    if c == 59:  # ;-?\)
        if i + 2 < m and buf[i + 1] == 45 and buf[i + 2] == 41:
            return i + 3
        if i + 1 < m and buf[i + 1] == 41:
            return i + 2
        return -1
    if c == 61:  # =\)
        if i + 1 < m and buf[i + 1] == 41:
            return i + 2
        return -1
    if c == 33 or c == 63:  # [!?]
        return i + 1
    return -1


@nb.njit(cache=CACHE, nogil=True)
def _grow(a, need):
    if need <= len(a):
        return a
    size = len(a) * 2
    while size < need:
        size *= 2
    b = np.empty(size, a.dtype)
    b[: len(a)] = a
    return b


@nb.njit(cache=CACHE, nogil=True)
def encode_tweets(cps, offsets, flags, lower, voc_cps, voc_off, voc_slots, voc_ids, emo_cps, emo_off, emo_slots,
                  name_cps, name_off, emo_max, growth, num_id, oov_id, out_ids, packed, row_counts):
    """Tweet r is cps[offsets[r]:offsets[r + 1]] (UTF-32 code points, HTML entities already unescaped).
    Fills out_ids (n, seq_len) for the tweets it tokenises and returns
      status: per tweet FAST, or FALLBACK (no tokens here; tokenise it in Python);
      tok_ids: every token's id, tweet after tweet (out_ids holds each tweet's first seq_len);
      row_tok: each tweet's first token index (n + 1);
      tok_oov: per token, -1 for a vocabulary token, else which distinct unknown token it is;
      oov_cps, oov_off: the distinct unknown tokens' code points.
    Also adds up, per tweet, `packed[id]` of its first seq_len tokens into row_counts (4, n): the
    judgement's four PACKED_BITS-bit fields (`judgement._packed_table`), each in its own row."""
    n = len(offsets) - 1
    seq_len = out_ids.shape[1]
    status = np.zeros(n, np.uint8)
    row_tok = np.zeros(n + 1, np.int64)
    total = offsets[n] - offsets[0]
    tok_ids = np.empty(max(64, total // 2), np.int32)
    tok_oov = np.empty(max(64, total // 2), np.int32)
    oov_cps = np.empty(max(64, total // 4), np.uint32)
    oov_off = np.zeros(max(64, total // 16), np.int64)
    oov_slots = np.full(1024, -1, np.int32)
    n_oov = 0
    longest = 0
    for r in range(n):
        longest = max(longest, offsets[r + 1] - offsets[r])
    cap = longest * growth + 64
    a = np.empty(cap, np.uint32)
    b = np.empty(cap, np.uint32)
    nt = 0
    size = len(flags)
    for r in range(n):
        row_tok[r] = nt
        s, e = offsets[r], offsets[r + 1]
        special = False
        has_url = False
        has_at = False
        has_hash = False
        non_ascii = False
        # Where the first match of each substitution can start at the earliest (its pass copies the rest
        # before): a link 5 before the first "://" or at a "www." (any case), a mention or hashtag at its mark.
        first_url = e - s
        first_at = e - s
        first_hash = e - s
        for k in range(s, e):
            c = cps[k]
            if c >= size:
                special = True
                break
            a[k - s] = c  # copied while classified
            f = flags[c]
            if (f & (SPECIAL | NOTE)) == 0:  # most characters: one test
                continue
            if (f & SPECIAL) != 0:
                special = True
                break
            if c > 127:
                non_ascii = True
            elif c == 64:
                has_at = True
                first_at = min(first_at, k - s)
            elif c == 35:
                has_hash = True
                first_hash = min(first_hash, k - s)
            elif c == 58 and k + 2 < e and cps[k + 1] == 47 and cps[k + 2] == 47:
                has_url = True
                first_url = min(first_url, max(0, k - s - 5))
            elif (c | 32) == 119 and k + 3 < e and (cps[k + 1] | 32) == 119 and (cps[k + 2] | 32) == 119 and cps[k + 3] == 46:
                has_url = has_url or c == 119 and cps[k + 1] == 119 and cps[k + 2] == 119  # (only "www." counts)
                first_url = min(first_url, k - s)
        if special:
            status[r] = FALLBACK
            continue
        n_a = e - s
        if has_url:
            n_a = _sub_pass(a, n_a, b, flags, URL, first_url)
            a, b = b, a
        else:
            first_url = n_a
        if has_at:
            n_a = _sub_pass(a, n_a, b, flags, MENTION, min(first_at, first_url))
            a, b = b, a
        if has_hash:
            n_a = _sub_pass(a, n_a, b, flags, HASHTAG, min(first_hash, first_url, first_at))
            a, b = b, a
        if non_ascii:
            n_a = _emoji_pass(a, n_a, b, flags, emo_cps, emo_off, emo_slots, name_cps, name_off, emo_max)
            a, b = b, a
        m = _lower_pass(a, n_a, b, lower)
        a, b = b, a
        # (each array is only reassigned when it must grow: numba counts references at every reassignment)
        if nt + m + 1 > len(tok_ids):
            tok_ids = _grow(tok_ids, nt + m + 1)  # a tweet has at most m tokens
            tok_oov = _grow(tok_oov, nt + m + 1)
        # Room for m more unknown tokens (of m characters in all), made here, per tweet: an array
        # reassigned inside the token loop would cost numba reference counting on every token.
        if 2 * (n_oov + m + 1) > len(oov_slots):
            n_slots = len(oov_slots)
            while 2 * (n_oov + m + 1) > n_slots:
                n_slots *= 2
            oov_slots = _fill_slots(oov_cps, oov_off, n_oov, n_slots)
        if n_oov + m + 2 > len(oov_off):
            oov_off = _grow(oov_off, n_oov + m + 2)
        if oov_off[n_oov] + m > len(oov_cps):
            oov_cps = _grow(oov_cps, oov_off[n_oov] + m)
        i = 0
        k_row = 0
        while i < m:
            c0 = a[i]
            if c0 == 32:  # the most common character between tokens: no token starts at a space
                i += 1
                continue
            # a-z starts a word (the commonest token): no call; anything else as the token pattern says
            end = _word_end(a, i, m, flags) if 97 <= c0 <= 122 else _token_end(a, i, m, flags)
            if end < 0:
                i += 1
                continue
            j = -1
            if (flags[a[i]] & UDIGIT) != 0:
                tid = num_id
            else:
                key = _lookup(a, i, end, voc_cps, voc_off, voc_slots)
                tid = oov_id if key < 0 else voc_ids[key]
            if tid == oov_id:
                pos = _find_slot(a, i, end, oov_cps, oov_off, oov_slots)
                j = oov_slots[pos]
                if j == -1:
                    j = n_oov
                    start = oov_off[n_oov]
                    for q in range(end - i):
                        oov_cps[start + q] = a[i + q]
                    oov_off[n_oov + 1] = start + end - i
                    oov_slots[pos] = j
                    n_oov += 1
            tok_ids[nt] = tid
            tok_oov[nt] = j
            if k_row < seq_len:
                out_ids[r, k_row] = tid
                p = packed[tid]
                for f in range(4):
                    row_counts[f, r] += (p >> (PACKED_BITS * f)) & PACKED_MASK
            k_row += 1
            nt += 1
            i = end
    row_tok[n] = nt
    return status, tok_ids[:nt], row_tok, tok_oov[:nt], oov_cps[: oov_off[n_oov]], oov_off[: n_oov + 1]


@nb.njit(cache=CACHE, nogil=True)
def langid_features(nextmove, rowbase, output, buf, offs, seen):
    """py3langid's byte n-gram features of several texts (`language.identify_many`).

    The DFA walk of `py3langid.langid.visit_counts` over each text's bytes `buf[offs[t]:offs[t+1]]`
    (from state 0): per text, its distinct features in the order they are first reached, and how
    often each is reached, as `visit_counts`' Counter holds them. `seen` (one int64 per feature, all
    -1) remembers where a feature's count sits; entries from earlier texts lie before the text's start.
    Returns (features, counts, per-text offsets into them)."""
    n = len(offs) - 1
    feats = np.empty(len(buf), np.int32)
    counts = np.empty(len(buf), np.int32)
    text_off = np.zeros(n + 1, np.int64)
    m = 0
    for t in range(n):
        start = m
        state = 0
        for p in range(offs[t], offs[t + 1]):
            state = nextmove[rowbase[state] + buf[p]]
            f = output[state]
            if f >= 0:
                k = seen[f]
                if k >= start:
                    counts[k] += 1
                else:
                    seen[f] = m
                    feats[m] = f
                    counts[m] = 1
                    m += 1
        text_off[t + 1] = m
    return feats[:m], counts[:m], text_off


@nb.njit(cache=CACHE, nogil=True)
def langid_scores(feats, counts, text_off, ptc, pc, fill):
    """py3langid's naive-Bayes scores of each text from its features (`langid_features`): per text
    sum(log1p(count) * ptc[feature]) + pc, as `LanguageIdentifier._sparse_score`, summed in float64
    (numpy's BLAS sums in float32 in its own order: the same to about 1e-6); `fill` for a text
    without features. Returns float32 (texts, languages)."""
    n = len(text_off) - 1
    n_lang = ptc.shape[1]
    out = np.empty((n, n_lang), np.float32)
    acc = np.empty(n_lang, np.float64)
    for t in range(n):
        a, z = text_off[t], text_off[t + 1]
        if z == a:
            out[t, :] = fill
            continue
        acc[:] = 0.0
        for k in range(a, z):
            w = np.float64(np.float32(np.log1p(np.float32(counts[k]))))
            f = feats[k]
            for c in range(n_lang):
                acc[c] += w * ptc[f, c]
        for c in range(n_lang):
            out[t, c] = np.float32(acc[c]) + pc[c]
    return out


# The HTML entities `decode_fields` unescapes itself (name, character); any other "&" that may start
# one sends the tweet to `html.unescape`.
_ENTITIES = (("amp;", 38), ("lt;", 60), ("gt;", 62), ("quot;", 34))
ENTITY_CPS = np.array([ord(ch) for name, _ in _ENTITIES for ch in name], np.uint32)
ENTITY_OFF = np.cumsum([0] + [len(name) for name, _ in _ENTITIES]).astype(np.int64)
ENTITY_CHAR = np.array([c for _, c in _ENTITIES], np.uint32)
UNESCAPE_PYTHON = 1


@nb.njit(cache=CACHE, nogil=True, inline="always")
def _entity_at(cps, p, end):
    """Which of the entities starts at cps[p] (just after an "&"): its number; -1 where no entity can
    start there (html.unescape leaves the "&" as it is); -2 where another one may."""
    if p == end:
        return -1
    c = cps[p]
    if c == 32 or c == 9 or c == 10 or c == 12 or c == 60 or c == 38 or c == 59:  # " \t\n\f<&;"
        return -1
    for k in range(len(ENTITY_CHAR)):
        a = ENTITY_OFF[k]
        size = ENTITY_OFF[k + 1] - a
        j = 0
        while j < size and p + j < end and cps[p + j] == ENTITY_CPS[a + j]:
            j += 1
        if j == size:
            return k
    return -2


@nb.njit(cache=CACHE, nogil=True)
def decode_fields(data, starts, ends, flags):
    """Tweets from their UTF-8 bytes: field r is `data[starts[r]:ends[r]]` (valid UTF-8: the reader
    decoded it), decoded to code points and stripped of whitespace at both ends as `str.strip()` does
    (SPACE is `str.isspace()`; no whitespace lies beyond the table).

    Returns the tweets' code points and offsets; the same with HTML entities unescaped (as
    `html.unescape`, which `preprocess` runs first) where the tweet holds only "&amp;", "&lt;", "&gt;",
    "&quot;" or an "&" that starts none (else the tweet is as it was and its status UNESCAPE_PYTHON);
    whether each tweet is all ASCII (`str.isascii()`); and the statuses."""
    n = len(starts)
    total = 0
    for r in range(n):
        total += ends[r] - starts[r]
    cps = np.empty(total, np.uint32)
    off = np.zeros(n + 1, np.int64)
    plain = np.empty(total, np.uint32)
    plain_off = np.zeros(n + 1, np.int64)
    ascii = np.ones(n, np.bool_)
    status = np.zeros(n, np.uint8)
    size = len(flags)
    w = 0
    v = 0
    for r in range(n):
        first = w
        p = starts[r]
        e = ends[r]
        wide = False
        amp = False
        while p < e:
            b = np.uint32(data[p])
            if b < 0x80:
                c = b
                p += 1
                amp |= b == 38
            elif b < 0xE0:
                c = ((b & np.uint32(0x1F)) << 6) | (np.uint32(data[p + 1]) & np.uint32(0x3F))
                p += 2
            elif b < 0xF0:
                c = (((b & np.uint32(0x0F)) << 12) | ((np.uint32(data[p + 1]) & np.uint32(0x3F)) << 6)
                     | (np.uint32(data[p + 2]) & np.uint32(0x3F)))
                p += 3
            else:
                c = (((b & np.uint32(0x07)) << 18) | ((np.uint32(data[p + 1]) & np.uint32(0x3F)) << 12)
                     | ((np.uint32(data[p + 2]) & np.uint32(0x3F)) << 6) | (np.uint32(data[p + 3]) & np.uint32(0x3F)))
                p += 4
            wide |= b >= 0x80
            cps[w] = c
            w += 1
        a = first
        while a < w and cps[a] < size and flags[cps[a]] & SPACE:
            a += 1
        z = w
        while z > a and cps[z - 1] < size and flags[cps[z - 1]] & SPACE:
            z -= 1
        if a > first:
            for k in range(a, z):
                cps[first + k - a] = cps[k]
        w = first + z - a
        off[r + 1] = w
        if wide:  # (what strip() took away may have been all of it)
            for k in range(first, w):
                if cps[k] >= 128:
                    ascii[r] = False
                    break
        if not amp:
            plain[v:v + w - first] = cps[first:w]
            v += w - first
            plain_off[r + 1] = v
            continue
        row_v = v
        k = first
        while k < w:
            c = cps[k]
            if c == 38:
                which = _entity_at(cps, k + 1, w)
                if which >= 0:
                    plain[v] = ENTITY_CHAR[which]
                    v += 1
                    k += 1 + ENTITY_OFF[which + 1] - ENTITY_OFF[which]
                    continue
                if which == -2:
                    status[r] = UNESCAPE_PYTHON
            plain[v] = c
            v += 1
            k += 1
        if status[r]:  # as it was: html.unescape will do it
            v = row_v + w - first
            plain[row_v:v] = cps[first:w]
        plain_off[r + 1] = v
    return cps[:w], off, plain[:v], plain_off, ascii, status
