"""The main window: three tabs, a menu, a status bar with progress and Cancel, one background job at a time.

The window wires things together: tabs show things and emit requests; the flows in `gui/flows/`
(import, export, benchmark) own their jobs; the window owns the one worker slot, the status bar,
settings and the analysis of a person (library -> results). Heavy modules (the core, matplotlib,
dense runtimes) are imported when a flow first needs them, after the window is on screen.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
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
from cta_desktop.gui.flows.benchmark_flow import BenchmarkFlow
from cta_desktop.gui.flows.export_flow import ExportFlow
from cta_desktop.gui.flows.import_flow import ImportFlow, ImportRequest, import_message
from cta_desktop.gui.results_tab import ResultsTab
from cta_desktop.gui.search_tab import SearchTab
from cta_desktop.gui.workers import Task, describe_error

MODEL_CHOICES = ((0, "Dense (no pruning)"), (70, "70% pruned"), (75, "75% pruned"), (80, "80% pruned (default)"),
                 (85, "85% pruned"))

if TYPE_CHECKING:
    from cta_desktop.core.library import ImportReport, Library
    from cta_desktop.gui.jobs import AnalysisBundle
    from cta_desktop.gui.warm_up import EngineWarmUp


def default_library_path() -> Path:
    from cta_desktop.paths import user_data_dir

    return user_data_dir() / "library.sqlite3"


class MainWindow(QMainWindow):
    def __init__(self, library_path: Path | None = None, first_run_example: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library_path = Path(library_path) if library_path else default_library_path()
        self.library: Library | None = None
        self.first_run_example = first_run_example
        self.task: Task | None = None
        self.last_error: str = ""
        self.setWindowTitle("CTA Desktop")
        self.setWindowIcon(app_icon())
        from cta_desktop.gui.gc_collector import GuiThreadCollector

        self.collector = GuiThreadCollector(self)  # cyclic garbage collected on this thread only
        self.warm_up: EngineWarmUp | None = None  # the app's kernel warm-up (from _startup)
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

        self._after_task: Callable[[], object] | None = None
        self.import_flow = ImportFlow(self, parent=self)
        self.export_flow = ExportFlow(self, self.results_tab, parent=self)
        self.benchmark_flow = BenchmarkFlow(self, self.benchmark_tab, parent=self)
        self._build_actions()
        self.search_tab.analyze_requested.connect(self.analyze)
        self.search_tab.import_requested.connect(self.import_flow.choose_files)
        self.search_tab.files_dropped.connect(self.import_flow.add_files)
        self.search_tab.delete_requested.connect(self.delete_person)
        self.search_tab.compare_requested.connect(self.compare)
        self.import_flow.imported.connect(self._on_imported)
        self.results_tab.export_requested.connect(self.export_flow.export)
        self.benchmark_tab.cancel_requested.connect(self.cancel_task)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._restore_settings()
        QTimer.singleShot(0, self._startup)

    # -- construction -------------------------------------------------------------------------
    def _build_actions(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.import_action = self._action("&Import tweets…", lambda: self.import_flow.choose_files(),
                                          QKeySequence.StandardKey.Open)
        self.add_action = self._action("&Add tweets to the selected person…", self.add_tweets_to_selected)
        self.export_action = self._action("&Export…", self.export_flow.export, QKeySequence("Ctrl+E"))
        self.example_action = self._action("Import the &example dataset", lambda: self.import_flow.import_example())
        quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        file_menu.addActions([self.import_action, self.add_action, self.example_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        edit_menu = menu.addMenu("&Edit")
        self.find_action = self._action("&Find person", self.focus_search, QKeySequence.StandardKey.Find)
        edit_menu.addAction(self.find_action)

        analysis_menu = menu.addMenu("&Analysis")
        self.analyze_action = self._action("&Analyze selected person", self._analyze_selected,
                                           QKeySequence("Ctrl+Return"))
        analysis_menu.addAction(self.analyze_action)
        analysis_menu.addSeparator()
        self.retweets_action = QAction("Include &retweets (what they passed on)", self, checkable=True)
        self.retweets_action.setChecked(app_settings.include_retweets())
        self.retweets_action.toggled.connect(lambda on: self._set_include("retweets", on))
        self.replies_action = QAction("Include re&plies", self, checkable=True)
        self.replies_action.setChecked(app_settings.include_replies())
        self.replies_action.toggled.connect(lambda on: self._set_include("replies", on))
        analysis_menu.addActions([self.retweets_action, self.replies_action])
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
        help_menu.addAction(self._action("&About CTA Desktop and the model…", self.about))
        for act in (self.import_action, self.export_action, self.find_action, self.analyze_action):
            self.addAction(act)  # shortcuts work even when the menu bar is hidden (e.g. macOS full screen)

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

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
        tab = cast(int, s.value("window/tab", 0, type=int))
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
        from cta_desktop.gui.warm_up import engine_warm_up

        # compile (or load) the kernels now, so the first analysis need not wait (once per process)
        self.warm_up = engine_warm_up()
        # Everything imported and built so far lives as long as the app: keep it out of the garbage
        # collector's full passes, which hold the GIL (and so the event loop) for as long as they scan.
        gc.freeze()
        s = app_settings.app_settings()
        if self.first_run_example and not s.value("library/example_offered", False, type=bool):
            s.setValue("library/example_offered", True)
            if not self.library.people():
                self.import_flow.import_example(analyze_after=True)
                return
        self.set_status("Ready. Select a person and press Analyze, or import tweets (Ctrl+O).")

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

    # -- the TaskHost the flows use ------------------------------------------------------------
    def widget(self) -> QWidget:
        return self

    def run_after_task(self, fn: Callable[[], object]) -> None:
        """Run `fn` once the running job's thread has ended (at once if nothing runs)."""
        if self.busy():
            self._after_task = fn
        else:
            QTimer.singleShot(0, fn)

    def start_task(self, task: Task, label: str, on_result: Callable[[Any], object], error_title: str) -> Task | None:
        return self._start_task(task, label, on_result, error_title)

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

    def _start_task(self, task: Task, label: str, on_result: Callable[[Any], object], error_title: str) -> Task | None:
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
        elif self.import_flow.queue:
            QTimer.singleShot(0, self.import_flow.next)

    def _set_busy(self, busy: bool) -> None:
        self.search_tab.set_busy(busy)
        for action in (self.import_action, self.add_action, self.example_action, self.analyze_action):
            action.setEnabled(not busy)
        self.benchmark_tab.set_can_run(not busy)

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

    # -- import (the flow does the work; the window shows what came of it) -----------------------
    def import_dialog(self) -> None:
        self.import_flow.choose_files()

    def import_files(self, paths: list[str]) -> None:
        self.import_flow.add_files(paths)

    def add_tweets_to_selected(self) -> None:
        """Library: "Add tweets to…" the selected person (de-duplicated against what they have)."""
        pid = self.search_tab.selected_person_id()
        if pid is None:
            self.set_status("Select the person to add tweets to first.", 5000)
            return
        self.import_flow.choose_files(person_id=pid)

    def _on_imported(self, report: ImportReport, request: ImportRequest) -> None:
        self.search_tab.search.clear()
        self.search_tab.refresh(select_id=report.person_id)
        self.set_status(import_message(report, request.path), 10000)
        if request.analyze_after:
            pid = report.person_id
            self.run_after_task(lambda: self.analyze(pid))  # once this import's thread has finished

    # -- delete ---------------------------------------------------------------------------------
    def delete_person(self, person_id: int) -> None:
        if self.library is None or self.busy():
            return
        person = self.library.person(person_id)
        if person is None:
            return
        name, count = person.name, person.tweet_count
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
        if bundle is not None and bundle.person.id == person_id:
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
        name = person.name if person is not None else "this person"
        task = Task(analyze_job, self.library_path, person_id, sparsity, app_settings.include_retweets(),
                    app_settings.include_replies(), title="Analysis", parent=self)
        return self._start_task(task, f"Analysing {name}…", self._on_analysed, "Analysis failed")

    def compare(self, person_ids: list[int]) -> Task | None:
        """Issue #11: the selected people side by side, in a Compare tab (gui/compare_view.py)."""
        from cta_desktop.gui.compare_view import compare_job, show_comparison

        task = Task(compare_job, self.library_path, list(person_ids), app_settings.chosen_sparsity(),
                    title="Comparison", parent=self)
        return self._start_task(task, f"Comparing {len(person_ids)} people…",
                                lambda people: show_comparison(self.tabs, people), "Comparison failed")

    def _set_include(self, kind: str, on: bool) -> None:
        """Retweets / replies in or out: remembered, and the person shown is analysed again (quick: the
        library keeps every tweet's result)."""
        app_settings.set_include(kind, on)
        bundle = self.results_tab.bundle
        if bundle is not None and not self.busy():
            self.analyze(bundle.person.id)

    def _on_analysed(self, bundle: AnalysisBundle) -> None:
        self.results_tab.show_bundle(bundle)
        self.tabs.setCurrentWidget(self.results_tab)
        self.export_action.setEnabled(True)
        r = bundle.result
        self.set_status(f"Analysed {r.n_tweets:,} tweets in {r.seconds:.2f} s.", 10000)

    # -- export and benchmark: their flows ---------------------------------------------------------
    def export_to(self, target: Path, kind: str) -> list[Path]:
        return self.export_flow.export_to(target, kind)

    def run_benchmark(self, options: dict) -> Task | None:
        return self.benchmark_flow.run(options)

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
        self.import_flow.clear()
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
        self.collector.stop()
        super().closeEvent(event)

