"""Confidence calibration: temperature scaling, expected calibration error, reliability bins,
and the metrics on the tweets with and without emoji that evaluation reports beside them.

The network ends in Dense -> softmax, so dividing the final layer's kernel and bias by a temperature T
divides the logits by T: the same labels (argmax unchanged for T > 0) with softer (T > 1) or sharper
probabilities. The temperature is fitted on the val split (negative log-likelihood), stored in the
model's metadata and applied once, when the model is loaded (`core.modelstore`), so every engine
built from a loaded model gives calibrated probabilities. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BINS = 10
_FINAL = ("dense/kernel", "dense/bias")


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def logits_from_probs(probs: np.ndarray) -> np.ndarray:
    """Logits up to a per-row constant (all that softmax needs)."""
    return np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-12, None))


def nll(probs: np.ndarray, labels: np.ndarray) -> float:
    p = np.clip(np.asarray(probs, dtype=np.float64)[np.arange(len(labels)), labels], 1e-12, None)
    return float(-np.mean(np.log(p)))


def fit_temperature(probs: np.ndarray, labels: np.ndarray, lo: float = 0.05, hi: float = 20.0) -> float:
    """The T > 0 minimising the NLL of softmax(logits / T), by golden-section search on log T.

    The NLL is convex in 1/T, so a one-dimensional search over log T finds the optimum.
    """
    logits = logits_from_probs(probs)
    labels = np.asarray(labels)

    def loss(log_t: float) -> float:
        return nll(softmax(logits / np.exp(log_t)), labels)

    a, b = np.log(lo), np.log(hi)
    g = (np.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = loss(c), loss(d)
    for _ in range(80):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = loss(d)
    return float(np.exp((a + b) / 2))


def apply_temperature_to_probs(probs: np.ndarray, temperature: float) -> np.ndarray:
    return softmax(logits_from_probs(probs) / temperature)


def scale_final_layer(weights: dict[str, np.ndarray], temperature: float) -> dict[str, np.ndarray]:
    """A copy of `weights` with the final dense layer divided by `temperature` (logits / T)."""
    if temperature <= 0 or not np.isfinite(temperature):
        raise ValueError(f"temperature must be a positive number, got {temperature}")
    out = dict(weights)
    for name in _FINAL:
        out[name] = (np.asarray(weights[name], dtype=np.float32) / np.float32(temperature)).astype(np.float32)
    return out


@dataclass
class ReliabilityBin:
    lo: float
    hi: float
    count: int
    confidence: float  # mean top probability of the tweets in the bin (0-1); NaN when empty
    accuracy: float  # share of those tweets whose top label is right (0-1); NaN when empty


def reliability_bins(probs: np.ndarray, labels: np.ndarray, n_bins: int = DEFAULT_BINS) -> list[ReliabilityBin]:
    """Equal-width bins over the top probability: count, mean confidence and accuracy in each."""
    probs = np.asarray(probs, dtype=np.float64)
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)  # (lo, hi], first bin [0, hi]
    out = []
    for b in range(n_bins):
        sel = index == b
        n = int(sel.sum())
        out.append(ReliabilityBin(float(edges[b]), float(edges[b + 1]), n,
                                  float(conf[sel].mean()) if n else float("nan"),
                                  float(correct[sel].mean()) if n else float("nan")))
    return out


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = DEFAULT_BINS) -> float:
    """ECE in percent: sum over bins of (share of tweets) x |accuracy - mean confidence|."""
    total = len(labels)
    if total == 0:
        return float("nan")
    bins = reliability_bins(probs, labels, n_bins)
    return float(100 * sum(b.count / total * abs(b.accuracy - b.confidence) for b in bins if b.count))


def calibration_summary(probs: np.ndarray, labels: np.ndarray, n_bins: int = DEFAULT_BINS) -> dict:
    """ECE (percent), mean confidence and accuracy (percent), and the bins, for JSON."""
    probs = np.asarray(probs, dtype=np.float64)
    bins = reliability_bins(probs, labels, n_bins)
    return {
        "ece": round(expected_calibration_error(probs, labels, n_bins), 2),
        "mean_confidence": round(100 * float(probs.max(axis=1).mean()), 2) if len(probs) else float("nan"),
        "accuracy": round(100 * float(np.mean(probs.argmax(1) == np.asarray(labels))), 2) if len(probs) else float("nan"),
        "bins": [{"lo": b.lo, "hi": b.hi, "count": b.count,
                  "confidence": None if b.count == 0 else round(b.confidence, 4),
                  "accuracy": None if b.count == 0 else round(b.accuracy, 4)} for b in bins],
        "units": "ece, mean_confidence and accuracy in percent; bin confidence and accuracy as 0-1 shares",
    }


def has_emoji(text: str) -> bool:
    """Whether the app's preprocessing finds an emoji in the tweet."""
    from cta_desktop.core.preprocess import is_emoji_token, tokenize

    return any(is_emoji_token(t) for t in tokenize(text))


def subset_metrics(texts: list[str], labels: np.ndarray, probs: np.ndarray) -> dict:
    """Classification metrics and ECE on the tweets with an emoji and on the rest."""
    from cta_desktop.core.metrics import classification_metrics

    labels, probs = np.asarray(labels), np.asarray(probs)
    mask = np.array([has_emoji(t) for t in texts], dtype=bool)
    out: dict = {}
    for name, sel in (("with_emoji", mask), ("without_emoji", ~mask)):
        if sel.any():
            out[name] = {**classification_metrics(labels[sel], probs[sel].argmax(1)),
                         "ece": round(expected_calibration_error(probs[sel], labels[sel]), 2)}
        else:
            out[name] = {"n": 0}
    return out
