"""`cta-desktop train`: train the dense parent, prune it to each level, write models/ and the report."""

from __future__ import annotations

import argparse
import sys

from cta_desktop.paths import models_dir


def configure(p: argparse.ArgumentParser) -> None:
    from cta_desktop.training.data import default_tweeteval_dir

    p.add_argument("--data", default=str(default_tweeteval_dir()), help="TweetEval sentiment folder")
    p.add_argument("--out", default=str(models_dir()), help="where to write the models (default: models/)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N tweets only (smoke test)")
    p.add_argument("--epochs", type=int, default=None, help="dense training epochs")
    p.add_argument("--prune-epochs", type=int, default=None, help="fine-tuning epochs per pruning level")
    p.add_argument("--levels", default="70,75,80,85", help="pruning levels, comma-separated")
    p.add_argument("--dropout", type=float, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--max-vocab", type=int, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--no-report", action="store_true", help="skip models/REPORT.md (and its VADER run)")


def run(args: argparse.Namespace) -> int:
    from cta_desktop.paths import prepare_tensorflow_env

    prepare_tensorflow_env()
    from cta_desktop.training.train import TrainConfig, levels_arg, run_training

    try:
        levels = levels_arg(args.levels)
    except ValueError as exc:
        print(f"cta-desktop train: {exc}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in {
        "epochs": args.epochs, "prune_epochs": args.prune_epochs, "dropout": args.dropout, "lr": args.lr,
        "max_vocab": args.max_vocab, "seed": args.seed,
    }.items() if v is not None}
    cfg = TrainConfig(data_dir=args.data, out_dir=args.out, levels=levels, limit=args.limit, **overrides)
    try:
        summary = run_training(cfg, log=lambda s: print(s, flush=True))
    except (FileNotFoundError, ValueError) as exc:
        print(f"cta-desktop train: {exc}", file=sys.stderr)
        return 2
    if not args.no_report:
        from cta_desktop.training.report import write_report

        write_report(summary, args.data, args.out, smoke=bool(args.limit))
    return 0
