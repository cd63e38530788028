"""Start the desktop app: the QApplication, the error hook, the main window.

Only PySide6 and the window's own modules load before the window is shown; the core, matplotlib
and (on demand) TensorFlow load afterwards.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import cast

_in_hook = False


def install_excepthook() -> None:
    """Main-thread exceptions (in slots, timers, event handlers) become an error dialog, not a silent log line."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb) -> None:
        global _in_hook
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(details)
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is None or _in_hook:
            return
        _in_hook = True
        try:
            from cta_desktop.gui.dialogs import show_error

            text = str(exc).strip()
            message = (f"Something went wrong: {exc_type.__name__}: {text}" if text
                       else f"Something went wrong: {exc_type.__name__}")
            show_error(cast(QApplication, app).activeWindow(), "Unexpected error",
                       message + "\n\nThe app keeps running; the details below help a bug report.", details)
        finally:
            _in_hook = False

    sys.excepthook = hook


def create_app(argv: list[str] | None = None):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from cta_desktop import __version__
    from cta_desktop.gui.settings import APPLICATION, ORGANIZATION

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(argv if argv is not None else sys.argv[:1])
        app.setDesktopFileName("cta-desktop")
    from cta_desktop.gui.dialogs import app_icon

    gui_app = cast(QApplication, app)
    gui_app.setWindowIcon(app_icon())
    return gui_app


def run(library_path: Path | None = None, example: bool = True) -> int:
    app = create_app()
    install_excepthook()
    from cta_desktop.gui.main_window import MainWindow

    window = MainWindow(library_path=library_path, first_run_example=example)
    window.show()
    return app.exec()
