"""Entry script of the PyInstaller bundle (build.spec): both executables run this.

Kept outside the package so the frozen `cta_desktop` is imported like any other package.
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    # A frozen program that starts worker processes must let them run their task, not a second app.
    multiprocessing.freeze_support()
    # The windowed exe on Windows has no console: sys.stdout/stderr are None and a stray print()
    # (argparse, a warning) would crash the app. Send them nowhere instead.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115

    # Double-clicked on Linux without the X11 libraries Qt needs: say which packages to install (in a
    # dialog of the desktop's own where possible: there is no terminal) rather than Qt's abort.
    if len(sys.argv) == 1 or sys.argv[1] == "gui":
        from cta_desktop.qt_preflight import check_or_exit

        check_or_exit()

    from cta_desktop.cli import main

    sys.exit(main())
