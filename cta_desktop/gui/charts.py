"""The charts: drawing functions on a matplotlib Figure, and a Qt widget that shows one.

Drawing functions know nothing about Qt, so the same code draws the on-screen chart, the PNG/SVG
export and the HTML report. Colours for text, axes and background come from a `ChartTheme`,
built from the window's palette (so a dark system theme gives dark charts); only the three
sentiment colours are fixed, chosen to read on light and dark backgrounds alike.
matplotlib is imported when the first chart is drawn, not when the window opens.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

LABELS = ("negative", "neutral", "positive")
SENTIMENT_COLOURS = {"negative": "#d9534f", "neutral": "#8e95a3", "positive": "#2ea66b"}
DENSE_COLOUR = "#e3913b"   # dense TensorFlow in the benchmark
SPARSE_COLOUR = "#3b82d6"  # NZB sparse engine


@dataclass(frozen=True)
class ChartTheme:
    background: str = "#ffffff"
    foreground: str = "#1f1f1f"
    muted: str = "#6b6b6b"
    grid: str = "#d8d8d8"

    @classmethod
    def from_palette(cls, palette: QPalette) -> ChartTheme:
        bg = palette.color(QPalette.ColorRole.Base)
        fg = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        grid = palette.color(QPalette.ColorRole.Mid)
        return cls(bg.name(), fg.name(), muted.name(), grid.name())

    @property
    def is_dark(self) -> bool:
        c = self.background.lstrip("#")
        r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
        return (0.299 * r + 0.587 * g + 0.114 * b) < 128


LIGHT = ChartTheme()


def _style_axes(ax, theme: ChartTheme, grid_axis: str | None = None) -> None:
    ax.set_facecolor(theme.background)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(theme.grid)
    ax.tick_params(colors=theme.foreground, labelsize=9)
    ax.title.set_color(theme.foreground)
    ax.xaxis.label.set_color(theme.muted)
    ax.yaxis.label.set_color(theme.muted)
    if grid_axis:
        ax.grid(axis=grid_axis, color=theme.grid, linewidth=0.6, alpha=0.7)
        ax.set_axisbelow(True)


def _empty(ax, theme: ChartTheme, text: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", color=theme.muted, transform=ax.transAxes)


def draw_sentiment_ratio(fig, counts: Mapping[str, int], theme: ChartTheme = LIGHT) -> None:
    """A donut of the three classes, each wedge labelled with its percentage and count."""
    ax = fig.add_subplot(111)
    total = sum(int(counts.get(k, 0)) for k in LABELS)
    if total == 0:
        _empty(ax, theme, "No tweets")
        return
    values = [int(counts.get(k, 0)) for k in LABELS]
    shown = [(k, v) for k, v in zip(LABELS, values, strict=True) if v > 0]
    wedges, _texts = ax.pie(
        [v for _, v in shown], colors=[SENTIMENT_COLOURS[k] for k, _ in shown], startangle=90, counterclock=False,
        wedgeprops={"width": 0.42, "edgecolor": theme.background, "linewidth": 2},
    )
    import math

    biggest = max(v for _, v in shown)
    for wedge, (label, value) in zip(wedges, shown, strict=True):
        angle = math.radians((wedge.theta1 + wedge.theta2) / 2)
        share = 100.0 * value / total
        x, y = 1.22 * math.cos(angle), 1.22 * math.sin(angle)
        ax.text(x, y, f"{label}\n{share:.1f}%", ha="center", va="center", fontsize=10,
                color=theme.foreground, fontweight="bold" if value == biggest else None)
    ax.text(0, 0, f"{total:,}\ntweets", ha="center", va="center", fontsize=11, color=theme.muted)
    ax.set_aspect("equal")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.45, 1.45)
    ax.set_facecolor(theme.background)


def draw_top_words(fig, top_words: Sequence[tuple[str, int]], theme: ChartTheme = LIGHT, n: int = 5) -> None:
    """Horizontal bars of the n most used words, largest on top, counts written at the bar ends."""
    ax = fig.add_subplot(111)
    words = list(top_words)[:n]
    if not words:
        _empty(ax, theme, "No words")
        return
    labels = [w for w, _ in words][::-1]
    counts = [int(c) for _, c in words][::-1]
    bars = ax.barh(labels, counts, color=SPARSE_COLOUR, height=0.6)
    peak = max(counts)
    for bar, c in zip(bars, counts, strict=True):
        ax.text(bar.get_width() + peak * 0.02, bar.get_y() + bar.get_height() / 2, f"{c:,}",
                va="center", fontsize=9, color=theme.foreground)
    ax.set_xlim(0, peak * 1.18)
    ax.set_xlabel("times used")
    _style_axes(ax, theme, grid_axis="x")


def draw_by_month(fig, by_month: Sequence[Mapping[str, Any]], theme: ChartTheme = LIGHT) -> None:
    """Stacked bars of tweets per month by class."""
    ax = fig.add_subplot(111)
    rows = list(by_month)
    if not rows:
        _empty(ax, theme, "No dated tweets")
        return
    months = [str(r["month"]) for r in rows]
    x = list(range(len(months)))
    bottom = [0] * len(rows)
    for label in LABELS:
        values = [int(r.get(label, 0)) for r in rows]
        ax.bar(x, values, bottom=bottom, color=SENTIMENT_COLOURS[label], label=label, width=0.75)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(months) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels(months[::step], rotation=45 if len(months) > 6 else 0, ha="right" if len(months) > 6 else "center")
    ax.set_ylabel("tweets")
    legend = ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    for text in legend.get_texts():
        text.set_color(theme.foreground)
    ax.set_ylim(0, max(bottom) * 1.18 if max(bottom) else 1)
    _style_axes(ax, theme, grid_axis="y")


BENCHMARK_MEASURES = (
    ("seconds", "Time (s)", "lower is better"),
    ("tweets_per_s", "Tweets / s", "higher is better"),
    ("cpu_percent", "CPU %", "process CPU, all cores"),
    ("peak_mem_bytes", "Peak memory (MB)", "lower is better"),
)


def draw_benchmark(fig, result: Mapping[str, Any], theme: ChartTheme = LIGHT) -> None:
    """Four bar pairs side by side (dense TF vs NZB); the speed-up is written on the time and throughput charts."""
    engines = result.get("engines", {})
    names = [k for k in ("dense_tf", "nzb", "naive_predict") if k in engines]
    titles = {"dense_tf": "dense TF", "nzb": "NZB", "naive_predict": "per-tweet"}
    colours = {"dense_tf": DENSE_COLOUR, "nzb": SPARSE_COLOUR, "naive_predict": theme.muted}
    axes = fig.subplots(1, len(BENCHMARK_MEASURES))
    speedup = result.get("speedup")
    for ax, (key, title, hint) in zip(axes, BENCHMARK_MEASURES, strict=True):
        values = []
        for name in names:
            v = engines[name].get(key)
            v = float(v) if v is not None else 0.0
            values.append(v / 1e6 if key == "peak_mem_bytes" else v)
        bars = ax.bar([titles[n] for n in names], values, color=[colours[n] for n in names], width=0.6)
        top = max(values) if values and max(values) > 0 else 1.0
        for bar, v in zip(bars, values, strict=True):
            text = f"{v:,.0f}" if v >= 100 else f"{v:,.2f}" if v < 10 else f"{v:,.1f}"
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + top * 0.02, text,
                    ha="center", va="bottom", fontsize=8, color=theme.foreground)
        ax.set_ylim(0, top * 1.3)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(hint, fontsize=8)
        if speedup and key in ("seconds", "tweets_per_s"):
            ax.text(0.5, 0.93, f"NZB ×{float(speedup):.2f}", transform=ax.transAxes, ha="center", va="top",
                    fontsize=10, fontweight="bold", color=SPARSE_COLOUR if float(speedup) >= 1 else SENTIMENT_COLOURS["negative"])
        _style_axes(ax, theme, grid_axis="y")
    fig.subplots_adjust(wspace=0.45)


def new_figure(theme: ChartTheme = LIGHT, size: tuple[float, float] = (5.0, 3.4)):
    """A pyplot-free Figure (safe in any thread), painted in the theme's background."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100, layout="constrained")
    fig.patch.set_facecolor(theme.background)
    return fig


