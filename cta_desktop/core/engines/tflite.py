"""A dense peer: the text-CNN as a TensorFlow Lite flatbuffer run by the LiteRT interpreter (XNNPACK).

The `.tflite` is made at training time by `cta_desktop.training.export_tflite` from the same weights
a `LoadedModel` hands out (dense format: every weight, zeros included) and shipped in models/ as
`cta_pXX.tflite.xz`: the pruned models' zeros compress, so every level fits the models/ budget.
`models/tflite.json` records the SHA-256 of the weights each file was made from; a file that no
longer matches its model (retrained, recalibrated) is refused with a reason, never run silently.
LiteRT (`ai-edge-litert`) is imported only when this engine is built.
"""

from __future__ import annotations

import hashlib
import json
import lzma
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from cta_desktop.core.model_spec import weight_names
from cta_desktop.core.preprocess import SEQ_LEN

MANIFEST = "tflite.json"


class PeerUnavailable(RuntimeError):
    """This dense runtime cannot run here; the message says why (shown in the benchmark)."""


def tflite_name(stem: str) -> str:
    return f"{stem}.tflite.xz"


def weights_sha256(weights: Mapping[str, np.ndarray]) -> str:
    """Fingerprint of the float32 weights in a fixed order (what the .tflite must have been made from)."""
    h = hashlib.sha256()
    for name in weight_names():
        a = np.ascontiguousarray(np.asarray(weights[name], dtype=np.float32))
        h.update(name.encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def find_tflite(model) -> Path:
    """The .tflite file for a LoadedModel, checked against its weights; PeerUnavailable otherwise."""
    from cta_desktop.core.modelstore import model_stem

    directory = model.path.parent if model.path else None
    if directory is None:
        raise PeerUnavailable("the model has no folder to find its .tflite in")
    path = directory / tflite_name(model_stem(model.sparsity))
    if not path.exists():
        raise PeerUnavailable(f"no {path.name} shipped for the {model.sparsity}% model "
                              "(run `python -m cta_desktop.training.export_tflite`)")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        want = manifest["files"][path.name]["weights_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        raise PeerUnavailable(f"{MANIFEST} does not describe {path.name}") from None
    if want != weights_sha256(model.weights):
        raise PeerUnavailable(f"{path.name} was made from other weights than the {model.sparsity}% model "
                              "(retrained or recalibrated since); re-run the export")
    return path


class TfLiteEngine:
    """LiteRT interpreter with its default XNNPACK delegate, batch size set by resizing the input."""

    name = "tflite"
    title = "TFLite (LiteRT)"

    def __init__(self, model_content: bytes, model_bytes: int, batch_size: int = 4096, threads: int | None = None):
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter_cls = Interpreter
        self._content = model_content
        self._threads = threads
        self.model_bytes = int(model_bytes)
        self.batch_size = int(batch_size)
        self._interps: dict[int, tuple] = {}
        try:
            from importlib.metadata import version

            self.version = version("ai-edge-litert")
        except Exception:  # pragma: no cover - informational only
            self.version = "?"

    @classmethod
    def from_model(cls, model, batch_size: int = 4096, threads: int | None = None) -> TfLiteEngine:
        path = find_tflite(model)
        content = lzma.decompress(path.read_bytes())
        nbytes = int(sum(np.asarray(v).astype(np.float32).nbytes for v in model.weights.values()))
        return cls(content, nbytes, batch_size, threads)

    def _ready(self, rows: int):
        """An interpreter planned for (rows, 50) inputs. XNNPACK plans per shape, so one interpreter is
        kept per batch size (the last two used: the full batch and a short last one)."""
        entry = self._interps.pop(rows, None)
        if entry is None:
            import os

            interp = self._interpreter_cls(model_content=self._content,
                                           num_threads=self._threads or os.cpu_count() or 1)
            interp.resize_tensor_input(interp.get_input_details()[0]["index"], [rows, SEQ_LEN], strict=False)
            interp.allocate_tensors()
            entry = (interp, interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"])
        self._interps[rows] = entry  # most recently used last
        while len(self._interps) > 2:
            self._interps.pop(next(iter(self._interps)))
        return entry

    def predict_proba(self, ids: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        from cta_desktop.core.engines import predict_in_batches

        def run(chunk: np.ndarray) -> np.ndarray:
            interp, inp, outp = self._ready(len(chunk))
            interp.set_tensor(inp, chunk)
            interp.invoke()
            return interp.get_tensor(outp)

        return predict_in_batches(ids, int(batch_size or self.batch_size), run)

    def predict_one(self, ids_row: np.ndarray) -> np.ndarray:
        """One tweet (through an interpreter planned for batch 1, kept beside the batch one)."""
        return self.predict_proba(np.asarray(ids_row, dtype=np.int32).reshape(1, -1))[0]
