"""Inference engines. Each takes (n, 50) int32 token ids and returns (n, 3) float32 probabilities."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Engine(Protocol):
    name: str

    def predict_proba(self, ids: np.ndarray) -> np.ndarray:
        """(n, seq_len) int32 token ids -> (n, 3) float32 class probabilities."""
        ...


def best_engine(model, sparse_layers: tuple[int, ...] = (1, 2, 3, 4)) -> Engine:
    """The fastest engine available for a loaded model: the NZB sparse engine, else the NumPy reference."""
    try:
        from cta_desktop.core.engines.sparse import SparseNzbEngine
    except ImportError:
        from cta_desktop.core.engines.reference import NumpyEngine

        return NumpyEngine(model.weights)
    return SparseNzbEngine(model.nzb, sparse_layers=sparse_layers)
