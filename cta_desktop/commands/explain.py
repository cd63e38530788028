"""`cta-desktop explain "TEXT" [--json]`: each word's push on each class, by occlusion (core/explain.py)."""

from __future__ import annotations

import argparse
import json

from cta_desktop.core.modelstore import SPARSITY_LEVELS


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("text", help="the tweet to explain")
    p.add_argument("--sparsity", type=int, choices=SPARSITY_LEVELS, default=80, help="which shipped model")
    p.add_argument("--json", action="store_true",
                   help='print {"text", "label", "probabilities", "tokens": [{"token", "attribution"}]}')


def format_explanation(ex) -> str:
    """A short table: the label, then each token's push toward each class (percentage points)."""
    from cta_desktop.core.explain import NOTE
    from cta_desktop.core.model_spec import LABELS
    from cta_desktop.core.wording import sure_text

    lines = [f"{ex.label} ({sure_text(ex.confidence)})", "",
             f"{'token':<20}" + "".join(f"{c:>10}" for c in LABELS)]
    for t in ex.tokens:
        cells = "".join(f"{100 * t.attribution[c]:>+10.1f}" for c in LABELS)
        lines.append(f"{t.token:<20}{cells}" + ("" if t.known else "   (unknown word: no push)"))
    lines += ["", "Push = change in probability (points) when the word is removed. " + NOTE]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from cta_desktop.core.explain import Explainer
    from cta_desktop.core.modelstore import load_model

    ex = Explainer(load_model(args.sparsity)).explain(args.text)
    print(json.dumps(ex.as_json(), ensure_ascii=False) if args.json else format_explanation(ex))
    return 0
