"""No user waits for the compiler (#13): in a fresh install (empty kernel cache) the first analysis starts
within 1 s of the Analyze button (its first progress report) and the example's results arrive within 3 s
(they waited 6-8 s for the compiler before), on the NumPy reference while the NZB kernels compile in the
background.

Measured in a fresh process with its own empty CTA_CACHE_DIR, as a real first start is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHILD = "CTA_FIRST_ANALYSIS_CHILD"


def test_first_analysis_starts_within_a_second_on_a_fresh_install(request, tmp_path, need_models):
    if os.environ.get(CHILD) == "1":
        _child(request.getfixturevalue("qtbot"), tmp_path)
        return
    env = dict(os.environ, **{CHILD: "1", "CTA_CACHE_DIR": str(tmp_path / "fresh-cache")})
    test_id = f"{Path(__file__).resolve()}::test_first_analysis_starts_within_a_second_on_a_fresh_install"
    child = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", test_id],
                           env=env, capture_output=True, text=True, timeout=600)
    print(child.stdout[-3000:])
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-2000:]
    assert "first analysis:" in child.stdout and "1 passed" in child.stdout


def _child(qtbot, tmp_path):
    from cta_desktop.core.library import Library
    from cta_desktop.gui.main_window import MainWindow
    from cta_desktop.paths import resources_dir, user_cache_dir

    assert not any(user_cache_dir().rglob("*.nbi")), "the kernel cache is not empty: not a fresh install"
    db = tmp_path / "lib.sqlite3"
    with Library(db) as lib:
        pid = lib.import_file(resources_dir() / "example" / "marisol_quint.csv").person_id
    window = MainWindow(library_path=db, first_run_example=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.library is not None, timeout=10_000)
    started: list[float] = []
    t0 = time.perf_counter()
    task = window.analyze(pid)  # at once: the kernels have only just begun compiling
    assert task is not None
    task.progress.connect(lambda *_: started.append(time.perf_counter()) if not started else None)
    with qtbot.waitSignal(task.finished, timeout=120_000):
        pass
    from cta_desktop.core.engines import sparse

    first = (started[0] if started else time.perf_counter()) - t0
    done = time.perf_counter() - t0
    bundle = window.results_tab.bundle
    assert bundle is not None and bundle.result.n_tweets > 100, window.last_error
    print(f"\nfirst analysis: started (first progress) after {1000 * first:.0f} ms, results after "
          f"{1000 * done:.0f} ms, engine {bundle.result.engine_name}, kernels ready then: {sparse.jit_ready()}")
    assert first < 1.0, f"the first analysis waited {first:.2f} s to start"
    assert done < 3.0, f"the first analysis of {bundle.result.n_tweets} tweets took {done:.2f} s"
    qtbot.waitUntil(sparse.jit_ready, timeout=180_000)  # and the kernels do arrive, in the background
    window.close()


@pytest.fixture
def need_models():
    from cta_desktop.core import modelstore

    if not modelstore.nzb_path(80).exists():
        pytest.skip("no trained models in models/")
