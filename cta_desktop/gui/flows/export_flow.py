"""Exporting the shown analysis: the per-tweet CSV, the charts (PNG/SVG) or a one-file HTML report."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from cta_desktop.gui import settings as app_settings

if TYPE_CHECKING:
    from cta_desktop.core.analysis import AnalysisResult
    from cta_desktop.gui.flows import TaskHost
    from cta_desktop.gui.jobs import AnalysisBundle
    from cta_desktop.gui.results_tab import ResultsTab

EXPORT_FILTERS = {
    "HTML report (*.html)": ".html",
    "Per-tweet CSV (*.csv)": ".csv",
    "Chart images, PNG (*.png)": ".png",
    "Chart images, SVG (*.svg)": ".svg",
}


def safe_stem(text: str) -> str:
    stem = re.sub(r"[^\w\-]+", "_", text, flags=re.UNICODE).strip("_")
    return stem[:60] or "analysis"


class ExportFlow(QObject):
    def __init__(self, host: TaskHost, results_tab: ResultsTab, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.results_tab = results_tab

    def export(self) -> None:
        """Ask where and what, then write it."""
        bundle = self.results_tab.bundle
        if bundle is None:
            self.host.set_status("Nothing to export yet: analyse someone first.", 5000)
            return
        stem = safe_stem(bundle.person.name or "analysis")
        start = str(Path(app_settings.last_folder()) / f"{stem}.html")
        path, chosen = QFileDialog.getSaveFileName(self.host.widget(), "Export analysis", start,
                                                   ";;".join(EXPORT_FILTERS))
        if not path:
            return
        app_settings.remember_folder(path)
        suffix = EXPORT_FILTERS.get(chosen) or Path(path).suffix.lower() or ".html"
        target = Path(path)
        if target.suffix.lower() != suffix:
            target = target.with_suffix(suffix)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            written = self.export_to(target, suffix)
        except Exception as exc:  # noqa: BLE001 - a failed write must reach the user
            QApplication.restoreOverrideCursor()
            self.host.report_error("Export failed", f"{target}: {exc}", traceback.format_exc())
            return
        QApplication.restoreOverrideCursor()
        self.host.set_status("Saved " + ", ".join(p.name for p in written), 10000)

    def export_to(self, target: Path, kind: str) -> list[Path]:
        """Write the shown analysis as `kind` ('.csv', '.png', '.svg' or '.html'); the files written."""
        bundle = self.results_tab.bundle
        if bundle is None:
            raise ValueError("no analysis is shown")
        if kind == ".csv":
            from cta_desktop.core.analysis import export_per_tweet_csv

            export_per_tweet_csv(bundle.result, target)
            return [target]
        if kind in (".png", ".svg"):
            self.results_tab.flush_charts()
            written = []
            for name, chart in self.results_tab.charts().items():
                if chart.has_chart():
                    written.append(chart.save(target.with_name(f"{target.stem}-{name}{kind}")))
            return written
        from cta_desktop.gui.report import build_html_report

        target.write_text(build_html_report(bundle.person, result_summary(bundle.result), bundle_rows(bundle),
                                            model_label=bundle.result.model_name), encoding="utf-8")
        return [target]


def result_summary(result: AnalysisResult) -> dict[str, Any]:
    """The AnalysisResult fields the report uses, as a dict."""
    return {"n_tweets": result.n_tweets, "counts": result.counts, "ratios": result.ratios,
            "examples": result.examples, "top_words": result.top_words, "by_month": result.by_month,
            "not_judged": result.not_judged, "top_words_by_class": result.top_words_by_class}  # issue #11


def bundle_rows(bundle: AnalysisBundle) -> list[dict[str, Any]]:
    cols = bundle.columns
    if cols is None:
        return []
    return [{"date": cols.dates[i], "label": cols.labels[i], "confidence": float(cols.confidences[i]),
             "text": cols.texts[i]} for i in range(len(cols))]
