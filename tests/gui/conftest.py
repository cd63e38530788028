"""GUI tests: offscreen Qt, and every user folder (data, cache, settings) in a temporary place.

The numba kernel cache lives in pytest's own cache folder (.pytest_cache), so the sparse
kernels compile once, not on every run, and never in the user's real cache.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from cta_desktop.core import modelstore  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _session_cache(request, tmp_path_factory):
    if getattr(request.config, "cache", None) is not None:
        cache = Path(request.config.cache.mkdir("cta-gui-cache"))
    else:  # -p no:cacheprovider: a fresh folder (the kernels compile once for this session)
        cache = tmp_path_factory.mktemp("cta-cache")
    old = os.environ.get("CTA_CACHE_DIR")
    os.environ["CTA_CACHE_DIR"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("CTA_CACHE_DIR", None)
    else:
        os.environ["CTA_CACHE_DIR"] = old


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path, monkeypatch, _session_cache):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("CTA_DATA_DIR", str(tmp_path / "data"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture(scope="session")
def models_available() -> bool:
    return modelstore.nzb_path(80).exists() and (modelstore.models_dir() / modelstore.VOCAB_FILE).exists()


@pytest.fixture
def need_models(models_available):
    if not models_available:
        pytest.skip("no trained models in models/ (run `cta-desktop train`)")


class DialogRecorder:
    """Stands in for modal boxes: records each QMessageBox instead of blocking on exec()."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.questions: list[str] = []
        self.answer = None

    def exec_box(self, box) -> int:
        self.errors.append(box.text())
        return 0


@pytest.fixture
def dialogs(monkeypatch) -> DialogRecorder:
    from PySide6.QtWidgets import QMessageBox

    rec = DialogRecorder()
    rec.answer = QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "exec", lambda self: rec.exec_box(self))

    def question(parent, title, text, *args, **kwargs):
        rec.questions.append(text)
        return rec.answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return rec


@pytest.fixture
def accept_import(monkeypatch):
    """The import preview dialog accepts at once (keeping the detected columns)."""
    from cta_desktop.gui.dialogs import ImportPreviewDialog

    seen: list[ImportPreviewDialog] = []

    def exec_(self):
        seen.append(self)
        return ImportPreviewDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreviewDialog, "exec", exec_)
    return seen


@pytest.fixture
def window(qtbot, tmp_path, dialogs):
    from cta_desktop.gui.main_window import MainWindow

    w = MainWindow(library_path=tmp_path / "data" / "library.sqlite3", first_run_example=False)
    qtbot.addWidget(w)
    w.resize(1200, 820)
    w.show()
    qtbot.waitUntil(lambda: w.library is not None, timeout=10_000)
    yield w
    if w.task is not None:
        w.task.cancel()
        w.task.wait(20_000)
    w.close()

