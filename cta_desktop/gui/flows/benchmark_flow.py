"""The Benchmark tab's flow: run the comparison on the worker thread, show it, save it as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from cta_desktop.gui import settings as app_settings
from cta_desktop.gui.workers import Task

if TYPE_CHECKING:
    from cta_desktop.gui.benchmark_tab import BenchmarkTab
    from cta_desktop.gui.flows import TaskHost


class BenchmarkFlow(QObject):
    def __init__(self, host: TaskHost, tab: BenchmarkTab, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.tab = tab
        tab.run_requested.connect(self.run)
        tab.save_requested.connect(self.save)

    def run(self, options: dict[str, Any]) -> Task | None:
        from cta_desktop.gui.jobs import benchmark_job

        task = Task(benchmark_job, options["n"], options["batch"], options["sparsity"], options["layers"],
                    options["rounds"], title="Benchmark", parent=self)
        started = self.host.start_task(task, f"Benchmarking {options['n']:,} tweets…", self._on_result,
                                       "Benchmark failed")
        if started is not None:
            self.tab.set_running(True)
            task.cancelled.connect(self.tab.show_cancelled)
            task.finished.connect(lambda: self.tab.set_running(False))
        return started

    def _on_result(self, result: dict[str, Any]) -> None:
        self.tab.show_result(result)
        speedup = result.get("speedup")
        best = (result.get("engines", {}).get(result.get("best_dense") or "", {})).get("title",
                                                                                       "the best dense runtime")
        self.host.set_status("Benchmark finished" + (f": NZB ×{float(speedup):.2f} against {best}." if speedup
                                                    else "."), 15000)

    def save(self) -> None:
        if self.tab.result is None:
            return
        start = str(Path(app_settings.last_folder()) / "cta-benchmark.json")
        path, _ = QFileDialog.getSaveFileName(self.host.widget(), "Save benchmark results", start, "JSON (*.json)")
        if not path:
            return
        app_settings.remember_folder(path)
        target = Path(path) if path.lower().endswith(".json") else Path(path + ".json")
        try:
            self.tab.save(target)
        except OSError as exc:
            self.host.report_error("Cannot save", f"{target}: {exc}")
            return
        self.host.set_status(f"Saved {target.name}", 6000)
