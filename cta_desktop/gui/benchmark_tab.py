"""The Benchmark tab: the NZB sparse engine against the dense runtimes installed here, on this computer, now.

The tab gathers settings and shows results; `core.benchmark.run_benchmark` measures (on the
worker thread, via the main window). It names the runtimes it will compare before a run (found
without importing them) and those it cannot, with the reason. TensorFlow is imported by a run,
only where it is installed, never before.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cta_desktop.gui.charts import ChartWidget, benchmark_value, draw_benchmark

LAYER_CHOICES = (
    ("conv 1", (1,)),
    ("conv 1–2", (1, 2)),
    ("conv 1–3", (1, 2, 3)),
    ("all layers", (1, 2, 3, 4)),
)
PRUNING_CHOICES = (70, 75, 80, 85)
IDLE_TEXT = "Press Run to compare the NZB sparse engine with the dense runtimes on this computer."
RUNNING_TEXT = ("Running… (each engine's memory is measured first, alone in a fresh process; the first run "
                "also loads the runtimes and compiles the NZB kernels)")


class BenchmarkTab(QWidget):
    run_requested = Signal(dict)
    cancel_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: dict | None = None

        self.pruning = QComboBox()
        self.pruning.setObjectName("pruning")
        for level in PRUNING_CHOICES:
            self.pruning.addItem(f"{level}% pruned", level)
        self.pruning.setCurrentIndex(PRUNING_CHOICES.index(80))
        self.layers = QComboBox()
        self.layers.setObjectName("layers")
        for title, layers in LAYER_CHOICES:
            self.layers.addItem(title, layers)
        self.layers.setCurrentIndex(len(LAYER_CHOICES) - 1)
        self.layers.setToolTip("Which layers the NZB engine runs sparse (the CTA study compared 1, 1–2 and 1–3)")
        self.n_tweets = QSpinBox()
        self.n_tweets.setObjectName("n_tweets")
        self.n_tweets.setRange(64, 1_000_000)
        self.n_tweets.setSingleStep(1024)
        self.n_tweets.setValue(8192)
        self.n_tweets.setGroupSeparatorShown(True)
        self.batch = QSpinBox()
        self.batch.setObjectName("batch")
        self.batch.setRange(1, 65536)
        self.batch.setValue(4096)
        self.batch.setGroupSeparatorShown(True)
        self.rounds = QSpinBox()
        self.rounds.setObjectName("rounds")
        self.rounds.setRange(1, 50)
        self.rounds.setValue(5)
        self.rounds.setToolTip("Timed repetitions; the median is reported")

        form = QFormLayout()
        form.addRow("Pruning level:", self.pruning)
        form.addRow("NZB layers:", self.layers)
        form.addRow("Tweets:", self.n_tweets)
        form.addRow("Batch size:", self.batch)
        form.addRow("Rounds:", self.rounds)
        self.run_button = QPushButton("Run benchmark")
        self.run_button.setObjectName("run_benchmark")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.save_button = QPushButton("Save results…")
        self.save_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        settings_box = QGroupBox("Settings")
        sl = QVBoxLayout(settings_box)
        sl.addLayout(form)
        sl.addLayout(buttons)
        note = QLabel(
            "Every engine classifies the same real tweets (TweetEval's test set when it is beside the app, "
            "else the shipped example tweets) with the same weights, in interleaved rounds. Peak memory is "
            "measured for each engine alone in a fresh process (runtime + model + one batch). Loading the "
            "runtimes and compiling the NZB kernels take a few seconds; those are not timed."
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        sl.addWidget(note)
        self.runtimes = QLabel(runtimes_text())
        self.runtimes.setObjectName("bench_runtimes")
        self.runtimes.setWordWrap(True)
        sl.addWidget(self.runtimes)

        self.summary = QLabel(IDLE_TEXT)
        self.summary.setObjectName("bench_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = ChartWidget("benchmark", min_height=300)
        self.chart.setObjectName("bench_chart")

        top = QHBoxLayout()
        top.addWidget(settings_box, 0)
        top.addWidget(self.summary, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.chart, 1)

        self.run_button.clicked.connect(lambda: self.run_requested.emit(self.settings()))
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.save_button.clicked.connect(self.save_requested)

    def settings(self) -> dict[str, Any]:
        return {
            "n": int(self.n_tweets.value()),
            "batch": int(self.batch.value()),
            "sparsity": int(self.pruning.currentData()),
            "layers": tuple(self.layers.currentData()),
            "rounds": int(self.rounds.value()),
        }

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for w in (self.pruning, self.layers, self.n_tweets, self.batch, self.rounds):
            w.setEnabled(not running)
        if running:
            self.summary.setText(RUNNING_TEXT)
        elif self.summary.text() == RUNNING_TEXT:
            self.summary.setText(IDLE_TEXT if self.result is None else summary_html(self.result))

    def set_can_run(self, can_run: bool) -> None:
        """Whether Run is offered: not while any job holds the window's worker slot."""
        self.run_button.setEnabled(can_run)

    def show_result(self, result: dict) -> None:
        self.result = result
        self.save_button.setEnabled(True)
        self.chart.plot(draw_benchmark, result)
        self.summary.setText(summary_html(result))

    def show_cancelled(self) -> None:
        self.summary.setText("Benchmark cancelled.")

    def save(self, path: str | Path) -> Path:
        if self.result is None:
            raise ValueError("no benchmark result to save yet")
        path = Path(path)
        path.write_text(json.dumps(self.result, indent=2, default=_json_default), encoding="utf-8")
        return path


