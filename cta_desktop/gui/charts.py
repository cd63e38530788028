"""The charts: drawing functions on a matplotlib Figure, and a Qt widget that shows one.

Drawing functions know nothing about Qt, so the same code draws the on-screen chart, the PNG/SVG
export and the HTML report. Colours for text, axes and background come from a `ChartTheme`,
built from the window's palette (so a dark system theme gives dark charts); only the three
sentiment colours are fixed, chosen to read on light and dark backgrounds alike.
matplotlib is imported when the first chart is drawn, not when the window opens.

Rendering a chart costs 50-300 ms of Python on a busy machine, too long for the GUI thread (the
window must never freeze for more than ~100 ms), so `ChartWidget` renders on a worker thread
into an image and only paints that image. matplotlib is not thread-safe across figures sharing
font caches, so every render in this module holds one lock: renders run one at a time.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

LABELS = ("negative", "neutral", "positive")
SENTIMENT_COLOURS = {"negative": "#d9534f", "neutral": "#8e95a3", "positive": "#2ea66b"}
DENSE_COLOUR = "#e3913b"   # dense TensorFlow in the benchmark (the other dense runtimes: PEER_COLOURS)
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
MPL_LOCK = threading.Lock()  # one matplotlib render at a time, whatever the thread


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
    import numpy as np
    from matplotlib.collections import PolyCollection

    months = [str(r["month"]) for r in rows]
    x = np.arange(len(months))
    # One PolyCollection of rectangles per class, not ax.bar: a decade of months is 360 bars, and
    # 360 Rectangle artists took ~0.5 s to build and draw (with the GIL held, so the window stalled).
    left, right = x - 0.375, x + 0.375
    bottom = np.zeros(len(rows))
    for label in LABELS:
        values = np.array([int(r.get(label, 0)) for r in rows], dtype=float)
        top = bottom + values
        verts = np.stack([np.column_stack([left, bottom]), np.column_stack([left, top]),
                          np.column_stack([right, top]), np.column_stack([right, bottom])], axis=1)
        ax.add_collection(PolyCollection(list(verts), facecolors=SENTIMENT_COLOURS[label], edgecolors="none",
                                         linewidths=0, label=label))
        bottom = top
    ax.set_xlim(-0.6, len(rows) - 0.4)
    peak = float(bottom.max())
    step = max(1, len(months) // 12)
    ax.set_xticks(x[::step])
    ax.set_xticklabels(months[::step], rotation=45 if len(months) > 6 else 0, ha="right" if len(months) > 6 else "center")
    ax.set_ylabel("tweets")
    legend = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=8, frameon=False, ncols=3,
                       borderaxespad=0.2, handlelength=1.2)
    for text in legend.get_texts():
        text.set_color(theme.foreground)
    ax.set_ylim(0, peak * 1.05 if peak else 1)
    _style_axes(ax, theme, grid_axis="y")


BENCHMARK_MEASURES = (
    ("tweets_per_s", "Tweets / s", "higher is better; same tweets, interleaved rounds"),
    ("gflops", "GFLOP/s", "multiply-adds x 2 done per second\n(NZB: only its nonzero weights)"),
    ("cpu_percent", "CPU %", "process CPU, all cores"),
    ("peak_mem_bytes", "Peak memory (MB)", "each alone in a fresh process:\nruntime + model + one batch"),
)
BENCHMARK_ENGINES = ("nzb", "dense_tf", "tflite", "onnxruntime", "naive_predict")
BENCHMARK_TITLES = {"nzb": "NZB", "dense_tf": "TF", "tflite": "TFLite", "onnxruntime": "ONNX RT",
                    "naive_predict": "per-tweet"}
_PEER_NAMES = {"dense_tf": "TensorFlow", "tflite": "TFLite (LiteRT)", "onnxruntime": "ONNX Runtime"}
PEER_COLOURS = {"dense_tf": DENSE_COLOUR, "tflite": "#c0703a", "onnxruntime": "#9b6bb3"}


def benchmark_value(entry: Mapping[str, Any], key: str) -> float | None:
    """One engine's figure for a chart; None when it was not measured (e.g. memory with --no-memory)."""
    v = entry.get(key)
    return float(v) if v is not None else None


