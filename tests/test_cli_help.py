"""Every command's --help prints and exits 0 (argparse %-formats help strings: a bare "%" crashed
`cta-desktop --help`)."""

from __future__ import annotations

import pytest

from cta_desktop.cli import COMMANDS, main


@pytest.mark.parametrize("argv", [["--help"], *[[name, "--help"] for name in COMMANDS],
                                  *[["library", action, "--help"] for action in ("list", "import", "analyze", "export", "remove")]],
                         ids=" ".join)
def test_help_prints_and_exits_cleanly(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: cta-desktop")
    if argv == ["--help"]:
        for name in COMMANDS:
            assert name in out
        assert "70/75/80/85% (needs the" in out
