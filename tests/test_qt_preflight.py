"""First start on Linux: missing xcb libraries give one clear message naming the packages, never Qt's abort."""

from __future__ import annotations

import pytest

from cta_desktop import qt_preflight as pf


def test_only_when_xcb_will_be_used():
    assert not pf.uses_xcb({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not pf.uses_xcb({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert not pf.uses_xcb({}, "win32") and not pf.uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "darwin")
    assert pf.uses_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert pf.uses_xcb({}, "linux")  # X11 session, Qt's default
    assert not pf.uses_xcb({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "linux")


def test_missing_libraries_name_their_packages(monkeypatch, capsys):
    absent = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    monkeypatch.setattr(pf, "_show_without_qt", lambda text: None)
    monkeypatch.setattr(pf.sys, "platform", "linux")
    with pytest.raises(SystemExit) as exc:
        pf.check_or_exit(loader=lambda soname: soname not in absent, environ={"QT_QPA_PLATFORM": "xcb"})
    assert exc.value.code == pf.EXIT_CODE != 0
    err = capsys.readouterr().err
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in err
    assert err.count("\n") <= 5  # one message, not a traceback


def test_nothing_happens_when_all_load_or_offscreen(monkeypatch):
    calls = []
    monkeypatch.setattr(pf.sys, "platform", "linux")
    pf.check_or_exit(loader=lambda s: calls.append(s) or True, environ={"QT_QPA_PLATFORM": "xcb"})
    assert len(calls) == len(pf.XCB_LIBRARIES)
    calls.clear()
    pf.check_or_exit(loader=lambda s: calls.append(s) or False, environ={"QT_QPA_PLATFORM": "offscreen"})
    assert calls == []


def test_every_library_has_a_debian_package():
    assert {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"} <= set(pf.XCB_LIBRARIES)
    assert all(pkg and " " not in pkg for pkg in pf.XCB_LIBRARIES.values())


def test_gui_command_checks_before_creating_the_window(monkeypatch):
    import sys

    from cta_desktop.cli import main

    monkeypatch.setattr(pf, "missing_xcb_libraries", lambda loader=None: {"libxcb-icccm.so.4": "libxcb-icccm4"})
    monkeypatch.setattr(pf, "_show_without_qt", lambda text: None)
    monkeypatch.setattr(pf.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    had_app = "cta_desktop.gui.app" in sys.modules
    with pytest.raises(SystemExit) as exc:
        main(["gui"])
    assert exc.value.code == pf.EXIT_CODE
    if not had_app:
        assert "cta_desktop.gui.app" not in sys.modules  # exited before any Qt was loaded
