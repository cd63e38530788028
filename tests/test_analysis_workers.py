"""Tokenising worker processes never outlive the app, even when it is killed outright."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

CHILD = textwrap.dedent("""
    from cta_desktop.core import analysis
    from cta_desktop.core.modelstore import load_model
    pool = analysis._get_pool(load_model(80), 2)
    assert pool is not None, "no worker pool"
    pids = {f.result() for f in [pool.submit(analysis._ping) for _ in range(8)]}
    print(" ".join(map(str, sorted(pids))), flush=True)
    import time
    time.sleep(120)
""")


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_workers_exit_when_the_app_is_killed(method):
    env = dict(os.environ, CTA_MP_START=method)
    app = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = app.stdout.readline()
        workers = [int(x) for x in line.split()]
        assert workers, "the pool did not start"
        fork_servers_before = _fork_servers(parent=app.pid)
    finally:
        app.kill()
        app.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(p) for p in workers):
        time.sleep(0.2)
    assert not [p for p in workers if _running(p)]
    if method == "forkserver":
        assert fork_servers_before, "the app started no fork server"
        while time.monotonic() < deadline and _fork_servers() & fork_servers_before:
            time.sleep(0.2)
        assert not (_fork_servers() & fork_servers_before)


def _fork_servers(parent: int | None = None) -> set[int]:
    """Pids of multiprocessing fork servers (only those started by `parent`, if given)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if b"multiprocessing.forkserver" not in fh.read():
                        continue
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                if parent is None or ppid == parent:
                    found.add(int(entry))
            except OSError:
                pass
    return found


def test_a_chunk_pickles_small_and_comes_back_the_same():
    """What a worker sends back: ids as int16 where they fit (int32 again on arrival), word counts by id
    without their zeros."""
    import pickle
    from collections import Counter

    import numpy as np

    from cta_desktop.core.analysis.workers import EncodedChunk

    for top in (5, 2**15 - 1, 2**15, 2**31 - 1):  # ids that fit in int16, and ids that do not
        ids = np.zeros((300, 50), np.int32)
        ids[:, :7] = np.arange(300 * 7).reshape(300, 7) % (top + 1)
        ids[0, 0] = top
        word_ids = np.zeros(2000, np.int64)
        word_ids[[3, 1999]] = [5, 2**40]
        chunk = EncodedChunk(ids, Counter({"zebra": 2}), np.zeros(300, np.uint8), {4: "de"},
                             np.array([1, 2], np.int32), ["zebra", "zebra"], word_ids)
        raw = pickle.dumps(chunk)
        back = pickle.loads(raw)
        assert back.ids.dtype == np.int32 and np.array_equal(back.ids, ids)
        assert back.word_ids.dtype == np.int64 and np.array_equal(back.word_ids, word_ids)
        assert (back.words, back.languages, back.oov_words) == (chunk.words, chunk.languages, chunk.oov_words)
        assert len(raw) < (ids.nbytes * 0.6 if top < 2**15 else ids.nbytes * 1.1)