def draw_benchmark(fig, result: Mapping[str, Any], theme: ChartTheme = LIGHT) -> None:
    """NZB and each dense runtime side by side on four measures; NZB's ratio to the best dense runtime is
    written on the throughput chart, and runtimes that could not run are named under the charts."""
    engines = result.get("engines", {})
    names = [k for k in BENCHMARK_ENGINES if k in engines]
    colours = {"nzb": SPARSE_COLOUR, "naive_predict": theme.muted, **PEER_COLOURS}
    axes = fig.subplots(1, len(BENCHMARK_MEASURES))
    speedup = result.get("speedup")
    best = result.get("best_dense")
    for ax, (key, title, hint) in zip(axes, BENCHMARK_MEASURES, strict=True):
        measured = [(n, benchmark_value(engines[n], key)) for n in names]
        shown = [(n, v / 1e6 if key == "peak_mem_bytes" else v) for n, v in measured if v is not None]
        bars = ax.bar([BENCHMARK_TITLES.get(n, n) for n, _ in shown], [v for _, v in shown],
                      color=[colours.get(n, DENSE_COLOUR) for n, _ in shown], width=0.6)
        top = max((v for _, v in shown), default=0) or 1.0
        for bar, (_, v) in zip(bars, shown, strict=True):
            text = f"{v:,.0f}" if v >= 100 else f"{v:,.2f}" if v < 10 else f"{v:,.1f}"
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + top * 0.02, text,
                    ha="center", va="bottom", fontsize=8, color=theme.foreground)
        ax.set_ylim(0, top * 1.3)
        ax.set_title(title, fontsize=10)
        if not shown:
            hint = "not measured in this run"
        ax.set_xlabel(hint, fontsize=8)
        if speedup and key == "tweets_per_s":
            name = (engines.get(best, {}).get("title") if best else None) or BENCHMARK_TITLES.get(best or "", best or "")
            ax.text(0.5, 0.93, f"NZB ×{float(speedup):.2f} vs {name}", transform=ax.transAxes, ha="center",
                    va="top", fontsize=9, fontweight="bold",
                    color=SPARSE_COLOUR if float(speedup) >= 1 else SENTIMENT_COLOURS["negative"])
        _style_axes(ax, theme, grid_axis="y")
        ax.tick_params(axis="x", labelsize=8)
    missing = result.get("missing") or {}
    if missing:
        fig.supxlabel("Not compared here: " + "; ".join(
            f"{_PEER_NAMES.get(k, k)} ({v})" for k, v in missing.items()),
            fontsize=8, color=theme.muted)


