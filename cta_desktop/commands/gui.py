"""`cta-desktop gui` (and `cta-desktop` with no arguments): open the desktop app."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", type=Path, default=None,
                        help="the library database to open (default: library.sqlite3 in the user data folder)")
    parser.add_argument("--no-example", action="store_true",
                        help="do not import the example dataset on first run")


def run(args: argparse.Namespace) -> int:
    from cta_desktop.qt_preflight import check_or_exit

    check_or_exit()  # Linux/xcb: name the missing system packages instead of Qt's abort
    from cta_desktop.gui.app import run as run_app

    return run_app(library_path=getattr(args, "library", None), example=not getattr(args, "no_example", False))
