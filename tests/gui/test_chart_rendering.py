"""Charts render off the GUI thread, after the window has painted, and cheaply enough not to stall it."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtWidgets import QWidget

from cta_desktop.core.model_spec import LABELS
from cta_desktop.gui import charts
from cta_desktop.gui.charts import ChartWidget, draw_by_month, new_figure


def decade(n_months: int = 120) -> list[dict]:
    return [{"month": f"{2010 + i // 12}-{1 + i % 12:02d}", "negative": 5 + i % 7, "neutral": 20 + i % 11,
             "positive": 9 + i % 5} for i in range(n_months)]


def test_by_month_draws_a_decade_as_one_collection_per_class():
    """360 bars were 360 Rectangle artists: ~0.5 s of drawing with the GIL held. Now 3 collections."""
    rows = decade()
    fig = new_figure()
    draw_by_month(fig, rows)
    ax = fig.axes[0]
    assert len(ax.patches) == 0 and [c.get_label() for c in ax.collections] == list(LABELS)
    below = np.zeros(len(rows))
    for collection, label in zip(ax.collections, LABELS, strict=True):
        boxes = [p.vertices for p in collection.get_paths()]
        assert [b[:, 1].max() - b[:, 1].min() for b in boxes] == [r[label] for r in rows]
        assert np.allclose([b[:, 1].min() for b in boxes], below)
        below += [r[label] for r in rows]
    lo, hi = ax.get_ylim()
    assert lo == 0 and hi >= below.max()  # the tallest stack fits
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(LABELS)
    fig.canvas.draw()  # draws without error


def test_a_shown_chart_starts_rendering_after_the_window_paints(qtbot, monkeypatch):
    started: list[float] = []
    painted: list[float] = []
    real = charts.render_image

    def recording(*args, **kwargs):
        started.append(time.perf_counter())
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "render_image", recording)
    host = QWidget()
    qtbot.addWidget(host)
    chart = ChartWidget("t", host)
    host.resize(500, 300)
    chart.resize(500, 300)
    host.show()
    qtbot.waitExposed(host)
    real_paint = chart.paintEvent

    def paint(event):
        real_paint(event)
        painted.append(time.perf_counter())

    monkeypatch.setattr(chart, "paintEvent", paint)
    chart.plot(draw_by_month, decade(24))
    assert chart.is_rendering() and not started  # nothing runs inside plot()
    qtbot.waitUntil(lambda: not chart.is_rendering(), timeout=10_000)
    assert chart.figure is not None and chart._image is not None
    assert painted and started and min(painted) < min(started)
    assert len(started) == 1  # rendered once, at the shown size (no second render for the first resize)


def test_a_hidden_chart_still_renders(qtbot):
    chart = ChartWidget("hidden")
    qtbot.addWidget(chart)
    chart.plot(draw_by_month, decade(6))
    qtbot.waitUntil(lambda: not chart.is_rendering(), timeout=10_000)
    assert chart.figure is not None
