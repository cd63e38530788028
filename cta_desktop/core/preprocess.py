"""Tweet text preprocessing and tokenisation: the one path used by training, the app and the CLI.

The rules follow the CTA study: URLs and @mentions become placeholder tokens, #hashtags become
their words, text is lower-cased and emoji become their names. On top of that we unescape HTML
entities, split CamelCase hashtags, shorten elongations ("soooo" -> "soo") and keep the few
punctuation marks and emoticons that carry sentiment.

Speed matters (every imported tweet passes through here), so the costly emoji step runs only on
tweets that contain a character that can start an emoji.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])")
_ELONGATION_RE = re.compile(r"(.)\1\1+")
# Emoticons keep their sentiment; they are matched after lower-casing (":D" -> ":d").
_EMOTICON_MAP = {
    ":)": "<smile>", ":-)": "<smile>", ":]": "<smile>", "=)": "<smile>", ":d": "<lol>", ":-d": "<lol>",
    ";)": "<wink>", ";-)": "<wink>", ":(": "<sad>", ":-(": "<sad>", ":'(": "<sad>",
    ":/": "<sad>", ":p": "<tongue>", ":-p": "<tongue>", "<3": "<heart>",
}
# A token is: a placeholder, an emoji name, an emoticon, a number, a word (any script, with an
# inner apostrophe), or ! and ?. Alternatives are tried in this order.
_TOKEN_RE = re.compile(
    r"<(?:url|user)>|:[a-z0-9_&\-']+:"
    r"|(?<![\w:]):-?[)(dp/\]](?![\w/])|;-?\)|=\)|:'\(|<3"
    r"|[0-9]+(?:[.,:][0-9]+)*(?![^\W_])|[^\W_]+(?:'[^\W_]+)?|[!?]"
)


def _emoji_tables() -> tuple[dict[str, str], int, str]:
    """(emoji sequence -> " :name: ", longest sequence length, regex class of characters that start one)."""
    import emoji

    names = {seq: f" {data['en']} " for seq, data in emoji.EMOJI_DATA.items()}
    points = sorted({ord(seq[0]) for seq in names if ord(seq[0]) > 0x7F})
    # Collapse into ranges: a class of ~1,400 single characters searches ~10x slower than ~200 ranges.
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    char_class = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return names, max(map(len, names)), char_class


_EMOJI_NAMES, _EMOJI_MAX_LEN, _EMOJI_CLASS = _emoji_tables()
# An emoji starts at a non-ASCII emoji character, or is a keycap ("1️⃣" = digit, VS16, U+20E3).
_EMOJI_START_RE = re.compile("[0-9#*]\ufe0f?\u20e3|[" + _EMOJI_CLASS + "]")


def _demojize(text: str) -> str:
    """Replace each emoji by " :its_name: ", as `emoji.demojize(text, delimiters=(" :", ": "))` does.

    A longest-match lookup at the places where an emoji can start: ~10x faster than the emoji
    package's scan of every character, and checked against it in the tests.
    """
    parts = []
    last = 0
    names = _EMOJI_NAMES
    for match in _EMOJI_START_RE.finditer(text):
        i = match.start()
        if i < last:
            continue
        for length in range(min(_EMOJI_MAX_LEN, len(text) - i), 0, -1):
            name = names.get(text[i : i + length])
            if name is not None:
                parts.append(text[last:i])
                parts.append(name)
                last = i + length
                break
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _split_hashtag(match: re.Match[str]) -> str:
    return " " + _CAMEL_RE.sub(" ", match.group(1)) + " "


def _clean(text: object) -> str:
    """Apply the text rules; the result is tokenised by `_TOKEN_RE`."""
    if not isinstance(text, str) or not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "://" in text or "www." in text:
        text = _URL_RE.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _MENTION_RE.sub(f" {USER_TOKEN} ", text)
    if "#" in text:
        text = _HASHTAG_RE.sub(_split_hashtag, text)
    if not text.isascii():
        if _EMOJI_START_RE.search(text):
            text = _demojize(text)
        text = text.replace("’", "'")
    return _ELONGATION_RE.sub(r"\1\1", text.lower())


_MAPPED_FIRST = frozenset(":;=<")


def _map_token(tok: str) -> str:
    if tok[0].isdigit():
        return NUMBER_TOKEN
    return _EMOTICON_MAP.get(tok, tok)


def tokenize(text: object) -> list[str]:
    """Normalise one tweet and split it into tokens (numbers and emoticons become shared tokens)."""
    tokens = _TOKEN_RE.findall(_clean(text))
    return [_map_token(t) if (t[0] in _MAPPED_FIRST or t[0].isdigit()) else t for t in tokens]


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
        texts = list(texts)
        out = np.zeros((len(texts), seq_len), dtype=np.int32)
        get = self.index.get
        for row, text in enumerate(texts):
            tokens = tokenize(text)
            if len(tokens) > seq_len:
                tokens = tokens[:seq_len]
            if tokens:
                out[row, : len(tokens)] = [get(t, OOV_ID) for t in tokens]
        return out
