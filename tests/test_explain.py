"""Occlusion explanations (core/explain.py) and `cta-desktop explain`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cta_desktop.cli import main
from cta_desktop.core.explain import Explainer
from cta_desktop.core.model_spec import LABELS
from cta_desktop.core.preprocess import SEQ_LEN
from cta_desktop.core.wording import sure_text


class CountingEngine:
    def __init__(self, engine):
        self.engine, self.calls, self.name = engine, [], "counting"

    def predict_proba(self, ids: np.ndarray) -> np.ndarray:
        self.calls.append(len(ids))
        return self.engine.predict_proba(ids)


@pytest.fixture(scope="module")
def explainer() -> Explainer:
    return Explainer()


@pytest.mark.parametrize(("text", "word", "label"), [
    ("I love this so much", "love", "positive"),
    ("what a terrible and rude service", "terrible", "negative"),
    ("I hate mondays", "hate", "negative"),
])
def test_the_telling_word_pushes_hardest(explainer: Explainer, text: str, word: str, label: str) -> None:
    ex = explainer.explain(text)
    assert ex.label == label
    top = max(ex.tokens, key=lambda t: t.attribution[label])
    assert top.token == word
    assert top.attribution[label] > 0.1
    assert ex.strongest(n=1)[0].token == word


def test_unknown_word_pushes_zero(explainer: Explainer) -> None:
    ex = explainer.explain("I love this qzxvbnmw so much")
    unknown = [t for t in ex.tokens if t.token == "qzxvbnmw"]
    assert unknown and not unknown[0].known
    assert all(v == 0.0 for v in unknown[0].attribution.values())
    assert any(abs(v) > 0.01 for t in ex.tokens if t.known for v in t.attribution.values())


def test_push_is_full_minus_occluded(explainer: Explainer) -> None:
    text = "what a terrible and rude service"
    ex = explainer.explain(text)
    ids = [explainer.index[t] for t in ("what", "a", "terrible", "and", "rude", "service")]
    rows = np.zeros((2, SEQ_LEN), np.int32)
    rows[0, :6] = ids
    rows[1, :5] = ids[:2] + ids[3:]  # without "terrible", the rest moved up
    p = explainer.engine.predict_proba(rows)
    for ci, c in enumerate(LABELS):
        assert ex.probabilities[c] == pytest.approx(float(p[0, ci]), abs=1e-6)
        assert ex.tokens[2].attribution[c] == pytest.approx(float(p[0, ci] - p[1, ci]), abs=1e-6)
    assert sum(ex.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    for t in ex.tokens:  # pushes on the three classes are differences of two distributions
        assert sum(t.attribution.values()) == pytest.approx(0.0, abs=1e-5)


def test_one_batch_per_tweet_and_batch_agrees_with_one_by_one(explainer: Explainer) -> None:
    counting = CountingEngine(explainer.engine)
    ex = Explainer(explainer.model, counting)
    texts = ["I love this so much", "I hate mondays", "https://t.co/x", "Ugh, the traffic today was awful #mondays"]
    singles = [ex.explain(t) for t in texts]
    assert counting.calls == [1 + sum(t.known for t in s.tokens) for s in singles]
    counting.calls.clear()
    many = ex.explain_many(texts)
    assert len(counting.calls) == 1
    for a, b in zip(singles, many, strict=True):
        assert a.label == b.label
        assert [t.token for t in a.tokens] == [t.token for t in b.tokens]
        for ta, tb in zip(a.tokens, b.tokens, strict=True):
            for c in LABELS:
                assert ta.attribution[c] == pytest.approx(tb.attribution[c], abs=1e-5)


def test_tokens_past_the_model_window_push_zero(explainer: Explainer) -> None:
    ex = explainer.explain(" ".join(["good"] * (SEQ_LEN + 5)))
    assert len(ex.tokens) == SEQ_LEN + 5
    assert all(not t.known and t.attribution["positive"] == 0 for t in ex.tokens[SEQ_LEN:])


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "I love this so much", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"text", "label", "probabilities", "tokens"}
    assert out["text"] == "I love this so much" and out["label"] == "positive"
    assert set(out["probabilities"]) == set(LABELS)
    assert [t["token"] for t in out["tokens"]] == ["i", "love", "this", "so", "much"]
    love = out["tokens"][1]["attribution"]
    assert love["positive"] == max(t["attribution"]["positive"] for t in out["tokens"])


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "I hate mondays"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("negative (") and "% sure)" in out and "hate" in out


def test_sure_text() -> None:
    assert sure_text(0.8234) == "82% sure"
    assert sure_text(0.9996) == "99% sure"
    assert sure_text(1.0) == "100% sure"
    assert sure_text(0.001) == "1% sure"


def test_highlight_html(explainer: Explainer) -> None:
    from cta_desktop.core.explain import highlight_html

    ex = explainer.explain("what a terrible and rude service qzxvbnmw")
    out = highlight_html(ex)
    assert out.count("<span") == len(ex.tokens)
    assert '">terrible</span>' in out and "toward negative" in out
    assert "<span>qzxvbnmw</span>" in out  # unknown words are never shaded
    dark = highlight_html(ex, background="#202020")
    assert dark != out and '">terrible</span>' in dark


def _plain(markup: str) -> str:
    """The text a reader sees in highlight_html's output (tags dropped, entities read)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", markup))


