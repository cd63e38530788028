"""A small input does not wait for the NZB kernels: the NumPy reference classifies it (issue #13's
"no user waits for the compile", for the CLI); larger inputs, or a process that has the kernels
loaded already, get the NZB engine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cta_desktop.commands.self_test import example_csvs
from cta_desktop.core.analysis import analyze_csv, analyze_texts
from cta_desktop.core.engines import SMALL_INPUT_TWEETS, engine_for
from cta_desktop.core.engines.sparse import SparseNzbEngine
from cta_desktop.core.modelstore import available_levels, load_model

pytestmark = pytest.mark.skipif(80 not in available_levels(), reason="models not available")


def test_a_small_csv_in_a_fresh_process_never_loads_numba(tmp_path, run_python):
    csv_path = example_csvs()[0]
    code = (
        "import json, sys\n"
        "from cta_desktop.core.analysis import analyze_csv\n"
        f"r = analyze_csv({str(csv_path)!r})\n"
        "print(json.dumps({'engine': r.engine_name, 'n': r.n_tweets, 'labels': r.labels.tolist(),\n"
        "                  'numba': 'numba' in sys.modules}))\n"
    )
    # a fresh cache: the kernels would have to compile
    out = run_python(code, {"CTA_CACHE_DIR": str(tmp_path / "cache")}, drop_env=["NUMBA_CACHE_DIR"])
    got = json.loads(out.strip().splitlines()[-1])
    assert got["engine"] == "numpy-reference" and not got["numba"]
    assert 0 < got["n"] <= SMALL_INPUT_TWEETS
    model = load_model(80)  # the same labels as the NZB engine gives
    nzb = analyze_csv(csv_path, model=model, engine=SparseNzbEngine(model.nzb))
    assert got["labels"] == nzb.labels.tolist()


def test_larger_inputs_or_loaded_kernels_get_nzb():
    model = load_model(80)
    assert engine_for(model, None).name == "nzb"
    assert engine_for(model, SMALL_INPUT_TWEETS + 1).name == "nzb"
    SparseNzbEngine(model.nzb).predict_proba(np.ones((2, 50), np.int32))  # kernels loaded in this process
    assert engine_for(model, 10).name == "nzb"
    texts = [f"what a lovely day number {i}" for i in range(SMALL_INPUT_TWEETS + 50)]
    assert analyze_texts(texts, model=model, workers=0).engine_name == "nzb"
