"""Golden analysis outputs of the six celebrity CSVs: the summary JSON and the per-tweet CSV's hash.

tests/test_golden_outputs.py recomputes these with the current code and asserts they are equal, so
a refactor that changes any output (a count, an example, a probability at 4 decimals, a CSV row)
fails. Timing fields (`seconds`) are dropped; the source file is recorded by name only.

Runnable against any checkout of the project (its `cta_desktop` is imported from --repo):

    python tests/golden/make_goldens.py --repo /tmp/pre-refactor --models /work/main/models --out tests/golden

**Regenerating after an intentional change of outputs** (new or retrained models, calibration,
not-judged tweets, the retweet/reply defaults, ...): run, from the repository root,

    python tests/golden/make_goldens.py --repo . --out tests/golden

in the same commit as the change, and say in the commit message that the goldens were regenerated
and why. `git diff tests/golden` shows what changed; check it is only what you meant to change.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

CELEBS = ("barackobama", "elonmusk", "justinbieber", "katyperry", "realdonaldtrump", "taylorswift13")
TIMING_FIELDS = ("seconds",)
HASHES_FILE = "per_tweet_sha256.json"


def golden_summary(summary: dict) -> dict:
    """The summary without timings and with the source file by name only (paths differ by machine)."""
    out = {k: v for k, v in summary.items() if k not in TIMING_FIELDS}
    source = dict(out.get("source") or {})
    if "file" in source:
        source["file"] = Path(source["file"]).name
    if source:
        out["source"] = source
    return out


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute(csv_path: Path, models: Path | None, sparsity: int = 80) -> tuple[dict, str]:
    """(golden summary, sha256 of the per-tweet CSV) of one file, with the `cta_desktop` on sys.path."""
    from cta_desktop.core.analysis import analyze_csv
    from cta_desktop.core.modelstore import load_model

    model = load_model(sparsity, models)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "per_tweet.csv"
        # One process: outputs do not depend on the worker count, and it keeps the checkout's imports.
        result = analyze_csv(csv_path, model=model, out=out, workers=0)
        return golden_summary(result.summary_json()), sha256_of(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2],
                   help="checkout whose cta_desktop computes the outputs (default: this one)")
    p.add_argument("--models", type=Path, default=None, help="models folder (default: the checkout's models/)")
    p.add_argument("--data", type=Path, default=None,
                   help="folder of the celebrity CSVs (default: ../shared/data/celebrity_tweets of this repo)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="where to write the goldens")
    args = p.parse_args(argv)
    repo = args.repo.resolve()
    sys.path.insert(0, str(repo))
    import cta_desktop

    if Path(cta_desktop.__file__).resolve().parents[1] != repo:
        raise SystemExit(f"imported cta_desktop from {cta_desktop.__file__}, not from {repo}")
    data = args.data or Path(__file__).resolve().parents[3] / "shared" / "data" / "celebrity_tweets"
    models = args.models or repo / "models"
    args.out.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for stem in CELEBS:
        summary, digest = compute(data / f"{stem}.csv", models)
        (args.out / f"{stem}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                               encoding="utf-8")
        hashes[stem] = digest
        print(f"{stem}: {summary['n_tweets']} tweets, per-tweet CSV sha256 {digest[:16]}…", flush=True)
    (args.out / HASHES_FILE).write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
