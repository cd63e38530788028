"""`cta-desktop screenshot DIR`: analyse a dataset and render each tab of the app to a PNG, offscreen.

Used for the README's pictures. Runs in a throw-away library and settings folder, so the user's
own library is never touched. Also renders the import preview and the About dialog, and (with
--dark) the results tab in a dark palette to show the charts follow the theme.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", metavar="DIR", type=Path, help="folder to write the PNG files to")
    parser.add_argument("--dataset", type=Path, default=None,
                        help="CSV of tweets to analyse (default: the shipped example dataset)")
    parser.add_argument("--size", default="1280x860", help="window size WxH (default 1280x860)")
    parser.add_argument("--bench-n", type=int, default=4096,
                        help="tweets for the Benchmark tab's run (0 skips the benchmark; it loads TensorFlow)")
    parser.add_argument("--dark", action="store_true", help="also render the results tab in a dark palette")
    parser.add_argument("--compare", type=Path, nargs="*", default=None,
                        help="files of two or more people for the Compare picture (default: two public "
                             "archives from ../shared/data when present, else no Compare picture)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for each background job")


def _wait(task, app, timeout_s: float) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop

    if task is None:
        raise RuntimeError("the job did not start")
    loop = QEventLoop()
    task.finished.connect(loop.quit)
    deadline = QDeadlineTimer(int(timeout_s * 1000))
    while not task.done and not deadline.hasExpired():
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents | QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 100)
    if not task.done:
        task.cancel()
        raise RuntimeError(f"{task.title} did not finish within {timeout_s:.0f} s")
    app.processEvents()


def _settle(widget, app, seconds: float = 10.0) -> None:
    """Let a widget's background work (e.g. the explain panel's worker) finish before the picture."""
    import time

    from cta_desktop.gui.workers import running_tasks

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        if not running_tasks():
            break
        time.sleep(0.02)
    app.processEvents()


def _dark_palette():
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d31", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#26282c",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#34363b",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3b82d6",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#9a9ea6",
        QPalette.ColorRole.Mid: "#4a4d54",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#8a8d93"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#8a8d93"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#8a8d93"))
    return p


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="cta-screenshot-"))
    os.environ["CTA_DATA_DIR"] = str(scratch / "data")
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(scratch / "settings"))

    from cta_desktop.gui.app import create_app, install_excepthook

    app = create_app([sys.argv[0], "-platform", os.environ["QT_QPA_PLATFORM"]])
    app.setStyle("Fusion")  # the same look on every platform, for the README
    install_excepthook()
    from cta_desktop.core.library import Library
    from cta_desktop.gui.dialogs import AboutDialog, ImportPreviewDialog
    from cta_desktop.gui.jobs import example_csvs
    from cta_desktop.gui.main_window import MainWindow

    dataset = args.dataset or (example_csvs() or [None])[0]
    if dataset is None or not Path(dataset).exists():
        print(f"screenshot: no dataset at {dataset}", file=sys.stderr)
        return 2
    width, height = (int(x) for x in str(args.size).lower().split("x"))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = scratch / "data" / "library.sqlite3"

    library = Library(db)
    report = library.import_csv(dataset)
    library.close()

    window = MainWindow(library_path=db, first_run_example=False)
    window.resize(width, height)
    window.show()
    app.processEvents()
    window._startup()  # open the library now rather than on the next event-loop turn
    window.search_tab.refresh(select_id=report.person_id)
    written: list[Path] = []

    from cta_desktop.gui.charts import ChartWidget
    from cta_desktop.gui.workers import running_tasks

    def shot(widget, name: str) -> None:
        app.processEvents()
        for chart in widget.findChildren(ChartWidget):
            chart.wait_rendered()  # charts render on worker threads; draw them now for the picture
        app.processEvents()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        written.append(path)

    window.tabs.setCurrentWidget(window.search_tab)
    shot(window, "library")

    from cta_desktop.core.datasets import preview_csv

    dialog = ImportPreviewDialog(preview_csv(dataset), Path(dataset), window)
    dialog.resize(900, 600)
    dialog.show()
    shot(dialog, "import-preview")
    dialog.close()

    _wait(window.analyze(report.person_id), app, args.timeout)
    if window.last_error:
        print(f"screenshot: analysis failed: {window.last_error}", file=sys.stderr)
        return 1
    window.results_tab.flush_charts()
    window.tabs.setCurrentWidget(window.results_tab)
    if window.results_tab.proxy.rowCount():  # the "why this label" panel, for the first tweet of the table
        window.results_tab.table.selectRow(0)
        _settle(window.results_tab.explain_panel, app)
    shot(window, "results")

    if args.bench_n > 0:
        window.tabs.setCurrentWidget(window.benchmark_tab)
        window.benchmark_tab.n_tweets.setValue(args.bench_n)
        window.benchmark_tab.rounds.setValue(3)
        _wait(window.run_benchmark(window.benchmark_tab.settings()), app, args.timeout)
        if window.last_error:
            print(f"screenshot: benchmark failed: {window.last_error}", file=sys.stderr)
    window.tabs.setCurrentWidget(window.benchmark_tab)
    shot(window, "benchmark")

    compare_files = args.compare
    if compare_files is None:
        from cta_desktop.paths import shared_data_dir

        pair = [shared_data_dir() / "celebrity_tweets" / f"{n}.csv" for n in ("barackobama", "realdonaldtrump")]
        compare_files = pair if all(f.exists() for f in pair) else []
    if len(compare_files) >= 2:
        with Library(db) as lib:
            ids = [lib.import_file(f).person_id for f in compare_files]
        window.search_tab.refresh()
        _wait(window.compare(ids), app, args.timeout)
        app.processEvents()
        shot(window, "compare")

    about = AboutDialog(window)
    about.resize(720, 640)
    about.show()
    shot(about, "about")
    about.close()

    if args.dark:
        app.setPalette(_dark_palette())
        window.tabs.setCurrentWidget(window.results_tab)
        app.processEvents()
        shot(window, "results-dark")

    window.close()
    for task in running_tasks():
        task.wait(10_000)
    app.processEvents()
    for path in written:
        print(path)
    return 0
