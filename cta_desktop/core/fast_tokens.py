"""Compiled tokenising for the analysis: token ids straight from tweet text, the same tokens as
`preprocess.tokenize_many`.

`preprocess` is the definition of the rules (regexes, run by `re` in C: ~12 µs a tweet with the ids);
the numba kernel in `_kernels_tokens.py` runs the same rules over code points (~3 µs a tweet) and looks
each token up in the vocabulary without making a Python string of it. Only the strings the analysis
needs are made: the words outside the vocabulary (for the top words) and the tokens of the few
tweets the language check must read. A tweet with a character the kernel does not model (see
`_kernels_tokens`) is tokenised by `preprocess` as before. `encode_utf8` starts one step earlier, from
the UTF-8 bytes a CSV's texts were read from (`datasets.Utf8Texts`): the tokenising workers get one
buffer instead of a list of strings to unpickle, and make no string of a tweet unless asked for it.

The kernel compiles in ~13 s on a fresh install (then loads from numba's cache in our cache directory
in ~0.6 s): `encode` returns None until it is ready in this process and the caller tokenises in
Python meanwhile; `warm_up_async()` gets it ready in a background thread (the GUI at app start; the
tokenising workers when they start, only one of them compiling). A small command-line analysis never
loads it (nor numba). CTA_FAST_TOKENS=0 turns the compiled path off.
"""

from __future__ import annotations

import functools
import html
import os
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from cta_desktop.core import kernel_marker
from cta_desktop.core.judgement import _packed_table, _row_counts
from cta_desktop.core.preprocess import (
    _EMOJI_MAX_LEN,
    _EMOJI_NAMES,
    _EMOTICON_MAP,
    _MAPPED_FIRST,
    NUMBER_TOKEN,
    OOV_ID,
    SEQ_LEN,
    _map_token,
    encode_tokens,
    tokenize_many,
)
from cta_desktop.core.textstats import countable_table, countable_word

# The first characters that make `_map_token` change a token (besides digits).
_MAPPED_FIRST_CPS = np.array(sorted(map(ord, _MAPPED_FIRST)), np.uint32)
TABLE_SIZE = 0x30000  # code points classified (the BMP, the emoji planes and CJK extension B); others: Python

_kernel: Any = None
_langid: Any = None  # (langid_features, langid_scores) once compiled or loaded
_tables: tuple[np.ndarray, np.ndarray] | None = None
_emoji: tuple[np.ndarray, ...] | None = None
_lock = threading.Lock()
_warming = False
_keep_trying = False  # a tokenising worker: `encode` loads the kernel once another process compiled it


def enabled() -> bool:
    return os.environ.get("CTA_FAST_TOKENS", "1").strip() not in ("0", "false", "no")


def ready() -> bool:
    """True once the kernel and its tables are loaded in this process (never waits)."""
    return _kernel is not None and enabled()


def _char_flags(k: Any) -> tuple[np.ndarray, np.ndarray]:
    """(flags, lower) for code points below TABLE_SIZE, from Python's own str methods (cached on disk,
    keyed by the Unicode version Python's str follows)."""
    from cta_desktop.paths import user_cache_dir

    path = None
    try:
        folder = user_cache_dir() / "tokens"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"chars-{unicodedata.unidata_version}-{TABLE_SIZE:x}-v2.npz"
        with np.load(path) as z:
            flags, lower = z["flags"], z["lower"]
        if flags.shape == (TABLE_SIZE,) and lower.shape == (TABLE_SIZE,):
            return flags.astype(np.uint16), lower.astype(np.uint32)
    except (OSError, ValueError, KeyError):
        pass
    flags = np.zeros(TABLE_SIZE, np.uint16)
    lower = np.arange(TABLE_SIZE, dtype=np.uint32)
    for c in range(TABLE_SIZE):
        ch = chr(c)
        f = 0
        if ch.isalnum():
            f |= k.WORD | k.ALNUM
        elif c == 95:
            f |= k.WORD
        if ch.isspace():
            f |= k.SPACE
        if ch.isalpha():
            f |= k.ALPHA
        if ch.isupper() or ch.istitle():
            f |= k.UPPER_OR_TITLE
        if ch.islower():
            f |= k.LOWER
        if ch.isdigit():
            f |= k.UDIGIT
        low = ch.lower()
        if len(low) == 1:
            lower[c] = ord(low)
        else:
            f |= k.SPECIAL
        flags[c] = f
    # What the kernel leaves to Python: the block separators, the long s (a URL's "s" under
    # re.IGNORECASE), capital sigma (str.lower's final-sigma rule), lone surrogates.
    for c in (0x1C, 0x1D, 0x1E, 0x1F, 0x17F, 0x3A3):
        flags[c] |= k.SPECIAL
    flags[0xD800:0xE000] |= k.SPECIAL
    if path is not None:
        try:
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, flags=flags, lower=lower)
            os.replace(tmp, path)
        except OSError:
            pass
    return flags, lower