def render(draw: Callable[..., None], *args: Any, fmt: str = "svg", theme: ChartTheme = LIGHT,
           size: tuple[float, float] = (5.0, 3.4)) -> bytes:
    """Draw into a fresh figure and return it as SVG or PNG bytes (for files and the HTML report)."""
    fig = new_figure(theme, size)
    draw(fig, *args, theme=theme)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, facecolor=theme.background, dpi=110 if fmt == "png" else None)
    return buf.getvalue()


class ChartWidget(QWidget):
    """A matplotlib canvas that redraws with the window palette; empty until the first `plot`."""

    def __init__(self, title: str = "", parent: QWidget | None = None, min_height: int = 220) -> None:
        super().__init__(parent)
        self.title = title
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("—", alignment=Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setEnabled(False)
        self._layout.addWidget(self._placeholder)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.figure = None
        self.canvas = None
        self._drawing: tuple[Callable[..., None], tuple[Any, ...]] | None = None

    def theme(self) -> ChartTheme:
        return ChartTheme.from_palette(self.palette())

    def _ensure_canvas(self) -> None:
        if self.canvas is not None:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        self.figure = new_figure(self.theme())
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout.removeWidget(self._placeholder)
        self._placeholder.hide()
        self._layout.addWidget(self.canvas)

    def plot(self, draw: Callable[..., None], *args: Any) -> None:
        self._ensure_canvas()
        self._drawing = (draw, args)
        self._redraw()

    def _redraw(self) -> None:
        if self._drawing is None or self.figure is None:
            return
        draw, args = self._drawing
        theme = self.theme()
        self.figure.clear()
        self.figure.patch.set_facecolor(theme.background)
        draw(self.figure, *args, theme=theme)
        self.canvas.draw_idle()

    def clear(self) -> None:
        self._drawing = None
        if self.figure is not None:
            self.figure.clear()
            self.canvas.draw_idle()

    def has_chart(self) -> bool:
        return self._drawing is not None

    def save(self, path: str | Path) -> Path:
        """PNG or SVG by the file's suffix, drawn afresh in the light theme for documents."""
        path = Path(path)
        if self._drawing is None:
            raise ValueError("nothing to save: this chart is empty")
        draw, args = self._drawing
        fmt = "svg" if path.suffix.lower() == ".svg" else "png"
        size = (self.width() / 100, self.height() / 100) if self.width() > 200 else (5.0, 3.4)
        path.write_bytes(render(draw, *args, fmt=fmt, size=size))
        return path

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        from PySide6.QtCore import QEvent

        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._redraw()
        super().changeEvent(event)
