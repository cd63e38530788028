"""Preprocessing throughput on real tweets: the compiled tokenizer (fast_tokens.encode: what the
analysis workers run, token ids straight from the text), tokenize_many() + encode_tokens() (the Python
path: a chunk at a time), tokenize() one tweet at a time, and a plain emoji.demojize pass for scale.

    python benchmarks/bench_preprocess.py

Reads the TweetEval train split and the six celebrity archives from ../shared/data (not shipped).
Prints tweets/s for each and the share of tweets that hold emoji (only those pay for demojize).
"""

from __future__ import annotations

import csv
import statistics
import time

import emoji

from cta_desktop.core import fast_tokens
from cta_desktop.core.modelstore import load_vocab
from cta_desktop.core.preprocess import _EMOJI_START_RE, encode_tokens, tokenize, tokenize_many
from cta_desktop.paths import shared_data_dir


def load_texts() -> dict[str, list[str]]:
    data = shared_data_dir()
    sets = {"tweeteval-train": (data / "tweeteval_sentiment" / "train_text.txt").read_text(encoding="utf-8").splitlines()}
    celeb = []
    for path in sorted((data / "celebrity_tweets").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                celeb.append(row.get("text") or row.get("content") or "")
    sets["celebrity-archives"] = celeb
    return sets


def rate(fn, texts, repeats=5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        times.append(time.perf_counter() - t0)
    return len(texts) / statistics.median(times)


def rate_chunks(fn, texts, chunk=8192, repeats=5) -> float:
    """tweets/s of fn over the texts in the pipeline's chunks."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for start in range(0, len(texts), chunk):
            fn(texts[start : start + chunk])
        times.append(time.perf_counter() - t0)
    return len(texts) / statistics.median(times)


def main() -> None:
    index = load_vocab().index
    compiled = fast_tokens.warm_up()
    for name, texts in load_texts().items():
        with_emoji = sum(1 for t in texts if not t.isascii() and _EMOJI_START_RE.search(t))
        fast = rate_chunks(lambda c: fast_tokens.encode(c, index), texts) if compiled else float("nan")
        many = rate_chunks(lambda c: encode_tokens(tokenize_many(c), index), texts)
        ours = rate(tokenize, texts)
        plain = rate(emoji.demojize, texts)
        print(f"{name}: {len(texts)} tweets, {100 * with_emoji / len(texts):.1f}% with emoji | "
              f"compiled tokenizer, token ids {fast:,.0f} tweets/s ({1e6 / fast:.1f} us) | "
              f"tokenize_many + ids (chunks of 8192) {many:,.0f} tweets/s ({1e6 / many:.1f} us), "
              f"compiled {fast / many:.1f}x faster | "
              f"tokenize one by one {ours:,.0f} tweets/s ({1e6 / ours:.1f} us) | "
              f"plain emoji.demojize alone {plain:,.0f} tweets/s ({1e6 / plain:.1f} us) | ratio {ours / plain:.2f}x")


if __name__ == "__main__":
    main()
