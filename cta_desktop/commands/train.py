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
    p.add_argument("--no-tse", action="store_true", help="train on TweetEval only (no Tweet Sentiment Extraction tweets)")
    p.add_argument("--emoji-fraction", type=float, default=None, help="share of training tweets augmented with emoji")
    p.add_argument("--glove-scale", type=float, default=None, help="> 0: seed embedding dims 1-25 with GloVe x this")
    p.add_argument("--teachers", type=int, default=None, help="extra dense models in the distillation ensemble (0: none)")
    p.add_argument("--linear-teacher", type=float, default=None,
                   help="weight of the n-gram logistic regression in the distillation teacher (0: dense models only)")
    p.add_argument("--sentence-teacher", type=float, default=None,
                   help="weight of the sentence-encoder logistic regression in the distillation teacher "
                        "(0: without it; needs the teacher extra)")
    p.add_argument("--distill-alpha", type=float, default=None,
                   help="weight of the teacher's probabilities in the pruned models' targets (default 0.8)")
    p.add_argument("--prune-runs", type=int, default=None,
                   help="runs per pruning level (seeds seed, seed+1, ...); the best on val is kept (default 2)")
    p.add_argument("--no-calibration", action="store_true", help="store temperature 1 (uncalibrated probabilities)")
    p.add_argument("--no-report", action="store_true", help="skip models/REPORT.md (and its VADER run)")
    p.add_argument("--no-tflite", action="store_true", help="skip the TFLite exports (always skipped with --limit)")


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
        "max_vocab": args.max_vocab, "seed": args.seed, "emoji_fraction": args.emoji_fraction,
        "glove_scale": args.glove_scale, "teachers": args.teachers, "prune_runs": args.prune_runs,
        "linear_teacher": args.linear_teacher,
        "sentence_teacher": args.sentence_teacher, "distill_alpha": args.distill_alpha,
    }.items() if v is not None}
    if args.no_tse:
        overrides["tse"] = False
    if args.no_calibration:
        overrides["calibrate"] = False
    cfg = TrainConfig(data_dir=args.data, out_dir=args.out, levels=levels, limit=args.limit, **overrides)
    try:
        summary = run_training(cfg, log=lambda s: print(s, flush=True))
    except (FileNotFoundError, ValueError) as exc:
        print(f"cta-desktop train: {exc}", file=sys.stderr)
        return 2
    if not args.no_report:
        from cta_desktop.training.report import write_report

        write_report(summary, args.data, args.out, smoke=bool(args.limit))
    if not args.limit and not args.no_tflite:
        from cta_desktop.core.modelstore import load_vocab
        from cta_desktop.training.export_tflite import export_tflite

        load_vocab.cache_clear()  # the vocabulary was just rewritten
        export_tflite(args.out, log=lambda s: print(s, flush=True))
    return 0
