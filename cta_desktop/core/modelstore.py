"""The shipped models: find, load and verify them (no TensorFlow needed).

`models/` holds the vocabulary (`vocab.json`), the dense parent (`cta_dense.keras`, plus the same
weights as `cta_dense.nzb` so the app can run it without TensorFlow), one `cta_pXX.nzb` per pruning
level, and a `cta_*.json` metadata card for each.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.errors import UserError
from cta_desktop.core.model_spec import weight_names
from cta_desktop.core.nzb import NzbFile, NzbFormatError, NzbTensor, read_nzb
from cta_desktop.core.preprocess import Vocabulary
from cta_desktop.paths import models_dir

SPARSITY_LEVELS = (0, 70, 75, 80, 85)
DEFAULT_SPARSITY = 80
VOCAB_FILE = "vocab.json"


class ModelError(UserError, RuntimeError):
    """A model file is missing or unreadable. The message names the file and what to do."""


def model_stem(sparsity: int) -> str:
    if sparsity not in SPARSITY_LEVELS:
        raise ValueError(f"unknown pruning level {sparsity}; choose one of {SPARSITY_LEVELS}")
    return "cta_dense" if sparsity == 0 else f"cta_p{sparsity}"


def nzb_path(sparsity: int, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / f"{model_stem(sparsity)}.nzb"


def metadata_path(sparsity: int, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / f"{model_stem(sparsity)}.json"


def temperature_of(metadata: dict[str, Any]) -> float:
    """The calibration temperature in a model's metadata (`calibration.temperature`), 1.0 when absent."""
    cal = metadata.get("calibration") or {}
    t = cal.get("temperature", 1.0) if isinstance(cal, dict) else 1.0
    if not isinstance(t, (int, float)) or not math.isfinite(t) or t <= 0:
        raise ModelError(f"calibration temperature must be a positive number, got {t!r}")
    return float(t)


def calibrate_nzb(nzb: NzbFile, temperature: float) -> NzbFile:
    """The model with its final dense layer divided by `temperature` (softmax(logits / T)).

    The one place calibration is applied: the NZB engine reads these tensors, and every other engine
    (NumPy reference, dense TensorFlow, converted peers) is built from `LoadedModel.weights`, i.e. from
    the same tensors. Labels cannot change (argmax of logits / T, T > 0).
    """
    if temperature == 1.0:
        return nzb
    t32 = np.float32(temperature)  # divided as core.calibration.scale_final_layer does, bit for bit
    tensors = dict(nzb.tensors)
    for name in ("dense/kernel", "dense/bias"):
        t = tensors[name]
        if isinstance(t, NzbTensor):
            tensors[name] = dataclasses.replace(t, values=(t.values / t32).astype(t.values.dtype))
        else:
            tensors[name] = (np.asarray(t) / t32).astype(np.asarray(t).dtype)
    return NzbFile(tensors, nzb.metadata, nzb.path)


@dataclass
class LoadedModel:
    """A verified model, calibrated: its tensors already hold the metadata's temperature."""

    sparsity: int
    nzb: NzbFile
    vocab: Vocabulary
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """Dense float32 weights by name (zeros included)."""
        return self.nzb.dense_weights()

    @property
    def file_bytes(self) -> int:
        return self.path.stat().st_size if self.path else 0


@lru_cache(maxsize=4)
def load_vocab(directory: Path | None = None) -> Vocabulary:
    path = (directory or models_dir()) / VOCAB_FILE
    if not path.exists():
        raise ModelError(f"{path}: the vocabulary is missing; reinstall CTA Desktop or run `cta-desktop train`")
    try:
        return Vocabulary.load(path)
    except ValueError as exc:
        raise ModelError(str(exc)) from exc


def load_model(sparsity: int = DEFAULT_SPARSITY, directory: Path | None = None) -> LoadedModel:
    """Load and verify one shipped model. Raises ModelError naming the file on any problem."""
    path = nzb_path(sparsity, directory)
    try:
        nzb = read_nzb(path)
    except NzbFormatError as exc:
        raise ModelError(f"{exc}. Reinstall CTA Desktop or retrain with `cta-desktop train`.") from exc
    missing = [n for n in weight_names() if n not in nzb.tensors]
    if missing:
        raise ModelError(f"{path}: the model lacks weights {missing}")
    meta_file = metadata_path(sparsity, directory)
    metadata: dict[str, Any] = {}
    if meta_file.exists():
        try:
            metadata = json.loads(meta_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ModelError(f"{meta_file}: unreadable model metadata ({exc})") from exc
    vocab = load_vocab(directory)
    if nzb.tensors["embedding"].shape[0] != len(vocab):
        raise ModelError(f"{path}: embedding has {nzb.tensors['embedding'].shape[0]} rows, vocabulary {len(vocab)} words")
    try:
        nzb = calibrate_nzb(nzb, temperature_of(metadata))
    except ModelError as exc:
        raise ModelError(f"{meta_file}: {exc}") from exc
    return LoadedModel(sparsity, nzb, vocab, metadata, path)


def available_levels(directory: Path | None = None) -> list[int]:
    return [s for s in SPARSITY_LEVELS if nzb_path(s, directory).exists()]
