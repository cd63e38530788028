"""Where things live: the shipped models and resources, and the user's data and cache directories.

Works the same from a source checkout, an installed package and a PyInstaller bundle, and never
writes inside the install: user data and JIT caches go to the platform's standard directories.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "CTA Desktop"
APP_SLUG = "cta-desktop"


def install_root() -> Path:
    """The folder that holds `models/` and `resources/` (the repo, or the bundle's data folder)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def models_dir() -> Path:
    override = os.environ.get("CTA_MODELS_DIR")
    return Path(override) if override else install_root() / "models"


def resources_dir() -> Path:
    return install_root() / "resources"


def shared_data_dir() -> Path:
    """The read-only shared datasets beside the repo (development and tests only)."""
    override = os.environ.get("CTA_SHARED_DATA")
    if override:
        return Path(override)
    return install_root().parent / "shared" / "data"


def _user_dir(env_var: str, kind: str) -> Path:
    """A platformdirs user folder of `kind` ("data" or "cache"), or the env override; created if missing."""
    override = os.environ.get(env_var)
    if override:
        path = Path(override)
    else:
        import platformdirs

        finder = platformdirs.user_data_dir if kind == "data" else platformdirs.user_cache_dir
        path = Path(finder(APP_SLUG, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_data_dir() -> Path:
    """The user's data directory (the library database lives here). CTA_DATA_DIR overrides it."""
    return _user_dir("CTA_DATA_DIR", "data")


def user_cache_dir() -> Path:
    """The user's cache directory (numba's compiled kernels live here). CTA_CACHE_DIR overrides it."""
    return _user_dir("CTA_CACHE_DIR", "cache")


def prepare_tensorflow_env() -> None:
    """Call before importing TensorFlow/Keras: quiet C++ logs, and keep Keras's config folder
    (it creates `~/.keras` on import) in our cache directory instead of the user's home."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_HOME", str(user_cache_dir() / "keras"))
