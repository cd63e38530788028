"""tokenize_many (the whole chunk at once) gives exactly the tokens that tokenize gave tweet by tweet.

The reference is a frozen copy of the per-tweet tokeniser as it was before tokenize_many (and the
faster forms of its regexes) came in: the tests prove equality with those tokens, not with whatever
`tokenize` does today. The encoders built on tokenize_many (Vocabulary.encode, encode_texts,
encode_chunk) are checked against frozen copies of their old per-tweet loops too.
"""

from __future__ import annotations

import csv
import html
import html.entities
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cta_desktop.core import preprocess
from cta_desktop.core.analysis.workers import encode_chunk, encode_texts, words_of_ids
from cta_desktop.core.preprocess import OOV_ID, SEQ_LEN, Vocabulary, encode_tokens, tokenize, tokenize_many
from cta_desktop.core.textstats import countable_word
from cta_desktop.paths import shared_data_dir

# ---------------------------------------------------------------------------------------------
# Frozen copy of the per-tweet tokeniser (cta_desktop/core/preprocess.py before tokenize_many).
# Do not edit: it is the reference the fast paths must reproduce token for token.
# ---------------------------------------------------------------------------------------------
_F_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_F_MENTION_RE = re.compile(r"(?<![\w@])@\w+")
_F_HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
_F_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])")
_F_ELONGATION_RE = re.compile(r"(.)\1\1+")
_F_EMOTICON_MAP = {
    ":)": "<smile>", ":-)": "<smile>", ":]": "<smile>", "=)": "<smile>", ":d": "<lol>", ":-d": "<lol>",
    ";)": "<wink>", ";-)": "<wink>", ":(": "<sad>", ":-(": "<sad>", ":'(": "<sad>",
    ":/": "<sad>", ":p": "<tongue>", ":-p": "<tongue>", "<3": "<heart>",
}
_F_TOKEN_RE = re.compile(
    r"<(?:url|user)>|:[a-z0-9_&\-']+:"
    r"|(?<![\w:]):-?[)(dp/\]](?![\w/])|;-?\)|=\)|:'\(|<3"
    r"|[0-9]+(?:[.,:][0-9]+)*(?![^\W_])|[^\W_]+(?:'[^\W_]+)?|[!?]"
)


