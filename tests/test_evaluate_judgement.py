"""The shipped models' judgement: emoji that count (through `cta-desktop analyze`), calibrated
confidences, and `evaluate --json` reporting ECE and the emoji subsets."""

from __future__ import annotations

import csv
import json

import pytest

from cta_desktop.cli import main
from cta_desktop.core.modelstore import metadata_path
from cta_desktop.paths import models_dir
from cta_desktop.training.data import default_tweeteval_dir

DATA = default_tweeteval_dir()
needs_models = pytest.mark.skipif(not (models_dir() / "cta_p80.nzb").exists(), reason="models not available")
needs_data = pytest.mark.skipif(not (DATA / "test_text.txt").exists(), reason="TweetEval data not available")

EMOJI_TWEETS = {"😀😀😀": "positive", "😍😍 ❤️": "positive", "😡😡": "negative", "😭😭😭": "negative"}


@needs_models
def test_emoji_only_tweets_are_judged_by_their_emoji(tmp_path, capsys):
    src = tmp_path / "emoji.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["date", "text"])
        for i, text in enumerate(EMOJI_TWEETS):
            w.writerow([f"2024-01-0{i + 1} 10:00:00", text])
    out = tmp_path / "per_tweet.csv"
    assert main(["analyze", str(src), "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["text"]: r["label"] for r in rows} == EMOJI_TWEETS


@needs_models
@needs_data
def test_every_shipped_model_is_calibrated_on_val():
    # the temperature minimises val NLL: the loaded (calibrated) model's val NLL is no worse than at
    # T = 1 or at T 10% either side (ECE, a coarser measure, may move a little either way)
    import numpy as np

    from cta_desktop.core.calibration import apply_temperature_to_probs, nll
    from cta_desktop.core.engines.reference import NumpyEngine
    from cta_desktop.core.modelstore import load_model
    from cta_desktop.training.data import load_split

    texts, labels = load_split(DATA, "val")
    for level in (0, 70, 75, 80, 85):
        cal = json.loads(metadata_path(level).read_text())["calibration"]
        assert cal["temperature"] > 0 and "val" in cal["method"]
        model = load_model(level)
        probs = NumpyEngine(model.weights).predict_proba(model.vocab.encode(texts))
        best = nll(probs, labels)
        t = cal["temperature"]
        for other in (1 / t, 1.1, 1 / 1.1):  # 1 / t undoes the calibration
            assert best <= nll(apply_temperature_to_probs(probs, other), labels) + 1e-6, (level, other)
        assert np.allclose(probs.sum(1), 1, atol=1e-5)


def _meta() -> dict:
    return {level: json.loads(metadata_path(level).read_text()) for level in (0, 70, 75, 80, 85)}


@needs_models
@needs_data
def test_the_met_bars_of_issue_10_hold_on_test():
    meta = _meta()
    assert abs(meta[80]["test"]["macro_recall"] - meta[0]["test"]["macro_recall"]) <= 1.5
    assert meta[80]["test_subsets"]["with_emoji"]["macro_recall"] >= 62.0
    for level in (75, 85):
        assert meta[level]["test"]["macro_recall"] >= 62.9
    assert meta[80]["calibration"]["test_ece"] <= 7.0
    # the dense model is overconfident on val and test alike: its val temperature softens and helps on test
    assert meta[0]["calibration"]["temperature"] > 1
    assert meta[0]["calibration"]["test_ece"] < meta[0]["calibration"]["test_ece_before"] - 3.0


# Bars issue #10 sets that the shipped models do NOT meet yet (measured once on test, models chosen on val):
# strict, so a model that meets them makes these XPASS-fail and the marker must go.
@needs_models
@needs_data
@pytest.mark.xfail(strict=True, reason="issue #10: 80% model test macro recall 63.19 < 63.5")
def test_p80_test_macro_recall_bar():
    assert _meta()[80]["test"]["macro_recall"] >= 63.5


@needs_models
@needs_data
@pytest.mark.xfail(strict=True, reason="issue #10: 70% model test macro recall 62.71 < 62.9 (75/85%: 63.55/63.03, met)")
def test_p70_test_macro_recall_bar():
    assert _meta()[70]["test"]["macro_recall"] >= 62.9


@needs_models
@needs_data
@pytest.mark.xfail(strict=True, reason="issue #10: 80% model test ECE 6.14% > 6% (2.79% before the val temperature)")
def test_p80_test_ece_bar():
    assert _meta()[80]["calibration"]["test_ece"] <= 6.0


@needs_models
@needs_data
def test_evaluate_json_reports_ece_and_emoji_subsets(capsys):
    assert main(["evaluate", "--data", str(DATA), "--split", "test", "--sparsity", "80", "--json",
                 "--engine", "best"]) == 0
    result = json.loads(capsys.readouterr().out)
    meta = json.loads(metadata_path(80).read_text())
    assert result["ece"] == pytest.approx(meta["calibration"]["test_ece"], abs=0.02)
    assert result["temperature"] == meta["calibration"]["temperature"]
    emo, rest = result["subsets"]["with_emoji"], result["subsets"]["without_emoji"]
    assert emo["n"] > 700 and emo["n"] + rest["n"] == result["n"] == 12284
    assert emo["macro_recall"] == pytest.approx(meta["test_subsets"]["with_emoji"]["macro_recall"], abs=0.01)
    assert result["macro_recall"] == pytest.approx(meta["test"]["macro_recall"], abs=0.01)
