"""Tweet text preprocessing and tokenisation: the one path used by training, the app and the CLI.

The rules follow the CTA study: URLs and @mentions become placeholder tokens, #hashtags become
their words, text is lower-cased and emoji become their names. On top of that we unescape HTML
entities, split CamelCase hashtags, shorten elongations ("soooo" -> "soo") and keep the few
punctuation marks and emoticons that carry sentiment.

Speed matters (every imported tweet passes through here), so the costly emoji step runs only on
tweets that contain a character that can start an emoji, and `tokenize_many` tokenises a whole
chunk of tweets with one pass of each rule (the same tokens as `tokenize` on each).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

import numpy as np

SEQ_LEN = 50
PAD_ID = 0
OOV_ID = 1
URL_TOKEN = "<url>"
USER_TOKEN = "<user>"
NUMBER_TOKEN = "<num>"
SPECIAL_TOKENS = ("<pad>", "<oov>")
PLACEHOLDER_TOKENS = frozenset({URL_TOKEN, USER_TOKEN, NUMBER_TOKEN})

# The rules' regexes are written so that `re` can skip ahead to where a match can start (a literal
# or a character class first, lookbehinds after it): the same matches as the plain forms in the
# comments, several times faster on long text.
# r"(?:https?://|www\.)\S+" with re.IGNORECASE ("s" also matches the long s U+017F under it):
_URL_RE = re.compile(r"[hHwW](?:(?<=[hH])[tT][tT][pP][sS\u017f]?://|(?<=[wW])[wW][wW]\.)\S+")
_MENTION_RE = re.compile(r"@(?<![\w@]@)\w+")  # r"(?<![\w@])@\w+"
_HASHTAG_RE = re.compile(r"#(?<![\w#]#)(\w+)")  # r"(?<![\w#])#(\w+)"
URL_RE, MENTION_RE = _URL_RE, _MENTION_RE  # for core/explain.py, which finds the tokens in the tweet as written
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])")
_ELONGATION_RE = re.compile(r"(.)\1\1+")
# Emoticons keep their sentiment; they are matched after lower-casing (":D" -> ":d").
_EMOTICON_MAP = {
    ":)": "<smile>", ":-)": "<smile>", ":]": "<smile>", "=)": "<smile>", ":d": "<lol>", ":-d": "<lol>",
    ";)": "<wink>", ";-)": "<wink>", ":(": "<sad>", ":-(": "<sad>", ":'(": "<sad>",
    ":/": "<sad>", ":p": "<tongue>", ":-p": "<tongue>", "<3": "<heart>",
}
EMOTICON_TOKENS: dict[str, tuple[str, ...]] = {}  # "<smile>" -> (":)", ":-)", ...), lower case
for _face, _token in _EMOTICON_MAP.items():
    EMOTICON_TOKENS[_token] = (*EMOTICON_TOKENS.get(_token, ()), _face)
del _face, _token
# A token is: a placeholder, an emoji name, an emoticon, a number, a word (any script, with an
# inner apostrophe), or ! and ?. Alternatives are tried in this order:
#   <(?:url|user)>|:[a-z0-9_&\-']+:|(?<![\w:]):-?[)(dp/\]](?![\w/])|;-?\)|=\)|:'\(|<3
#   |[0-9]+(?:[.,:][0-9]+)*(?![^\W_])|[^\W_]+(?:'[^\W_]+)?|[!?]
# written below as: the first character, then the alternatives that can start with it (same
# matches; alternatives with different first characters never compete), plus the block separator
# U+001F as a token of its own and runs of plain words (below).
_TOKEN_PATTERN = (
    r"[<:;=!?{extra}\w]"
    r"(?:{run}(?<=[^\W_])(?:(?<=[0-9])[0-9]*(?:[.,:][0-9]+)*(?![^\W_])|[^\W_]*(?:'[^\W_]+)?)"
    r"|(?<=<)(?:(?:url|user)>|3)"
    r"|(?<=:)(?:[a-z0-9_&\-']+:|(?<![\w:]:)-?[)(dp/\]](?![\w/])|'\()"
    r"|(?<=;)-?\)|(?<==)\)|(?<=[!?{extra}]))"
)


def _emoji_tables() -> tuple[dict[str, str], int, str]:
    """(emoji sequence -> " :name: ", longest sequence length, regex class of characters that start one).

    The class only finds candidates (`_demojize` looks each one up), so it may hold more than the
    start characters, never fewer: the BMP ones exactly, and every start character outside the BMP
    (all in U+1F000-U+1FAFF today) through the blocks that hold them. A few ranges outside the BMP
    keep the search fast; the ~100 exact ones there are tried one by one (~10x slower).
    """
    import emoji

    names = {seq: f" {data['en']} " for seq, data in emoji.EMOJI_DATA.items()}
    points = sorted({ord(seq[0]) for seq in names if ord(seq[0]) > 0x7F})
    ranges: list[list[int]] = []
    for cp in points:
        if cp > 0xFFFF:
            lo, hi = (0x1F000, 0x1FAFF) if 0x1F000 <= cp <= 0x1FAFF else (cp & ~0xFF, cp | 0xFF)
        else:
            lo = hi = cp
        if ranges and lo <= ranges[-1][1] + 1:
            ranges[-1][1] = max(ranges[-1][1], hi)
        else:
            ranges.append([lo, hi])
    char_class = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return names, max(map(len, names)), char_class


_EMOJI_NAMES, _EMOJI_MAX_LEN, _EMOJI_CLASS = _emoji_tables()
# An emoji starts at a non-ASCII emoji character, or is a keycap ("1️⃣" = digit, VS16, U+20E3):
# "[0-9#*]\ufe0f?\u20e3|[class]", with one class first so that the search can skip ahead.
_EMOJI_START_RE = re.compile("[0-9#*" + _EMOJI_CLASS + "](?:(?<=[0-9#*])\ufe0f?\u20e3|(?<![0-9#*]))")


def _demojize(text: str) -> str:
    """Replace each emoji by " :its_name: ", as `emoji.demojize(text, delimiters=(" :", ": "))` does.

    A longest-match lookup at the places where an emoji can start: ~10x faster than the emoji
    package's scan of every character, and checked against it in the tests.
    """
    parts = []
    last = 0
    for i, end, name in _emoji_matches(text):
        parts.append(text[last:i])
        parts.append(name)
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _emoji_matches(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, " :name: ") of each emoji in `text`, longest match first, left to right."""
    last = 0
    names = _EMOJI_NAMES
    for match in _EMOJI_START_RE.finditer(text):
        i = match.start()
        if i < last:
            continue
        for length in range(min(_EMOJI_MAX_LEN, len(text) - i), 0, -1):
            name = names.get(text[i : i + length])
            if name is not None:
                yield i, i + length, name
                last = i + length
                break


