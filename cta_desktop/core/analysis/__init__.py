"""Sentiment analysis of a person's tweets (no Qt): what the results page and `analyze` show.

    result.py    AnalysisResult, its JSON summary, AnalysisCancelled
    pipeline.py  analyze(source, ...) and its adapters analyze_csv / analyze_texts / analyze_person
    workers.py   tokenising, in this process or in a kept pool of worker processes
    summary.py   the running summary kept while chunks stream past
    export.py    the per-tweet CSV

The names below are the package's public interface (import them from `cta_desktop.core.analysis`).
"""

from __future__ import annotations

from typing import Any

from cta_desktop.core.analysis import workers as _workers
from cta_desktop.core.analysis.export import (
    PER_TWEET_COLUMNS,
    PerTweetCsvWriter,
    export_per_tweet_csv,
    spreadsheet_safe,
)
from cta_desktop.core.analysis.pipeline import (
    PIPELINE_CHUNK,
    CsvSource,
    EngineCache,
    LibrarySource,
    TextsSource,
    TweetSource,
    analyze,
    analyze_csv,
    analyze_person,
    analyze_texts,
    default_model,
    model_name_of,
    select_rows,
    warm_engine,
)
from cta_desktop.core.analysis.result import (
    EXAMPLES_PER_CLASS,
    INCLUDE_REPLIES,
    INCLUDE_RETWEETS,
    MOST_LIKED_PER_CLASS,
    TOP_WORDS_IN_JSON,
    TOP_WORDS_KEPT,
    TOP_WORDS_SHOWN,
    AnalysisCancelled,
    AnalysisResult,
)
from cta_desktop.core.analysis.workers import (
    POOL_MIN_TWEETS,
    choose_workers,
    encode_ids,
    encode_texts,
    shutdown_workers,
)

_default_model = default_model  # the older private name (commands/library.py uses it)


def __getattr__(name: str) -> Any:
    """The worker pool's module state, read live (`analysis._POOL` in benchmarks and tests)."""
    if name in ("_POOL", "_POOL_SIZE", "_get_pool", "_ping"):
        return getattr(_workers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AnalysisCancelled", "AnalysisResult", "analyze", "analyze_texts", "analyze_csv", "analyze_person",
    "TweetSource", "CsvSource", "TextsSource", "LibrarySource", "EngineCache", "select_rows",
    "export_per_tweet_csv", "PerTweetCsvWriter", "PER_TWEET_COLUMNS", "spreadsheet_safe", "encode_texts", "encode_ids",
    "warm_engine", "default_model", "model_name_of", "shutdown_workers", "choose_workers", "PIPELINE_CHUNK",
    "POOL_MIN_TWEETS", "EXAMPLES_PER_CLASS", "MOST_LIKED_PER_CLASS", "TOP_WORDS_SHOWN", "TOP_WORDS_KEPT",
    "TOP_WORDS_IN_JSON", "INCLUDE_RETWEETS", "INCLUDE_REPLIES",
]
