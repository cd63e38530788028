"""The shipped models: present, pruned as claimed, small, and reproducing their metadata's metrics."""

import json

import pytest

from cta_desktop.core.model_spec import PRUNABLE
from cta_desktop.core.modelstore import (
    SPARSITY_LEVELS,
    ModelError,
    available_levels,
    load_model,
    metadata_path,
)
from cta_desktop.paths import models_dir
from cta_desktop.training.data import default_tweeteval_dir

DATA = default_tweeteval_dir()
needs_data = pytest.mark.skipif(not (DATA / "test_text.txt").exists(), reason="TweetEval data not available")


def test_every_level_is_shipped_with_metadata():
    assert available_levels() == list(SPARSITY_LEVELS)
    assert (models_dir() / "cta_dense.keras").exists()
    assert (models_dir() / "REPORT.md").exists()
    total = sum(f.stat().st_size for f in models_dir().iterdir() if f.is_file())
    assert total < 20 * 1024 * 1024


@pytest.mark.parametrize("level", SPARSITY_LEVELS[1:])
def test_pruned_models_are_as_sparse_as_claimed(level):
    model = load_model(level)
    for name in PRUNABLE:
        assert model.nzb.tensors[name].sparsity == pytest.approx(level / 100, abs=0.01), name
    meta = json.loads(metadata_path(level).read_text())
    assert meta["sparsity_measured"]["overall_prunable"] == pytest.approx(level / 100, abs=0.005)


def test_p80_nzb_is_at_least_4x_smaller_than_dense_keras():
    keras_bytes = (models_dir() / "cta_dense.keras").stat().st_size
    assert keras_bytes / load_model(80).file_bytes >= 4.0


def test_pruned_nzb_weights_match_the_dense_parent_architecture():
    dense, pruned = load_model(0), load_model(80)
    for name, w in dense.weights.items():
        assert pruned.weights[name].shape == w.shape


def test_corrupt_model_gives_a_clear_error(tmp_path):
    import shutil

    for f in models_dir().iterdir():
        if f.suffix in (".json", ".nzb"):
            shutil.copy(f, tmp_path / f.name)
    data = bytearray((tmp_path / "cta_p80.nzb").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "cta_p80.nzb").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="cta_p80.nzb"):
        load_model(80, tmp_path)


@needs_data
@pytest.mark.parametrize("level", [0, 80])
def test_evaluation_reproduces_metadata(level, capsys):
    from cta_desktop.cli import main

    assert main(["evaluate", "--data", str(DATA), "--split", "test", "--sparsity", str(level), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    meta = json.loads(metadata_path(level).read_text())["test"]
    assert result["n"] == 12284
    for key in ("accuracy", "macro_recall", "macro_f1"):
        assert result[key] == pytest.approx(meta[key], abs=0.01), key
    assert result["per_class_recall"] == pytest.approx(meta["per_class_recall"], abs=0.01)


@needs_data
def test_shipped_80_model_meets_the_accuracy_bar():
    meta80 = json.loads(metadata_path(80).read_text())["test"]
    meta0 = json.loads(metadata_path(0).read_text())["test"]
    assert meta80["macro_recall"] >= 60.0
    assert abs(meta80["macro_recall"] - meta0["macro_recall"]) <= 1.5


def test_evaluate_reports_missing_data_clearly(tmp_path, capsys):
    from cta_desktop.cli import main

    assert main(["evaluate", "--data", str(tmp_path), "--split", "val", "--json"]) == 2
    err = capsys.readouterr().err
    assert "val_text.txt" in err and "Traceback" not in err


def test_report_run_to_run_table_names_the_shipped_models_figures():
    """REPORT's 'Run to run' table compares a re-run with the shipped models: its shipped column must be theirs."""
    from cta_desktop.training.report import RERUN, rerun_lines

    for name, (val, test, ece), _ in RERUN:
        level = 0 if name == "cta_dense" else int(name.removeprefix("cta_p"))
        meta = json.loads(metadata_path(level).read_text())
        assert (meta["val"]["macro_recall"], meta["test"]["macro_recall"], meta["calibration"]["test_ece"]) == \
            pytest.approx((val, test, ece), abs=0.006), name
    text = "\n".join(rerun_lines())
    assert "| cta_p75 | 70.32 / 63.55 / 6.21 | 70.72 / 62.83 / 6.40 | -0.72 / +0.19 |" in text
    assert "moves by up to 0.72 points" in text
    assert "\n".join(rerun_lines()) in (models_dir() / "REPORT.md").read_text(encoding="utf-8")
