"""A dense peer: the text-CNN as an ONNX graph run by ONNX Runtime, every weight multiplied.

The graph is built here from the weights a `LoadedModel` hands out (so any pruning level works with
no extra file, and calibration applied at load time is in it): Gather (embedding) -> 4 x [Conv
(same padding as Keras: the extra zero on the right) -> Relu -> MaxPool(2)] -> flatten in (time,
channel) order as Keras does -> MatMul + Add -> Softmax. The graph is made with the `onnx` package's
helper API and handed to ONNX Runtime as bytes; both are imported only when this engine is built.

ONNX Runtime's telemetry is switched off before it loads. Since 1.29 its Linux and macOS builds
collect usage events by default, keep a device id and an event store in ~/.cache/Microsoft and send
them to Microsoft when online; the app promises that nothing leaves the computer.
`ORT_DISABLE_TELEMETRY=1`, set before ONNX Runtime initialises, turns all of that off there; on
Windows, `disable_telemetry_events()` turns off its event tracing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from cta_desktop.core.model_spec import CONVS, FLAT_DIM, N_CLASSES, POOL
from cta_desktop.core.preprocess import SEQ_LEN

OPSET = 17


def build_onnx_model(weights: Mapping[str, np.ndarray]):
    """An `onnx.ModelProto` computing (n, 50) int32 ids -> (n, 3) float32 probabilities."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
    inits = [numpy_helper.from_array(w["embedding"], "embedding")]
    nodes = [
        helper.make_node("Gather", ["embedding", "ids"], ["emb"], axis=0),  # (n, L, 32)
        helper.make_node("Transpose", ["emb"], ["x0"], perm=[0, 2, 1]),  # (n, 32, L): ONNX Conv is channels-first
    ]
    x = "x0"
    for i, spec in enumerate(CONVS, start=1):
        # Keras kernel (k, c_in, c_out) -> ONNX (c_out, c_in, k).
        inits.append(numpy_helper.from_array(np.ascontiguousarray(w[f"conv{i}/kernel"].transpose(2, 1, 0)), f"k{i}"))
        inits.append(numpy_helper.from_array(w[f"conv{i}/bias"], f"b{i}"))
        nodes += [
            helper.make_node("Conv", [x, f"k{i}", f"b{i}"], [f"c{i}"], kernel_shape=[spec.kernel],
                             pads=[spec.pad_left, spec.pad_right]),
            helper.make_node("Relu", [f"c{i}"], [f"r{i}"]),
            helper.make_node("MaxPool", [f"r{i}"], [f"p{i}"], kernel_shape=[POOL], strides=[POOL]),
        ]
        x = f"p{i}"
    inits += [
        numpy_helper.from_array(np.array([-1, FLAT_DIM], dtype=np.int64), "flat_shape"),
        numpy_helper.from_array(w["dense/kernel"], "dense_kernel"),
        numpy_helper.from_array(w["dense/bias"], "dense_bias"),
    ]
    nodes += [
        helper.make_node("Transpose", [x], ["last"], perm=[0, 2, 1]),  # (n, 3, 32): Keras flattens time-major
        helper.make_node("Reshape", ["last", "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "dense_kernel"], ["mm"]),
        helper.make_node("Add", ["mm", "dense_bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "cta_text_cnn",
        [helper.make_tensor_value_info("ids", TensorProto.INT32, ["n", SEQ_LEN])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["n", N_CLASSES])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="cta-desktop")
    model.ir_version = min(model.ir_version, 9)  # readable by any ONNX Runtime of the last two years
    onnx.checker.check_model(model)
    return model


def import_onnxruntime() -> Any:
    """`onnxruntime`, imported with its telemetry off (see the module docstring)."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # read once, when ONNX Runtime initialises
    import onnxruntime as ort

    disable = getattr(ort, "disable_telemetry_events", None)
    if disable is not None:
        disable()
    return ort


class OnnxRuntimeEngine:
    """ONNX Runtime (CPU execution provider, all graph optimisations) on the dense weights."""

    name = "onnxruntime"
    title = "ONNX Runtime"

    def __init__(self, weights: Mapping[str, np.ndarray], batch_size: int = 4096, threads: int | None = None):
        ort = import_onnxruntime()
        self.model_bytes = int(sum(np.asarray(v).astype(np.float32).nbytes for v in weights.values()))
        self.batch_size = int(batch_size)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = int(threads)
        blob = build_onnx_model(weights).SerializeToString()
        self.session = ort.InferenceSession(blob, sess_options=options, providers=["CPUExecutionProvider"])
        self.version = ort.__version__

    def predict_proba(self, ids: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        from cta_desktop.core.engines import predict_in_batches

        return predict_in_batches(ids, int(batch_size or self.batch_size),
                                  lambda chunk: self.session.run(["probs"], {"ids": chunk})[0])

    def predict_one(self, ids_row: np.ndarray) -> np.ndarray:
        return self.predict_proba(np.asarray(ids_row, dtype=np.int32).reshape(1, -1))[0]
