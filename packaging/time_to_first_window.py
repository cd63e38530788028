"""Measure how long the app takes to put its first window on screen (Qt offscreen is fine).

Runs the command, asks Qt to log each paint flush with a wall-clock timestamp
(QT_LOGGING_RULES qt.widgets.painting, QT_MESSAGE_PATTERN), and takes the first flush of a
top-level window as "first window painted". Needs nothing from the app itself, so it works on
the frozen bundle. Repeats and prints every run and the median, as one JSON line.

    python packaging/time_to_first_window.py [--runs 3] [--timeout 120] -- dist/cta-desktop/cta-desktop
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

FLUSH = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) qt\.widgets\.painting: Flushing .* to QWidgetWindow")


def first_window_seconds(cmd: list[str], timeout: float) -> float:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["QT_LOGGING_RULES"] = "qt.widgets.painting.debug=true"
    env["QT_MESSAGE_PATTERN"] = "%{time yyyy-MM-ddTHH:mm:ss.zzz} %{category}: %{message}"
    start = dt.datetime.now()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            errors="replace", start_new_session=True)
    found: list[float] = []
    tail: list[str] = []

    def read() -> None:
        for line in proc.stderr:
            m = FLUSH.match(line)
            if m and not found:
                found.append((dt.datetime.fromisoformat(m.group(1)) - start).total_seconds())
                return
            tail.append(line.rstrip())
            del tail[:-20]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    if not found:
        raise SystemExit(f"no window painted within {timeout:.0f} s (exit {proc.returncode}); last output:\n"
                         + "\n".join(tail))
    return found[0]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = p.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        p.error("give the command to start, after --")
    runs = []
    for _ in range(args.runs):
        runs.append(round(first_window_seconds(cmd, args.timeout), 3))
        time.sleep(0.5)
    print(json.dumps({"first_window_seconds": runs, "median": round(statistics.median(runs), 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