def emoji_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of each emoji in `text`, the token being the one `tokenize` makes of it."""
    return [(i, end, name.strip().lower()) for i, end, name in _emoji_matches(text)]


def _split_hashtag(match: re.Match[str]) -> str:
    return _hashtag_words(match.group(1))


def _hashtag_words(word: str) -> str:
    """A hashtag's text: its CamelCase words apart (nothing to split without a capital or a digit)."""
    return f" {word if word.islower() and word.isalpha() else _CAMEL_RE.sub(' ', word)} "


_MAPPED_FIRST = frozenset(":;=<")


def _map_token(tok: str) -> str:
    if tok[0].isdigit():
        return NUMBER_TOKEN
    return _EMOTICON_MAP.get(tok, tok)


def tokenize(text: object) -> list[str]:
    """Normalise one tweet and split it into tokens (numbers and emoticons become shared tokens).

    The rules live in one place, `_tokenize_block`: a tweet is a block of one.
    """
    return tokenize_many([text])[0]


# The rules run on a block of tweets joined with "\n\x1f\n", each rule once over the whole text (a
# single tweet is a block of one). No rule reaches across the separator, and each sees it as a
# tweet's start or end: html entities, the \S+ of URLs, the \w+ of mentions and hashtags, emoji
# sequences and elongation runs ("." is not "\n") all stop at "\n"; the rules' lookarounds only
# look for word characters, "@", "#", ":" or "/", which "\n" is not; str.lower's final-sigma rule
# stops at "\n" (neither cased nor case-ignorable). No rule creates U+001F (html.unescape turns
# "&#31;" into ""), so each U+001F token is a tweet boundary. A tweet's own U+001F becomes U+001E,
# which every rule treats alike (whitespace, not a word character, not cased) and which is no
# token either. A rule whose trigger is missing from the block is skipped, which changes nothing
# (it would not match), except for "WWW."-style URLs (below).
_SEP_CHAR = "\x1f"
_SEP_STAND_IN = "\x1e"
_SEP = "\n\x1f\n"
# A run of a-z words joined by single spaces, the last one followed by neither a word character nor
# an apostrophe, is those words' tokens (each ends where the word rule would end it): matched as one
# and split at the spaces (no token holds a space), it saves `findall` most of its per-match cost.
_PLAIN_WORDS = r"(?<=[a-z])[a-z]*(?: [a-z]+)*(?![^\W_]|')|"
_TOKEN_SEP_RE = re.compile(_TOKEN_PATTERN.format(extra=r"\x1f", run=_PLAIN_WORDS))
# "WWW.x" or "Www.x": a URL only in a tweet that itself holds "://" or "www.".
_ODD_WWW_RE = re.compile(r"[wW][wW][wW]\.(?<!www\.)")  # (under re.IGNORECASE "w" matches only w and W)
# Tweets joined at a time. Each rule is one C call over the block that holds the GIL throughout: at
# 4,096 tweets a call took up to ~20 ms and the GUI thread, waiting for the GIL while an analysis
# tokenised on a worker thread, froze for up to ~100 ms; 1,024 keeps calls near 5 ms at the same speed.
_BLOCK = 1024
_NUMPY_ELONGATION_FROM = 2000  # characters; below this the regex is faster (a tweet)