def _json_default(value: Any) -> Any:
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)


def runtimes_text() -> str:
    """Which dense runtimes a run will compare NZB with here, and which are missing. Only looks the runtimes
    up (nothing imported, no model read: the window must open fast); a run reports any other reason."""
    from cta_desktop.core.engines.peers import TITLES, peer_status

    status = peer_status(None)
    have = [TITLES[k] for k, why in status.items() if why is None]
    text = "Compares NZB with: " + (", ".join(have) if have else "no dense runtime (none installed)")
    missing = [f"{TITLES[k]} ({why})" for k, why in status.items() if why]
    return text + (". Missing here: " + "; ".join(missing) if missing else ".")


def summary_html(result: dict) -> str:
    engines = result.get("engines", {})
    speedup = result.get("speedup")
    best = engines.get(result.get("best_dense") or "", {})
    layers = result.get("layers") or ()
    lines = [
        f"<p style='font-size:large'><b>NZB is {float(speedup):.2f}× "
        f"{'faster' if float(speedup) >= 1 else 'slower'}</b> than the best dense runtime here "
        f"({html.escape(str(best.get('title', '?')))})</p>" if speedup else "",
        "<table cellpadding='3'>",
        f"<tr><td>Tweets × rounds</td><td>{int(result.get('n', 0)):,} × {result.get('rounds', '?')}, "
        f"batch {int(result.get('batch', 0)):,}</td></tr>",
        f"<tr><td>Model</td><td>{result.get('sparsity', '?')}% pruned, NZB on conv "
        f"{', '.join(str(x) for x in layers)}</td></tr>",
    ]
    for name, e in engines.items():
        ratio = e.get("nzb_speedup")
        agree = e.get("label_agreement")
        extra = ""
        if ratio:
            extra += f" · NZB ×{float(ratio):.2f}"
        if agree is not None:
            extra += f" · label agreement {100 * float(agree):.2f}%, max rel err {float(e.get('max_rel_err') or 0):.1e}"
        gflops = f" · {float(e['gflops']):,.1f} GFLOP/s" if e.get("gflops") else ""
        version = f" {html.escape(str(e['version']))}" if e.get("version") else ""
        lines.append(f"<tr><td>{html.escape(str(e.get('title', name)))}{version}</td><td>"
                     f"{float(e.get('tweets_per_s') or 0):,.0f} tweets/s{gflops} · "
                     f"CPU {float(e.get('cpu_percent') or 0):.0f}% · {_memory_text(e)}{extra}</td></tr>")
    for name, why in (result.get("missing") or {}).items():
        lines.append(f"<tr><td>{html.escape(name)}</td><td><i>not compared: {html.escape(str(why))}</i></td></tr>")
    if result.get("input_source"):
        lines.append(f"<tr><td>Inputs</td><td>{html.escape(str(result['input_source']))}</td></tr>")
    if result.get("memory_method"):
        lines.append(f"<tr><td>Peak memory</td><td><small>{html.escape(str(result['memory_method']))}"
                     "</small></td></tr>")
    if result.get("jit_compile_seconds") is not None:
        lines.append(f"<tr><td>Kernel compile</td><td>{float(result['jit_compile_seconds']):.2f} s (not timed)</td></tr>")
    machine = result.get("machine") or {}
    if machine:
        desc = ", ".join(f"{k} {v}" for k, v in machine.items() if isinstance(v, str | int | float))
        lines.append(f"<tr><td>Machine</td><td><small>{desc[:300]}</small></td></tr>")
    lines.append("</table>")
    return "".join(lines)


def _memory_text(entry: dict) -> str:
    mb = benchmark_value(entry, "peak_mem_bytes")
    if mb is None:
        return "memory not measured" + (f" ({html.escape(entry['memory_error'])})" if entry.get("memory_error") else "")
    return f"peak {mb / 1e6:,.1f} MB (alone, fresh process)"
