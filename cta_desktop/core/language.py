"""Is this tweet English? The model was trained on English tweets only, so it cannot judge others.

The decision, cheapest step first (measured on the celebrity archives, TweetEval and a
multilingual check set, tests/data/multilingual_tweets.csv; see the README):

1. Word tokens (as `preprocess.tokenize` makes them; links, mentions, numbers, emoji and
   emoticons are not words). No words at all: nothing to identify, counted as English here
   (the "no known words" reason catches bare links and mentions).
2. English evidence: two or more distinctly English function words ("the", "you", "with", ...;
   none of them a common word in Spanish, French, German, Portuguese, Italian or Dutch), or one
   in a tweet of at most three words, and no other script outweighing the Latin letters -> English,
   without calling the identifier. This keeps "Thank you Paris! Merci beaucoup, what a night"
   English, where every identifier we measured calls short tweets like it French or German.
3. ASCII text of fewer than three words without that evidence ("lol", "so tired"): too short to
   tell, English.
4. Otherwise `py3langid` (a maintained, offline fork of langid.py whose model ships in its wheel),
   restricted to the languages tweets in an English-speaking app's imports are likely to be in.

`detect_language` returns an ISO 639-1 code ("en" for English). An identifier is built once per
process, on first use. `detect_languages` decides a chunk of tweets and asks the identifier once for
all that need it; in the analysis its byte walk and sparse product run compiled
(`_kernels_tokens.langid_features` / `langid_scores`, about 13x faster than its `classify`), checked
against py3langid's own `classify` on probe texts before they are used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container, Sequence
from typing import Any

import numpy as np

from cta_desktop.core.preprocess import tokenize

ENGLISH = "en"
# The languages the identifier chooses between (more choice means more wrong guesses on short texts).
LIKELY_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl", "ko", "ja", "zh", "ar", "ru", "tr", "id", "hi",
                    "th", "tl", "pl", "sv")
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "ar": "Arabic", "ru": "Russian",
    "tr": "Turkish", "id": "Indonesian", "hi": "Hindi", "th": "Thai", "tl": "Tagalog", "pl": "Polish",
    "sv": "Swedish",
}
# Distinctly English words: frequent in English tweets and not common words of the other likely
# Latin-script languages (so no "a", "me", "no", "in", "was", "so", "an", "die", "on", "also").
ENGLISH_MARKERS = frozenset("""
the and you your you're youre i'm im i'll i've are were been be being to of for with this that these those
it it's its my we're our they they're their them have has had just what when where who why how not don't
can't didn't doesn't won't isn't but all from get got about would could should thank thanks today tonight
great good love new people there here out up over again after more some very really our us he she his her him
everyone everybody whatever happy night day week year back see know think need going
""".split())
_NON_WORD_START = frozenset("<:!?0123456789")  # placeholders, emoji names, emoticons, ! ?, numbers
# A Latin-script tweet is called another language only with this many words and this probability
# (normalised over LIKELY_LANGUAGES): names and hashtags alone ("Alicia Vikander FTW") look foreign.
MIN_WORDS = 4
MIN_CONFIDENCE = 0.9
KNOWN_SHARE = 0.75  # the vocabulary pre-check (see detect_language)

_IDENTIFIER: Any = None
_LOCK = threading.Lock()
# The compiled DFA walk (`_kernels_tokens.langid_features`), and py3langid's model as its arrays.
Walk = tuple[Callable[..., Any], Callable[..., Any]]  # (langid_features, langid_scores)
_WALK_TABLES: Any = None


def _identifier() -> Any:
    global _IDENTIFIER
    if _IDENTIFIER is None:
        with _LOCK:
            if _IDENTIFIER is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                ident.set_languages(list(LIKELY_LANGUAGES))
                _IDENTIFIER = ident
    return _IDENTIFIER


def warm_up() -> None:
    """Load the identifier now (the app does this in the background at start-up)."""
    _identifier()


def word_tokens(tokens: Sequence[str]) -> list[str]:
    """The tokens that are words (no placeholders, emoji names, emoticons, numbers or ! ?)."""
    skip = _NON_WORD_START
    return [t for t in tokens if t[0] not in skip]


def _latin_outweighed(text: str) -> bool:
    """True when letters of another script (Hangul, kana, CJK, Arabic, Cyrillic, ...) outnumber Latin ones.

    CJK characters count three times: one of them is about a word."""
    latin = other = 0
    for ch in text:
        if ch.isalpha():
            cp = ord(ch)
            if cp < 0x250:
                latin += 1
            elif 0x2E80 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF:
                other += 3
            else:
                other += 1
    return other > latin


def _before_identifier(text: str, tokens: Sequence[str] | None, vocab: Container[str] | None) -> str | tuple[str, bool, int]:
    """detect_language's rules that need no identifier: the answer, or what the identifier must decide
    (the words joined, whether they are ASCII, how many)."""
    if not isinstance(text, str) or not text:
        return ENGLISH
    words = word_tokens(tokenize(text) if tokens is None else tokens)
    if not words:
        return ENGLISH
    joined = " ".join(words)
    ascii_text = joined.isascii()  # the words only: emoji, links and mentions do not count
    hits = 0
    for w in words:
        if w in ENGLISH_MARKERS:
            hits += 1
            if hits >= 2:
                break
    if (hits >= 2 or (hits and len(words) <= 3)) and (ascii_text or not _latin_outweighed(joined)):
        return ENGLISH
    if ascii_text and len(words) < MIN_WORDS:
        return ENGLISH
    if vocab is not None and sum(map(vocab.__contains__, words)) >= KNOWN_SHARE * len(words):
        return ENGLISH
    return joined, ascii_text, len(words)


def _after_identifier(lang: str, p: float, joined: str, ascii_text: bool, n_words: int) -> str:
    if lang != ENGLISH and not ascii_text and _latin_outweighed(joined):
        return str(lang)  # mostly another script
    if lang != ENGLISH and n_words >= MIN_WORDS and p >= MIN_CONFIDENCE:
        return str(lang)
    return ENGLISH  # English, or Latin letters too few or too unclear to tell


def detect_language(text: str, tokens: Sequence[str] | None = None, vocab: Container[str] | None = None) -> str:
    """ISO 639-1 code of the tweet's language as far as judging it goes ("en": the model can read it).

    `tokens`, when given, must be `preprocess.tokenize(text)` (the analysis has them already).
    `vocab` (the model's words) allows a cheap pre-check: a tweet of four words or more, at least
    75% of them known to the English-trained model, is English without asking the identifier
    (on the celebrity archives and TweetEval this never changes the answer; measured in the tests)."""
    asked = _before_identifier(text, tokens, vocab)
    if isinstance(asked, str):
        return asked
    lang, p = _identifier().classify(asked[0])
    return _after_identifier(lang, p, *asked)


def detect_languages(texts: Sequence[str], tokens: Sequence[Sequence[str]], vocab: Container[str] | None = None,
                     walk: Walk | None = None) -> list[str]:
    """`detect_language` of each text (`tokens[i]` = `tokenize(texts[i])`), the identifier asked once
    for all that need it: through `walk` (the compiled kernels, `fast_tokens.langid_walk()`) when given."""
    out: list[str] = []
    asked: list[tuple[int, tuple[str, bool, int]]] = []
    for i, text in enumerate(texts):
        pre = _before_identifier(text, tokens[i], vocab)
        if isinstance(pre, str):
            out.append(pre)
        else:
            out.append(ENGLISH)
            asked.append((i, pre))
    if asked:
        for (i, pre), (lang, p) in zip(asked, identify_many([pre[0] for _, pre in asked], walk), strict=True):
            out[i] = _after_identifier(lang, p, *pre)
    return out


def _walk_tables(walk: Walk, ident: Any) -> Any:
    """py3langid's DFA as arrays for `walk`, or False when this py3langid keeps its model otherwise (or
    the kernels disagree with its own `classify` on the probes): then `classify` is asked text by text.
    (`ident` is got before the lock: `_identifier` takes the same lock.)"""
    global _WALK_TABLES
    if _WALK_TABLES is None:
        with _LOCK:
            if _WALK_TABLES is None:
                _WALK_TABLES = _build_walk_tables(walk, ident)
    return _WALK_TABLES


_PROBES = ("Merci beaucoup pour cette belle soirée à Paris", "Vielen Dank für den schönen Abend in Berlin",
           "오늘 정말 감사합니다 여러분", "gracias por todo amigos de Madrid", "zzqx", "")


def _build_walk_tables(walk: Walk, ident: Any) -> Any:
    try:
        nextmove = np.frombuffer(ident.tk_nextmove, dtype=np.uint32 if ident.tk_nextmove.itemsize == 4 else np.uint64)
        output = np.asarray(ident.tk_output, np.int64)
        # the float16 feature-by-language table in float32 once (every product with it casts it anyway)
        tables = (ident, nextmove, np.asarray(ident._rowbase, np.int64), output, max(int(output.max()) + 1, 1),
                  np.asarray(ident.nb_ptc, np.float32))
        ours, theirs = _identify_walked(tables, _PROBES, walk), [ident.classify(t) for t in _PROBES]
        if any(a[0] != b[0] or abs(a[1] - b[1]) > 1e-5 for a, b in zip(ours, theirs, strict=True)):
            return False
    except Exception:  # noqa: BLE001 - another py3langid layout: its own classify serves
        return False
    return tables


def compiled_identifier_ready(walk: Walk | None) -> bool:
    """Whether `identify_many` runs through these kernels here (they matched py3langid's own `classify`
    on the probe texts); False: it asks `classify` text by text."""
    return walk is not None and _walk_tables(walk, _identifier()) is not False


def identify_many(texts: Sequence[str], walk: Walk | None = None) -> list[tuple[str, float]]:
    """py3langid's (language, probability) of each text, as its `classify` gives them: through the
    compiled kernels (`walk`) when given, the same languages and the probabilities to about 1e-6."""
    ident = _identifier()
    tables = _walk_tables(walk, ident) if walk is not None and texts else False
    if walk is None or tables is False:
        return [ident.classify(t) for t in texts]
    return _identify_walked(tables, texts, walk)


def _identify_walked(tables: Any, texts: Sequence[str], walk: Walk) -> list[tuple[str, float]]:
    """`LanguageIdentifier.classify` (py3langid 0.4: `_decide` on `_raw_score`) for all texts at once:
    its byte loop (`visit_counts`) and its sparse product compiled (`walk`), the rest as it does."""
    ident, nextmove, rowbase, output, n_feats, ptc32 = tables
    data = [ident._encode(t) for t in texts]
    offs = np.zeros(len(data) + 1, np.int64)
    np.cumsum([len(b) for b in data], out=offs[1:])
    buf = np.frombuffer(b"".join(data), np.uint8)
    feats, counts, text_off = walk[0](nextmove, rowbase, output, buf, offs, np.full(n_feats, -1, np.int64))
    norm = ident._norm_probs
    fill = 0.0 if norm else float(np.finfo(np.float32).min)
    scores = walk[1](feats, counts, text_off, ptc32, ident.nb_pc, np.float32(fill))
    if norm:  # `_decide`, row by row as it does for one text
        scores *= (1.0 / np.sqrt(np.maximum(np.diff(offs), 1))).astype(np.float32)[:, None]
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:
        if norm:
            scores[:, i] += scores[:, j]
            scores[:, j] = 0.0
        else:
            scores[:, i] = np.maximum(scores[:, i], scores[:, j])
            scores[:, j] = fill
    best = scores.argmax(axis=1)
    conf = scores[np.arange(len(best)), best].tolist()
    classes, floor = ident.nb_classes, ident.min_confidence
    return [("und", p) if floor is not None and p < floor else (classes[i], p)
            for i, p in zip(best.tolist(), conf, strict=True)]


def is_english(text: str, tokens: Sequence[str] | None = None) -> bool:
    return detect_language(text, tokens) == ENGLISH


def language_name(code: str) -> str:
    """"German" for "de"; the code itself for a language without a name here."""
    return LANGUAGE_NAMES.get(code, code)
