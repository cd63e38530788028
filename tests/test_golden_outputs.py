"""The six celebrity CSVs analyse to the committed golden outputs (tests/golden/, see make_goldens.py).

Guards refactors: the summary JSON (without timings) and the per-tweet CSV, byte for byte, must not
change unless the outputs are meant to change; then regenerate them as make_goldens.py says.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from cta_desktop.paths import models_dir, shared_data_dir

GOLDEN = Path(__file__).parent / "golden"
CELEB_DIR = shared_data_dir() / "celebrity_tweets"

_spec = importlib.util.spec_from_file_location("make_goldens", GOLDEN / "make_goldens.py")
make_goldens = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_goldens)

pytestmark = pytest.mark.skipif(not CELEB_DIR.is_dir() or not (models_dir() / "cta_p80.nzb").exists(),
                                reason="needs ../shared/data/celebrity_tweets and the shipped models")


@pytest.mark.parametrize("stem", make_goldens.CELEBS)
def test_outputs_match_goldens(stem: str) -> None:
    summary, digest = make_goldens.compute(CELEB_DIR / f"{stem}.csv", models_dir())
    expected = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
    # Through JSON, as the goldens were written (tuples become lists).
    assert json.loads(json.dumps(summary, ensure_ascii=False)) == expected
    hashes = json.loads((GOLDEN / make_goldens.HASHES_FILE).read_text(encoding="utf-8"))
    assert digest == hashes[stem], f"{stem}: the per-tweet CSV changed"


def test_goldens_are_not_trivial() -> None:
    """The goldens hold real analyses (every class seen, examples and months present)."""
    for stem in make_goldens.CELEBS:
        g = json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))
        assert g["n_tweets"] > 1000 and all(v > 0 for v in g["counts"].values())
        assert g["examples"]["positive"] and g["by_month"] and "seconds" not in g
