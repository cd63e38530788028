"""The layers are enforced, not promised: the core imports no GUI, training, commands or Qt."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "cta_desktop" / "core"
FORBIDDEN = re.compile(r"^\s*(from|import)\s+(cta_desktop\.(gui|training|commands)|PySide6)\b", re.MULTILINE)


def test_import_contracts_kept() -> None:
    """`lint-imports` checks the contracts in pyproject.toml ([tool.importlinter]) on the import graph."""
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (pip install -e .[dev])")
    run = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "BROKEN" not in run.stdout and "0 broken" in run.stdout


def test_core_source_has_no_forbidden_imports() -> None:
    """A plain grep as well, which also sees imports inside functions and `if TYPE_CHECKING` blocks."""
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        for m in FORBIDDEN.finditer(path.read_text(encoding="utf-8")):
            line = path.read_text(encoding="utf-8")[: m.start()].count("\n") + 1
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0).strip()}")
    assert not offenders, "\n".join(offenders)


def test_grep_would_catch_a_forbidden_import() -> None:
    assert FORBIDDEN.search("def f():\n    from cta_desktop.training.model import build_model\n")
    assert FORBIDDEN.search("import PySide6.QtCore\n")
    assert not FORBIDDEN.search("from cta_desktop.core.keras_model import build_model\n")


def test_training_still_exports_the_builder() -> None:
    from cta_desktop.core.keras_model import build_model
    from cta_desktop.training.model import build_model as from_training

    assert from_training is build_model
