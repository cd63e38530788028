"""Importing files: a queue, a preview computed off the GUI thread, the preview dialog, the import job.

A dropped or chosen file is previewed on the worker thread (`datasets.preview_file` reads only a
bounded head, but a slow disk or a network share must not freeze the window); the dialog opens when
the preview is ready; the import reuses the layout the preview found (`Library.import_file(preview=)`),
so the file is detected once and read once. Files queue up and are taken one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from cta_desktop.gui import settings as app_settings
from cta_desktop.gui.workers import Task

if TYPE_CHECKING:
    from cta_desktop.core.datasets import ColumnMapping, FilePreview
    from cta_desktop.core.library import ImportReport
    from cta_desktop.gui.flows import TaskHost

# What the file dialog offers: every format the readers take (they detect by content, not by name).
FILE_FILTER = ("Tweet files (*.csv *.tsv *.txt *.js *.json *.jsonl *.ndjson *.xlsx *.zip *.gz *.bz2 *.xz);;"
               "All files (*)")


@dataclass
class ImportRequest:
    path: Path
    person_id: int | None = None  # add the tweets to this person ("Add tweets to…")
    analyze_after: bool = False


def preview_job(path: Path, *, progress, cancel) -> FilePreview:
    """The worker-thread half of a preview."""
    from cta_desktop.core.datasets import preview_file

    return preview_file(path)


def import_job(db_path: Path, request: ImportRequest, preview: FilePreview | None, person_name: str | None,
               handle: str | None, mapping: ColumnMapping | None, *, progress, cancel) -> ImportReport:
    from cta_desktop.core.library import Library

    library = Library(db_path)
    try:
        return library.import_file(request.path, preview=preview, person_id=request.person_id,
                                   person_name=person_name, handle=handle, mapping=mapping,
                                   progress=progress, cancel=cancel)
    finally:
        library.close()


class ImportFlow(QObject):
    """Queue -> preview (worker thread) -> dialog -> import (worker thread) -> `imported`."""

    imported = Signal(object, object)  # ImportReport, ImportRequest
    preview_ready = Signal(object)  # FilePreview, as the dialog is about to open (tests, status)

    def __init__(self, host: TaskHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.queue: list[ImportRequest] = []
        self.active = False  # a request is between its preview and the end of its import

    @property
    def pending(self) -> bool:
        """True while anything is queued or on its way (tests and the window wait on this)."""
        return self.active or bool(self.queue)

    # -- requests --------------------------------------------------------------------------------
    def choose_files(self, person_id: int | None = None) -> None:
        if self.host.busy():
            return
        title = "Add tweets" if person_id is not None else "Import tweets"
        paths, _ = QFileDialog.getOpenFileNames(self.host.widget(), title, app_settings.last_folder(), FILE_FILTER)
        if paths:
            app_settings.remember_folder(paths[0])
            self.add_files(paths, person_id)

    def add_files(self, paths: list[str] | list[Path], person_id: int | None = None) -> None:
        self.queue.extend(ImportRequest(Path(p), person_id) for p in paths)
        if not self.host.busy():
            self.next()

    def import_example(self, analyze_after: bool = False) -> None:
        from cta_desktop.gui.jobs import example_csvs

        csvs = example_csvs()
        if not csvs:
            self.host.report_error("No example dataset",
                                   "The example dataset is missing from resources/example; reinstall.")
            return
        self._start_import(ImportRequest(csvs[0], analyze_after=analyze_after), None, None, None, None)

    def clear(self) -> None:
        self.queue.clear()

    # -- the steps -------------------------------------------------------------------------------
    def next(self) -> None:
        """Take the next queued file (the host calls this whenever its worker slot frees up)."""
        if self.active or self.host.busy() or not self.queue:
            return
        request = self.queue.pop(0)
        self.active = True
        task = Task(preview_job, request.path, title="Preview", parent=self)
        task.error.connect(lambda _exc: self._done())
        task.cancelled.connect(self._done)
        started = self.host.start_task(task, f"Reading {request.path.name}…",
                                       lambda preview: self._on_preview(request, preview), "Cannot import this file")
        if started is None:
            self.active = False

    def _on_preview(self, request: ImportRequest, preview: FilePreview) -> None:
        # The dialog is modal: open it once the preview's thread has ended, so the slot is free.
        self.host.run_after_task(lambda: self._ask(request, preview))

    def _ask(self, request: ImportRequest, preview: FilePreview) -> None:
        from cta_desktop.gui.dialogs import ImportPreviewDialog

        self.preview_ready.emit(preview)
        dialog = ImportPreviewDialog(preview, request.path, self.host.widget(), adding=request.person_id is not None)
        if dialog.exec() != ImportPreviewDialog.DialogCode.Accepted:
            self.host.set_status(f"Import of {request.path.name} cancelled.", 5000)
            self._done()
            return
        name = None if request.person_id is not None else dialog.person_name()
        handle = None if request.person_id is not None else dialog.handle()
        if not self._start_import(request, preview, name, handle, dialog.mapping()):
            self._done()

    def _start_import(self, request: ImportRequest, preview: FilePreview | None, name: str | None,
                      handle: str | None, mapping: ColumnMapping | None) -> bool:
        self.active = True
        task = Task(import_job, self.host.library_path, request, preview, name, handle, mapping,
                    title="Import", parent=self)
        task.finished.connect(self._done)
        return self.host.start_task(task, f"Importing {request.path.name}…",
                                    lambda report: self.imported.emit(report, request), "Import failed") is not None

    def _done(self) -> None:
        self.active = False
        if self.queue:
            QTimer.singleShot(0, self.next)  # after the host has freed its worker slot


def import_message(report: ImportReport, path: Path) -> str:
    """One status line: what the import added, and what it left out and why."""
    if report.already_imported:
        return f"{path.name} was already in your library."
    parts = [f"{report.new:,} new tweets from {path.name}" + (f" ({report.format})" if report.format else "")]
    if report.duplicates:
        parts.append(f"{report.duplicates:,} already there")
    if report.skipped:
        parts.append(f"{report.skipped:,} rows skipped")
    return "Imported " + "; ".join(parts) + f". The person now has {report.n_tweets:,} tweets."


__all__ = ["FILE_FILTER", "ImportFlow", "ImportRequest", "import_message"]
