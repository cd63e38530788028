"""Calibration: temperature fitting, ECE and reliability bins, and the temperature applied once at load time."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from cta_desktop.core.calibration import (
    apply_temperature_to_probs,
    calibration_summary,
    expected_calibration_error,
    fit_temperature,
    has_emoji,
    reliability_bins,
    scale_final_layer,
    softmax,
    subset_metrics,
)
from cta_desktop.core.engines.reference import NumpyEngine
from cta_desktop.core.modelstore import ModelError, load_model, temperature_of
from cta_desktop.paths import models_dir

needs_models = pytest.mark.skipif(not (models_dir() / "cta_p80.nzb").exists(), reason="models not available")


def sample(n: int, true_t: float, seed: int = 0):
    """Logits whose labels are drawn from softmax(logits / true_t): fitting must find true_t."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, 3))
    p = softmax(logits / true_t)
    labels = np.array([rng.choice(3, p=row) for row in p])
    return softmax(logits), labels, p


@pytest.mark.parametrize("true_t", [0.7, 1.0, 2.5])
def test_fit_temperature_recovers_the_true_temperature(true_t):
    probs, labels, _ = sample(20000, true_t)
    assert fit_temperature(probs, labels) == pytest.approx(true_t, rel=0.06)


def test_calibrated_probabilities_have_low_ece_and_overconfident_ones_high():
    probs, labels, true_p = sample(20000, 2.0, seed=1)
    assert expected_calibration_error(true_p, labels) < 2.0
    assert expected_calibration_error(probs, labels) > 8.0  # T=1 is overconfident for T=2 data
    fitted = apply_temperature_to_probs(probs, fit_temperature(probs, labels))
    assert expected_calibration_error(fitted, labels) < 2.0
    assert (fitted.argmax(1) == probs.argmax(1)).all()


def test_ece_by_hand():
    # bin 0.9-1.0: two tweets, conf 0.95, one right -> |0.5 - 0.95| * 2/4; bin 0.5-0.6: two, conf 0.55, both right
    probs = np.array([[0.95, 0.03, 0.02], [0.95, 0.03, 0.02], [0.55, 0.25, 0.2], [0.2, 0.25, 0.55]])
    labels = np.array([0, 1, 0, 2])
    expected = 100 * (2 / 4 * abs(0.5 - 0.95) + 2 / 4 * abs(1.0 - 0.55))
    assert expected_calibration_error(probs, labels) == pytest.approx(expected)
    bins = reliability_bins(probs, labels)
    assert [b.count for b in bins] == [0, 0, 0, 0, 0, 2, 0, 0, 0, 2]
    summary = calibration_summary(probs, labels)
    assert summary["ece"] == pytest.approx(round(expected, 2)) and summary["bins"][0]["confidence"] is None


def test_scaling_the_final_layer_equals_dividing_the_logits():
    rng = np.random.default_rng(3)
    weights = {
        "embedding": rng.normal(0, 0.3, (50, 32)).astype(np.float32),
        "conv1/kernel": rng.normal(0, 0.2, (5, 32, 128)).astype(np.float32), "conv1/bias": np.zeros(128, np.float32),
        "conv2/kernel": rng.normal(0, 0.2, (6, 128, 64)).astype(np.float32), "conv2/bias": np.zeros(64, np.float32),
        "conv3/kernel": rng.normal(0, 0.2, (7, 64, 32)).astype(np.float32), "conv3/bias": np.zeros(32, np.float32),
        "conv4/kernel": rng.normal(0, 0.2, (8, 32, 32)).astype(np.float32), "conv4/bias": np.zeros(32, np.float32),
        "dense/kernel": rng.normal(0, 0.5, (96, 3)).astype(np.float32), "dense/bias": np.array([0.1, -0.2, 0.3], np.float32),
    }
    ids = rng.integers(0, 50, (40, 50)).astype(np.int32)
    raw = NumpyEngine(weights).predict_proba(ids)
    scaled = NumpyEngine(scale_final_layer(weights, 1.7)).predict_proba(ids)
    assert np.allclose(scaled, apply_temperature_to_probs(raw, 1.7), atol=1e-5)
    assert (scaled.argmax(1) == raw.argmax(1)).all()
    with pytest.raises(ValueError):
        scale_final_layer(weights, 0.0)


def test_subset_metrics_split_on_emoji():
    texts = ["great 😀", "bad day", "ok 😡", "fine"]
    labels = np.array([2, 0, 0, 1])
    probs = np.eye(3)[[2, 0, 2, 1]] * 0.7 + 0.1
    sub = subset_metrics(texts, labels, probs)
    assert sub["with_emoji"]["n"] == 2 and sub["without_emoji"]["n"] == 2
    assert sub["without_emoji"]["accuracy"] == 100.0 and sub["with_emoji"]["accuracy"] == 50.0
    assert has_emoji("❤️") and not has_emoji(":) plain")


def _copy_models(tmp_path, temperature):
    for f in models_dir().iterdir():
        if f.suffix in (".json", ".nzb"):
            shutil.copy(f, tmp_path / f.name)
    meta = json.loads((tmp_path / "cta_p80.json").read_text())
    meta.setdefault("calibration", {})["temperature"] = temperature
    (tmp_path / "cta_p80.json").write_text(json.dumps(meta))
    return tmp_path


@needs_models
def test_temperature_is_applied_once_at_load_and_every_engine_sees_it(tmp_path):
    from cta_desktop.core.engines.sparse import SparseNzbEngine

    shipped = load_model(80)
    t0 = temperature_of(shipped.metadata)
    model = load_model(80, _copy_models(tmp_path, t0 * 2.0))
    assert temperature_of(model.metadata) == pytest.approx(2 * t0)
    assert np.allclose(model.weights["dense/kernel"], shipped.weights["dense/kernel"] / 2, rtol=1e-6, atol=1e-8)
    assert np.array_equal(model.weights["conv1/kernel"], shipped.weights["conv1/kernel"])
    ids = model.vocab.encode(["what a great day 😀", "awful, just awful 😡😡", "the meeting is at noon", "😭😭😭"] * 8)
    ref = NumpyEngine(model.weights).predict_proba(ids)
    nzb = SparseNzbEngine(model.nzb).predict_proba(ids)
    assert np.max(np.abs(nzb - ref) / np.maximum(np.abs(ref), 1e-6)) <= 1e-5
    before = NumpyEngine(shipped.weights).predict_proba(ids)
    assert (ref.argmax(1) == before.argmax(1)).all()
    assert np.allclose(ref, apply_temperature_to_probs(before, 2.0), atol=1e-5)
    assert ref.max(1).mean() < before.max(1).mean()  # a higher temperature softens


@needs_models
def test_a_recalibrated_model_gets_a_new_results_fingerprint(tmp_path):
    from cta_desktop.core.person_analysis import results_key

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = load_model(80, _copy_models(tmp_path / "a", 1.0))
    b = load_model(80, _copy_models(tmp_path / "b", 1.5))
    assert results_key(a) != results_key(b)


@needs_models
@pytest.mark.parametrize("bad", [0, -1.0, "hot"])
def test_a_bad_temperature_is_refused_naming_the_file(tmp_path, bad):
    with pytest.raises(ModelError, match="cta_p80.json"):
        load_model(80, _copy_models(tmp_path, bad))