def _shorten_elongations(text: str) -> str:
    """`_ELONGATION_RE.sub(r"\1\1", text)`; on a long text (a block) the same in NumPy, several times
    faster there: drop each character (not a newline) that repeats the two before it, which leaves
    two of every run of three or more."""
    if len(text) < _NUMPY_ELONGATION_FROM:
        return _ELONGATION_RE.sub(r"\1\1", text)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(cps) < 3:
        return text
    drop = (cps[2:] == cps[1:-1]) & (cps[1:-1] == cps[:-2]) & (cps[2:] != 10)
    if not drop.any():
        return text
    keep = np.ones(len(cps), dtype=bool)
    keep[2:] = ~drop
    return cps[keep].tobytes().decode("utf-32-le", "surrogatepass")


def _tokenize_block(texts: list[str], joined: str) -> list[list[str]]:
    """The tokens of each of `texts` (strings without `_SEP_CHAR`); `joined` is `_SEP.join(texts)`.

    This is where the text rules are: `tokenize` and `tokenize_many` both come here."""
    text = joined
    if "&" in text:
        text = html.unescape(text)
    odd_rows: list[int] = []
    if "://" in text or "www." in text:
        if len(texts) > 1 and ("W." in text or "Ww." in text or "Www." in text):
            odd_rows = sorted({text.count(_SEP_CHAR, 0, m.start()) for m in _ODD_WWW_RE.finditer(text)})
        text = _URL_RE.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _MENTION_RE.sub(f" {USER_TOKEN} ", text)
    if "#" in text:  # as _HASHTAG_RE.sub(_split_hashtag, text), each distinct hashtag split once
        parts = _HASHTAG_RE.split(text)
        words = parts[1::2]
        if words:
            split = {word: _hashtag_words(word) for word in set(words)}
            parts[1::2] = map(split.__getitem__, words)
            text = "".join(parts)
    if not text.isascii():
        text = _demojize(text).replace("’", "'")
    matches = _TOKEN_SEP_RE.findall(_shorten_elongations(text.lower()))
    # Numbers and emoticons become shared tokens, decided once per distinct match (a run of plain
    # words starts with a-z: nothing to map), then the runs are split into their words.
    mapped = {m: _map_token(m) for m in set(matches) if m[0] in _MAPPED_FIRST or m[0].isdigit()}
    tokens = " ".join(map(mapped.get, matches, matches)).split(" ") if matches else []
    out: list[list[str]] = []
    append = out.append
    find = tokens.index
    start = 0
    for _ in range(len(texts) - 1):
        end = find(_SEP_CHAR, start)
        append(tokens[start:end])
        start = end + 1
    append(tokens[start:])
    for row in odd_rows:  # "WWW.x" is a link only if the tweet itself holds "://" or "www.": ask it alone
        out[row] = _tokenize_block([texts[row]], texts[row])[0]
    return out