def _keys(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated code points and offsets of strings."""
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    off = np.zeros(len(strings) + 1, np.int64)
    np.cumsum(lengths, out=off[1:])
    cps = np.frombuffer("".join(strings).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    return cps, off


def _load() -> None:
    global _kernel, _tables, _emoji
    from cta_desktop.core import _kernels_tokens

    k: Any = _kernels_tokens
    flags, lower = _char_flags(k)
    flags[128:] |= k.NOTE  # (what the kernel's first look at a tweet notes; not part of the cached table)
    for ch in "@#:wW":
        flags[ord(ch)] |= k.NOTE
    seqs = list(_EMOJI_NAMES)
    for seq in seqs:
        if ord(seq[0]) < TABLE_SIZE:
            flags[ord(seq[0])] |= k.EMOJI_FIRST
    emo_cps, emo_off = _keys(seqs)
    name_cps, name_off = _keys([_EMOJI_NAMES[s] for s in seqs])
    emo_slots = k.build_slots(emo_cps, emo_off)
    ratio = max(len(_EMOJI_NAMES[s]) / len(s) for s in seqs)
    growth = int(2 * (ratio + 2)) + 8  # a hashtag doubles a word at most; an emoji's name is longer
    _emoji = (emo_cps, emo_off, emo_slots, name_cps, name_off, np.int64(_EMOJI_MAX_LEN), np.int64(growth))
    _tables = (flags, lower)
    # compile (or load from the cache) on a tweet that takes every pass
    probe = _Vocab({"<url>": 2, "<user>": 3, NUMBER_TOKEN: 4, "a": 5})
    out = np.zeros((1, SEQ_LEN), np.int32)
    cps, off = _keys(["Hi @x #SoGood http://t.co/x 12.5 :) 😀 Sooo zzqx"])
    k.encode_tweets(cps, off, flags, lower, *probe.arrays(k), *_emoji, np.int32(4), np.int32(OOV_ID), out,
                    probe.packed, np.zeros((4, 1), np.int32))
    raw = np.frombuffer(" é😀 ".encode(), np.uint8)
    k.decode_fields(raw, np.zeros(1, np.int64), np.full(1, len(raw), np.int64), flags)
    _kernel = k  # the tokenizer serves from here on; the language identifier's kernels follow
    _load_langid(k)


def _load_langid(k: Any) -> None:
    """Compile (or load) the language identifier's kernels (language.identify_many), on a two-state
    toy DFA; if they fail, the identifier is asked text by text as without numba."""
    global _langid
    try:
        feats, counts, text_off = k.langid_features(
            np.zeros(512, np.uint32), np.zeros(2, np.int64), np.array([-1, 0], np.int64),
            np.frombuffer(b"ab", np.uint8), np.array([0, 2], np.int64), np.full(1, -1, np.int64))
        k.langid_scores(feats, counts, text_off, np.zeros((1, 2), np.float32), np.zeros(2, np.float32), np.float32(0))
    except Exception:  # noqa: BLE001 - py3langid's own classify serves
        return
    _langid = (k.langid_features, k.langid_scores)


@functools.lru_cache(maxsize=1)
def _marker() -> Path | None:
    """A file that says the kernel compiled into numba's cache once (with this numba and this kernel source)."""
    return kernel_marker.marker_for(Path(__file__).with_name("_kernels_tokens.py"), "tokens")


def langid_walk() -> Any:
    """The compiled DFA walk of the language identifier (for `language.detect_languages`), None
    until the kernels are loaded in this process."""
    return _langid if enabled() else None


def loading_here() -> bool:
    """True when this process has the kernel or is getting it (so its tokenising workers need not compile it)."""
    return _warming or _kernel is not None


def compiled_before() -> bool:
    """True when an earlier warm-up compiled the kernel into the cache (loading it then takes ~0.5 s)."""
    marker = _marker()
    return marker is not None and marker.exists()


def warm_up() -> bool:
    """Load the kernel now (compiling it on a fresh install); False if numba is missing or it fails."""
    if not enabled():
        return False
    with _lock:
        if _kernel is None:
            try:
                _load()
            except Exception:  # noqa: BLE001 - no compiled path: the Python tokenizer serves
                return False
            kernel_marker.mark_compiled(_marker())
    return True


def start_in_worker(compile: bool) -> None:
    """A tokenising worker's start: load the kernel in the background (compiling it only if `compile`),
    and keep trying from `encode` while it is not loaded. A forked worker starts from its parent's
    state: a warm-up the parent had under way is not running here."""
    global _warming
    if _kernel is None:
        _warming = False
    warm_up_async(compile=compile, keep_trying=True)


def warm_up_async(compile: bool = True, keep_trying: bool = False) -> None:
    """`warm_up` in a background thread (once per process). With compile=False only when the kernel
    is in the cache already: a tokenising worker that is not the one compiling waits for it rather than
    compile it a second time while the analysis needs the cores (keep_trying: `encode` tries again
    while it is not loaded)."""
    global _warming, _keep_trying
    _keep_trying = _keep_trying or keep_trying
    with _lock:
        if _warming or _kernel is not None or not enabled() or (not compile and not compiled_before()):
            return
        _warming = True
    threading.Thread(target=warm_up, name="cta-tokens-warmup", daemon=True).start()


class _Vocab:
    """A vocabulary index as the kernel's hash table; emoticons map to their tokens' ids."""

    def __init__(self, index: dict[str, int]):
        keys = dict(index)
        for raw, token in _EMOTICON_MAP.items():
            keys[raw] = index.get(token, OOV_ID)
        words = list(keys)
        cps, off = _keys(words)
        # Stored small (the shipped vocabulary is Latin-1: a byte a character): the kernel's lookups touch
        # less memory, which the engine's weights and the other worker share.
        self.cps = cps.astype(np.uint8) if cps.max(initial=0) < 256 else cps
        self.off = off.astype(np.int32) if off[-1] < 2**31 else off
        self.ids = np.fromiter(keys.values(), dtype=np.int32, count=len(keys))
        self.slots: np.ndarray | None = None
        self.num_id = np.int32(index.get(NUMBER_TOKEN, OOV_ID))
        size = max(index.values(), default=0) + 1
        self.words: list[str] = [""] * size
        for word, i in index.items():
            self.words[i] = word
        self.countable_mask = countable_table(self.words).countable.astype(np.int64)
        self.packed = _packed_table(index)  # what the kernel adds up per tweet for the judgement

    def arrays(self, k: Any) -> tuple[np.ndarray, ...]:
        if self.slots is None:
            self.slots = k.build_slots(self.cps, self.off)
        return self.cps, self.off, self.slots, self.ids


_VOCABS: dict[int, tuple[dict[str, int], _Vocab]] = {}


def _vocab(index: dict[str, int]) -> _Vocab:
    cached = _VOCABS.get(id(index))
    if cached is None or cached[0] is not index:
        cached = (index, _Vocab(index))
        _VOCABS.clear()
        _VOCABS[id(index)] = cached
    return cached[1]


@dataclass
class FastEncoded:
    """The kernel's output for a list of tweets (see `_kernels_tokens.encode_tweets`), and the Python
    tokens of the tweets it left to `preprocess` (`fallback`, by row)."""

    ids: np.ndarray
    status: np.ndarray
    tok_ids: np.ndarray
    row_tok: np.ndarray
    tok_oov: np.ndarray
    oov_cps: np.ndarray
    oov_off: np.ndarray
    vocab: _Vocab
    fallback: dict[int, list[str]] = field(default_factory=dict)
    # per tweet, the judgement's four counts over its first seq_len ids (`judgement._row_counts`)
    row_counts: np.ndarray | None = None
    ascii: np.ndarray | None = None  # per tweet, str.isascii() (when `encode_utf8` knows it)
    _oov_tokens: list[str] | None = None

    def oov_tokens(self) -> list[str]:
        """The distinct unknown tokens (as `tokenize` gives them: numbers and emoticons mapped)."""
        if self._oov_tokens is None:
            off = self.oov_off
            if len(off) < 2:
                self._oov_tokens = []
                return self._oov_tokens
            # one string with the tokens apart by "\0" (no token holds one), split at C speed
            apart = np.insert(self.oov_cps, off[1:-1], 0)
            tokens = apart.tobytes().decode("utf-32-le").split("\0")
            # `_map_token` changes only a token that starts with a digit or with one of ":;=<"
            first = self.oov_cps[off[:-1]]
            assert _tables is not None
            digit = (_tables[0][first] & _kernel.UDIGIT) != 0
            mapped = np.flatnonzero(np.isin(first, _MAPPED_FIRST_CPS) | digit)
            for i in mapped.tolist():
                tokens[i] = _map_token(tokens[i])
            self._oov_tokens = tokens
        return self._oov_tokens

    def oov_words(self) -> tuple[list[str | None], np.ndarray]:
        """`countable_word` of each of `oov_tokens()`, and whether it is one (a bool mask)."""
        words = [countable_word(t) for t in self.oov_tokens()]
        return words, np.array([w is not None for w in words], bool)

    def tokens(self, row: int) -> list[str]:
        """`tokenize(texts[row])`."""
        return self.tokens_of([row])[0]

    def tokens_of(self, rows: Sequence[int]) -> list[list[str]]:
        """`tokens(r)` of each of rows, gathered in one go (one index, two `tolist`s)."""
        if not len(rows):
            return []
        at = np.asarray(rows, np.int64)
        a = self.row_tok[at]
        lens = self.row_tok[at + 1] - a
        starts = np.zeros(len(at), np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        flat_at = np.repeat(a - starts, lens) + np.arange(int(lens.sum()))
        oov, words = self.oov_tokens(), self.vocab.words
        flat = [words[t] if j < 0 else oov[j] for t, j in zip(self.tok_ids[flat_at].tolist(),
                                                               self.tok_oov[flat_at].tolist(), strict=True)]
        return [self.fallback[r] if r in self.fallback else flat[s:s + n]
                for r, s, n in zip(rows, starts.tolist(), lens.tolist(), strict=True)]

    def token_lists(self) -> _TokenLists:
        return _TokenLists(self)

    def word_counts(self, judged: np.ndarray,
                    seq_len: int = SEQ_LEN) -> tuple[np.ndarray, Counter[str], np.ndarray, list[str]]:
        """The judged tweets' countable words, per vocabulary id and by name outside it, and their words
        outside the vocabulary among the first seq_len tokens (rows and words), as `workers.encode_chunk`
        counts them: of the tweets the kernel tokenised (the caller counts the `fallback` rows' tokens)."""
        per_row = np.diff(self.row_tok)
        tok_judged = np.repeat(judged & (self.status == 0), per_row)
        words: dict[str, int] = {}
        get = words.get
        per_id = np.bincount(self.tok_ids[tok_judged], minlength=len(self.vocab.words))
        per_id[OOV_ID] = 0
        per_id *= self.vocab.countable_mask
        oov_k = np.flatnonzero(tok_judged & (self.tok_oov >= 0))
        rows_out = np.zeros(0, np.int32)
        words_out: list[str] = []
        if len(oov_k):
            which = self.tok_oov[oov_k]
            oov_words, countable = self.oov_words()
            per_oov = np.bincount(which, minlength=len(oov_words))
            counted = np.flatnonzero((per_oov > 0) & countable)
            word_of = cast(list[str], oov_words).__getitem__  # (where countable, never None)
            named = list(map(word_of, counted.tolist()))
            if len(set(named)) == len(named):  # the usual case: each word from one token
                words = dict(zip(named, per_oov[counted].tolist(), strict=True))
            else:  # (two tokens, one word: a mojibake edge cut off)
                for word, n in zip(named, per_oov[counted].tolist(), strict=True):
                    words[word] = get(word, 0) + n
            rows = np.repeat(np.arange(len(per_row)), per_row)[oov_k]
            # the countable ones among each row's first seq_len tokens
            out = ((oov_k - self.row_tok[rows]) < seq_len) & countable[which]
            rows_out = rows[out].astype(np.int32)
            words_out = list(map(word_of, which[out].tolist()))
        return per_id, Counter(words), rows_out, words_out


class _TokenLists(Sequence[list[str]]):
    """`tokenize_many(texts)` made row by row on demand (the language check reads a few rows)."""

    def __init__(self, fast: FastEncoded):
        self.fast = fast

    def __len__(self) -> int:
        return len(self.fast.status)

    def __getitem__(self, row: int) -> list[str]:  # type: ignore[override]  # rows only, no slices
        return self.fast.tokens(row)

    def take(self, rows: Sequence[int]) -> list[list[str]]:
        """The token lists of these rows (as `[self[r] for r in rows]`, gathered in one go)."""
        return self.fast.tokens_of(rows)


def encode(texts: Sequence[object], index: dict[str, int], seq_len: int = SEQ_LEN) -> FastEncoded | None:
    """The tweets' token ids and tokens through the kernel; None while it is not ready here (then it
    starts loading it if another process has compiled it meanwhile)."""
    if not _ready_or_retry():
        return None
    plain = [t if isinstance(t, str) else "" for t in texts]
    for r in [r for r, t in enumerate(plain) if "&" in t]:  # preprocess unescapes first, so do we
        plain[r] = html.unescape(plain[r])
    cps, off = _keys(plain)
    return _encode_cps(cps, off, texts, index, seq_len)


def encode_utf8(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, index: dict[str, int],
                seq_len: int = SEQ_LEN) -> tuple[FastEncoded, CodePointTexts] | None:
    """`encode` of the tweets `data[starts[i]:ends[i]]` (UTF-8, each stripped as `str.strip()` does:
    `datasets.Utf8Texts`), decoded by a kernel, and the tweets as a sequence of strings made on demand;
    None while the kernel is not ready here."""
    if not _ready_or_retry():
        return None
    assert _tables is not None
    # the kernel unescapes the usual HTML entities (preprocess unescapes first, so do we); html.unescape the rest
    cps, off, plain, plain_off, ascii, status = _kernel.decode_fields(data, starts, ends, _tables[0])
    texts = CodePointTexts(cps, off)
    rows = np.flatnonzero(status).tolist()
    if rows:
        plain, plain_off = _replaced(plain, plain_off, rows, [html.unescape(texts[r]) for r in rows])
    fast = _encode_cps(plain, plain_off, texts, index, seq_len)
    fast.ascii = ascii
    return fast, texts


class CodePointTexts(Sequence[str]):
    """Tweets held as code points (`cps[off[i]:off[i + 1]]`), each made a string when asked for."""

    def __init__(self, cps: np.ndarray, off: np.ndarray):
        self.cps, self.off = cps, off

    def __len__(self) -> int:
        return len(self.off) - 1

    def __getitem__(self, row: int) -> str:  # type: ignore[override]  # rows only, no slices
        return self.cps[self.off[row]:self.off[row + 1]].tobytes().decode("utf-32-le")


def _replaced(cps: np.ndarray, off: np.ndarray, rows: list[int], texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The code points with the tweets of `rows` (ascending) replaced by `texts`, and their offsets."""
    new_cps, new_off = _keys(texts)
    lengths = np.diff(off)
    lengths[rows] = np.diff(new_off)
    out_off = np.zeros(len(off), np.int64)
    np.cumsum(lengths, out=out_off[1:])
    pieces = []
    at = 0
    for k, r in enumerate(rows):
        pieces.append(cps[off[at]:off[r]])
        pieces.append(new_cps[new_off[k]:new_off[k + 1]])
        at = r + 1
    pieces.append(cps[off[at]:])
    return np.concatenate(pieces), out_off


def _ready_or_retry() -> bool:
    if ready():
        return True
    if _keep_trying:
        warm_up_async(compile=False)
    return False


def _encode_cps(cps: np.ndarray, off: np.ndarray, texts: Sequence[object], index: dict[str, int],
                seq_len: int) -> FastEncoded:
    """The kernel over the tweets' code points (HTML entities unescaped); `texts` as given, for the
    tweets it leaves to `preprocess`."""
    assert _tables is not None and _emoji is not None
    vocab = _vocab(index)
    k = _kernel
    n = len(off) - 1
    out = np.zeros((n, seq_len), np.int32)
    row_counts = np.zeros((4, n), np.int32)
    status, tok_ids, row_tok, tok_oov, oov_cps, oov_off = k.encode_tweets(
        cps, off, *_tables, *vocab.arrays(k), *_emoji, vocab.num_id, np.int32(OOV_ID), out, vocab.packed, row_counts)
    fast = FastEncoded(out, status, tok_ids, row_tok, tok_oov, oov_cps, oov_off, vocab, row_counts=row_counts)
    rows = np.flatnonzero(status).tolist()
    if rows:
        token_lists = tokenize_many([texts[r] for r in rows])
        out[rows] = encode_tokens(token_lists, index, seq_len)
        row_counts[:, rows] = _row_counts(out[rows], vocab.packed)
        fast.fallback = dict(zip(rows, token_lists, strict=True))
    return fast
