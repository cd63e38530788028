"""Gradual magnitude pruning as a Keras 3 callback.

We use our own callback rather than TensorFlow Model Optimization: `tfmot.prune_low_magnitude`
needs `tf_keras` and `TF_USE_LEGACY_KERAS=1` (it does not support Keras 3), which would tie the
whole project to the legacy Keras. The schedule is the same one tfmot's `PolynomialDecay` uses
(Zhu & Gupta 2017): sparsity s(t) = s_f + (s_i - s_f) * (1 - (t - t0) / (t1 - t0))^3, raised every
`frequency` steps, each tensor pruned by its own smallest magnitudes. Between updates the masks
are re-applied after every batch so pruned weights stay exactly zero while the rest train.
"""

from __future__ import annotations

import numpy as np

try:
    import keras
except ImportError:  # pragma: no cover - training extras only
    keras = None


def polynomial_sparsity(step: int, begin: int, end: int, final: float, initial: float = 0.0, power: int = 3) -> float:
    if step <= begin:
        return initial
    if step >= end:
        return final
    frac = (step - begin) / (end - begin)
    return final + (initial - final) * (1.0 - frac) ** power


def magnitude_mask(values: np.ndarray, sparsity: float) -> np.ndarray:
    """Mask keeping the largest-magnitude weights so that exactly round(sparsity * size) are zero."""
    flat = np.abs(values).ravel()
    k = int(round(sparsity * flat.size))
    mask = np.ones(flat.size, dtype=bool)
    if k > 0:
        mask[np.argpartition(flat, k - 1)[:k]] = False
    return mask.reshape(values.shape)


class GradualPruning(keras.callbacks.Callback if keras else object):
    """Prunes the given variables to `final_sparsity` between steps `begin` and `end`."""

    def __init__(self, variables: dict, final_sparsity: float, begin: int, end: int, frequency: int = 50):
        super().__init__()
        self.variables = variables
        self.final = final_sparsity
        self.begin, self.end, self.frequency = begin, end, frequency
        self.step = 0
        self.masks: dict[str, np.ndarray] = {}
        self.current = 0.0

    def _update_masks(self) -> None:
        self.current = polynomial_sparsity(self.step, self.begin, self.end, self.final)
        for name, var in self.variables.items():
            self.masks[name] = magnitude_mask(var.numpy(), self.current)

    def _apply(self) -> None:
        for name, var in self.variables.items():
            if name in self.masks:
                var.assign(var.numpy() * self.masks[name])

    def on_train_begin(self, logs=None):
        if self.step >= self.begin:
            self._update_masks()
            self._apply()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.begin <= self.step <= self.end + self.frequency and (self.step - self.begin) % self.frequency == 0:
            self._update_masks()
        if self.step == self.end:
            self._update_masks()
        self._apply()
