"""The model card shown in About: our accuracy per pruning level beside VADER and published baselines.

Our numbers come from the `models/cta_*.json` metadata written at training time (authoritative);
VADER and the TweetEval paper's baselines are read from the baseline table in `models/REPORT.md`.
Qt-free, so it can be tested and reused by the HTML report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from cta_desktop.paths import models_dir

LEVELS = (0, 70, 75, 80, 85)
# The CTA study's own table (binary task, their data): fit accuracy, evaluate() accuracy.
STUDY_ACCURACY = {0: (79.08, 78.48), 70: (81.09, 78.37), 75: (81.01, 78.76), 80: (80.94, 78.89), 85: (80.85, 78.81)}


@dataclass
class LevelCard:
    sparsity: int
    name: str
    macro_recall: float | None = None
    accuracy: float | None = None
    macro_f1: float | None = None
    measured_sparsity: float | None = None
    nzb_bytes: int | None = None
    test_split: str = ""
    ece: float | None = None  # percent, calibrated, on the test split
    ece_before: float | None = None
    temperature: float | None = None
    emoji_macro_recall: float | None = None  # test tweets holding an emoji
    emoji_n: int | None = None


@dataclass
class ModelCard:
    levels: list[LevelCard] = field(default_factory=list)
    baselines: list[tuple[str, float, str]] = field(default_factory=list)  # (system, macro recall, source)
    training_data: str = ""
    date: str = ""
    sources: list[tuple[str, str]] = field(default_factory=list)  # (training source, licence)
    reliability_png: Path | None = None  # the reliability diagram written by the report code

    @property
    def has_models(self) -> bool:
        return any(c.macro_recall is not None for c in self.levels)


def _stem(level: int) -> str:
    return "cta_dense" if level == 0 else f"cta_p{level}"


def parse_baselines(report_text: str) -> list[tuple[str, float, str]]:
    """Rows of the 'Baselines' table in REPORT.md, other than our own models."""
    rows: list[tuple[str, float, str]] = []
    in_section = False
    for line in report_text.splitlines():
        if line.startswith("## "):
            in_section = "baseline" in line.lower()
            continue
        if not in_section or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0].lower() in ("system",) or set(cells[0]) <= {"-", ":"}:
            continue
        if cells[0].startswith("CTA text-CNN"):
            continue
        match = re.search(r"-?\d+(?:\.\d+)?", cells[1])
        if match:
            rows.append((cells[0], float(match.group()), cells[2]))
    return rows


def load_model_card(directory: Path | None = None) -> ModelCard:
    directory = directory or models_dir()
    card = ModelCard()
    for level in LEVELS:
        entry = LevelCard(level, _stem(level))
        path = directory / f"{_stem(level)}.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = None
        if isinstance(meta, dict):
            test = meta.get("test") or {}
            entry.macro_recall = test.get("macro_recall")
            entry.accuracy = test.get("accuracy")
            entry.macro_f1 = test.get("macro_f1")
            entry.measured_sparsity = (meta.get("sparsity_measured") or {}).get("overall_prunable")
            entry.nzb_bytes = meta.get("nzb_bytes")
            entry.test_split = str(meta.get("test_split", ""))
            cal = meta.get("calibration") or {}
            entry.ece, entry.ece_before = cal.get("test_ece"), cal.get("test_ece_before")
            entry.temperature = cal.get("temperature")
            emo = (meta.get("test_subsets") or {}).get("with_emoji") or {}
            entry.emoji_macro_recall, entry.emoji_n = emo.get("macro_recall"), emo.get("n")
            if not card.sources and isinstance(meta.get("training_sources"), list):
                card.sources = [(str(x.get("name", "")), str(x.get("licence", ""))) for x in meta["training_sources"]
                                if isinstance(x, dict)]
            card.training_data = card.training_data or str(meta.get("training_data", ""))
            card.date = card.date or str(meta.get("date", ""))
        card.levels.append(entry)
    png = directory / "reliability.png"
    card.reliability_png = png if png.exists() else None
    try:
        card.baselines = parse_baselines((directory / "REPORT.md").read_text(encoding="utf-8"))
    except OSError:
        card.baselines = []
    return card


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def model_card_html(card: ModelCard) -> str:
    """The card as simple HTML (Qt rich text), palette-neutral: no colours of its own."""
    head = "".join(f"<th>{'dense' if c.sparsity == 0 else f'{c.sparsity}%'}</th>" for c in card.levels)

    def row(title: str, values: list[str]) -> str:
        return f"<tr><td>{title}</td>" + "".join(f"<td align='right'>{v}</td>" for v in values) + "</tr>"

    parts = [
        "<h3>Model card</h3>",
        "<p>A text-CNN (embedding 32 → 4 × Conv1D → dense softmax, 3 classes) trained on "
        "TweetEval sentiment, then pruned to 70–85% zero weights and stored in the NZB sparse format.</p>",
    ]
    if not card.has_models:
        parts.append("<p><b>No trained models were found.</b> Run <code>cta-desktop train</code> or reinstall.</p>")
    parts += [
        f"<table cellspacing='0' cellpadding='4' border='1'><tr><th>pruning</th>{head}</tr>",
        row("test macro recall (%)", [_fmt(c.macro_recall) for c in card.levels]),
        row("test accuracy (%)", [_fmt(c.accuracy) for c in card.levels]),
        row("test macro recall, tweets with emoji (%)", [_fmt(c.emoji_macro_recall) for c in card.levels]),
        row("calibration error, ECE (%)", [_fmt(c.ece) for c in card.levels]),
        row("ECE before calibration (%)", [_fmt(c.ece_before) for c in card.levels]),
        row("measured sparsity (%)", [_fmt(None if c.measured_sparsity is None else 100 * c.measured_sparsity)
                                      for c in card.levels]),
        row("model file (kB)", ["–" if c.nzb_bytes is None else f"{c.nzb_bytes / 1024:,.0f}" for c in card.levels]),
        row("CTA study evaluate() acc. (binary)", [f"{STUDY_ACCURACY[c.sparsity][1]:.2f}" for c in card.levels]),
        "</table>",
    ]
    if card.baselines:
        parts.append("<p><b>Baselines on the same test split</b> (macro recall, %):</p>"
                     "<table cellspacing='0' cellpadding='4' border='1'><tr><th>system</th><th>macro recall</th>"
                     "<th>source</th></tr>")
        for name, value, source in card.baselines:
            parts.append(f"<tr><td>{_escape(name)}</td><td align='right'>{value:.1f}</td><td>{_escape(source)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Baselines (VADER, published TweetEval systems) appear here once models/REPORT.md exists.</p>")
    if any(c.ece is not None for c in card.levels):
        parts.append("<p>Confidences are calibrated: each model's temperature, fitted on val, is applied when it "
                     "is loaded, so a tweet shown as 80% sure is right about 80% of the time (ECE: the average gap "
                     "between confidence and accuracy over 10 confidence bins, on the test split).</p>")
    if card.reliability_png is not None:
        parts.append(f"<p><img src='{card.reliability_png.as_uri()}' width='420'></p>")
    if card.sources:
        parts.append("<p><b>Training sources</b></p><table cellspacing='0' cellpadding='4' border='1'>"
                     "<tr><th>source</th><th>licence</th></tr>")
        parts += [f"<tr><td>{_escape(n)}</td><td>{_escape(lic)}</td></tr>" for n, lic in card.sources]
        parts.append("</table>")
    notes = []
    if card.training_data:
        notes.append(f"Training data: {_escape(card.training_data)}.")
    if card.date:
        notes.append(f"Trained {_escape(card.date[:10])}.")
    notes.append("Macro-averaged recall is TweetEval's official metric; the CTA study's figures are binary "
                 "accuracy on its own data and are shown for lineage, not comparison.")
    parts.append("<p><small>" + " ".join(notes) + "</small></p>")
    return "\n".join(parts)


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
