"""Shared test helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping

import pytest


@pytest.fixture
def run_python() -> Callable[..., str]:
    """Run code in a fresh Python interpreter with these environment variables set and those removed;
    returns its stdout (the test fails, with the end of stderr, if it exits non-zero)."""

    def run(code: str, set_env: Mapping[str, str] | None = None, drop_env: Iterable[str] = ()) -> str:
        dropped = set(drop_env)
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        env.update(set_env or {})
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout

    return run
