"""The app's QSettings: window geometry, last tab, last folder, chosen model.

Tests isolate these by pointing QSettings' IniFormat user path at a temporary folder and making
IniFormat the default (see tests/gui/conftest.py); the app itself keeps the platform default.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings

ORGANIZATION = "cta-desktop"
APPLICATION = "CTA Desktop"


def app_settings() -> QSettings:
    # This constructor honours QSettings.setDefaultFormat (the (org, app) one always uses NativeFormat).
    return QSettings(QSettings.defaultFormat(), QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def last_folder() -> str:
    value = cast(str, app_settings().value("paths/last_folder", "", type=str))
    return value if value and Path(value).is_dir() else str(Path.home())


def remember_folder(path: str | Path) -> None:
    p = Path(path)
    app_settings().setValue("paths/last_folder", str(p if p.is_dir() else p.parent))


def chosen_sparsity(default: int = 80) -> int:
    return cast(int, app_settings().value("model/sparsity", default, type=int))


def set_chosen_sparsity(level: int) -> None:
    app_settings().setValue("model/sparsity", int(level))


def include_retweets() -> bool:
    """Whether analyses take the person's retweets too (default: their own words only)."""
    return cast(bool, app_settings().value("analysis/include_retweets", False, type=bool))


def include_replies() -> bool:
    return cast(bool, app_settings().value("analysis/include_replies", True, type=bool))


def set_include(kind: str, value: bool) -> None:
    """kind: 'retweets' or 'replies'."""
    app_settings().setValue(f"analysis/include_{kind}", bool(value))
