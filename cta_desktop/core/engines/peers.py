"""The engines the benchmark compares: NZB and the dense runtimes people use, each built from one LoadedModel.

Every peer runs the same weights the NZB engine runs (those `load_model` hands out, calibration
included), densely: TensorFlow (`tf.function`), TFLite through the LiteRT interpreter (XNNPACK) and
ONNX Runtime. Which of them can run here is decided without importing any runtime
(`importlib.util.find_spec`), so asking costs nothing and the app never loads TensorFlow unless it
is benchmarked.
"""

from __future__ import annotations

import importlib.util
from typing import Any

DENSE_PEERS = ("dense_tf", "tflite", "onnxruntime")
TITLES = {"nzb": "NZB", "dense_tf": "TensorFlow", "tflite": "TFLite (LiteRT)", "onnxruntime": "ONNX Runtime"}
_NEEDS = {"dense_tf": ("tensorflow",), "tflite": ("ai_edge_litert",), "onnxruntime": ("onnxruntime", "onnx")}
_PACKAGES = {"tensorflow": "tensorflow-cpu", "ai_edge_litert": "ai-edge-litert", "onnxruntime": "onnxruntime",
             "onnx": "onnx"}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def peer_status(model: Any | None = None, peers: tuple[str, ...] = DENSE_PEERS) -> dict[str, str | None]:
    """name -> None when the peer can run here, else the reason it cannot (one line, for the user)."""
    status: dict[str, str | None] = {}
    for name in peers:
        if name not in _NEEDS:
            raise ValueError(f"unknown dense runtime {name!r}; choose from {', '.join(DENSE_PEERS)}")
        missing = [m for m in _NEEDS[name] if not _installed(m)]
        if missing:
            status[name] = "not installed here (pip install " + " ".join(_PACKAGES[m] for m in missing) + ")"
            continue
        status[name] = None
        if name == "tflite" and model is not None:
            from cta_desktop.core.engines.tflite import PeerUnavailable, find_tflite

            try:
                find_tflite(model)
            except PeerUnavailable as exc:
                status[name] = str(exc)
    return status


def build_engine(name: str, model: Any, batch: int, layers: tuple[int, ...] = (1, 2, 3, 4)) -> Any:
    """A ready engine (runtime imported, weights loaded, traced or compiled where that applies)."""
    if name == "nzb":
        from cta_desktop.core.engines import sparse

        sparse.warmup_async().join()
        return sparse.SparseNzbEngine(model.nzb, sparse_layers=layers)
    if name == "dense_tf":
        from cta_desktop.core.engines.dense_tf import DenseTfEngine

        engine = DenseTfEngine(model.weights, batch_size=batch)
        engine.warmup()
        return engine
    if name == "tflite":
        from cta_desktop.core.engines.tflite import TfLiteEngine

        return TfLiteEngine.from_model(model, batch_size=batch)
    if name == "onnxruntime":
        from cta_desktop.core.engines.onnx_rt import OnnxRuntimeEngine

        return OnnxRuntimeEngine(model.weights, batch_size=batch)
    raise ValueError(f"unknown engine {name!r}")
