"""The dense peers (LiteRT and ONNX Runtime) compute what the NumPy reference computes, from the same weights."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from cta_desktop.core.engines.reference import NumpyEngine
from cta_desktop.core.modelstore import available_levels, load_model


@pytest.fixture(scope="module")
def model():
    levels = [s for s in available_levels() if s]
    if not levels:
        pytest.skip("no pruned model available")
    return load_model(80 if 80 in levels else levels[0])


@pytest.fixture(scope="module")
def ids(model):
    rng = np.random.default_rng(1)
    ids = rng.integers(1, len(model.vocab), size=(77, 50)).astype(np.int32)
    ids[:, 30:] = 0  # padded like short tweets
    return ids


def _check(engine, model, ids):
    want = NumpyEngine(model.weights).predict_proba(ids)
    got = engine.predict_proba(ids, batch_size=32)  # 32 + 32 + a short 13
    assert got.shape == (77, 3) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert (got.argmax(1) == want.argmax(1)).all()
    np.testing.assert_allclose(engine.predict_one(ids[3]), want[3], rtol=1e-4, atol=1e-6)


def test_onnxruntime_matches_reference(model, ids):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from cta_desktop.core.engines.onnx_rt import OnnxRuntimeEngine

    _check(OnnxRuntimeEngine(model.weights), model, ids)


def test_onnx_graph_follows_the_weights(model, ids):
    """Built from the weights handed in (e.g. calibrated ones), not from a file: scaling the last layer shows."""
    pytest.importorskip("onnxruntime")
    from cta_desktop.core.engines.onnx_rt import OnnxRuntimeEngine

    w = dict(model.weights)
    w["dense/kernel"] = w["dense/kernel"] * 0.5
    w["dense/bias"] = w["dense/bias"] * 0.5
    got = OnnxRuntimeEngine(w).predict_proba(ids)
    np.testing.assert_allclose(got, NumpyEngine(w).predict_proba(ids), rtol=1e-4, atol=1e-6)
    assert not np.allclose(got, NumpyEngine(model.weights).predict_proba(ids), atol=1e-3)


def test_tflite_matches_reference(model, ids):
    pytest.importorskip("ai_edge_litert")
    from cta_desktop.core.engines.tflite import PeerUnavailable, TfLiteEngine

    try:
        engine = TfLiteEngine.from_model(model)
    except PeerUnavailable as exc:
        pytest.skip(f"shipped .tflite not usable: {exc}")
    _check(engine, model, ids)


def test_stale_or_missing_tflite_is_refused(model, tmp_path):
    from cta_desktop.core.engines.tflite import MANIFEST, PeerUnavailable, TfLiteEngine, tflite_name

    src = model.path.parent
    if not (src / MANIFEST).exists():
        pytest.skip("no .tflite exports shipped")
    for f in src.iterdir():
        if f.suffix != ".keras":
            shutil.copy(f, tmp_path / f.name)
    copy = load_model(model.sparsity, tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    name = tflite_name(copy.path.stem)
    manifest["files"][name]["weights_sha256"] = "0" * 64  # as if the model was retrained since the export
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(PeerUnavailable, match="other weights"):
        TfLiteEngine.from_model(copy)
    (tmp_path / name).unlink()
    with pytest.raises(PeerUnavailable, match="no .*tflite"):
        TfLiteEngine.from_model(copy)


def test_onnx_runtime_runs_with_its_telemetry_off(tmp_path, run_python):
    """ONNX Runtime >= 1.29 keeps a device id and a telemetry event store in ~/.cache/Microsoft on Linux
    and macOS, and uploads them when online, unless ORT_DISABLE_TELEMETRY=1 is set before it loads. The
    app promises that nothing leaves the computer: our engine sets it, and nothing lands in the home folder."""
    pytest.importorskip("onnxruntime")
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import os, numpy as np\n"
        "from cta_desktop.core.modelstore import load_model\n"
        "from cta_desktop.core.engines.onnx_rt import OnnxRuntimeEngine\n"
        "e = OnnxRuntimeEngine(load_model(80).weights)\n"
        "e.predict_proba(np.ones((4, 50), np.int32))\n"
        "print(os.environ.get('ORT_DISABLE_TELEMETRY'))\n"
    )
    out = run_python(code, {"HOME": str(home)}, drop_env=["ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME"])
    assert not list(home.rglob("*")), f"ONNX Runtime wrote {[str(p) for p in home.rglob('*')][:5]}"
    assert out.strip().splitlines()[-1] == "1"
