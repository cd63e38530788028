"""The window's flows, each owning one job from the user's request to its result.

`import_flow` (queue, preview off the GUI thread, the preview dialog, the import), `export_flow`
(what to write and where), `benchmark_flow` (run, show, save). Each talks to the window only through
the small `TaskHost` protocol below, as Orange3-Text's widgets talk to their `ConcurrentWidgetMixin`:
the flow starts work and handles its result; the host owns the one worker slot, the status bar and
error dialogs. `MainWindow` builds the flows and wires the tabs' signals to them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from cta_desktop.gui.workers import Task


class TaskHost(Protocol):
    """What a flow needs from the window."""

    library_path: Path

    def widget(self) -> QWidget: ...  # parent for dialogs

    def busy(self) -> bool: ...

    def start_task(self, task: Task, label: str, on_result: Callable[[Any], object], error_title: str) -> Task | None: ...

    def run_after_task(self, fn: Callable[[], object]) -> None: ...  # once the running job's thread has ended

    def set_status(self, text: str, timeout_ms: int = 0) -> None: ...

    def report_error(self, title: str, message: str, details: str = "") -> None: ...
