"""Where numba keeps the compiled kernels: our user cache directory, never inside the install.

Imported by `sparse` and by `_kernels_simd` (which every kernel module imports first), so the cache
directory is set before any kernel is compiled, whichever module a program imports first
(`self-test` imports them all in name order: the kernel modules came before `sparse` and compiled
uncached, 10-12 s on every run). numba reads the setting when a kernel is defined, so importing
numba before this module is fine.
"""

from __future__ import annotations

import os
import sys

from cta_desktop.paths import user_cache_dir


def configure() -> None:
    """Point numba's cache at `user_cache_dir()/numba` (left unset if that cannot be created)."""
    try:
        cache = user_cache_dir() / "numba"
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(cache)
    if "numba" in sys.modules:  # imported earlier by someone else: numba reads its config lazily too
        sys.modules["numba"].config.CACHE_DIR = str(cache)


configure()