def tokenize_many(texts: Sequence[object]) -> list[list[str]]:
    """`[tokenize(t) for t in texts]`, several times faster on many tweets (the same tokens).

    The rules run once on each block of tweets joined by a separator rather than once per tweet.
    """
    if not isinstance(texts, list):
        texts = list(texts)
    out: list[list[str]] = []
    for lo in range(0, len(texts), _BLOCK):
        block = texts[lo : lo + _BLOCK]
        try:
            joined = _SEP.join(block)  # type: ignore[arg-type]
        except TypeError:  # None, NaN, numbers (no tokens)
            joined = None
        if joined is None or joined.count(_SEP_CHAR) != len(block) - 1:
            block = [(t.replace(_SEP_CHAR, _SEP_STAND_IN) if _SEP_CHAR in t else t) if isinstance(t, str) else ""
                     for t in block]
            joined = _SEP.join(block)  # type: ignore[arg-type]
        out += _tokenize_block(block, joined)  # type: ignore[arg-type]
    return out


def encode_tokens(token_lists: Sequence[Sequence[str]], index: Mapping[str, int], seq_len: int = SEQ_LEN) -> np.ndarray:
    """Token ids, (n, seq_len) int32: each tweet's first `seq_len` tokens (OOV_ID when not in
    `index`), padded at the end with PAD_ID. The ids of _BLOCK tweets are looked up at once (one C
    loop, which holds the GIL throughout: blocks keep that short for a GUI thread), then scattered."""
    n = len(token_lists)
    out = np.zeros((n, seq_len), dtype=np.int32)
    if seq_len <= 0:
        return out
    for lo in range(0, n, _BLOCK):
        _encode_block(token_lists[lo : lo + _BLOCK], index, out[lo : lo + _BLOCK])
    return out


def _encode_block(token_lists: Sequence[Sequence[str]], index: Mapping[str, int], out: np.ndarray) -> None:
    n, seq_len = out.shape
    lengths = np.fromiter(map(len, token_lists), dtype=np.intp, count=n)
    total = int(lengths.sum())
    if total == 0:
        return
    ids = np.fromiter(map(index.get, chain.from_iterable(token_lists), repeat(OOV_ID)), dtype=np.int32, count=total)
    # Token k of tweet r goes to out.flat[r * seq_len + k], if k < seq_len.
    row_starts = np.arange(0, n * seq_len, seq_len)
    pos = np.arange(total) + np.repeat(row_starts - (np.cumsum(lengths) - lengths), lengths)
    if lengths.max() > seq_len:
        keep = pos < np.repeat(row_starts + seq_len, lengths)
        pos, ids = pos[keep], ids[keep]
    out.reshape(-1)[pos] = ids


def normalize_tweet(text: object) -> str:
    """The normalised, lower-cased form of one tweet, as the model sees it (tokens joined by spaces).

    Non-string input (None, NaN from a CSV) is treated as an empty tweet.
    """
    return " ".join(tokenize(text))


def is_emoji_token(token: str) -> bool:
    return len(token) > 2 and token[0] == ":" and token[-1] == ":"


@dataclass
class Vocabulary:
    """Word -> index map. Index 0 pads, 1 is out-of-vocabulary; words follow by frequency."""

    words: list[str]

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def build(cls, tokenized: Iterable[Sequence[str]], max_size: int, min_count: int = 2) -> Vocabulary:
        counts: Counter[str] = Counter()
        for tokens in tokenized:
            counts.update(tokens)
        ranked = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        return cls(list(SPECIAL_TOKENS) + ranked[: max_size - len(SPECIAL_TOKENS)])

    def save(self, path: str | Path) -> None:
        payload = {"format": "cta-vocab", "version": 1, "pad_id": PAD_ID, "oov_id": OOV_ID, "words": self.words}
        Path(path).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        path = Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            words = payload["words"]
            if payload.get("format") != "cta-vocab" or not isinstance(words, list) or len(words) < 2:
                raise ValueError("not a CTA vocabulary")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: cannot read the vocabulary ({exc})") from exc
        return cls(words)

    def encode(self, texts: Iterable[object], seq_len: int = SEQ_LEN) -> np.ndarray:
        """Preprocess and tokenise tweets into a (n, seq_len) int32 array, padded at the end."""
        return encode_tokens(tokenize_many(list(texts)), self.index, seq_len)
