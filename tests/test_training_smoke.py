"""A tiny end-to-end training run (a few hundred tweets): the pipeline writes loadable, pruned models."""

import json
import os

import numpy as np
import pytest

from cta_desktop.training.data import default_tweeteval_dir

DATA = default_tweeteval_dir()
pytestmark = pytest.mark.skipif(not (DATA / "train_text.txt").exists(), reason="TweetEval data not available")


def _hashed_words(token_lists, log=print):
    """A stand-in sentence encoder (the real one needs the teacher extra): hashed bag of words, unit length."""
    import zlib

    out = np.zeros((len(token_lists), 64), dtype=np.float32)
    for i, tokens in enumerate(token_lists):
        for t in tokens:
            out[i, zlib.crc32(t.encode()) % 64] += 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)


def test_smoke_training_writes_pruned_nzb_models(tmp_path, monkeypatch):
    pytest.importorskip("tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from cta_desktop.cli import main
    from cta_desktop.training import sentence_teacher

    monkeypatch.setattr(sentence_teacher, "require_encoder", lambda: None)
    monkeypatch.setattr(sentence_teacher, "encode", _hashed_words)
    from cta_desktop.core.engines.reference import NumpyEngine
    from cta_desktop.core.modelstore import load_model

    out = tmp_path / "models"
    rc = main(["train", "--data", str(DATA), "--out", str(out), "--limit", "400", "--epochs", "1",
               "--prune-epochs", "2", "--levels", "80", "--no-report", "--teachers", "0",
               "--linear-teacher", "0.4", "--sentence-teacher", "0.3"])
    assert rc == 0
    for name in ("vocab.json", "cta_dense.keras", "cta_dense.nzb", "cta_dense.json", "cta_p80.nzb", "cta_p80.json"):
        assert (out / name).exists(), name
    meta = json.loads((out / "cta_p80.json").read_text())
    assert meta["sparsity_measured"]["overall_prunable"] == pytest.approx(0.80, abs=0.005)
    for tensor_sparsity in meta["sparsity_measured"]["per_tensor"].values():
        assert tensor_sparsity == pytest.approx(0.80, abs=0.01)
    model = load_model(80, out)
    assert model.nzb.tensors["conv1/kernel"].sparsity == pytest.approx(0.80, abs=0.01)
    probs = NumpyEngine(model.weights).predict_proba(model.vocab.encode(["what a great day", "awful news"]))
    assert probs.shape == (2, 3) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert (out / "cta_p80.nzb").stat().st_size < (out / "cta_dense.keras").stat().st_size
    assert meta["calibration"]["temperature"] > 0 and "test_ece" in meta["calibration"]
    assert ":grinning_face:" in model.vocab.index  # the ranking's emoji get rows even in a smoke run
    # distilled from the parent and both logistic regressions (n-gram, sentence vectors), all recorded
    teacher = meta["distillation"]["teacher"]
    assert meta["distillation"]["alpha"] == 0.8 and teacher["dense_models"] == 1
    assert teacher["linear_weight"] == 0.4 and teacher["sentence_weight"] == 0.3
    for key in ("linear_val_macro_recall", "sentence_val_macro_recall", "val_macro_recall"):
        assert 0 < teacher[key] <= 100, key
    assert "minilm" in {source["key"] for source in meta["training_sources"]}


def test_bad_levels_are_refused(capsys):
    from cta_desktop.cli import main

    assert main(["train", "--levels", "60"]) == 2
    assert "pruning levels" in capsys.readouterr().err
