"""The analysis result (`AnalysisResult`) and its JSON summary; the constants that shape it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cta_desktop.core.errors import Cancelled
from cta_desktop.core.model_spec import LABELS

EXAMPLES_PER_CLASS = 2
MOST_LIKED_PER_CLASS = 3
TOP_WORDS_KEPT = 50
TOP_WORDS_SHOWN = 5
TOP_WORDS_IN_JSON = 20
# Which tweets an analysis takes by default (analyze(..., include_retweets=, include_replies=)).
INCLUDE_RETWEETS = False
INCLUDE_REPLIES = True
NOT_JUDGED_CODE = 255  # a label no class has: what the summary gives tweets the model cannot judge


class AnalysisCancelled(Cancelled):
    """The cancel callback returned True; nothing was kept."""


@dataclass
class AnalysisResult:
    """Everything the results page shows, plus the per-tweet labels and probabilities."""

    n_tweets: int
    skipped_rows: int
    counts: dict[str, int]
    ratios: dict[str, float]
    examples: dict[str, list[dict[str, Any]]]
    top_words: list[tuple[str, int]]
    by_month: list[dict[str, Any]]
    most_liked: dict[str, list[dict[str, Any]]]
    seconds: float  # the input's analysis time, as `pipeline.analyze` defines it (no one-off start-up)
    model_name: str
    engine_name: str = ""
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))  # index into LABELS
    confidences: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    probs: np.ndarray = field(default_factory=lambda: np.zeros((0, len(LABELS)), np.float32))
    duplicates: int = 0
    n_retweets: int = 0  # retweets in the input (analysed or not, see include_retweets)
    n_replies: int = 0  # replies in the input (analysed or not, see include_replies)
    include_retweets: bool = INCLUDE_RETWEETS  # whether retweets were analysed (they are counted either way)
    include_replies: bool = INCLUDE_REPLIES
    person: str | None = None
    source: dict[str, Any] = field(default_factory=dict)  # file, encoding, delimiter, columns
    details: dict[str, Any] = field(default_factory=dict)  # workers, stage timings
    texts: list[str] | None = None  # kept for small inputs (per-tweet export, tables)
    dates: list[str | None] | None = None
    tweet_ids: list[str | None] | None = None
    likes: list[int | None] | None = None  # per tweet, aligned with labels (kept with the texts)
    retweets: list[int | None] | None = None  # per tweet: how often it was shared (kept with the texts)
    row_ids: list[int] | None = None  # per tweet: the library's row ids, when analysed from the library
    engine_tweets: int = 0  # tweets that went through the engine (the others had stored probabilities)
    # Not judged (core/judgement.py): per tweet 0 = judged, else the reason code; counts, ratios,
    # examples, words and months count judged tweets only. `labels`/`probs` still hold the model's
    # output for every tweet: use `label_names()` for what to show.
    reasons: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint8))
    languages: dict[int, str] = field(default_factory=dict)  # tweet -> language, for the non-English ones
    not_judged: dict[str, Any] = field(default_factory=dict)  # {"total", "reasons": {..}, "languages": {..}}
    top_words_by_class: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def n_judged(self) -> int:
        return int(sum(self.counts.values()))

    def judged_mask(self) -> np.ndarray:
        """Per tweet: True where the model judged it (all True when the result has no reasons)."""
        if len(self.reasons) != len(self.labels):
            return np.ones(len(self.labels), bool)
        return self.reasons == 0

    def label_names(self) -> list[str]:
        """Per tweet: 'negative' / 'neutral' / 'positive', or 'not judged'."""
        from cta_desktop.core.judgement import NOT_JUDGED_LABEL

        judged = self.judged_mask().tolist()
        return [LABELS[int(c)] if ok else NOT_JUDGED_LABEL for c, ok in zip(self.labels.tolist(), judged, strict=True)]

    def reason_texts(self) -> list[str]:
        """Per tweet: why it was not judged ('not English (Korean)', 'no known words'), '' if judged."""
        from cta_desktop.core.judgement import reason_text

        if len(self.reasons) != len(self.labels):
            return [""] * len(self.labels)
        return [reason_text(int(r), self.languages.get(i)) for i, r in enumerate(self.reasons.tolist())]

    def summary_json(self) -> dict[str, Any]:
        """The summary as plain JSON types (what `cta-desktop analyze --json` prints)."""
        out: dict[str, Any] = {
            "person": self.person,
            "n_tweets": self.n_tweets,
            "skipped_rows": self.skipped_rows,
            "duplicates": self.duplicates,
            "n_retweets": self.n_retweets,
            "n_replies": self.n_replies,
            "include_retweets": self.include_retweets,
            "include_replies": self.include_replies,
            "counts": dict(self.counts),
            "ratios": {k: round(v, 6) for k, v in self.ratios.items()},
            "examples": self.examples,
            "top_words": [[w, c] for w, c in self.top_words[:TOP_WORDS_IN_JSON]],
            "top_words_by_class": {k: [[w, c] for w, c in v[:TOP_WORDS_IN_JSON]]
                                   for k, v in self.top_words_by_class.items()},
            "not_judged": self.not_judged,
            "by_month": self.by_month,
            "most_liked": self.most_liked,
            "model": self.model_name,
            "engine": self.engine_name,
            "seconds": round(self.seconds, 4),
        }
        if self.source:
            out["source"] = self.source
        return out

    @classmethod
    def from_summary(cls, summary: dict[str, Any], probs: np.ndarray | None = None) -> AnalysisResult:
        """Rebuild a result from `summary_json()` and the per-tweet probabilities (the library's copy)."""
        probs = np.zeros((0, len(LABELS)), np.float32) if probs is None else np.asarray(probs, np.float32)
        return cls(
            n_tweets=int(summary["n_tweets"]), skipped_rows=int(summary["skipped_rows"]),
            counts=dict(summary["counts"]), ratios=dict(summary["ratios"]), examples=summary["examples"],
            top_words=[(w, int(c)) for w, c in summary["top_words"]], by_month=summary["by_month"],
            most_liked=summary.get("most_liked", {}), seconds=float(summary["seconds"]),
            model_name=summary.get("model", ""), engine_name=summary.get("engine", ""),
            labels=probs.argmax(axis=1).astype(np.uint8) if len(probs) else np.zeros(0, np.uint8),
            confidences=probs.max(axis=1) if len(probs) else np.zeros(0, np.float32), probs=probs,
            duplicates=int(summary.get("duplicates", 0)), n_retweets=int(summary.get("n_retweets", 0)),
            n_replies=int(summary.get("n_replies", 0)),
            include_retweets=bool(summary.get("include_retweets", True)),
            include_replies=bool(summary.get("include_replies", True)),
            person=summary.get("person"), source=summary.get("source", {}),
            not_judged=summary.get("not_judged", {}),
            top_words_by_class={k: [(w, int(c)) for w, c in v] for k, v in summary.get("top_words_by_class", {}).items()},
        )
