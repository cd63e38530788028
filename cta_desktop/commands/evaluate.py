"""`cta-desktop evaluate`: score a shipped model on a TweetEval split; one JSON object on stdout.

Metrics are percentages (0-100). Runs without TensorFlow, on the model's NZB weights.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cta_desktop.core.calibration import expected_calibration_error, subset_metrics
from cta_desktop.core.modelstore import SPARSITY_LEVELS, temperature_of


def configure(p: argparse.ArgumentParser) -> None:
    from cta_desktop.training.data import default_tweeteval_dir

    p.add_argument("--data", default=str(default_tweeteval_dir()), help="TweetEval sentiment folder")
    p.add_argument("--split", choices=("val", "test"), default="test")
    p.add_argument("--sparsity", type=int, choices=SPARSITY_LEVELS, default=80)
    p.add_argument("--models", default=None, help="models folder (default: the shipped models/)")
    p.add_argument("--engine", choices=("best", "reference"), default="reference",
                   help="reference: the NumPy definition (as the metadata was computed); best: the NZB engine")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: a short table)")


def evaluate(data: str, split: str, sparsity: int, models: str | None = None, engine: str = "reference") -> dict:
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.engines.reference import NumpyEngine
    from cta_desktop.core.metrics import classification_metrics
    from cta_desktop.core.modelstore import load_model
    from cta_desktop.training.data import load_split

    model = load_model(sparsity, Path(models) if models else None)
    texts, labels = load_split(data, split)
    t0 = time.perf_counter()
    eng = NumpyEngine(model.weights) if engine == "reference" else best_engine(model)
    probs = eng.predict_proba(model.vocab.encode(texts))
    seconds = time.perf_counter() - t0
    metrics = classification_metrics(labels, probs.argmax(1))
    return {"split": split, "sparsity": sparsity, "model": model.path.name if model.path else None,
            "engine": eng.name, "seconds": round(seconds, 3), **metrics,
            "temperature": temperature_of(model.metadata),
            "ece": round(expected_calibration_error(probs, labels), 2),
            "subsets": subset_metrics(texts, labels, probs)}


def run(args: argparse.Namespace) -> int:
    from cta_desktop.core.modelstore import ModelError

    try:
        result = evaluate(args.data, args.split, args.sparsity, args.models, args.engine)
    except (ModelError, FileNotFoundError, ValueError) as exc:
        print(f"cta-desktop evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['model']} on {args.split} ({result['n']} tweets): macro recall {result['macro_recall']:.2f}%, "
              f"accuracy {result['accuracy']:.2f}%, macro F1 {result['macro_f1']:.2f}%, ECE {result['ece']:.2f}%")
        emo = result["subsets"]["with_emoji"]
        if emo.get("n"):
            print(f"  tweets with emoji ({emo['n']}): macro recall {emo['macro_recall']:.2f}%")
    return 0
