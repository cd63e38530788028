"""Why this label: each token's push on each class, by occlusion.

For a tweet with tokens t1..tn (as `preprocess.tokenize` makes them) the model runs on the full
token sequence and on n variants, each with one token removed (the rest moved up, padded as usual);
all n + 1 rows of a tweet go through the engine in one batch (`explain_many`: the rows of many
tweets in one batch). A token's push on class c is

    push_c(token) = p_c(full tweet) - p_c(tweet without that token)

so a positive push means the token moves the model toward c. Tokens the vocabulary does not know
push 0 by definition: the model never sees the word, only an "unknown word" marker; tokens past the
50 the model reads push 0 too. This shows what the model relies on, not whether it is right.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.preprocess import (
    EMOTICON_TOKENS,
    MENTION_RE,
    NUMBER_TOKEN,
    OOV_ID,
    SEQ_LEN,
    URL_RE,
    URL_TOKEN,
    USER_TOKEN,
    emoji_spans,
    tokenize,
)

NOTE = "Highlighted words show what the model relies on for this label, not whether the label is true."
# Colours of highlighted words (the app's sentiment colours; "away" marks words pulling the other way).
LABEL_COLOURS = {"negative": "#d9534f", "neutral": "#8e95a3", "positive": "#2ea66b"}
AWAY_COLOUR = "#7b61ff"
MIN_SCALE = 0.05  # pushes are scaled by the tweet's largest, but never by less than this (noise stays pale)
SHADE_FLOOR = 0.08  # a push under this share of that scale is not shaded


@dataclass
class TokenPush:
    """One token of the tweet and its push on each class (p_class(full) - p_class(without it))."""

    token: str
    attribution: dict[str, float]
    known: bool = True  # in the vocabulary and within the tokens the model reads

    def toward(self, label: str) -> float:
        """The push toward `label` (negative: away from it)."""
        return self.attribution[label]


@dataclass
class Explanation:
    text: str
    label: str
    probabilities: dict[str, float]
    tokens: list[TokenPush] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return self.probabilities[self.label]

    def strongest(self, label: str | None = None, n: int = 3) -> list[TokenPush]:
        """The n tokens pushing hardest toward `label` (default: the tweet's own label)."""
        label = label or self.label
        return sorted((t for t in self.tokens if t.known), key=lambda t: -t.attribution[label])[:n]

    def as_json(self, digits: int = 4) -> dict[str, Any]:
        """{"text", "label", "probabilities": {class: p}, "tokens": [{"token", "attribution": {class: push}}]}."""
        return {
            "text": self.text,
            "label": self.label,
            "probabilities": {k: round(v, digits) for k, v in self.probabilities.items()},
            "tokens": [{"token": t.token, "attribution": {k: round(v, digits) for k, v in t.attribution.items()}}
                       for t in self.tokens],
        }


def _variants(ids: list[int], known: list[bool]) -> np.ndarray:
    """The full row, then one row per occluded (known) token, each padded to SEQ_LEN."""
    rows = [ids] + [ids[:i] + ids[i + 1:] for i, k in enumerate(known) if k]
    out = np.zeros((len(rows), SEQ_LEN), np.int32)
    for r, row in enumerate(rows):
        out[r, : len(row)] = row
    return out


class Explainer:
    """Occlusion explanations with one model and engine (default: the shipped model, best engine).

    Thread-safe as far as the engine is (the NZB and reference engines are)."""

    def __init__(self, model: Any = None, engine: Any = None):
        if model is None:
            from cta_desktop.core.modelstore import load_model

            model = load_model()
        if engine is None:
            from cta_desktop.core.engines import best_engine

            engine = best_engine(model)
        self.model, self.engine, self.index = model, engine, model.vocab.index

    def _prepare(self, text: str) -> tuple[list[str], list[bool], np.ndarray]:
        tokens = tokenize(text)
        ids = [self.index.get(t, OOV_ID) for t in tokens[:SEQ_LEN]]
        known = [i != OOV_ID for i in ids] + [False] * (len(tokens) - len(ids))
        return tokens, known, _variants(ids, known[: len(ids)])

    def explain(self, text: str) -> Explanation:
        """One tweet: its n + 1 rows in one engine batch."""
        return self.explain_many([text])[0]

    def explain_many(self, texts: Sequence[str]) -> list[Explanation]:
        """Many tweets: every variant of every tweet in one engine batch."""
        prepared = [self._prepare(t if isinstance(t, str) else "") for t in texts]
        if not prepared:
            return []
        batch = np.concatenate([rows for _, _, rows in prepared])
        probs = np.asarray(self.engine.predict_proba(batch), dtype=np.float64)
        out: list[Explanation] = []
        start = 0
        for text, (tokens, known, rows) in zip(texts, prepared, strict=True):
            p = probs[start: start + len(rows)]
            start += len(rows)
            full = p[0]
            pushes = full[None, :] - p[1:]
            label = LABELS[int(full.argmax())]
            items: list[TokenPush] = []
            j = 0
            for tok, k in zip(tokens, known, strict=True):
                if k:
                    push = {c: float(pushes[j, ci]) for ci, c in enumerate(LABELS)}
                    j += 1
                else:
                    push = dict.fromkeys(LABELS, 0.0)
                items.append(TokenPush(tok, push, k))
            out.append(Explanation(text=text if isinstance(text, str) else "", label=label,
                                   probabilities={c: float(full[ci]) for ci, c in enumerate(LABELS)}, tokens=items))
        return out


def explain(text: str, model: Any = None, engine: Any = None) -> Explanation:
    """Explain one tweet with the shipped model (or the given one)."""
    return Explainer(model, engine).explain(text)


# as the tokenizer reads digits: a number (not run into letters), else a word starting with a digit
_NUMBER_RE = re.compile(r"[0-9]+(?:[.,:][0-9]+)*(?![^\W_])|[0-9][^\W_]*")


def _word_re(token: str) -> re.Pattern[str]:
    # preprocessing lower-cases, shortens runs of 3+ letters to 2 and writes ’ as '; "!!!" is two "!" tokens
    if not token.isalnum() and len(token) == 1:
        return re.compile(re.escape(token))
    return re.compile("".join("['’]" if c == "'" else re.escape(c) + "+" for c in token), re.IGNORECASE)


def _any_case(*literals: str) -> re.Pattern[str]:
    # searched in the text as written: positions in text.lower() can differ ("İ" lowers to two characters)
    return re.compile("|".join(map(re.escape, literals)), re.IGNORECASE)


def _starts_a_word(text: str, i: int, pos: int) -> bool:
    """A token may start right after the previous one, after a non-word character, or at a
    CamelCase or letter-digit boundary (where hashtags are split)."""
    if i == pos or i == 0 or not (text[i - 1].isalnum()):
        return True
    return (text[i - 1].islower() and text[i].isupper()) or (text[i - 1].isalpha() and text[i].isdigit())


def align_tokens(text: str, tokens: Sequence[str]) -> list[tuple[int, int]] | None:
    """Where each of `tokenize(text)`'s tokens is in the tweet as written: (start, end) per token, in
    order; None if a token cannot be placed (the caller then shows the tokens themselves)."""
    emoji = emoji_spans(text) if not text.isascii() else []
    spans: list[tuple[int, int]] = []
    pos = 0
    for tok in tokens:
        found: tuple[int, int] | None = None
        if tok == URL_TOKEN or tok == USER_TOKEN or tok == NUMBER_TOKEN:
            rx = URL_RE if tok == URL_TOKEN else MENTION_RE if tok == USER_TOKEN else _NUMBER_RE
            m = rx.search(text, pos)
            found = m.span() if m else None
        elif tok in EMOTICON_TOKENS:
            m = _any_case(*EMOTICON_TOKENS[tok]).search(text, pos)
            found = m.span() if m else None
        elif len(tok) > 2 and tok[0] == ":" and tok[-1] == ":":
            found = next(((i, end) for i, end, name in emoji if i >= pos and name == tok), None)
            if found is None and (m := _any_case(tok).search(text, pos)):  # typed as text
                found = m.span()
        else:
            found = next((m.span() for m in _word_re(tok).finditer(text, pos)
                          if _starts_a_word(text, m.start(), pos)), None)
        if found is None:
            return None
        spans.append(found)
        pos = found[1]
    return spans


def _placed(ex: Explanation) -> tuple[str, list[tuple[int, int]] | None]:
    """The tweet as shown (HTML entities read) and where its tokens are in it (None: not all placed)."""
    text = html.unescape(ex.text) if "&" in ex.text else ex.text
    return text, align_tokens(text, [t.token for t in ex.tokens]) if ex.tokens else None


def written_forms(ex: Explanation) -> list[str]:
    """Each token as the tweet writes it (`:red_heart:` -> "❤️", `<user>` -> "@bob"); the tokens
    themselves if they cannot all be placed in the text."""
    text, places = _placed(ex)
    return [t.token for t in ex.tokens] if places is None else [text[a:b] for a, b in places]


def _blend(colour: str, background: str, strength: float) -> str:
    """`colour` laid over `background` at `strength` (0..1), as #rrggbb (Qt's rich text has no alpha)."""
    a = max(0.0, min(1.0, strength))
    c = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(background[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(bv + (cv - bv) * a):02x}" for cv, bv in zip(c, b, strict=True))


def _luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(shade: str) -> str:
    """Black or white, whichever contrasts more with `shade` (WCAG): the theme's own text colour can
    fade into a shade (light text on a pale one in a dark theme)."""
    lum = _luminance(shade)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def _scaled_pushes(ex: Explanation) -> tuple[list[float], float]:
    """Each token's push on the tweet's label, and the scale shading measures them against."""
    pushes = [t.attribution[ex.label] for t in ex.tokens]
    return pushes, max([MIN_SCALE, *(abs(p) for p in pushes)])


def shaded_tokens(ex: Explanation) -> list[TokenPush]:
    """The tokens `highlight_html` shades. Empty when no single word moves the label much: a tweet the model
    is nearly sure of often loses little probability whichever one word is taken out."""
    pushes, scale = _scaled_pushes(ex)
    return [t for t, p in zip(ex.tokens, pushes, strict=True) if t.known and abs(p) / scale >= SHADE_FLOOR]


def highlight_html(ex: Explanation, *, background: str = "#ffffff", colours: dict[str, str] | None = None,
                   away: str = AWAY_COLOUR) -> str:
    """The tweet as written, its words shaded by their push toward (label colour) or away from
    (`away` colour) the tweet's label; strength relative to the tweet's strongest push. Where a token
    cannot be placed in the text (rare), the model's tokens are shown instead."""
    colours = colours or LABEL_COLOURS
    pushes, scale = _scaled_pushes(ex)

    def span(t: TokenPush, p: float, word: str) -> str:
        strength = abs(p) / scale
        if not t.known or strength < SHADE_FLOOR:
            return f"<span>{word}</span>"
        shade = _blend(colours[ex.label] if p > 0 else away, background, 0.85 * strength)
        sign = "toward" if p > 0 else "away from"
        return (f"<span style=\"background-color:{shade}; color:{_ink(shade)}\" title=\"{100 * abs(p):.0f} points {sign} "
                f"{ex.label}\">{word}</span>")

    text, places = _placed(ex)
    if places is None:
        return " ".join(span(t, p, html.escape(t.token)) for t, p in zip(ex.tokens, pushes, strict=True))
    parts, last = [], 0
    for t, p, (start, end) in zip(ex.tokens, pushes, places, strict=True):
        parts.append(html.escape(text[last:start]))
        parts.append(span(t, p, html.escape(text[start:end])))
        last = end
    parts.append(html.escape(text[last:]))
    return "".join(parts)
