"""The collector is paused while an analysis runs and resumed after (core/gc_pause.py)."""

from __future__ import annotations

import gc
import threading

import pytest

from cta_desktop.core.gc_pause import paused_gc


def test_pauses_and_resumes_nested_and_across_threads():
    assert gc.isenabled()
    inner_started, release = threading.Event(), threading.Event()

    def other():
        with paused_gc():
            inner_started.set()
            release.wait(10)

    with paused_gc():
        assert not gc.isenabled()
        t = threading.Thread(target=other)
        t.start()
        assert inner_started.wait(10)
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled(), "another thread's pause is still open"
    release.set()
    t.join(10)
    assert gc.isenabled()


def test_resumes_after_an_error_and_leaves_a_disabled_collector_disabled():
    with pytest.raises(RuntimeError):
        with paused_gc():
            raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_analysis_runs_with_the_collector_paused(monkeypatch):
    from cta_desktop.core.analysis import analyze_texts, pipeline

    seen = []
    real = pipeline._analyze

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_analyze", spy)
    result = analyze_texts(["I love this", "this is awful", "ok then"], workers=0)
    assert result.n_tweets == 3 and seen == [False] and gc.isenabled()


def test_holds_and_pauses_overlap_in_any_order():
    from cta_desktop.core import gc_pause

    assert gc.isenabled()
    gc_pause.hold()
    try:
        assert not gc.isenabled() and not gc_pause.active()  # a hold is not an analysis
        with paused_gc():
            assert gc_pause.active()
            gc_pause.hold()
        assert not gc.isenabled(), "the pause ended inside two holds"
        gc_pause.release()
        assert not gc.isenabled(), "one hold is left"
    finally:
        gc_pause.release()
    assert gc.isenabled()
    with paused_gc():  # a hold that starts inside a pause and outlives it
        gc_pause.hold()
    assert not gc.isenabled()
    gc_pause.release()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        gc_pause.release()
