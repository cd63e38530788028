"""models/REPORT.md: the study's pruning table extended with TweetEval macro recall and baselines."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cta_desktop.core.metrics import classification_metrics
from cta_desktop.training.data import load_split

PUBLISHED = [  # TweetEval paper (Barbieri et al., 2020), sentiment, macro recall on test
    ("SVM", 62.9), ("FastText", 62.9), ("LSTM", 58.3), ("RoBERTa-base", 71.3), ("BERTweet", 73.4)]
STUDY = {0: (79.08, 78.48), 70: (81.09, 78.37), 75: (81.01, 78.76), 80: (80.94, 78.89), 85: (80.85, 78.81)}


def vader_metrics(texts: list[str], labels: np.ndarray) -> dict:
    """VADER on the same tweets: compound >= 0.05 positive, <= -0.05 negative, else neutral."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    pred = []
    for t in texts:
        c = analyzer.polarity_scores(t)["compound"]
        pred.append(2 if c >= 0.05 else 0 if c <= -0.05 else 1)
    return classification_metrics(labels, np.array(pred))


def write_report(summary: dict, data_dir: str, out_dir: str, smoke: bool = False) -> Path:
    split = "val" if smoke else "test"
    texts, labels = load_split(data_dir, split)
    try:
        vader = vader_metrics(texts, labels)
    except ImportError:
        vader = None
    lines = [
        "# CTA Desktop models: accuracy per pruning level",
        "",
        f"Scored on TweetEval sentiment **{split}** ({len(texts)} tweets). Models were chosen on the val split only; "
        "macro-averaged recall is TweetEval's official metric. All figures are percentages. "
        "Regenerate with `cta-desktop train` (this file) and check with "
        "`cta-desktop evaluate --split test --sparsity 80 --json`.",
        "",
        "| Pruning | none | 70% | 75% | 80% | 85% |",
        "|---|---|---|---|---|---|",
        "| CTA study: fit accuracy (binary, their data) | " + " | ".join(f"{STUDY[k][0]:.2f}" for k in STUDY) + " |",
        "| CTA study: evaluate() accuracy | " + " | ".join(f"{STUDY[k][1]:.2f}" for k in STUDY) + " |",
    ]

    def row(label, fn):
        return f"| {label} | " + " | ".join(fn(summary[k]) if k in summary else "–" for k in STUDY) + " |"

    lines += [
        row("ours: measured sparsity", lambda m: f"{100 * m['sparsity_measured']['overall_prunable']:.1f}"),
        row(f"ours: {split} accuracy", lambda m: f"{m['test']['accuracy']:.2f}"),
        row(f"ours: **{split} macro recall**", lambda m: f"**{m['test']['macro_recall']:.2f}**"),
        row(f"ours: {split} macro F1", lambda m: f"{m['test']['macro_f1']:.2f}"),
        row("ours: val macro recall", lambda m: f"{m['val']['macro_recall']:.2f}"),
        row("ours: model file (bytes)", lambda m: f"{m['nzb_bytes']:,}"),
        "",
        f"## Baselines on the same {split} split (macro recall)",
        "",
        "| System | macro recall | source |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {mr:.1f} | TweetEval paper (published) |" for name, mr in PUBLISHED]
    if vader:
        lines.append(f"| VADER (compound ±0.05) | {vader['macro_recall']:.1f} | measured in this run, same tweets "
                     f"(accuracy {vader['accuracy']:.1f}) |")
    for k in (0, 80):
        if k in summary:
            lines.append(f"| CTA text-CNN, {'dense' if k == 0 else f'{k}% pruned'} | {summary[k]['test']['macro_recall']:.1f} | this run |")
    if 0 in summary:
        keras_bytes = summary[0].get("keras_bytes")
        lines += ["", "## Sizes", ""]
        if keras_bytes:
            lines.append(f"- `cta_dense.keras`: {keras_bytes:,} bytes")
        for k in sorted(summary):
            ratio = f" ({keras_bytes / summary[k]['nzb_bytes']:.2f}x smaller than cta_dense.keras)" if keras_bytes and k else ""
            lines.append(f"- `{summary[k]['name']}.nzb`: {summary[k]['nzb_bytes']:,} bytes{ratio}")
    lines += ["", "Per-class recall (%):", "", "| model | negative | neutral | positive |", "|---|---|---|---|"]
    for k in sorted(summary):
        pcr = summary[k]["test"]["per_class_recall"]
        lines.append(f"| {summary[k]['name']} | {pcr['negative']:.1f} | {pcr['neutral']:.1f} | {pcr['positive']:.1f} |")
    if vader:
        pcr = vader["per_class_recall"]
        lines.append(f"| VADER | {pcr['negative']:.1f} | {pcr['neutral']:.1f} | {pcr['positive']:.1f} |")
    cfg = summary[min(summary)]["config"]
    lines += [
        "",
        "## How the models were trained",
        "",
        f"- Data: TweetEval sentiment train split ({summary[min(summary)]['training_data']}); vocabulary of "
        f"{summary[min(summary)]['vocab_size']:,} tokens (count >= {cfg['min_count']}) from `cta_desktop.core.preprocess`, "
        "the same function the app uses.",
        f"- Dense parent: Adam lr {cfg['lr']}, batch {cfg['batch_size']}, dropout {cfg['dropout']}, up to {cfg['epochs']} epochs, "
        f"class weights `{cfg['class_weighting']}` (inverse class frequency), best epoch by val macro recall. "
        f"Embedding dimension 0 is seeded with the VADER lexicon's valence x {cfg['lexicon_init']} for the ~2k vocabulary words "
        "it covers (the lexicon ships inside the `vaderSentiment` package); everything else is trained from scratch.",
        f"- Pruning: from the dense parent, gradual magnitude pruning of every weight tensor (embedding, four conv kernels, "
        f"dense kernel; biases kept) with tfmot's polynomial schedule (power 3) over {cfg['prune_ramp_epochs']} epochs, then "
        f"training at the final sparsity; {cfg['prune_epochs']} epochs in all at lr {cfg['prune_lr']}; best final-sparsity "
        "epoch by val macro recall. Implemented as a Keras 3 callback (`cta_desktop/training/pruning.py`), since "
        "tfmot needs the legacy tf_keras.",
        f"- Seed {summary[min(summary)]['seed']}; trained {summary[min(summary)]['date']}.",
        "",
        "Choices made on the val split only (dense parent, best-epoch val macro recall, one run each): baseline "
        "(dropout 0.3, lr 1e-3) 68.25 / 67.63 / 67.59 over three seeds; dropout 0.5: 66.97; lr 5e-4: 67.63; dropout 0.5 + "
        "lr 5e-4: 67.57; vocabulary 30k with count >= 1: 67.25; no class weights: 65.77; label smoothing 0.1: 67.85; "
        "embedding L2 1e-5 / 1e-4: 68.08 / 67.93; **VADER-lexicon seeding x0.3: 69.11 and 69.17 (two seeds)**, x1.0: 69.10. "
        "The first pruning schedule (5-epoch ramp, 8 epochs at lr 5e-4) lost ~1.6 val points to the dense parent by "
        "overfitting; the shorter one above matches it.",
    ]
    path = Path(out_dir) / "REPORT.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
