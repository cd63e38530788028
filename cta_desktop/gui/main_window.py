"""The main window: three tabs, a menu, a status bar with progress and Cancel, one background job at a time.

The window owns the flows that cross tabs (import → library, analyze → results, benchmark) and
the one worker thread; tabs only show things and emit requests. Heavy modules (the core, matplotlib,
TensorFlow) are imported when a flow first needs them, after the window is on screen.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QWidget,
)

from cta_desktop.gui import settings as app_settings
from cta_desktop.gui.benchmark_tab import BenchmarkTab
from cta_desktop.gui.dialogs import app_icon, show_error
from cta_desktop.gui.results_tab import ResultsTab
from cta_desktop.gui.search_tab import SearchTab
from cta_desktop.gui.workers import Task, describe_error

MODEL_CHOICES = ((0, "Dense (no pruning)"), (70, "70% pruned"), (75, "75% pruned"), (80, "80% pruned (default)"),
                 (85, "85% pruned"))
EXPORT_FILTERS = {
    "HTML report (*.html)": ".html",
    "Per-tweet CSV (*.csv)": ".csv",
    "Chart images, PNG (*.png)": ".png",
    "Chart images, SVG (*.svg)": ".svg",
}


def default_library_path() -> Path:
    from cta_desktop.paths import user_data_dir

    return user_data_dir() / "library.sqlite3"


def safe_stem(text: str) -> str:
    stem = re.sub(r"[^\w\-]+", "_", text, flags=re.UNICODE).strip("_")
    return stem[:60] or "analysis"


class MainWindow(QMainWindow):
    def __init__(self, library_path: Path | None = None, first_run_example: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library_path = Path(library_path) if library_path else default_library_path()
        self.library = None
        self.first_run_example = first_run_example
        self.task: Task | None = None
        self.last_error: str = ""
        self.setWindowTitle("CTA Desktop")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.search_tab = SearchTab()
        self.results_tab = ResultsTab()
        self.benchmark_tab = BenchmarkTab()
        self.tabs.addTab(self.search_tab, "Library")
        self.tabs.addTab(self.results_tab, "Results")
        self.tabs.addTab(self.benchmark_tab, "Benchmark")
        self.setCentralWidget(self.tabs)

        self.status_label = QLabel()
        self._status_timer = QTimer(self, singleShot=True)
        self._status_timer.timeout.connect(self.status_label.clear)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel_task")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_task)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)

        self._build_actions()
        self.search_tab.analyze_requested.connect(self.analyze)
        self.search_tab.import_requested.connect(self.import_dialog)
        self.search_tab.files_dropped.connect(self.import_files)
        self.search_tab.delete_requested.connect(self.delete_person)
        self.results_tab.export_requested.connect(self.export)
        self.benchmark_tab.run_requested.connect(self.run_benchmark)
        self.benchmark_tab.cancel_requested.connect(self.cancel_task)
        self.benchmark_tab.save_requested.connect(self.save_benchmark)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._restore_settings()
        self._import_queue: list[str] = []
        self._after_task = None
        QTimer.singleShot(0, self._startup)

    # -- construction -------------------------------------------------------------------------
    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.import_action = QAction("&Import CSV…", self, shortcut=QKeySequence.StandardKey.Open,
                                     triggered=self.import_dialog)
        self.export_action = QAction("&Export…", self, shortcut=QKeySequence("Ctrl+E"), triggered=self.export)
        self.example_action = QAction("Import the &example dataset", self, triggered=self.import_example)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        file_menu.addActions([self.import_action, self.example_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = menu.addMenu("&Edit")
        self.find_action = QAction("&Find person", self, shortcut=QKeySequence.StandardKey.Find,
                                   triggered=self.focus_search)
        edit_menu.addAction(self.find_action)

        analysis_menu = menu.addMenu("&Analysis")
        self.analyze_action = QAction("&Analyze selected person", self, shortcut=QKeySequence("Ctrl+Return"),
                                      triggered=self._analyze_selected)
        analysis_menu.addAction(self.analyze_action)
        model_menu = analysis_menu.addMenu("&Model")
        self.model_group = QActionGroup(self)
        chosen = app_settings.chosen_sparsity()
        self.model_actions: dict[int, QAction] = {}
        for level, title in MODEL_CHOICES:
            act = QAction(title, self, checkable=True)
            act.setData(level)
            act.setChecked(level == chosen)
            act.triggered.connect(lambda _=False, lv=level: app_settings.set_chosen_sparsity(lv))
            self.model_group.addAction(act)
            model_menu.addAction(act)
            self.model_actions[level] = act

        help_menu = menu.addMenu("&Help")
        help_menu.addAction(QAction("&About CTA Desktop and the model…", self, triggered=self.about))
        for act in (self.import_action, self.export_action, self.find_action, self.analyze_action):
            self.addAction(act)  # shortcuts work even when the menu bar is hidden (e.g. macOS full screen)

    def _restore_settings(self) -> None:
        s = app_settings.app_settings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(QByteArray(geometry)):
            pass
        else:
            screen = QGuiApplication.primaryScreen()
            avail = screen.availableGeometry() if screen else None
            w, h = 1180, 800
            if avail is not None:
                w, h = min(w, int(avail.width() * 0.9)), min(h, int(avail.height() * 0.9))
            self.resize(w, h)
        state = s.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(QByteArray(state))
        tab = s.value("window/tab", 0, type=int)
        if 0 <= tab < self.tabs.count() and tab != 1:  # results start empty: open on Library instead
            self.tabs.setCurrentIndex(tab)

    def _save_settings(self) -> None:
        s = app_settings.app_settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/tab", self.tabs.currentIndex())
        s.sync()

    def _startup(self) -> None:
        """After the window is shown: open the library, list people, and on first run show the example."""
        try:
            from cta_desktop.core.library import Library

            self.library = Library(self.library_path)
        except Exception as exc:  # noqa: BLE001 - the user must see why the library cannot open
            import traceback

            self.report_error("Cannot open the library", f"{self.library_path}: {exc}", traceback.format_exc())
            return
        self.search_tab.set_library(self.library)
        self._check_models()
        s = app_settings.app_settings()
        if self.first_run_example and not s.value("library/example_offered", False, type=bool):
            s.setValue("library/example_offered", True)
            if not self.library.people():
                self.import_example(analyze_after=True)
                return
        self.set_status("Ready. Select a person and press Analyze, or import a CSV (Ctrl+O).")

    def _check_models(self) -> None:
        try:
            from cta_desktop.core.modelstore import available_levels

            levels = set(available_levels())
        except Exception:  # noqa: BLE001
            levels = set()
        for level, act in self.model_actions.items():
            act.setEnabled(level in levels or not levels)
            if levels and level not in levels:
                act.setToolTip("model file missing")
        chosen = app_settings.chosen_sparsity()
        if levels and chosen not in levels:
            fallback = 80 if 80 in levels else max(levels)
            self.model_actions[fallback].setChecked(True)
            app_settings.set_chosen_sparsity(fallback)

    # -- helpers --------------------------------------------------------------------------------
    def set_status(self, text: str, timeout_ms: int = 0) -> None:
        """Show a message; with a timeout it clears itself (a timer owned by the window, so it dies with it)."""
        self.status_label.setText(text)
        self._status_timer.stop()
        if timeout_ms:
            self._status_timer.start(timeout_ms)

    def report_error(self, title: str, message: str, details: str = "") -> None:
        self.last_error = message
        self.set_status(f"{title}: {message}")
        show_error(self, title, message, details)

    def busy(self) -> bool:
        return self.task is not None and self.task.is_running()

    def _start_task(self, task: Task, label: str, on_result, error_title: str) -> Task | None:
        if self.busy():
            self.set_status("Please wait: another job is running (or cancel it).", 4000)
            return None
        self.task = task
        self.progress.setRange(0, 0)  # busy indicator until the first progress report
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.set_status(label)
        self._set_busy(True)
        task.progress.connect(self._on_progress)
        task.result.connect(on_result)
        task.error.connect(lambda exc: self.report_error(error_title, describe_error(exc), task.details))
        task.cancelled.connect(lambda: self.set_status(f"{task.title} cancelled.", 6000))
        task.finished.connect(self._on_task_finished)
        return task.start()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            if self.progress.maximum() != total:
                self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            self.progress.setFormat(f"{done:,} / {total:,}")

    def _on_task_finished(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.task = None
        self._set_busy(False)
        after, self._after_task = self._after_task, None
        if after is not None:
            QTimer.singleShot(0, after)
        elif self._import_queue:
            QTimer.singleShot(0, self._next_import)

    def _set_busy(self, busy: bool) -> None:
        self.search_tab.set_busy(busy)
        self.import_action.setEnabled(not busy)
        self.example_action.setEnabled(not busy)
        self.analyze_action.setEnabled(not busy)
        self.benchmark_tab.set_running(busy and self.task is not None and self.task.title == "Benchmark")
        self.benchmark_tab.run_button.setEnabled(not busy)

    def cancel_task(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.set_status(f"Cancelling {self.task.title.lower()}…")

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.search_tab)
        self.search_tab.focus_search()

    def _on_tab_changed(self, index: int) -> None:
        self.export_action.setEnabled(self.results_tab.bundle is not None)

    # -- import ---------------------------------------------------------------------------------
    def import_dialog(self) -> None:
        if self.busy():
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import tweets", app_settings.last_folder(),
            "Tweet files (*.csv *.tsv *.txt);;All files (*)")
        if paths:
            app_settings.remember_folder(paths[0])
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> None:
        self._import_queue.extend(str(p) for p in paths)
        if not self.busy():
            self._next_import()

    def _next_import(self) -> None:
        while self._import_queue and not self.busy():
            path = Path(self._import_queue.pop(0))
            if self._import_one(path):
                return

    def _import_one(self, path: Path) -> bool:
        """Preview, let the user check the columns, then import in the background. True if a job started."""
        from cta_desktop.core.datasets import preview_csv
        from cta_desktop.gui.dialogs import ImportPreviewDialog

        try:
            preview = preview_csv(path)
        except Exception as exc:  # noqa: BLE001 - CsvImportError and any I/O error become a dialog
            self.report_error("Cannot import this file", describe_error(exc))
            return False
        dialog = ImportPreviewDialog(preview, path, self)
        if dialog.exec() != ImportPreviewDialog.DialogCode.Accepted:
            self.set_status(f"Import of {path.name} cancelled.", 5000)
            return False
        return self._start_import(path, dialog.person_name(), dialog.handle(), dialog.mapping())

    def _start_import(self, path: Path, name: str | None, handle: str | None, mapping: Any,
                      analyze_after: bool = False) -> bool:
        from cta_desktop.gui.jobs import import_job

        task = Task(import_job, self.library_path, path, name, handle, mapping, title="Import", parent=self)
        task.result.connect(lambda report: self._on_imported(report, path, analyze_after))
        return self._start_task(task, f"Importing {path.name}…", lambda _r: None, "Import failed") is not None

    def _on_imported(self, report: Any, path: Path, analyze_after: bool) -> None:
        pid = getattr(report, "person_id", None)
        self.search_tab.search.clear()
        self.search_tab.refresh(select_id=pid)
        n = int(getattr(report, "n_tweets", 0) or 0)
        skipped = int(getattr(report, "skipped_rows", 0) or 0)
        dups = int(getattr(report, "duplicates", 0) or 0)
        if getattr(report, "already_imported", False):
            msg = f"{path.name} was already in your library."
        else:
            msg = f"Imported {n:,} tweets from {path.name}"
            extra = [f"{skipped:,} rows skipped" for _ in [0] if skipped] + [f"{dups:,} duplicates" for _ in [0] if dups]
            msg += f" ({', '.join(extra)})." if extra else "."
        self.set_status(msg, 10000)
        if analyze_after and pid is not None:
            self._after_task = lambda: self.analyze(pid)  # once this import's thread has finished

    def import_example(self, analyze_after: bool = False) -> None:
        from cta_desktop.gui.jobs import example_csvs

        csvs = example_csvs()
        if not csvs:
            self.report_error("No example dataset", "The example dataset is missing from resources/example; reinstall.")
            return
        self._start_import(csvs[0], None, None, None, analyze_after=analyze_after)

    # -- delete ---------------------------------------------------------------------------------
    def delete_person(self, person_id: int) -> None:
        if self.library is None or self.busy():
            return
        person = self.library.person(person_id)
        name = getattr(person, "name", "this person")
        count = int(getattr(person, "tweet_count", 0) or 0)
        answer = QMessageBox.question(
            self, "Delete from library",
            f"Delete {name} and their {count:,} tweets from the library?\n\nThe original CSV file is not touched.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.library.delete_person(person_id)
        except Exception as exc:  # noqa: BLE001
            self.report_error("Cannot delete", str(exc))
            return
        bundle = self.results_tab.bundle
        if bundle is not None and getattr(bundle.person, "id", None) == person_id:
            self.results_tab.clear()
        self.search_tab.refresh()
        self.set_status(f"Deleted {name}.", 6000)

    # -- analysis -------------------------------------------------------------------------------
    def _analyze_selected(self) -> None:
        pid = self.search_tab.selected_person_id()
        if pid is not None:
            self.analyze(pid)

    def analyze(self, person_id: int) -> Task | None:
        from cta_desktop.gui.jobs import analyze_job

        sparsity = app_settings.chosen_sparsity()
        person = self.library.person(person_id) if self.library is not None else None
        name = getattr(person, "name", "this person")
        task = Task(analyze_job, self.library_path, person_id, sparsity, title="Analysis", parent=self)
        return self._start_task(task, f"Analysing {name}…", self._on_analysed, "Analysis failed")

    def _on_analysed(self, bundle: Any) -> None:
        self.results_tab.show_bundle(bundle)
        self.tabs.setCurrentWidget(self.results_tab)
        self.export_action.setEnabled(True)
        r = bundle.result
        secs = getattr(r, "seconds", None)
        self.set_status(f"Analysed {int(getattr(r, 'n_tweets', 0)):,} tweets"
                        + (f" in {float(secs):.2f} s." if secs is not None else "."), 10000)

    # -- export ---------------------------------------------------------------------------------
    def export(self) -> None:
        bundle = self.results_tab.bundle
        if bundle is None:
            self.set_status("Nothing to export yet: analyse someone first.", 5000)
            return
        stem = safe_stem(getattr(bundle.person, "name", "") or "analysis")
        start = str(Path(app_settings.last_folder()) / f"{stem}.html")
        path, chosen = QFileDialog.getSaveFileName(self, "Export analysis", start, ";;".join(EXPORT_FILTERS))
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
        except Exception as exc:  # noqa: BLE001
            import traceback

            QApplication.restoreOverrideCursor()
            self.report_error("Export failed", f"{target}: {exc}", traceback.format_exc())
            return
        QApplication.restoreOverrideCursor()
        self.set_status("Saved " + ", ".join(p.name for p in written), 10000)

    def export_to(self, target: Path, kind: str) -> list[Path]:
        bundle = self.results_tab.bundle
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
                                            model_label=str(getattr(bundle.result, "model_name", ""))),
                          encoding="utf-8")
        return [target]

    # -- benchmark ------------------------------------------------------------------------------
    def run_benchmark(self, options: dict) -> Task | None:
        from cta_desktop.gui.jobs import benchmark_job

        task = Task(benchmark_job, options["n"], options["batch"], options["sparsity"], options["layers"],
                    options["rounds"], title="Benchmark", parent=self)
        started = self._start_task(task, f"Benchmarking {options['n']:,} tweets…",
                                   self._on_benchmarked, "Benchmark failed")
        if started is not None:
            self.benchmark_tab.set_running(True)
            task.cancelled.connect(self.benchmark_tab.show_cancelled)
        return started

    def _on_benchmarked(self, result: dict) -> None:
        self.benchmark_tab.show_result(result)
        speedup = result.get("speedup")
        best = (result.get("engines", {}).get(result.get("best_dense") or "", {})).get("title", "the best dense runtime")
        self.set_status("Benchmark finished" + (f": NZB ×{float(speedup):.2f} against {best}." if speedup
                                               else "."), 15000)

    def save_benchmark(self) -> None:
        if self.benchmark_tab.result is None:
            return
        start = str(Path(app_settings.last_folder()) / "cta-benchmark.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save benchmark results", start, "JSON (*.json)")
        if not path:
            return
        app_settings.remember_folder(path)
        target = Path(path) if path.lower().endswith(".json") else Path(path + ".json")
        try:
            self.benchmark_tab.save(target)
        except OSError as exc:
            self.report_error("Cannot save", f"{target}: {exc}")
            return
        self.set_status(f"Saved {target.name}", 6000)

    # -- misc -----------------------------------------------------------------------------------
    def about(self) -> None:
        from cta_desktop.gui.dialogs import AboutDialog

        AboutDialog(self).exec()

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        self.search_tab.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.search_tab.dropEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._save_settings()
        self._import_queue.clear()
        if self.task is not None:
            self.task.cancel()
            self.task.wait(10000)
        from cta_desktop.gui.workers import running_tasks

        for task in running_tasks():  # chart renders: short, let them end rather than kill them
            task.wait(5000)
        if self.library is not None:
            try:
                self.library.close()
            except Exception:  # noqa: BLE001
                pass
            self.library = None
        super().closeEvent(event)


def result_summary(result: Any) -> dict:
    """The AnalysisResult fields the report uses, as a dict."""
    names = ("n_tweets", "counts", "ratios", "examples", "top_words", "by_month")
    if isinstance(result, dict):
        return {k: result.get(k) for k in names}
    return {k: getattr(result, k, None) for k in names}


def bundle_rows(bundle: Any) -> list[dict]:
    cols = getattr(bundle, "columns", None)
    if cols is None:
        return []
    return [{"date": cols.dates[i], "label": cols.labels[i], "confidence": float(cols.confidences[i]),
             "text": cols.texts[i]} for i in range(len(cols))]
