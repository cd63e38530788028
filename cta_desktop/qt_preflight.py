"""Before the window: on Linux, check that the system libraries Qt's xcb platform plugin needs are there.

Without them Qt only says "could not load the Qt platform plugin "xcb"" and aborts. The list is the
xcb plugin's own dependencies (`ldd` of PySide6's plugins/platforms/libqxcb.so and libQt6XcbQpa),
minus what every desktop has anyway; a fresh Debian/Ubuntu desktop install commonly lacks
libxcb-cursor0, libxcb-icccm4 and libxcb-keysyms1. Each library is looked up by its exact soname
with `ctypes.CDLL`, the same way the dynamic loader will look for it. No Qt is imported here.

Checked only where xcb will be used: Linux, QT_QPA_PLATFORM unset (and not a Wayland session) or
naming xcb first; never for offscreen, minimal, wayland, or on other systems.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping

# soname -> Debian/Ubuntu package providing it
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
EXIT_CODE = 3


def uses_xcb(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Will Qt pick its xcb plugin here?"""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    requested = env.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        return requested.split(";")[0].strip().lower() == "xcb"
    # Qt 6 prefers Wayland in a Wayland session and X11 (xcb) otherwise.
    return not (env.get("XDG_SESSION_TYPE", "").lower() == "wayland" and env.get("WAYLAND_DISPLAY"))


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(loader: Callable[[str], bool] = _loads) -> dict[str, str]:
    """soname -> package for each library the xcb plugin needs that cannot be loaded."""
    return {soname: package for soname, package in XCB_LIBRARIES.items() if not loader(soname)}


def message(missing: Mapping[str, str]) -> str:
    packages = " ".join(dict.fromkeys(missing.values()))
    return (f"CTA Desktop cannot open its window: the system lacks libraries Qt needs to draw on X11 "
            f"({', '.join(missing)}).\nInstall them (Debian/Ubuntu):\n    sudo apt install {packages}\n"
            f"Other Linux systems: install the packages that provide these libraries. "
            f"(The command-line tools, e.g. `cta-desktop analyze`, work without them.)")


def _show_without_qt(text: str) -> None:
    """A double-clicked app has no terminal: try the desktop's own dialog tools, quietly."""
    for argv in (["zenity", "--error", "--no-wrap", "--title=CTA Desktop", f"--text={text}"],
                 ["kdialog", "--title", "CTA Desktop", "--error", text],
                 ["xmessage", "-center", text],
                 ["notify-send", "CTA Desktop", text]):
        if shutil.which(argv[0]):
            try:
                subprocess.run(argv, timeout=300, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                return
            except (OSError, subprocess.SubprocessError):
                continue


def check_or_exit(loader: Callable[[str], bool] = _loads, environ: Mapping[str, str] | None = None) -> None:
    """Exit (code 3) with one clear message when Qt's xcb plugin would fail to load; else return."""
    if not uses_xcb(environ):
        return
    missing = missing_xcb_libraries(loader)
    if not missing:
        return
    text = message(missing)
    stream = sys.stderr
    if stream is not None:
        print(text, file=stream, flush=True)
    if stream is None or not getattr(stream, "isatty", lambda: False)():
        _show_without_qt(text)
    raise SystemExit(EXIT_CODE)