@pytest.mark.parametrize(("text", "words"), [
    ("@Bob loooove this!!! http://t.co/x #HappyBirthday2You :) 12,000 fans?",
     ["@Bob", "loooove", "this", "!", "!", "http://t.co/x", "Happy", "Birthday", "2You", ":)", "12,000", "fans", "?"]),
    ("I ❤️ NY 😀😀 at 4:30pm", ["I", "❤️", "NY", "😀", "😀", "at", "4", "30pm"]),
    ("Tom&amp;Jerry’s show is sooo GOOD :D", ["Tom", "Jerry’s", "show", "is", "sooo", "GOOD", ":D"]),
    # "İ" lower-cases to two characters: emoticons and typed emoji names are found in the text as written
    ("İstanbul :) ok", ["İ", "stanbul", ":)", "ok"]),
    ("İstanbul :RED_HEART: yes", ["İ", "stanbul", ":RED_HEART:", "yes"]),
])
def test_tokens_are_found_in_the_tweet_as_written(text: str, words: list[str]) -> None:
    import html

    from cta_desktop.core.explain import align_tokens
    from cta_desktop.core.preprocess import tokenize

    shown = html.unescape(text)
    spans = align_tokens(shown, tokenize(text))
    assert spans is not None and [shown[a:b] for a, b in spans] == words


def test_a_token_that_cannot_be_placed_gives_none() -> None:
    from cta_desktop.core.explain import align_tokens

    assert align_tokens("good day", ["good", "night"]) is None
    assert align_tokens("good day", ["<user>"]) is None


def test_highlights_show_the_tweet_as_written(explainer: Explainer) -> None:
    from cta_desktop.core.explain import highlight_html

    text = "@Bob I HATE this sooo much 😡 http://t.co/x &amp; more"
    ex = explainer.explain(text)
    out = highlight_html(ex)
    assert _plain(out) == "@Bob I HATE this sooo much 😡 http://t.co/x & more"
    assert '">HATE</span>' in out and "toward negative" in out and "<user>" not in out
    assert out.count("<span") == len(ex.tokens)


def test_highlights_fall_back_to_the_tokens_when_a_token_cannot_be_placed(explainer: Explainer) -> None:
    from cta_desktop.core.explain import highlight_html

    ex = explainer.explain("Miss you already. #1989SecretSessions")  # "1989secret" is read as a number
    assert _plain(highlight_html(ex)) == " ".join(t.token for t in ex.tokens)


def test_real_tweets_are_shown_as_written() -> None:
    import csv
    import html

    from cta_desktop.core.explain import align_tokens
    from cta_desktop.core.preprocess import tokenize_many
    from cta_desktop.training.data import default_tweeteval_dir

    folder = default_tweeteval_dir().parent / "celebrity_tweets"
    if not folder.exists():
        pytest.skip("celebrity archives not available")
    with open(folder / "katyperry.csv", encoding="utf-8", newline="") as f:
        texts = [html.unescape(row["content"]) for row in csv.DictReader(f)]
    placed = 0
    for text, tokens in zip(texts, tokenize_many(texts), strict=True):
        spans = align_tokens(text, tokens)
        if spans is None:
            continue
        placed += 1
        assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:], strict=False)), text
    assert placed >= 0.97 * len(texts), f"{placed} of {len(texts)}"


def test_written_forms_name_each_token_as_the_tweet_writes_it(explainer: Explainer) -> None:
    from cta_desktop.core.explain import written_forms

    ex = explainer.explain("@Bob LOVES it ❤️ :)")
    assert [t.token for t in ex.tokens] == ["<user>", "loves", "it", ":red_heart:", "<smile>"]
    assert written_forms(ex) == ["@Bob", "LOVES", "it", "❤️", ":)"]
    fallback = explainer.explain("Miss you already. #1989SecretSessions")
    assert written_forms(fallback) == [t.token for t in fallback.tokens]


def test_shaded_words_get_the_ink_that_reads_on_their_shade(explainer: Explainer) -> None:
    import re

    from cta_desktop.core.explain import highlight_html

    def luminance(colour: str) -> float:
        c = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    ex = explainer.explain("what a terrible and rude service, not good at all")
    inks = set()
    for background in ("#ffffff", "#202020", "#8e95a3"):
        pairs = re.findall(r"background-color:(#[0-9a-f]{6}); color:(#[0-9a-f]{6})",
                           highlight_html(ex, background=background))
        assert pairs
        for shade, ink in pairs:
            hi, lo = sorted((luminance(shade), luminance(ink)), reverse=True)
            assert (hi + 0.05) / (lo + 0.05) >= 4.5, (background, shade, ink)  # WCAG AA for text
            inks.add(ink)
    assert inks == {"#000000", "#ffffff"}  # pale shades get black, strong dark ones white


def test_shaded_tokens_are_the_ones_highlight_html_shades() -> None:
    from cta_desktop.core.explain import Explanation, TokenPush, highlight_html, shaded_tokens

    def ex(pushes: list[float]) -> Explanation:
        tokens = [TokenPush(w, {"negative": -p, "neutral": 0.0, "positive": p}) for w, p in zip("abc", pushes, strict=True)]
        return Explanation("a b c", "positive", {"negative": 0.0, "neutral": 0.0, "positive": 1.0}, tokens)

    # a tweet the model is sure of whichever word goes: every push tiny, none shaded
    sure = ex([0.002, -0.001, 0.003])
    assert shaded_tokens(sure) == [] and "background-color" not in highlight_html(sure)
    telling = ex([0.30, 0.01, -0.05])
    assert [t.token for t in shaded_tokens(telling)] == ["a", "c"]
    assert highlight_html(telling).count("background-color") == 2