def new_figure(theme: ChartTheme = LIGHT, size: tuple[float, float] = (5.0, 3.4), dpi: float = 100):
    """A pyplot-free Figure with an Agg canvas (safe off the GUI thread), painted in the theme's background."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor(theme.background)
    return fig


def render(draw: Callable[..., None], *args: Any, fmt: str = "svg", theme: ChartTheme = LIGHT,
           size: tuple[float, float] = (5.0, 3.4)) -> bytes:
    """Draw into a fresh figure and return it as SVG or PNG bytes (for files and the HTML report)."""
    with MPL_LOCK:
        fig = new_figure(theme, size)
        draw(fig, *args, theme=theme)
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, facecolor=theme.background, dpi=110 if fmt == "png" else None)
    return buf.getvalue()


def render_image(draw: Callable[..., None], args: tuple[Any, ...], theme: ChartTheme, width: int, height: int,
                 ratio: float, **_callbacks: Any) -> tuple[Any, QImage]:
    """Draw at width x height logical pixels (times the screen's pixel ratio) -> (Figure, QImage). Any thread."""
    import numpy as np

    with MPL_LOCK:
        fig = new_figure(theme, (max(width, 50) / 100, max(height, 50) / 100), dpi=100 * ratio)
        draw(fig, *args, theme=theme)
        fig.canvas.draw()
        rgba = np.asarray(fig.canvas.buffer_rgba())
        h, w = rgba.shape[:2]
        image = QImage(rgba.tobytes(), w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    image.setDevicePixelRatio(ratio)
    return fig, image


def _tagged_render(generation: int, *args: Any, **callbacks: Any) -> tuple[int, Any, QImage]:
    figure, image = render_image(*args)
    return generation, figure, image


class ChartWidget(QWidget):
    """Shows one chart. `plot(draw, *args)` renders it on a worker thread; resizes and palette changes re-render."""

    def __init__(self, title: str = "", parent: QWidget | None = None, min_height: int = 220) -> None:
        super().__init__(parent)
        self.title = title
        self.setMinimumHeight(min_height)
        self.setMinimumWidth(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.figure = None  # the Figure of the image on screen (tests and exports read it)
        self._image: QImage | None = None
        self._drawing: tuple[Callable[..., None], tuple[Any, ...]] | None = None
        self._generation = 0
        self._in_flight = 0
        self._error = ""
        self._resize_timer = QTimer(self, singleShot=True, interval=150)
        self._resize_timer.timeout.connect(self._render_async)
        # A shown chart starts rendering once the window has painted (the tab just shown, its table):
        # drawing holds the GIL most of the time, and a paint calls into Python for every visible
        # table cell, each call then waiting its turn for the GIL, so a render running beside the
        # first paint of the results froze the window for 100-300 ms. The paint restarts this timer
        # at 0 ms; 200 ms is the fallback should no paint come (a minimised window).
        self._start_timer = QTimer(self, singleShot=True)
        self._start_timer.timeout.connect(self._render_async)
        self._awaiting_paint = False
        self._rendered_target: tuple[int, int, float] | None = None

    def theme(self) -> ChartTheme:
        return ChartTheme.from_palette(self.palette())

    def _target(self) -> tuple[int, int, float]:
        ratio = self.devicePixelRatioF() or 1.0
        return max(self.width(), 200), max(self.height(), 120), ratio

    def plot(self, draw: Callable[..., None], *args: Any) -> None:
        self._drawing = (draw, args)
        self._start_after_paint()

    def _start_after_paint(self) -> None:
        if self.isVisible():
            self._awaiting_paint = True
            self._start_timer.start(200)
            self.update()
        else:
            self._awaiting_paint = False
            self._start_timer.start(0)

    def _render_async(self) -> None:
        self._awaiting_paint = False
        if self._drawing is None:
            return
        from cta_desktop.gui.workers import Task

        self._generation += 1
        draw, args = self._drawing
        w, h, ratio = self._rendered_target = self._target()
        # no Qt parent: the task outlives this widget if need be (kept alive by workers._running)
        task = Task(_tagged_render, self._generation, draw, args, self.theme(), w, h, ratio,
                    title=f"chart-{self.title}")
        task.result.connect(self._on_rendered)
        task.error.connect(self._on_render_error)
        task.finished.connect(self._task_done)
        self._in_flight += 1
        task.start()

    def _task_done(self) -> None:
        self._in_flight -= 1

    def _on_rendered(self, out: tuple[int, Any, QImage]) -> None:
        generation, figure, image = out
        if generation != self._generation:
            return  # a newer render is on its way
        self.figure, self._image, self._error = figure, image, ""
        self.update()

    def _on_render_error(self, exc: BaseException) -> None:
        from cta_desktop.gui.workers import describe_error

        self._error = f"Cannot draw this chart: {describe_error(exc)}"
        self._image = None
        self.update()

    def is_rendering(self) -> bool:
        return self._in_flight > 0 or self._resize_timer.isActive() or self._start_timer.isActive()

    def render_now(self) -> None:
        """Render in this thread, now (screenshots, exports, tests); any render in flight is ignored."""
        if self._drawing is None:
            return
        self._stop_pending()
        self._generation += 1
        draw, args = self._drawing
        w, h, ratio = self._rendered_target = self._target()
        self.figure, self._image = render_image(draw, args, self.theme(), w, h, ratio)
        self.update()

    def wait_rendered(self) -> None:
        if self._drawing is not None and (self.is_rendering() or self._image is None):
            self.render_now()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        if self._image is not None:
            img = self._image
            ratio = img.devicePixelRatio() or 1.0
            w, h = img.width() / ratio, img.height() / ratio
            scale = min(self.width() / w, self.height() / h, 1.0)
            target = QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, img)
        elif self._error or self._drawing is None:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._error or "—")
        painter.end()
        if self._awaiting_paint:  # this paint pass is done once control is back in the event loop
            self._awaiting_paint = False
            self._start_timer.start(0)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        # a render about to start takes the new size; one of this size is already on screen or on its way
        if self._drawing is not None and not self._start_timer.isActive() and self._target() != self._rendered_target:
            self._resize_timer.start()

    def _stop_pending(self) -> None:
        """Forget a render waiting for a paint or a resize to settle."""
        self._start_timer.stop()
        self._resize_timer.stop()
        self._awaiting_paint = False

    def clear(self) -> None:
        self._stop_pending()
        self._rendered_target = None
        self._drawing = None
        self._generation += 1
        self._image = None
        self.figure = None
        self.update()

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
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and self._drawing:
            self._start_after_paint()
        super().changeEvent(event)
