"""`cta-desktop library list|import|analyze|export|remove`: the library from a terminal.

The library is the app's (`CTA_DATA_DIR` picks another folder). `--json` prints machine-readable
output: `list` an array of people (`id`, `name`, `handle`, `n_tweets`, `first_date`, `last_date`),
`import` one report per file, `analyze` the analysis summary plus `engine_tweets` (tweets that went
through the engine in that call; 0 when nothing changed since the last analysis). Bad input exits
with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="the people in the library")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    imp = sub.add_parser("import", help="import files of tweets (CSV, JSON, X archive, Excel, compressed)")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--person", metavar="NAME", help="add the tweets to this person (created if new)")
    imp.add_argument("--handle", metavar="H", help="the person's handle (for a new person)")
    imp.add_argument("--json", action="store_true", help="print one JSON report per file")
    an = sub.add_parser("analyze", help="analyse a person (reusing stored results)")
    an.add_argument("person", metavar="PERSON", help="name, handle or id")
    an.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    _model_options(an)
    ex = sub.add_parser("export", help="write a person's per-tweet results as CSV")
    ex.add_argument("person", metavar="PERSON", help="name, handle or id")
    ex.add_argument("--out", required=True, metavar="FILE.csv")
    ex.add_argument("--json", action="store_true")
    _model_options(ex)
    rm = sub.add_parser("remove", help="remove a person with their tweets and results")
    rm.add_argument("person", metavar="PERSON", help="name, handle or id")
    rm.add_argument("--json", action="store_true")


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sparsity", type=int, default=80, help="pruning level of the model: 0, 70, 75, 80 or 85")
    p.add_argument("--workers", type=int, default=None, help="tokenising processes (default: automatic)")
    rts = p.add_mutually_exclusive_group()
    rts.add_argument("--include-retweets", dest="include_retweets", action="store_true", default=None,
                     help="count retweets as the person's words (default: excluded)")
    rts.add_argument("--exclude-retweets", dest="include_retweets", action="store_false")
    reps = p.add_mutually_exclusive_group()
    reps.add_argument("--include-replies", dest="include_replies", action="store_true", default=None,
                      help="count replies (the default)")
    reps.add_argument("--exclude-replies", dest="include_replies", action="store_false")


class _Fail(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _person(library: Any, ref: str):
    if ref.isdigit() and (p := library.person(int(ref))) is not None:
        return p
    if (p := library.find_person(ref)) is not None:
        return p
    matches = library.people(ref)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise _Fail(f"no person {ref!r} in the library; `cta-desktop library list` shows who is there")
    names = ", ".join(f"{m.name} (id {m.id})" for m in matches[:8])
    raise _Fail(f"{ref!r} matches several people ({names}); give the id or the exact name")


def _person_json(p: Any) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "handle": p.handle, "n_tweets": p.tweet_count,
            "first_date": p.first_date, "last_date": p.last_date}


def _load(args: argparse.Namespace):
    from cta_desktop.core.modelstore import SPARSITY_LEVELS, load_model

    if args.sparsity not in SPARSITY_LEVELS:
        raise _Fail(f"--sparsity {args.sparsity} is not a shipped model; choose one of "
                    f"{', '.join(map(str, SPARSITY_LEVELS))}")
    return load_model(args.sparsity)


def _list(library: Any, args: argparse.Namespace) -> None:
    people = library.people()
    if args.json:
        print(json.dumps([_person_json(p) for p in people], ensure_ascii=False))
        return
    for p in people:
        handle = f" @{p.handle}" if p.handle else ""
        span = f"  {p.first_date[:10]} to {p.last_date[:10]}" if p.first_date and p.last_date else ""
        print(f"{p.id:>4}  {p.name}{handle}: {p.tweet_count:,} tweets{span}")


def _import(library: Any, args: argparse.Namespace) -> None:
    from cta_desktop.core.datasets import preview_file

    person_id = None
    if args.person:
        existing = library.find_person(args.person)
        person_id = existing.id if existing is not None else None
    reports = []
    for path in args.files:
        preview = preview_file(path)
        report = library.import_file(path, preview=preview, person_id=person_id, person_name=args.person,
                                     handle=args.handle)
        if args.person:
            person_id = report.person_id  # the next files grow the same person
        person = library.person(report.person_id)
        out = {"file": str(path), "format": report.format or preview.format, "person_id": report.person_id,
               "person": person.name, "new": report.new, "duplicates": report.duplicates,
               "skipped": report.skipped, "n_tweets": report.n_tweets, "already_imported": report.already_imported}
        reports.append(out)
        if not args.json:
            if report.already_imported:
                print(f"{path}: already in the library as {person.name} ({report.n_tweets:,} tweets)")
            else:
                print(f"{path} ({out['format']}): {person.name}: {report.new:,} new, {report.duplicates:,} "
                      f"duplicate, {report.skipped:,} skipped; {report.n_tweets:,} tweets in all")
    if args.json:
        print(json.dumps(reports, ensure_ascii=False))


def _analyze(library: Any, args: argparse.Namespace) -> None:
    from cta_desktop.core.person_analysis import analyze_library_person

    person = _person(library, args.person)
    model = _load(args)
    done = analyze_library_person(library, person.id, model=model, include_retweets=args.include_retweets,
                                  include_replies=args.include_replies, workers=args.workers)
    summary = done.result.summary_json()
    summary.update(person_id=person.id, engine_tweets=done.engine_tweets, cached=done.cached)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    ratios = ", ".join(f"{k} {v * 100:.1f}%" for k, v in summary["ratios"].items())
    print(f"{person.name}: {summary['n_tweets']:,} tweets analysed ({ratios}); "
          f"{done.engine_tweets:,} through the engine" + (" (unchanged since the last analysis)" if done.cached else ""))


def _export(library: Any, args: argparse.Namespace) -> None:
    from cta_desktop.core.analysis import PerTweetCsvWriter, _default_model
    from cta_desktop.core.person_analysis import fill_missing_results, per_tweet_rows

    person = _person(library, args.person)
    model, engine = _default_model(_load(args), None)
    computed = fill_missing_results(library, person.id, model, engine)
    n = 0
    with PerTweetCsvWriter(args.out) as writer:
        for chunk in per_tweet_rows(library, person.id, model):
            writer.write(chunk.texts, chunk.dates, chunk.tweet_ids, chunk.probs)
            n += len(chunk)
    if args.json:
        print(json.dumps({"person_id": person.id, "out": args.out, "n_tweets": n, "engine_tweets": computed}))
    else:
        print(f"{person.name}: {n:,} tweets written to {args.out}")


def _remove(library: Any, args: argparse.Namespace) -> None:
    person = _person(library, args.person)
    library.delete_person(person.id)
    if args.json:
        print(json.dumps({"removed": _person_json(person)}, ensure_ascii=False))
    else:
        print(f"removed {person.name} ({person.tweet_count:,} tweets)")


def run(args: argparse.Namespace) -> int:
    from cta_desktop.core.errors import Cancelled, UserError
    from cta_desktop.core.library import Library

    actions = {"list": _list, "import": _import, "analyze": _analyze, "export": _export, "remove": _remove}
    try:
        with Library() as library:
            actions[args.action](library, args)
    except _Fail as exc:
        return _fail(str(exc), exc.code)
    except UserError as exc:
        return _fail(str(exc))
    except Cancelled:
        return _fail("cancelled", 130)
    except OSError as exc:
        return _fail(f"{exc.filename or 'file'}: {exc.strerror or exc}; check the path and its permissions")
    return 0


def _fail(message: str, code: int = 2) -> int:
    print(f"cta-desktop library: {' '.join(str(message).split())}", file=sys.stderr)
    return code
