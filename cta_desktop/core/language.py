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
process, on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Container, Sequence
from typing import Any

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


def detect_language(text: str, tokens: Sequence[str] | None = None, vocab: Container[str] | None = None) -> str:
    """ISO 639-1 code of the tweet's language as far as judging it goes ("en": the model can read it).

    `tokens`, when given, must be `preprocess.tokenize(text)` (the analysis has them already).
    `vocab` (the model's words) allows a cheap pre-check: a tweet of four words or more, at least
    75% of them known to the English-trained model, is English without asking the identifier
    (on the celebrity archives and TweetEval this never changes the answer; measured in the tests)."""
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
    lang, p = _identifier().classify(joined)
    if lang != ENGLISH and not ascii_text and _latin_outweighed(joined):
        return str(lang)  # mostly another script
    if lang != ENGLISH and len(words) >= MIN_WORDS and p >= MIN_CONFIDENCE:
        return str(lang)
    return ENGLISH  # English, or Latin letters too few or too unclear to tell


def is_english(text: str, tokens: Sequence[str] | None = None) -> bool:
    return detect_language(text, tokens) == ENGLISH


def language_name(code: str) -> str:
    """"German" for "de"; the code itself for a language without a name here."""
    return LANGUAGE_NAMES.get(code, code)
