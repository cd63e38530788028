"""`cta-desktop analyze FILE.csv`: sentiment summary of a CSV of tweets, without the library.

Prints one JSON object with --json (n_tweets, skipped_rows, counts, ratios, examples, top_words,
by_month, most_liked, seconds, ...), otherwise a short readable summary. --out writes one row per
tweet. Bad input exits with status 2 and one line on stderr: which file, what is wrong, what to do.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING

# The defaults are the core's; importing them here is cheap (no model, no TensorFlow).
from cta_desktop.core.analysis.result import INCLUDE_REPLIES, INCLUDE_RETWEETS

if TYPE_CHECKING:
    from cta_desktop.core.analysis import AnalysisResult


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE.csv", help="a CSV of one person's tweets (any common layout)")
    p.add_argument("--person", metavar="NAME", help="the person's name for the summary (default: guessed)")
    p.add_argument("--text-column", metavar="COL", help="the column holding the tweet text (default: detected)")
    p.add_argument("--date-column", metavar="COL", help="the column holding the date (default: detected)")
    p.add_argument("--delimiter", metavar="CHAR", help="field delimiter (default: detected; use \\t for tab)")
    p.add_argument("--out", metavar="PER_TWEET.csv", help="also write one row per tweet (label, probabilities)")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument("--sparsity", type=int, default=80, help="pruning level of the model: 0, 70, 75, 80 or 85")
    p.add_argument("--workers", type=int, default=None, help="tokenising processes (default: automatic; 0 = none)")
    rts = p.add_mutually_exclusive_group()
    rts.add_argument("--include-retweets", dest="include_retweets", action="store_true", default=INCLUDE_RETWEETS,
                     help="analyse retweets too" + (" (the default)" if INCLUDE_RETWEETS else
                                                    " (default: they are counted, not analysed)"))
    rts.add_argument("--exclude-retweets", dest="include_retweets", action="store_false",
                     help="leave retweets out of the analysis" + (" (the default)" if not INCLUDE_RETWEETS else ""))
    reps = p.add_mutually_exclusive_group()
    reps.add_argument("--include-replies", dest="include_replies", action="store_true", default=INCLUDE_REPLIES,
                      help="analyse replies too" + (" (the default)" if INCLUDE_REPLIES else ""))
    reps.add_argument("--exclude-replies", dest="include_replies", action="store_false",
                      help="leave replies out of the analysis (they are still counted)")


def format_summary(result: AnalysisResult) -> str:
    """A short human-readable summary (what `analyze` prints without --json)."""
    from cta_desktop.core.analysis import TOP_WORDS_SHOWN
    from cta_desktop.core.model_spec import LABELS

    n = result.n_tweets
    lines = [f"{result.person or 'Tweets'}: {n:,} tweets analysed"
             + (f" ({result.skipped_rows:,} rows skipped" + (f", {result.duplicates:,} duplicates" if result.duplicates else "")
                + ")" if result.skipped_rows else "")]
    left_out = [f"{k:,} {name} left out" for k, name, inc in ((result.n_retweets, "retweets", result.include_retweets),
                                                               (result.n_replies, "replies", result.include_replies))
                if k and not inc]
    if left_out:
        lines[0] += "; " + ", ".join(left_out)
    for name in LABELS:
        bar = "#" * int(round(result.ratios[name] * 40))
        lines.append(f"  {name:<9}{result.ratios[name] * 100:6.1f}%  {result.counts[name]:>9,}  {bar}")
    nj = result.not_judged or {}
    if nj.get("total"):  # issue #11: tweets the model cannot judge are left out of the figures
        why = ", ".join(f"{v:,} {k}" for k, v in nj.get("reasons", {}).items() if v)
        langs = ", ".join(f"{k} {v:,}" for k, v in list(nj.get("languages", {}).items())[:5])
        lines.append(f"  not judged {nj['total']:,} ({why}{': ' + langs if langs else ''})")
    if result.top_words:
        lines.append("Top words: " + ", ".join(f"{w} ({c})" for w, c in result.top_words[:TOP_WORDS_SHOWN]))
    for name in ("positive", "negative"):
        if result.top_words_by_class.get(name):
            lines.append(f"Top {name} words: " + ", ".join(w for w, _ in result.top_words_by_class[name][:TOP_WORDS_SHOWN]))
    for name in ("positive", "negative"):
        for e in result.examples.get(name, [])[:1]:
            text = " ".join(e["text"].split())
            text = text if len(text) <= 100 else text[:99] + "…"
            lines.append(f"Most {name}: {text!r} ({e['confidence']:.2f})")
    if result.by_month:
        lines.append(f"Period: {result.by_month[0]['month']} to {result.by_month[-1]['month']}")
    rate = n / result.seconds if result.seconds > 0 else math.inf
    lines.append(f"Model {result.model_name} ({result.engine_name}), {result.seconds:.2f} s, {rate:,.0f} tweets/s")
    return "\n".join(lines)


def _fail(message: str, code: int = 2) -> int:
    print(f"cta-desktop analyze: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from cta_desktop.core.analysis import AnalysisCancelled, analyze_csv
    from cta_desktop.core.datasets import CsvImportError, preview_csv
    from cta_desktop.core.modelstore import SPARSITY_LEVELS, ModelError, load_model

    if args.sparsity not in SPARSITY_LEVELS:
        return _fail(f"--sparsity {args.sparsity} is not a shipped model; choose one of "
                     f"{', '.join(map(str, SPARSITY_LEVELS))}")
    delimiter = args.delimiter
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            return _fail(f"--delimiter {args.delimiter!r} must be one character (e.g. , ; or \\t)")
    try:
        mapping = None
        if args.text_column or args.date_column:
            preview = preview_csv(args.file, n_rows=0, delimiter=delimiter)
            overrides = {}
            for role, column in (("text", args.text_column), ("date", args.date_column)):
                if column is None:
                    continue
                if column not in preview.columns:
                    return _fail(f"{args.file}: there is no column {column!r} (columns: "
                                 f"{', '.join(preview.columns[:12])}); pass one of these to --{role}-column")
                overrides[role] = column
            mapping = preview.mapping.with_overrides(**overrides)
            # A column chosen for the text cannot also be the date, id, ...
            clash = {r: None for r, c in mapping.as_dict().items() if c == args.text_column and r != "text"}
            if clash:
                mapping = mapping.with_overrides(**clash)
        model = load_model(args.sparsity)
        result = analyze_csv(args.file, mapping, person=args.person, model=model, out=args.out,
                             delimiter=delimiter, workers=args.workers, include_retweets=args.include_retweets,
                             include_replies=args.include_replies)
    except CsvImportError as exc:
        return _fail(str(exc))
    except ModelError as exc:
        return _fail(str(exc), 3)
    except AnalysisCancelled:
        return _fail("cancelled", 130)
    except OSError as exc:
        target = exc.filename or args.out or args.file
        return _fail(f"{target}: {exc.strerror or exc}; check the path and its permissions")
    except MemoryError:
        return _fail(f"{args.file}: not enough memory; close other programs or split the file")
    except Exception as exc:  # noqa: BLE001 - the promise is one clear line, never a traceback
        return _fail(f"{args.file}: unexpected error ({type(exc).__name__}: {exc}); please report this", 1)
    if args.json:
        print(json.dumps(result.summary_json(), ensure_ascii=False))
    else:
        print(format_summary(result))
        if args.out:
            print(f"Per-tweet results: {args.out}")
    return 0
