"""A file in the user cache that says a numba kernel module compiled into numba's cache once.

numba keeps compiled kernels on disk (`engines._numba_cache`), but whether a module's kernels are there
can only be told by loading them. The marker, named by the kernel module's source and numba's version,
says so without importing numba: a warm-up that finds it loads the kernels at once (a fraction of a
second) instead of compiling them in the background.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def marker_for(kernel_source: Path, kind: str) -> Path | None:
    """The marker of the kernels in `kernel_source` (None when that file cannot be read)."""
    from importlib import metadata

    from cta_desktop.paths import user_cache_dir

    try:
        numba_version = metadata.version("numba")  # without importing numba (~0.3 s)
    except metadata.PackageNotFoundError:
        numba_version = "?"
    try:
        source = kernel_source.read_bytes()
    except OSError:
        return None
    return user_cache_dir() / kind / f"compiled-{hashlib.sha256(source + numba_version.encode()).hexdigest()[:16]}"


def mark_compiled(marker: Path | None) -> None:
    """Leave the marker (quietly nothing when the cache cannot be written)."""
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass
