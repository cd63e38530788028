"""The per-tweet CSV: one row per tweet, written while analysing or from a result that kept its texts."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.analysis.result import AnalysisResult
from cta_desktop.core.judgement import NOT_JUDGED_LABEL, reason_text
from cta_desktop.core.model_spec import LABELS

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# label: a class or "not judged" (then confidence and probabilities are empty and `reason` says why).
PER_TWEET_COLUMNS = ["text", "label", "confidence", *(f"p_{name}" for name in LABELS), "date", "tweet_id", "reason"]


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise cells a spreadsheet would run as a formula (CSV injection): prefix an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class PerTweetCsvWriter:
    """Writes one row per tweet: text, label, confidence, the three probabilities, date, tweet id."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fh = open(self.path, "w", newline="", encoding="utf-8")
        self._w = csv.writer(self._fh)
        self._w.writerow(PER_TWEET_COLUMNS)

    def write(self, texts: Sequence[str], dates: Sequence[str | None], tweet_ids: Sequence[str | None],
              probs: np.ndarray, reasons: np.ndarray | None = None, languages: dict[int, str] | None = None) -> None:
        """One row per tweet; `reasons`/`languages` (row -> language) as `core.judgement` gives them."""
        labels = probs.argmax(axis=1)
        safe = spreadsheet_safe
        rows = []
        judged = [True] * len(texts) if reasons is None else (np.asarray(reasons) == 0).tolist()
        for i, text in enumerate(texts):
            if not judged[i]:
                why = reason_text(int(reasons[i]), (languages or {}).get(i))  # type: ignore[index]
                rows.append([safe(text), NOT_JUDGED_LABEL, "", "", "", "", dates[i] or "", safe(tweet_ids[i] or ""), why])
                continue
            p = probs[i]
            rows.append([safe(text), LABELS[labels[i]], f"{p[labels[i]]:.4f}", f"{p[0]:.4f}", f"{p[1]:.4f}",
                         f"{p[2]:.4f}", dates[i] or "", safe(tweet_ids[i] or ""), ""])
        self._w.writerows(rows)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> PerTweetCsvWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def export_per_tweet_csv(result: AnalysisResult, path: str | Path) -> Path:
    """Write a result's per-tweet table (needs a result that kept its texts)."""
    if result.texts is None:
        raise ValueError("this result did not keep the tweet texts; analyse with keep_texts=True "
                         "or pass out= to analyze_csv")
    with PerTweetCsvWriter(path) as w:
        reasons = result.reasons if len(result.reasons) == len(result.texts) else None
        w.write(result.texts, result.dates or [None] * len(result.texts),
                result.tweet_ids or [None] * len(result.texts), result.probs, reasons, result.languages)
    return Path(path)

