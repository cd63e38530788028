"""Compare people: sentiment mix side by side, positive and negative share per month on one time
axis, and the top words of each. Select two or more people in the Library, then *Compare*.

`compare_people` (no Qt) analyses each person through the library's result cache on a worker
thread; `draw_comparison` draws the figure (any thread); `CompareView` shows it and exports PNG/SVG.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cta_desktop.gui.charts import (
    LABELS,
    LIGHT,
    SENTIMENT_COLOURS,
    ChartTheme,
    ChartWidget,
    _empty,
    _style_axes,
)

PERSON_COLOURS = ("#3b82d6", "#e3913b", "#8e44ad", "#16a085", "#c0392b", "#7f8c8d")
TOP_WORDS_COMPARED = 8


def person_summary(name: str, result: Any) -> dict[str, Any]:
    """What the comparison needs of one AnalysisResult, as plain data."""
    return {"name": name, "counts": dict(result.counts), "by_month": list(result.by_month),
            "top_words": list(result.top_words[:TOP_WORDS_COMPARED]),
            "not_judged": int(result.not_judged.get("total", 0))}


def compare_people(library: Any, person_ids: Sequence[int], *, model: Any = None, engine: Any = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: Callable[[], bool] | None = None) -> list[dict[str, Any]]:
    """Analyse (or reuse the library's cached analysis of) each person; their summaries in order."""
    from cta_desktop.core.person_analysis import analyze_library_person

    out = []
    for i, pid in enumerate(person_ids):
        person = library.person(pid)
        if person is None:
            continue
        analysis = analyze_library_person(library, pid, model=model, engine=engine, cancel=cancel)
        out.append(person_summary(person.name, analysis.result))
        if progress is not None:
            progress(i + 1, len(person_ids))
    return out


def compare_job(db_path: Path, person_ids: Sequence[int], sparsity: int = 80, *,
                progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> list[dict[str, Any]]:
    """Worker-thread job: open the library, compare the people, close it."""
    from cta_desktop.core.library import Library
    from cta_desktop.gui.jobs import cached_model

    model, engine = cached_model(sparsity)
    library = Library(db_path)
    try:
        return compare_people(library, person_ids, model=model, engine=engine, progress=progress, cancel=cancel)
    finally:
        library.close()


def show_comparison(tabs: Any, people: Sequence[Mapping[str, Any]]) -> CompareView:
    """Show the comparison in its own "Compare" tab of `tabs` (a QTabWidget), made on first use."""
    view = next((tabs.widget(i) for i in range(tabs.count()) if isinstance(tabs.widget(i), CompareView)), None)
    if view is None:
        view = CompareView()
        view.setObjectName("compare_view")
        tabs.addTab(view, "Compare")
        view.close_requested.connect(lambda: tabs.removeTab(tabs.indexOf(view)))
    view.set_people(people)
    tabs.setCurrentWidget(view)
    return view


def month_shares(by_month: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[float], list[float]]:
    """(months, positive share, negative share) of the judged tweets of each month."""
    months, pos, neg = [], [], []
    for m in by_month:
        total = sum(int(m.get(k, 0)) for k in LABELS)
        if total:
            months.append(str(m["month"]))
            pos.append(int(m.get("positive", 0)) / total)
            neg.append(int(m.get("negative", 0)) / total)
    return months, pos, neg


def draw_comparison(fig: Any, people: Sequence[Mapping[str, Any]], theme: ChartTheme = LIGHT) -> None:
    """Three panels: sentiment mix per person (stacked shares), positive (solid) and negative (dashed)
    share per month for each person on one time axis, and each person's top words."""
    import numpy as np

    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.2], width_ratios=[1.3, 1])
    ax_mix, ax_words, ax_time = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])
    if len(people) < 1:
        for ax in (ax_mix, ax_words, ax_time):
            _empty(ax, theme, "select two or more people")
        return
    names = [str(p["name"]) for p in people]
    # 1. sentiment mix side by side
    y = np.arange(len(people))[::-1]
    left = np.zeros(len(people))
    for label in LABELS:
        totals = [max(1, sum(p["counts"].values())) for p in people]
        share = np.array([p["counts"].get(label, 0) / t for p, t in zip(people, totals, strict=True)])
        ax_mix.barh(y, share, left=left, color=SENTIMENT_COLOURS[label], label=label, height=0.6)
        for yi, s, l0 in zip(y, share, left, strict=True):
            if s >= 0.08:
                ax_mix.text(l0 + s / 2, yi, f"{100 * s:.0f}%", ha="center", va="center", fontsize=8, color="white")
        left += share
    ax_mix.set_yticks(y, names)
    ax_mix.set_xlim(0, 1)
    ax_mix.set_title("Sentiment mix (judged tweets)", fontsize=9, color=theme.foreground)
    ax_mix.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False,
                  labelcolor=theme.foreground)
    _style_axes(ax_mix, theme)
    # 2. top words of each
    ax_words.axis("off")
    ax_words.set_title("Top words", fontsize=9, color=theme.foreground)
    col_w = 1 / max(1, len(people))
    for i, p in enumerate(people):
        colour = PERSON_COLOURS[i % len(PERSON_COLOURS)]
        ax_words.text(i * col_w + 0.02, 0.95, names[i], fontsize=8, fontweight="bold", color=colour, va="top",
                      transform=ax_words.transAxes)
        words = "\n".join(f"{w} ({c})" for w, c in p["top_words"][:TOP_WORDS_COMPARED]) or "—"
        ax_words.text(i * col_w + 0.02, 0.82, words, fontsize=7.5, color=theme.foreground, va="top",
                      transform=ax_words.transAxes, linespacing=1.3)
    # 3. positive and negative share per month, one time axis
    all_months = sorted({m for p in people for m in month_shares(p["by_month"])[0]})
    if not all_months:
        _empty(ax_time, theme, "no dated tweets")
        return
    pos_of = {m: i for i, m in enumerate(all_months)}
    for i, p in enumerate(people):
        months, pos, neg = month_shares(p["by_month"])
        x = [pos_of[m] for m in months]
        colour = PERSON_COLOURS[i % len(PERSON_COLOURS)]
        ax_time.plot(x, pos, color=colour, linewidth=1.6, marker="o", markersize=2.5, label=f"{names[i]}: positive")
        ax_time.plot(x, neg, color=colour, linewidth=1.3, linestyle="--", label=f"{names[i]}: negative")
    step = max(1, len(all_months) // 8)
    ax_time.set_xticks(range(0, len(all_months), step), all_months[::step], fontsize=7)
    ax_time.set_ylim(0, 1)
    ax_time.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
    ax_time.set_title("Share of positive (solid) and negative (dashed) tweets per month", fontsize=9,
                      color=theme.foreground)
    ax_time.legend(fontsize=7, ncols=min(4, 2 * len(people)), frameon=False, labelcolor=theme.foreground)
    _style_axes(ax_time, theme, grid_axis="y")


class CompareView(QWidget):
    """The comparison chart with its export button; `set_people(summaries)` draws it."""

    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.people: list[dict[str, Any]] = []
        self.title = QLabel("<b>Compare people</b>")
        self.chart = ChartWidget("comparison", min_height=420)
        self.export_button = QPushButton("Export PNG/SVG…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._export)
        back = QPushButton("Close")
        back.clicked.connect(self.close_requested)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.export_button)
        head.addWidget(back)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.chart, 1)

    def set_people(self, people: Sequence[Mapping[str, Any]]) -> None:
        self.people = [dict(p) for p in people]
        self.title.setText("<b>Compare:</b> " + ", ".join(str(p["name"]) for p in self.people))
        self.chart.plot(draw_comparison, self.people)
        self.export_button.setEnabled(bool(self.people))

    def save(self, path: str | Path) -> Path:
        """PNG or SVG by suffix (the chart's own export)."""
        return self.chart.save(path)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export comparison", "comparison.png",
                                              "PNG image (*.png);;SVG image (*.svg)")
        if path:
            self.save(path)
