"""The `cta-desktop` command. With no arguments it opens the window; subcommands run headless.

Each subcommand lives in `cta_desktop/commands/<name>.py` with `configure(parser)` and `run(args)`;
only the chosen one is imported, so `cta-desktop` starts fast and TensorFlow loads only when needed.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: dict[str, str] = {
    "gui": "open the desktop app (the default)",
    "train": "train the dense model and prune it to 70/75/80/85% (needs the TweetEval data)",
    "evaluate": "score a shipped model on a TweetEval split and print JSON",
    "bench": "benchmark the NZB sparse engine against the dense runtimes (TensorFlow, TFLite, ONNX Runtime)",
    "analyze": "analyse a CSV of tweets and print a JSON summary",
    "explain": "show each word's push on the label of one tweet (by occlusion)",
    "library": "the library from a terminal: list, import, analyze, export, remove",
    "screenshot": "render each tab of the app to a PNG (offscreen)",
    "self-test": "check the installed models and engines, then exit",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cta-desktop", description="Celeb's Tweet Analysis, offline.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        # argparse %-formats help strings ("85% (" would be a format); descriptions are shown as they are
        p = sub.add_parser(name, help=help_text.replace("%", "%%"), description=help_text)
        if name == command:
            _module(name).configure(p)
    return parser


def _module(name: str):
    return importlib.import_module(f"cta_desktop.commands.{name.replace('-', '_')}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    if command is None and argv and not argv[0].startswith("-"):
        build_parser().error(f"unknown command {argv[0]!r}")
    if command is None and not argv:
        argv, command = ["gui"], "gui"
    args = build_parser(command).parse_args(argv)
    if command is None:
        return 0
    try:
        return int(_module(command).run(args) or 0)
    except KeyboardInterrupt:
        print("cta-desktop: interrupted", file=sys.stderr)
        return 130