def _f_emoji_tables() -> tuple[dict[str, str], int, str]:
    import emoji

    names = {seq: f" {data['en']} " for seq, data in emoji.EMOJI_DATA.items()}
    points = sorted({ord(seq[0]) for seq in names if ord(seq[0]) > 0x7F})
    ranges: list[list[int]] = []
    for cp in points:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    char_class = "".join(f"\\U{a:08x}" if a == b else f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return names, max(map(len, names)), char_class


_F_EMOJI_NAMES, _F_EMOJI_MAX_LEN, _F_EMOJI_CLASS = _f_emoji_tables()
_F_EMOJI_START_RE = re.compile("[0-9#*]\ufe0f?\u20e3|[" + _F_EMOJI_CLASS + "]")


def _f_demojize(text: str) -> str:
    parts = []
    last = 0
    names = _F_EMOJI_NAMES
    for match in _F_EMOJI_START_RE.finditer(text):
        i = match.start()
        if i < last:
            continue
        for length in range(min(_F_EMOJI_MAX_LEN, len(text) - i), 0, -1):
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


def _f_split_hashtag(match: re.Match[str]) -> str:
    return " " + _F_CAMEL_RE.sub(" ", match.group(1)) + " "


def _f_clean(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if "://" in text or "www." in text:
        text = _F_URL_RE.sub(" <url> ", text)
    if "@" in text:
        text = _F_MENTION_RE.sub(" <user> ", text)
    if "#" in text:
        text = _F_HASHTAG_RE.sub(_f_split_hashtag, text)
    if not text.isascii():
        if _F_EMOJI_START_RE.search(text):
            text = _f_demojize(text)
        text = text.replace("’", "'")
    return _F_ELONGATION_RE.sub(r"\1\1", text.lower())


_F_MAPPED_FIRST = frozenset(":;=<")


def _f_map_token(tok: str) -> str:
    if tok[0].isdigit():
        return "<num>"
    return _F_EMOTICON_MAP.get(tok, tok)


def frozen_tokenize(text: object) -> list[str]:
    tokens = _F_TOKEN_RE.findall(_f_clean(text))
    return [_f_map_token(t) if (t[0] in _F_MAPPED_FIRST or t[0].isdigit()) else t for t in tokens]


def frozen_encode(texts: list[object], index: dict[str, int], seq_len: int = SEQ_LEN) -> tuple[np.ndarray, list[list[str]]]:
    """The old per-tweet loop of Vocabulary.encode / encode_texts / encode_chunk."""
    out = np.zeros((len(texts), seq_len), dtype=np.int32)
    token_lists = []
    for row, text in enumerate(texts):
        tokens = frozen_tokenize(text)
        token_lists.append(tokens)
        head = tokens[:seq_len] if len(tokens) > seq_len else tokens
        if head:
            out[row, : len(head)] = [index.get(t, OOV_ID) for t in head]
    return out, token_lists


# ---------------------------------------------------------------------------------------------


def _check(texts: list[object], blocks: tuple[int, ...] = (1, 2, 3, 4096)) -> None:
    """tokenize_many == the frozen per-tweet tokens (and so does tokenize), at several block sizes."""
    want = [frozen_tokenize(t) for t in texts]
    assert [tokenize(t) for t in texts] == want
    saved = preprocess._BLOCK
    try:
        for block in blocks:
            preprocess._BLOCK = block
            assert tokenize_many(texts) == want, (block, texts)
    finally:
        preprocess._BLOCK = saved


def _shared_texts() -> list[str]:
    """Every tweet text in ../shared/data: the celebrity CSVs, TweetEval sentiment, Tweet Sentiment Extraction."""
    root = shared_data_dir()
    texts: list[str] = []
    for path in sorted((root / "celebrity_tweets").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            column = "text" if "text" in (reader.fieldnames or []) else "content"
            texts += [row[column] for row in reader]
    for split in ("train", "val", "test"):
        with (root / "tweeteval_sentiment" / f"{split}_text.txt").open(encoding="utf-8", newline="") as fh:
            texts += fh.read().split("\n")
    with (root / "tweet_sentiment_extraction" / "train.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts += [row["text"], row["selected_text"]]
    return texts


_HAVE_SHARED = all((shared_data_dir() / d).is_dir()
                   for d in ("celebrity_tweets", "tweeteval_sentiment", "tweet_sentiment_extraction"))


@pytest.fixture(scope="module")
def shared_texts() -> list[str]:
    if not _HAVE_SHARED:
        pytest.skip("needs ../shared/data")
    texts = _shared_texts()
    assert len(texts) > 100_000
    return texts


def test_tokenize_many_equals_frozen_tokenize_on_all_shared_data(shared_texts):
    want = [frozen_tokenize(t) for t in shared_texts]
    assert tokenize_many(shared_texts) == want
    # The single-tweet path (the faster regexes) too, on the tweets that exercise it most.
    odd = [t for t in shared_texts if not t.isascii() or "#" in t or "@" in t or "&" in t or "/" in t]
    assert [tokenize(t) for t in odd] == [frozen_tokenize(t) for t in odd]


def test_emoji_candidates_and_demojize_on_all_shared_data(shared_texts):
    """The coarser emoji start class finds every start the exact one found (and demojizes the same)."""
    for text in shared_texts:
        if text.isascii():
            continue
        old = {m.start() for m in _F_EMOJI_START_RE.finditer(text)}
        assert old <= {m.start() for m in preprocess._EMOJI_START_RE.finditer(text)}, text
        assert preprocess._demojize(text) == _f_demojize(text), text


def test_every_emoji_start_is_a_candidate():
    for seq in _F_EMOJI_NAMES:
        match = preprocess._EMOJI_START_RE.match(seq)
        if ord(seq[0]) > 0x7F:
            assert match is not None, seq
        elif match is None:  # an ASCII start: the old search never found it either
            assert _F_EMOJI_START_RE.match(seq) is None, seq
    assert preprocess._demojize("a 1️⃣ b #⃣") == _f_demojize("a 1️⃣ b #⃣")


def test_no_rule_creates_the_separator():
    assert all(preprocess._SEP_CHAR not in v for v in html.entities.html5.values())
    for ref in ("&#31;", "&#x1f;", "&#X1F;", "&#0031;", "&#31", "&#x1F"):
        assert html.unescape(ref) == "", ref
    assert all(preprocess._SEP_CHAR not in name for name in preprocess._EMOJI_NAMES.values())


EDGE_CASES = [
    # lookbehinds at a tweet's start behave as at the start of the text
    ["abc", "@user hi"], ["a@", "@b"], ["abc", "#Tag"], ["#", "#x"], ["x", ":) yes"], ["x:", ":)"],
    [":", ":)"], ["a", ":/"], [":/", "/"], [":d", "x"], ["x :)", ":-("], ["word_", ":p"],
    # Greek final sigma at a tweet's end / start (str.lower looks at the neighbours)
    ["ΟΔΟΣ", "Σ"], ["ΑΣ", "Α"], ["Σ", "ΑΣ"], ["ΑΣ\u0301", "Α"], ["ΑΣ'", "Α"], ["Α", "\u0301Σ"], ["ς", "Σα"],
    ["İstanbul", "İ"],
    # html entities at a tweet's end, and tweets with and without "&"
    ["Tom &amp", "; Jerry"], ["&", "amp;"], ["&lt", "3"], ["&#", "39;"], ["&#x1f;a", "b"], ["&#31;x", "y"],
    ["a &", "#35; b"], ["&amp;lt;3", "no amp"], ["&#10;x", "&NewLine;y"], ["&#x1F600;", "&#9829"],
    # elongation across the boundary
    ["aa", "a"], ["soo", "oo"], ["!!", "!"], ["a\n", "\n\na"], ["....", "."], ["zz", "zz"],
    # emoji at the edges
    ["😀", "😀"], ["❤", "\ufe0f"], ["1", "\ufe0f\u20e3"], ["#", "\u20e3"], ["🇺", "🇸"], ["👍", "🏽"],
    ["1️⃣", "2⃣", "#️⃣", "*⃣"], ["a😂", "😂b"], ["👨\u200d", "👩"], ["🫠", "\U0001fb00x", "\U0001f7ff"],
    # hashtags and CamelCase at the edges
    ["#MakeAmerica", "Great"], ["#COVID", "19"], ["#a", "B"], ["#Tag#Tag", "#tag"], ["#ABCd", "#abc_D1"],
    # URLs at a tweet's end; "WWW." only counts in a tweet that also holds "://" or "www."
    ["see http://x.co", "next"], ["http://", "x"], ["www.", "x"], ["WWW.EXAMPLE.COM"], ["Www.x.com and http://y"],
    ["WWW.x.com", "www.y.com"], ["wWw.a", "WwW.b www.c"], ["W. Bush", "WWW."], ["HTTPS://A.B"], ["httpſ://x"],
    ["&#87;WW.x"], ["&#119;ww.x http://y"],
    # numbers at the end
    ["123", "abc"], ["1.5", "5"], ["12,", "000"], ["2", "nd"], ["²", "x"], ["٣", "3"], ["10:30", ":)"],
    # the separator character inside a tweet, odd input
    ["a\x1fb", "c"], ["\x1f"], ["\n\x1f\n", "x"], ["x", "\x1f\x1f"], [None, float("nan"), 42, "", "  ", b"x"],
    ["can’t", "’s"], ["rock'n'roll", "'tis"], ["<url>", "<user>x"], ["", ""], [],
    ["a\ud83d\ud83d\ud83d b", "\udcff x", "ok \ud800"], ["\ud83d", "\ude00"], ["crlf\r\n", "\r\nx"],
]


@pytest.mark.parametrize("texts", EDGE_CASES, ids=lambda t: repr(t)[:40])
def test_edge_cases(texts):
    _check(list(texts))


def test_str_subclass_and_non_list_input():
    class Text(str):
        pass

    texts = [Text("Hello #World"), "x", Text("😀 &amp;")]
    want = [frozen_tokenize(t) for t in texts]
    assert tokenize_many(texts) == want
    assert tokenize_many(tuple(texts)) == want
    assert tokenize_many(iter(texts)) == want  # type: ignore[arg-type]


PIECES = (
    list("abcxyzABCXYZW0123456789@#&;:()'<3!?_-/. \n\t\r")
    + ["’", "😀", "❤️", "❤", "1️⃣", "\u20e3", "\ufe0f", "Σ", "ς", "İ", "ß", "ſ", "\x1f", "\u0301", "\u200d",
       "🏽", "🇺", "²", "٣", "\U0001f7ff", "\U0001d400", "é", "Ça", "日本",
       "amp;", "&amp;", "&lt;", "&#39;", "&#31;", "http://", "https://", "www.", "WWW.", "Www.",
       "#Tag", "@user", ":)", ":-(", ":d", ":p", "soooo", "!!!", "12.5", "<url>",
       "hello world", "don't", "i'm ", " a b", "_"]
)
tweets = st.one_of(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), st.none())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tweets, max_size=8))
def test_random_tweets(texts):
    _check(texts, blocks=(1, 3, 4096))


def test_encoders_match_the_old_per_tweet_loops():
    texts: list[object] = [t for case in EDGE_CASES for t in case]
    texts += ["good day " * 40, "good night", "", None, "Good unknownword :) 12 😀 #GoodDay"]
    if _HAVE_SHARED:
        texts += _shared_texts()[:6000]
    vocab = Vocabulary.build([frozen_tokenize(t) for t in texts], max_size=3000)
    index = vocab.index
    want_ids, want_tokens = frozen_encode(texts, index)
    np.testing.assert_array_equal(vocab.encode(texts), want_ids)
    np.testing.assert_array_equal(encode_tokens(want_tokens, index), want_ids)
    for seq_len in (0, 1, 7):
        np.testing.assert_array_equal(encode_tokens(want_tokens, index, seq_len), frozen_encode(texts, index, seq_len)[0])

    strings = [t for t in texts if isinstance(t, str)]
    ids, words = encode_texts(strings, index)
    old_ids, old_tokens = frozen_encode(list(strings), index)
    np.testing.assert_array_equal(ids, old_ids)
    assert words == _count_words(Counter(t for tokens in old_tokens for t in tokens))

    chunk = encode_chunk(strings, index)
    np.testing.assert_array_equal(chunk.ids, old_ids)
    from cta_desktop.core.judgement import JUDGED, judge_rows

    reasons, languages = judge_rows(strings, old_tokens, old_ids, index)
    np.testing.assert_array_equal(chunk.reasons, reasons)
    assert chunk.languages == languages
    counted = Counter(t for row, tokens in enumerate(old_tokens) if reasons[row] == JUDGED for t in tokens)
    assert chunk.words + words_of_ids(chunk.word_ids, vocab.words) == _count_words(counted)
    rows, cols = np.nonzero((old_ids == OOV_ID) & (reasons == JUDGED)[:, None])
    oov = [(r, countable_word(old_tokens[r][c])) for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
    assert list(zip(chunk.oov_rows.tolist(), chunk.oov_words, strict=True)) == [(r, w) for r, w in oov if w is not None]


def _count_words(counted: Counter[str]) -> Counter[str]:
    """The old loops' countable-word counts."""
    words: Counter[str] = Counter()
    for token, n in counted.items():
        word = countable_word(token)
        if word is not None:
            words[word] += n
    return words


def test_url_rule_spells_out_exactly_what_ignorecase_matched():
    """The URL regex lists the case variants by hand: (?i) must match nothing else for its letters."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(re.findall(r"(?i)[htpsw]", everything)) == set("hHtTpPsSwW\u017f")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_fast_regexes_match_the_plain_ones(text):
    assert preprocess._URL_RE.sub(" <url> ", text) == _F_URL_RE.sub(" <url> ", text)
    assert preprocess._MENTION_RE.sub(" <user> ", text) == _F_MENTION_RE.sub(" <user> ", text)
    assert preprocess._HASHTAG_RE.sub(preprocess._split_hashtag, text) == _F_HASHTAG_RE.sub(_f_split_hashtag, text)
    spans = {m.span() for m in _F_EMOJI_START_RE.finditer(text)}
    assert spans <= {m.span() for m in preprocess._EMOJI_START_RE.finditer(text + "\U0001fb00")}
    assert preprocess._demojize(text) == _f_demojize(text)
    want = _F_ELONGATION_RE.sub(r"\1\1", text)
    assert preprocess._shorten_elongations(text) == want
    saved = preprocess._NUMPY_ELONGATION_FROM
    try:  # the NumPy form that blocks take
        preprocess._NUMPY_ELONGATION_FROM = 0
        assert preprocess._shorten_elongations(text) == want
    finally:
        preprocess._NUMPY_ELONGATION_FROM = saved
    lowered = text.lower()
    runs = preprocess._TOKEN_SEP_RE.findall(lowered)
    assert (" ".join(runs).split(" ") if runs else []) == re.findall(_F_TOKEN_RE.pattern + r"|\x1f", lowered)
    odd = {m.start() for m in re.finditer(r"(?i:www\.)", text) if text[m.start():m.end()] != "www."}
    assert {m.start() for m in preprocess._ODD_WWW_RE.finditer(text)} == odd
