"""Classification metrics as TweetEval reports them (macro-averaged recall is its official metric)."""

from __future__ import annotations

import numpy as np

from cta_desktop.core.model_spec import LABELS


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = len(LABELS)) -> dict:
    """Accuracy, macro recall, macro F1 and per-class recall, all as percentages (0-100)."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    tp = np.diag(confusion).astype(float)
    recall = np.divide(tp, support, out=np.zeros(n_classes), where=support > 0)
    precision = np.divide(tp, predicted, out=np.zeros(n_classes), where=predicted > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(n_classes), where=(precision + recall) > 0)
    return {
        "n": int(len(y_true)),
        "accuracy": round(100 * float(tp.sum() / max(len(y_true), 1)), 2),
        "macro_recall": round(100 * float(recall.mean()), 2),
        "macro_f1": round(100 * float(f1.mean()), 2),
        "per_class_recall": {LABELS[i]: round(100 * float(recall[i]), 2) for i in range(n_classes)},
        "confusion": confusion.tolist(),
        "units": "percent",
    }
