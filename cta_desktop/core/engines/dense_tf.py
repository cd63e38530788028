"""The dense reference engine: the same text-CNN in TensorFlow/Keras, every weight multiplied.

This is the baseline the NZB engine is measured against, so it is run the fast way: batches through
one `tf.function` (traced once for any batch size), not Keras `predict` per tweet. The study's
per-tweet `model.predict` is kept as `predict_naive` for the benchmark's reference row.
TensorFlow is imported only when this engine is built.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cta_desktop.core.preprocess import SEQ_LEN


class DenseTfEngine:
    """Keras model from `core.keras_model.build_model`, weights set from a name -> array dict."""

    name = "dense_tf"

    def __init__(self, weights: Mapping[str, np.ndarray], batch_size: int = 4096):
        from cta_desktop.paths import prepare_tensorflow_env

        prepare_tensorflow_env()
        import tensorflow as tf

        from cta_desktop.core.keras_model import build_model, set_weights

        self.version: str = tf.__version__

        self._tf = tf
        self.batch_size = int(batch_size)
        vocab_size = int(np.asarray(weights["embedding"]).shape[0])
        self.model = build_model(vocab_size)
        set_weights(self.model, {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()})
        self.vocab_size = vocab_size
        self.model_bytes = int(sum(np.asarray(v).astype(np.float32).nbytes for v in weights.values()))
        model = self.model

        @tf.function(input_signature=[tf.TensorSpec([None, SEQ_LEN], tf.int32)], reduce_retracing=True)
        def _forward(ids):
            return model(ids, training=False)

        self._forward = _forward
        self.trace_seconds: float | None = None

    def warmup(self) -> float:
        """Trace the tf.function once (and let TF set up its thread pools); returns the seconds."""
        import time

        start = time.perf_counter()
        self.predict_proba(np.zeros((8, SEQ_LEN), dtype=np.int32))
        self.trace_seconds = time.perf_counter() - start
        return self.trace_seconds

    def predict_proba(self, ids: np.ndarray, batch_size: int | None = None) -> np.ndarray:
        ids = np.ascontiguousarray(ids, dtype=np.int32)
        if ids.ndim != 2 or ids.shape[1] != SEQ_LEN:
            raise ValueError(f"expected token ids of shape (n, {SEQ_LEN}), got {ids.shape}")
        step = int(batch_size or self.batch_size)
        out = np.empty((len(ids), 3), dtype=np.float32)
        for start in range(0, len(ids), step):
            chunk = self._tf.constant(ids[start : start + step])
            out[start : start + step] = self._forward(chunk).numpy()
        return out

    def predict_one(self, ids_row: np.ndarray) -> np.ndarray:
        return self.predict_proba(np.asarray(ids_row, dtype=np.int32).reshape(1, -1))[0]

    def predict_naive(self, ids: np.ndarray) -> np.ndarray:
        """The study's way: one `model.predict` call per tweet (slow; for the reference row only)."""
        ids = np.ascontiguousarray(ids, dtype=np.int32)
        out = np.empty((len(ids), 3), dtype=np.float32)
        for i in range(len(ids)):
            out[i] = self.model.predict(ids[i : i + 1], verbose=0)[0]
        return out
