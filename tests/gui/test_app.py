"""The desktop app, driven as a user would: import, analyse, look, filter, export, cancel, benchmark."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from cta_desktop.core.wording import sure_text
from cta_desktop.paths import resources_dir, shared_data_dir

LABELS = ("negative", "neutral", "positive")
EXAMPLE = resources_dir() / "example" / "marisol_quint.csv"


def wait_task(qtbot, task, timeout=120_000):
    """Wait for a Task to finish (its signals arrive in this thread, so checking .done first is safe)."""
    assert task is not None, "the job did not start"
    if not task.done:
        with qtbot.waitSignal(task.finished, timeout=timeout):
            pass


def wait_idle(qtbot, window, timeout=120_000):
    """Wait until the window has no job and nothing queued: an import is a preview job, the dialog, then the import."""
    qtbot.waitUntil(lambda: not window.busy() and not window.import_flow.pending and window._after_task is None,
                    timeout=timeout)


def celebrity_csv(name: str = "katyperry.csv") -> Path:
    path = shared_data_dir() / "celebrity_tweets" / name
    if not path.exists():
        pytest.skip(f"{path} is absent (shared data not mounted)")
    return path


def write_big_csv(path: Path, n: int) -> Path:
    """n distinct tweets made from the example dataset (numbered so none is a duplicate)."""
    with EXAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "created_at", "text", "likes", "retweets"])
        for i in range(n):
            r = rows[i % len(rows)]
            month = 1 + (i % 12)
            w.writerow([10_000_000 + i, f"2024-{month:02d}-{1 + i % 28:02d} 12:00:00",
                        f"{r['text']} #{i}", r["likes"], r["retweets"]])
    return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.parent.glob(path.name + "*")):  # the DB and its -wal/-shm companions
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def import_via_dialog(qtbot, window, monkeypatch, path: Path):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(path)], "")))
    window.import_action.trigger()
    wait_idle(qtbot, window)
    person = window.search_tab.selected_person()
    assert person is not None
    return person


def analyse(qtbot, window, person_id: int):
    task = window.analyze(person_id)
    wait_task(qtbot, task, timeout=180_000)
    window.results_tab.flush_charts()
    assert window.results_tab.bundle is not None, window.last_error
    return window.results_tab.bundle


def kernels_ready(qtbot):
    """Wait for the NZB kernels: until they are compiled the GUI's analyses run on the NumPy reference,
    which agrees with NZB to float tolerance only; a test comparing the window with the core wants one engine."""
    from cta_desktop.core.engines import sparse

    sparse.warmup_async()
    qtbot.waitUntil(sparse.jit_ready, timeout=180_000)


def core_result(window, person_id: int):
    from cta_desktop.core.analysis import analyze_person
    from cta_desktop.core.library import Library
    from cta_desktop.gui.jobs import cached_model

    model, engine = cached_model(80)
    lib = Library(window.library_path)
    try:
        return analyze_person(lib, person_id, model=model, engine=engine, keep_texts=True)
    finally:
        lib.close()


# ---------------------------------------------------------------------------------------------


def test_window_opens_without_tensorflow_or_matplotlib(window):
    assert window.tabs.count() == 3
    assert [window.tabs.tabText(i) for i in range(3)] == ["Library", "Results", "Benchmark"]
    assert "tensorflow" not in sys.modules
    assert window.search_tab.stack.currentWidget() is window.search_tab.empty  # empty library explained


def test_import_real_csv_analyse_and_every_widget_matches_the_core(qtbot, window, monkeypatch, accept_import,
                                                                   need_models, dialogs):
    path = celebrity_csv("katyperry.csv")
    person = import_via_dialog(qtbot, window, monkeypatch, path)
    assert accept_import, "the import preview dialog was not shown"
    assert accept_import[0].role_combos["text"].currentData() == "content"
    assert person.tweet_count > 2000
    kernels_ready(qtbot)
    bundle = analyse(qtbot, window, person.id)
    expected = core_result(window, person.id)
    tab = window.results_tab
    assert not dialogs.errors

    # header and ratios
    assert person.name in tab.name_label.text()
    assert f"{expected.n_tweets:,} tweets" in tab.meta_label.text()
    assert str(person.first_date)[:10] in tab.meta_label.text() and str(person.last_date)[:10] in tab.meta_label.text()
    for k in LABELS:
        assert f"{100 * expected.ratios[k]:.1f}%" in tab.ratio_label.text()
        assert f"({expected.counts[k]:,})" in tab.ratio_label.text()
    assert bundle.result.counts == expected.counts

    # donut: wedge sizes are the counts
    ax = tab.ratio_chart.figure.axes[0]
    wedges = [p for p in ax.patches]
    shares = np.array([w.theta2 - w.theta1 for w in wedges]) / 360
    want = np.array([expected.counts[k] for k in LABELS if expected.counts[k]]) / sum(expected.counts.values())  # judged
    np.testing.assert_allclose(shares, want, atol=1e-6)
    texts = " ".join(t.get_text() for t in ax.texts)
    for k in LABELS:
        if expected.counts[k]:
            assert f"{100 * expected.ratios[k]:.1f}%" in texts

    # examples: the two most confident tweets per class, with their confidence, shown as they are and
    # then, once explained (a worker thread), as written with their words' pushes highlighted
    wait_task(qtbot, tab.examples_task)
    from PySide6.QtGui import QTextDocument

    from cta_desktop.core.explain import highlight_html
    from cta_desktop.gui.explain_panel import explain_texts

    def plain_words(markup: str) -> str:
        doc = QTextDocument()
        doc.setHtml(markup)
        return " ".join(doc.toPlainText().split())

    for k in LABELS:
        shown = tab.examples.texts(k)
        for ex in expected.examples[k][:2]:
            assert sure_text(ex["confidence"]) in shown
            want = plain_words(highlight_html(explain_texts([ex["text"]])[0]))
            assert " ".join(want.split()[:6]) in plain_words(shown)

    # top 5 words bar chart
    ax = tab.words_chart.figure.axes[0]
    bars = [p for p in ax.patches]
    words = [t.get_text() for t in ax.get_yticklabels()]
    assert [(w, int(b.get_width())) for w, b in zip(words[::-1], bars[::-1], strict=True)] == \
        [(w, c) for w, c in expected.top_words[:5]]

    # by month: stacked bar heights per class (one collection of rectangles per class, stacked in order)
    ax = tab.month_chart.figure.axes[0]
    n_months = len(expected.by_month)
    assert [c.get_label() for c in ax.collections] == list(LABELS)
    below = np.zeros(n_months)
    for collection, k in zip(ax.collections, LABELS, strict=True):
        boxes = [path.vertices for path in collection.get_paths()]
        assert len(boxes) == n_months
        assert [round(float(b[:, 1].max() - b[:, 1].min())) for b in boxes] == [m[k] for m in expected.by_month]
        assert np.allclose([b[:, 1].min() for b in boxes], below)  # each class sits on the ones before it
        below += [m[k] for m in expected.by_month]

    # the table: every tweet, with the core's label and confidence
    model = tab.model
    assert model.rowCount() == expected.n_tweets == tab.proxy.rowCount()
    labels = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert labels == expected.label_names()  # a class, or "not judged" (issue #11)
    row = int(np.flatnonzero(expected.judged_mask())[5])
    assert model.index(row, 2).data() == f"{100 * float(expected.confidences[row]):.1f}%"
    assert model.index(row, 5).data() == " ".join(expected.texts[row].split())


def test_table_sorts_and_filters(qtbot, window, monkeypatch, accept_import, need_models):
    person = import_via_dialog(qtbot, window, monkeypatch, EXAMPLE)
    bundle = analyse(qtbot, window, person.id)
    tab = window.results_tab
    n = bundle.result.n_tweets
    # sort by confidence, descending (header click path: view -> proxy.sort -> model.sort)
    tab.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    confs = [bundle.columns.confidences[tab.proxy.tweet_index(r)] for r in range(tab.proxy.rowCount())]
    assert confs == sorted(confs, reverse=True)
    tab.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    likes = [int(tab.proxy.index(r, 3).data().replace(",", "")) for r in range(tab.proxy.rowCount())]
    assert likes == sorted(likes)
    # label filter
    tab.label_filter.setCurrentIndex(tab.label_filter.findData("negative"))
    assert tab.proxy.rowCount() == bundle.result.counts["negative"]
    assert {tab.proxy.index(r, 1).data() for r in range(tab.proxy.rowCount())} == {"negative"}
    # text filter (case-insensitive), combined with the label filter
    tab.text_filter.setText("KITCHEN")
    tab.apply_filter_now()
    want = sum(1 for t, lab in zip(bundle.columns.texts, bundle.columns.labels, strict=True)
               if "kitchen" in t.lower() and lab == "negative")
    assert tab.proxy.rowCount() == want
    assert f"{want:,} of {n:,}" in tab.count_label.text()
    tab.label_filter.setCurrentIndex(0)
    tab.text_filter.setText("(regex chars?")  # taken literally
    tab.apply_filter_now()
    assert tab.proxy.rowCount() == 0
    tab.text_filter.clear()
    tab.apply_filter_now()
    assert tab.proxy.rowCount() == n


def test_exports_csv_charts_and_html(qtbot, window, monkeypatch, accept_import, need_models, tmp_path):
    person = import_via_dialog(qtbot, window, monkeypatch, EXAMPLE)
    bundle = analyse(qtbot, window, person.id)
    out = tmp_path / "out"
    out.mkdir()
    choices = iter([
        (str(out / "report.html"), "HTML report (*.html)"),
        (str(out / "tweets"), "Per-tweet CSV (*.csv)"),
        (str(out / "charts.png"), "Chart images, PNG (*.png)"),
        (str(out / "charts.svg"), "Chart images, SVG (*.svg)"),
    ])
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: next(choices)))
    for _ in range(4):
        window.export_action.trigger()
    html_text = (out / "report.html").read_text(encoding="utf-8")
    assert html_text.count("<svg") == 3 and "<script" not in html_text
    assert "Marisol Quint" in html_text
    # tweet text is escaped: the raw "&" in "Ember & Salt" appears only as &amp;
    assert "Ember &amp; Salt" in html_text and "Ember & Salt" not in html_text
    rows = list(csv.DictReader((out / "tweets.csv").open(encoding="utf-8")))
    assert len(rows) == bundle.result.n_tweets
    assert [r["label"] for r in rows] == [LABELS[i] for i in bundle.result.labels]
    for name in ("sentiment", "top_words", "by_month"):
        png = out / f"charts-{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in (out / f"charts-{name}.svg").read_bytes()[:2000]


def test_bad_csv_shows_an_error_and_leaves_the_library_unchanged(qtbot, window, monkeypatch, accept_import,
                                                                  dialogs, tmp_path):
    import_via_dialog(qtbot, window, monkeypatch, EXAMPLE)
    before = sha256(window.library_path)
    people_before = [p.id for p in window.library.people()]
    bad = tmp_path / "not-tweets.csv"
    bad.write_bytes(b"\x00\x01\x02\xff" * 500)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(bad)], "")))
    window.import_action.trigger()
    wait_idle(qtbot, window)
    assert dialogs.errors, "no error dialog was shown"
    assert "not-tweets.csv" in dialogs.errors[-1]
    # a CSV whose text column is empty on every row fails inside the import transaction
    empty = tmp_path / "empty-text.csv"
    empty.write_text("id,text,date\n" + "".join(f"{i},,2024-01-0{1 + i % 9}\n" for i in range(30)), encoding="utf-8")
    n_errors = len(dialogs.errors)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(empty)], "")))
    window.import_action.trigger()
    wait_idle(qtbot, window)
    assert len(dialogs.errors) > n_errors
    assert [p.id for p in window.library.people()] == people_before
    assert sha256(window.library_path) == before
    assert not window.busy()


def _drag_and_drop(widget, paths: list[Path]) -> tuple[bool, bool]:
    """A synthetic drag: DragEnter then Drop, as Qt delivers them. Returns (enter accepted, drop accepted)."""
    import warnings

    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QDragEnterEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False, False
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return True, drop.isAccepted()


def test_drag_and_drop_imports(qtbot, window, accept_import, tmp_path):
    assert _drag_and_drop(window.search_tab, [EXAMPLE]) == (True, True)
    wait_idle(qtbot, window)
    people = window.library.people()
    assert [p.name for p in people] == [accept_import[0].person_name()] == ["Marisol Quint"]
    assert people[0].tweet_count == 155 and people[0].handle == "marisolquint"
    # anything but a CSV is refused at the door
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG")
    assert _drag_and_drop(window.search_tab, [picture]) == (False, False)


def test_preview_dialog_changes_columns(qtbot, tmp_path):
    from cta_desktop.core.datasets import preview_csv
    from cta_desktop.gui.dialogs import ImportPreviewDialog

    path = tmp_path / "two_texts.csv"
    path.write_text("when,body,note,hearts\n2024-01-01,good morning everyone,hello,3\n"
                    "2024-01-02,what a lovely day,bye,5\n", encoding="utf-8")
    preview = preview_csv(path)
    dlg = ImportPreviewDialog(preview, path)
    qtbot.addWidget(dlg)
    combo = dlg.role_combos["text"]
    combo.setCurrentIndex(combo.findData("note"))
    dlg.name_edit.setText("Someone")
    mapping = dlg.mapping()
    assert mapping.text == "note"
    assert dlg.buttons.buttons()[0].isEnabled()
    dlg.name_edit.setText("")
    assert "name" in dlg.problem.text()


def test_search_filters_as_you_type_and_delete_asks(qtbot, window, monkeypatch, accept_import, dialogs, tmp_path):
    other = tmp_path / "ana.csv"
    other.write_text("date,text\n2024-05-01,Buenos días a todos\n2024-05-02,Qué día tan bonito\n", encoding="utf-8")
    import_via_dialog(qtbot, window, monkeypatch, EXAMPLE)
    from cta_desktop.gui.dialogs import ImportPreviewDialog

    def type_name_and_accept(dialog):
        dialog.name_edit.setText("Ána Peña")  # noqa: RUF001 - the user types the name
        return ImportPreviewDialog.DialogCode.Accepted

    monkeypatch.setattr(ImportPreviewDialog, "exec", type_name_and_accept)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(other)], "")))
    window.import_action.trigger()
    wait_idle(qtbot, window)
    assert window.search_tab.model.rowCount() == 2
    qtbot.keyClicks(window.search_tab.search, "pena")  # accent-insensitive, via Library.people(query)
    qtbot.waitUntil(lambda: window.search_tab.model.rowCount() == 1, timeout=3000)
    assert window.search_tab.model.people[0].name == "Ána Peña"  # noqa: RUF001
    window.search_tab.search.clear()
    qtbot.waitUntil(lambda: window.search_tab.model.rowCount() == 2, timeout=3000)
    # Ctrl+F focuses the search box
    window.tabs.setCurrentIndex(2)
    window.find_action.trigger()
    assert window.tabs.currentWidget() is window.search_tab
    # delete: a "No" keeps the person, a "Yes" removes them
    pid = window.search_tab.selected_person_id()
    from PySide6.QtWidgets import QMessageBox

    dialogs.answer = QMessageBox.StandardButton.No
    window.search_tab.delete_button.click()
    assert len(window.library.people()) == 2 and dialogs.questions
    dialogs.answer = QMessageBox.StandardButton.Yes
    window.search_tab.delete_button.click()
    assert [p.id for p in window.library.people()] != [] and pid not in [p.id for p in window.library.people()]


def test_cancel_mid_analysis(qtbot, window, monkeypatch, accept_import, need_models, tmp_path):
    big = write_big_csv(tmp_path / "big.csv", 30_000)
    person = import_via_dialog(qtbot, window, monkeypatch, big)
    task = window.analyze(person.id)
    assert task is not None and window.cancel_button.isVisible()
    with qtbot.waitSignal(task.progress, timeout=120_000):
        pass
    window.cancel_button.click()
    cancelled = []
    task.cancelled.connect(lambda: cancelled.append(True))
    wait_task(qtbot, task)
    assert cancelled, "the analysis ran to the end despite Cancel"
    assert window.results_tab.bundle is None
    assert "cancelled" in window.status_label.text().lower()
    assert not window.busy() and window.search_tab.analyze_button.isEnabled()


EVENT_LOOP_CHILD = "CTA_EVENT_LOOP_CHILD"


def test_event_loop_stays_responsive_during_a_large_analysis(request, need_models):
    """Measured in a fresh process, as the app runs: inside this test session the heap holds every
    earlier test's windows and data, and Python's full garbage collections over it (100-200 ms with
    the GIL held, whichever thread triggers them) stall the loop in a way a real session does not."""
    if os.environ.get(EVENT_LOOP_CHILD) == "1":
        _measure_event_loop(*(request.getfixturevalue(name) for name in
                              ("qtbot", "window", "monkeypatch", "accept_import", "tmp_path")))
        return
    test_id = f"{Path(__file__).resolve()}::test_event_loop_stays_responsive_during_a_large_analysis"
    env = dict(os.environ, **{EVENT_LOOP_CHILD: "1"})
    child = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", test_id],
                           env=env, capture_output=True, text=True, timeout=600)
    print(child.stdout[-3000:])
    assert child.returncode == 0, child.stdout[-3000:] + child.stderr[-2000:]
    assert "event loop, 20k-tweet analysis" in child.stdout and "1 passed" in child.stdout


def _measure_event_loop(qtbot, window, monkeypatch, accept_import, tmp_path):
    big = write_big_csv(tmp_path / "big.csv", 20_000)
    person = import_via_dialog(qtbot, window, monkeypatch, big)
    analyse(qtbot, window, person.id)  # warm: worker processes, matplotlib
    # and the NZB kernels and the tokenizer's: the first analysis may run on the NumPy reference and the
    # Python tokenizer while they compile in the background (a fresh cache here; numba's compiler holds the
    # GIL for up to ~140 ms at a time), and once they are done the app collects the start-up garbage on this
    # thread (a full collection, ~100-300 ms with a 20k-tweet result in memory); this test measures analyses
    # once all of that is done
    from cta_desktop.core import fast_tokens
    from cta_desktop.core.engines import sparse

    def warmed() -> bool:  # the thread has ended and the window has collected the start-up garbage
        return window.warm_up is not None and window.warm_up.is_ready

    qtbot.waitUntil(lambda: sparse.jit_ready() and fast_tokens.ready() and warmed(), timeout=180_000)
    window.results_tab.clear()
    gaps: dict[str, list[float]] = {"analysis": [], "display": []}
    phase = ["analysis"]
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps[phase[0]].append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    task = window.analyze(person.id)
    task.result.connect(lambda _r: phase.__setitem__(0, "display"))
    wait_task(qtbot, task, timeout=180_000)
    qtbot.waitUntil(lambda: not window.results_tab.charts_pending(), timeout=10_000)
    timer.stop()
    assert window.results_tab.bundle is not None and window.results_tab.bundle.result.n_tweets == 20_000
    for name, values in gaps.items():
        print(f"\nevent loop, 20k-tweet {name}: {len(values)} ticks of 10 ms, max gap {1000 * max(values):.0f} ms, "
              f"median {1000 * float(np.median(values)):.1f} ms")
    worst = max(gaps["analysis"])
    assert len(gaps["analysis"]) > 10, "the analysis was too short to measure anything"
    assert worst < 0.100, f"the event loop was blocked for {1000 * worst:.0f} ms during the analysis"


def test_worker_exception_reaches_the_user(qtbot, window, dialogs):
    from cta_desktop.gui.workers import Task

    def boom(*, progress, cancel):
        raise RuntimeError("disk on fire")

    task = Task(boom, title="Test", parent=window)
    window._start_task(task, "testing", lambda r: None, "Test failed")
    wait_task(qtbot, task)
    assert dialogs.errors == ["RuntimeError: disk on fire"]
    assert "Traceback" in task.details
    assert not window.busy()


def test_main_thread_exception_becomes_a_dialog(qtbot, dialogs, monkeypatch):
    from cta_desktop.gui import app as gui_app

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    gui_app.install_excepthook()
    try:
        raise ValueError("bad value in a slot")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    assert dialogs.errors and "bad value in a slot" in dialogs.errors[-1]


def test_settings_remember_geometry_and_tab(qtbot, tmp_path, dialogs):
    from cta_desktop.gui.main_window import MainWindow

    w = MainWindow(library_path=tmp_path / "lib.sqlite3", first_run_example=False)
    qtbot.addWidget(w)
    w.resize(760, 700)
    w.show()
    w.tabs.setCurrentIndex(2)
    w.close()
    w2 = MainWindow(library_path=tmp_path / "lib.sqlite3", first_run_example=False)
    qtbot.addWidget(w2)
    assert w2.tabs.currentIndex() == 2
    assert (w2.width(), w2.height()) == (760, 700)
    w2.close()


def test_first_run_imports_and_analyses_the_example(qtbot, tmp_path, dialogs, need_models):
    from cta_desktop.gui.main_window import MainWindow

    w = MainWindow(library_path=tmp_path / "first.sqlite3", first_run_example=True)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.results_tab.bundle is not None, timeout=180_000)
    assert w.tabs.currentWidget() is w.results_tab
    assert w.results_tab.bundle.result.n_tweets == 155
    assert "Marisol Quint" in w.results_tab.name_label.text()
    w.close()
    # second start: no second import
    w2 = MainWindow(library_path=tmp_path / "first.sqlite3", first_run_example=True)
    qtbot.addWidget(w2)
    qtbot.waitUntil(lambda: w2.library is not None, timeout=10_000)
    assert len(w2.library.people()) == 1 and w2.task is None
    w2.close()


def test_about_shows_the_model_card(qtbot, need_models):
    from cta_desktop.gui.dialogs import AboutDialog

    dlg = AboutDialog()
    qtbot.addWidget(dlg)
    text = dlg.card.toPlainText()
    meta = json.loads((resources_dir().parent / "models" / "cta_p80.json").read_text())
    assert f"{meta['test']['macro_recall']:.1f}" in text
    assert f"{meta['test']['accuracy']:.1f}" in text
    if (resources_dir().parent / "models" / "REPORT.md").exists():
        assert "VADER" in text


def test_benchmark_tab_runs_and_draws(qtbot, window, need_models, tmp_path, monkeypatch):
    pytest.importorskip("cta_desktop.core.benchmark")
    pytest.importorskip("tensorflow")
    tab = window.benchmark_tab
    window.tabs.setCurrentWidget(tab)
    tab.n_tweets.setValue(256)
    tab.batch.setValue(256)
    tab.rounds.setValue(1)
    tab.run_button.click()
    assert window.task is not None
    wait_task(qtbot, window.task, timeout=240_000)
    assert tab.result is not None, window.last_error
    tab.chart.wait_rendered()
    axes = tab.chart.figure.axes
    assert len(axes) == 4 and all(len(ax.patches) >= 2 for ax in axes)
    assert "×" in tab.summary.text() and "agreement" in tab.summary.text().lower()
    assert "Compares NZB with:" in tab.runtimes.text()
    out = tmp_path / "bench.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "JSON (*.json)")))
    tab.save_button.click()
    saved = json.loads(out.read_text())
    assert saved["n"] == 256 and set(saved["engines"]) >= {"dense_tf", "nzb"}


def test_retweets_left_out_by_default_and_brought_back_from_the_menu(qtbot, window, accept_import, need_models,
                                                                     tmp_path):
    path = tmp_path / "with-retweets.csv"
    rows = ["id,created_at,text"]
    rows += [f"{i},2024-02-{1 + i % 28:02d} 10:00:00,I really love this new album {i}" for i in range(30)]
    rows += [f"{100 + i},2024-02-{1 + i % 28:02d} 11:00:00,RT @friend: what a terrible day {i}" for i in range(10)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    window.import_files([str(path)])
    wait_idle(qtbot, window)
    person = window.search_tab.selected_person()
    assert person is not None and person.tweet_count == 40
    analyse(qtbot, window, person.id)
    result = window.results_tab.bundle.result
    assert result.n_tweets == 30 and result.n_retweets == 10 and not result.include_retweets
    assert "10 retweets left out" in window.results_tab.meta_label.text()
    window.retweets_action.setChecked(True)  # re-analyses the person shown
    qtbot.waitUntil(lambda: window.results_tab.bundle.result.include_retweets and not window.busy(), timeout=60_000)
    result = window.results_tab.bundle.result
    assert result.n_tweets == 40 and "10 retweets included" in window.results_tab.meta_label.text()
    window.retweets_action.setChecked(False)
    qtbot.waitUntil(lambda: not window.results_tab.bundle.result.include_retweets and not window.busy(),
                    timeout=60_000)


def test_warm_up_never_collects_garbage_off_the_gui_thread(qtbot, window, monkeypatch):
    """The warm-up thread runs with automatic collection held off (a collection run from it could free
    the window's Qt objects off the GUI thread: it crashed this suite once), then the start-up garbage is
    collected on the GUI thread."""
    import gc

    from cta_desktop.gui.warm_up import EngineWarmUp

    seen: list[tuple[str, bool]] = []  # (thread, collector enabled) at each collection
    collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: seen.append((threading.current_thread().name, gc.isenabled()))
                        or collect(*a))

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            seen.append((threading.current_thread().name, gc.isenabled()))

    gc.callbacks.append(callback)
    try:
        warm = EngineWarmUp()  # a second warm-up, its own (the window's is the app's one)
        with qtbot.waitSignal(warm.ready, timeout=180_000):
            pass
        warm.python_thread.join(60)
    finally:
        gc.callbacks.remove(callback)
    assert warm.is_ready
    assert ("MainThread", False) in seen  # the start-up garbage, collected on the GUI thread
    assert not any(name == "cta-warmup" for name, _ in seen)  # not one collection ran from the warm-up
    assert not gc.isenabled()  # the window still holds it off


def test_the_warm_up_outlives_its_window_and_is_the_apps_one(qtbot, dialogs, tmp_path, monkeypatch):
    """A window closed and deleted while the kernels still compile (as on a fresh numba cache): the
    warm-up signals the app's object, not the window (it used to emit on the deleted window), and
    holds automatic collection off until it ends. A second window shares the same warm-up."""
    import gc

    from cta_desktop.gui import jobs, warm_up
    from cta_desktop.gui.main_window import MainWindow

    release, errors, started = threading.Event(), [], []

    def slow_warm_up(done):
        def run():
            release.wait(60)
            try:
                done()
            except Exception as exc:  # noqa: BLE001 - recorded for the assertion below
                errors.append(exc)

        started.append(threading.Thread(target=run, name="cta-warmup", daemon=True))
        started[-1].start()
        return started[-1]

    monkeypatch.setattr(jobs, "warm_up_engine", slow_warm_up)
    monkeypatch.setattr(warm_up, "_instance", None)  # this test's own app warm-up
    assert gc.isenabled()
    first = MainWindow(library_path=tmp_path / "a.sqlite3", first_run_example=False)
    first.show()
    qtbot.waitUntil(lambda: first.library is not None, timeout=10_000)
    warm = first.warm_up
    assert warm is not None and not warm.is_ready and len(started) == 1
    with qtbot.waitSignal(first.destroyed, timeout=10_000):
        first.close()
        first.deleteLater()
    assert not gc.isenabled(), "the window is gone but the warm-up still compiles"
    second = MainWindow(library_path=tmp_path / "b.sqlite3", first_run_example=False)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: second.library is not None, timeout=10_000)
    assert second.warm_up is warm and len(started) == 1  # one warm-up a process
    with qtbot.waitSignal(warm.ready, timeout=10_000):
        release.set()
    started[0].join(10)
    assert errors == [] and warm.is_ready
    assert not gc.isenabled()  # the second window holds it off
    second.close()
    assert gc.isenabled()

    # the app quits (deleting its warm-up) while the kernels still compile: the thread ends quietly
    from PySide6.QtCore import QObject

    release.clear()
    app_stand_in = QObject()
    orphan = warm_up.EngineWarmUp(app_stand_in)
    assert len(started) == 2 and not gc.isenabled()
    with qtbot.waitSignal(orphan.destroyed, timeout=10_000):
        app_stand_in.deleteLater()
    assert gc.isenabled()  # its collector went with it
    release.set()
    started[1].join(10)
    assert errors == [] and not started[1].is_alive()


def test_the_gui_thread_collector_collects_as_the_collector_would(qtbot):
    import gc

    from cta_desktop.core.gc_pause import paused_gc
    from cta_desktop.gui.gc_collector import GuiThreadCollector

    assert gc.isenabled()
    collector = GuiThreadCollector(interval_ms=60_000)
    try:
        assert not gc.isenabled()  # no collection from whichever thread allocates
        junk = [[] for _ in range(gc.get_threshold()[0] + 100)]
        for item in junk:
            item.append(item)  # cycles: only a collection frees them
        del junk
        with paused_gc():
            assert collector.check() is None  # an analysis holds it paused: not now
        assert gc.get_count()[0] > gc.get_threshold()[0]
        assert collector.check() is not None and gc.get_count()[0] < gc.get_threshold()[0]
        assert collector.check() is None  # nothing to do
    finally:
        collector.stop()
    assert gc.isenabled()
