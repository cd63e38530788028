"""Reading the TweetEval sentiment split files (text lines aligned with label lines)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cta_desktop.paths import shared_data_dir

SPLITS = ("train", "val", "test")


def default_tweeteval_dir() -> Path:
    return shared_data_dir() / "tweeteval_sentiment"


def load_split(data_dir: str | Path, split: str) -> tuple[list[str], np.ndarray]:
    """(texts, labels) of one split; raises FileNotFoundError/ValueError with the file named."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of {SPLITS}")
    data_dir = Path(data_dir)
    text_file = data_dir / f"{split}_text.txt"
    label_file = data_dir / f"{split}_labels.txt"
    for f in (text_file, label_file):
        if not f.exists():
            raise FileNotFoundError(f"{f}: not found; --data must be the TweetEval sentiment folder")
    texts = [line.strip() for line in text_file.read_text(encoding="utf-8").split("\n")]
    labels = [line.strip() for line in label_file.read_text(encoding="utf-8").split("\n")]
    if texts and texts[-1] == "" and labels and labels[-1] == "":
        texts, labels = texts[:-1], labels[:-1]
    while labels and labels[-1] == "":
        labels.pop()
    while texts and len(texts) > len(labels) and texts[-1] == "":
        texts.pop()
    if len(texts) != len(labels):
        raise ValueError(f"{text_file}: {len(texts)} texts but {len(labels)} labels")
    return texts, np.array([int(x) for x in labels], dtype=np.int32)
