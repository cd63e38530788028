"""`cta-desktop self-test`: passes on a good install, and names the broken part of a bad one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from cta_desktop.cli import main
from cta_desktop.commands import self_test
from cta_desktop.core import modelstore
from cta_desktop.core.model_spec import CONVS, EMBED_DIM, FILTER_AXIS, FLAT_DIM, N_CLASSES, weight_names
from cta_desktop.core.nzb import NzbTensor, write_nzb
from cta_desktop.core.preprocess import Vocabulary, tokenize

QUICK = ["--no-tf", "--no-example"]


def _random_weights(vocab_size: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    w = {"embedding": rng.normal(0, 0.3, (vocab_size, EMBED_DIM))}
    c_in = EMBED_DIM
    for i, spec in enumerate(CONVS, start=1):
        w[f"conv{i}/kernel"] = rng.normal(0, (2 / (spec.kernel * c_in)) ** 0.5, (spec.kernel, c_in, spec.filters))
        w[f"conv{i}/bias"] = rng.normal(0, 0.05, spec.filters)
        c_in = spec.filters
    w["dense/kernel"] = rng.normal(0, 0.3, (FLAT_DIM, N_CLASSES))
    w["dense/bias"] = rng.normal(0, 0.05, N_CLASSES)
    return {k: v.astype(np.float32) for k, v in w.items()}


def _prune(w: dict[str, np.ndarray], sparsity: int) -> dict[str, np.ndarray]:
    out = dict(w)
    for name in FILTER_AXIS:
        a = w[name]
        out[name] = np.where(np.abs(a) >= np.percentile(np.abs(a), sparsity), a, 0).astype(np.float32)
    return out


def write_fake_models(directory: Path, levels=modelstore.SPARSITY_LEVELS) -> Path:
    """A models/ folder like the shipped one, with random weights (the self-test checks plumbing, not accuracy)."""
    directory.mkdir(parents=True, exist_ok=True)
    words = sorted({t for s in self_test.SAMPLE_TWEETS for t in tokenize(s)})
    vocab = Vocabulary.build([words, words], max_size=1000)
    vocab.save(directory / modelstore.VOCAB_FILE)
    dense = _random_weights(len(vocab))
    for level in levels:
        w = dense if level == 0 else _prune(dense, level)
        tensors = {n: NzbTensor.from_dense(n, w[n], FILTER_AXIS[n]) if n in FILTER_AXIS else w[n] for n in weight_names()}
        write_nzb(modelstore.nzb_path(level, directory), tensors, {"name": modelstore.model_stem(level), "sparsity": level})
        modelstore.metadata_path(level, directory).write_text(json.dumps({"sparsity": level}), encoding="utf-8")
    return directory


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("CTA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CTA_CACHE_DIR", str(tmp_path / "cache"))
    modelstore.load_vocab.cache_clear()
    yield
    modelstore.load_vocab.cache_clear()


@pytest.fixture(scope="module")
def fake_models(tmp_path_factory) -> Path:
    return write_fake_models(tmp_path_factory.mktemp("models"))


def test_passes_on_good_models_and_prints_one_line(fake_models, capsys):
    assert main(["self-test", "--models", str(fake_models), *QUICK]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("self-test OK")
    assert "5 models (0, 70, 75, 80, 85)" in out[0]


def test_json_lists_every_check(fake_models, capsys):
    assert main(["self-test", "--models", str(fake_models), "--json", *QUICK]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == ["imports", "models", "nzb-engine", "tokenizer", "csv-reader",
                                                      "paths"]
    assert report["checks"][2]["data"]["max_rel_err"] <= self_test.MAX_REL_ERR
    modules = report["checks"][0]["data"]["modules"]
    assert "cta_desktop.core.analysis" in modules and "cta_desktop.commands.self_test" in modules
    assert not any(m.startswith("cta_desktop.gui") for m in modules)  # no Qt in the headless check


def test_flipped_byte_names_the_corrupt_file(fake_models, tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(fake_models, broken)
    target = modelstore.nzb_path(75, broken)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle of the payload
    target.write_bytes(bytes(data))
    monkeypatch.setenv("CTA_MODELS_DIR", str(broken))  # as a user (or CI) would point the app at it
    assert main(["self-test", *QUICK]) == 1
    err = capsys.readouterr().err
    assert "self-test FAILED" in err and "models:" in err and "cta_p75.nzb" in err


def test_missing_default_model_is_reported(fake_models, tmp_path, capsys):
    partial = tmp_path / "partial"
    shutil.copytree(fake_models, partial)
    modelstore.nzb_path(modelstore.DEFAULT_SPARSITY, partial).unlink()
    assert main(["self-test", "--models", str(partial), *QUICK]) == 1
    assert "default model" in capsys.readouterr().err


def test_empty_models_folder_is_reported(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["self-test", "--models", str(tmp_path / "empty"), *QUICK]) == 1
    assert "no models found" in capsys.readouterr().err


def test_engine_disagreement_fails(fake_models, monkeypatch, capsys):
    from cta_desktop.core import engines
    from cta_desktop.core.engines.reference import NumpyEngine

    class OffByALittle(NumpyEngine):
        name = "broken-engine"

        def predict_proba(self, ids, batch_size=2048):
            p = super().predict_proba(ids, batch_size)
            return (p * np.float32(1.001)).astype(np.float32)

    monkeypatch.setattr(engines, "best_engine", lambda model, **kw: OffByALittle(model.weights))
    assert main(["self-test", "--models", str(fake_models), *QUICK]) == 1
    err = capsys.readouterr().err
    assert "nzb-engine" in err and "broken-engine" in err and "relative error" in err


def test_a_module_that_fails_to_import_is_named(fake_models, monkeypatch, capsys):
    import importlib

    real = importlib.import_module

    def flaky(name, *args):
        if name == "cta_desktop.core.metrics":
            raise ImportError("No module named 'scipy' (simulated missing hidden import)")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", flaky)
    assert main(["self-test", "--models", str(fake_models), *QUICK]) == 1
    err = capsys.readouterr().err
    assert "imports: cannot import cta_desktop.core.metrics" in err and "scipy" in err


def test_the_other_cpus_kernels_are_found_not_compiled(monkeypatch):
    """Importing the kernel module of the other CPU path would compile kernels this CPU never runs."""
    import importlib
    import importlib.util

    other = self_test._other_cpu_kernels()
    imported = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: imported.append(name) or real(name, *a))
    message, details = self_test.check_imports()
    assert other in details["modules"] and other not in imported
    assert "cta_desktop.core.engines.sparse" in imported and "not compiled" in message

    real_find = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == other else real_find(name, *a))
    with pytest.raises(self_test.CheckFailed, match=f"{other} .*source file is missing"):
        self_test.check_imports()


def test_relative_error_floor_and_nan():
    assert self_test.relative_error(np.array([[0.5, 1e-9]]), np.array([[0.5, 2e-9]])) < 1e-2
    with pytest.raises(self_test.CheckFailed, match="NaN"):
        self_test.relative_error(np.array([[np.nan]]), np.array([[0.5]]))


def test_cache_inside_install_is_reported(fake_models, monkeypatch, capsys):
    from cta_desktop.paths import install_root

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(install_root() / "numba-cache"))
    assert main(["self-test", "--models", str(fake_models), *QUICK]) == 1
    assert "inside the install folder" in capsys.readouterr().err


def test_missing_example_dataset_is_reported(fake_models, monkeypatch, capsys):
    monkeypatch.setattr(self_test, "example_csvs", lambda: [])
    assert main(["self-test", "--models", str(fake_models), "--no-tf"]) == 1
    assert "example: no example dataset" in capsys.readouterr().err


def test_shipped_example_is_analysed(fake_models, capsys):
    pytest.importorskip("cta_desktop.core.analysis")
    pytest.importorskip("cta_desktop.core.library")
    if not self_test.example_csvs():
        pytest.skip("resources/example/ has no CSV yet")
    assert main(["self-test", "--models", str(fake_models), "--no-tf", "--json"]) == 0, capsys.readouterr()
    report = json.loads(capsys.readouterr().out)
    example = next(c for c in report["checks"] if c["name"] == "example")
    assert example["data"]["n_tweets"] > 0


def test_dense_tf_agrees(fake_models, capsys):
    pytest.importorskip("cta_desktop.core.engines.dense_tf")
    assert main(["self-test", "--models", str(fake_models), "--require-tf", "--no-example", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    tf_check = next(c for c in report["checks"] if c["name"] == "dense-tf")
    assert tf_check["ok"] and tf_check["data"]["max_rel_err"] <= self_test.MAX_REL_ERR


def test_require_tf_fails_without_the_engine(fake_models, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_tf(name, *args, **kwargs):
        if name.startswith("cta_desktop.core.engines.dense_tf") or name.startswith("tensorflow"):
            raise ImportError("No module named 'tensorflow' (simulated)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tf)
    assert main(["self-test", "--models", str(fake_models), "--require-tf", "--no-example"]) == 1
    assert "dense-tf: TensorFlow engine cannot be imported" in capsys.readouterr().err
    assert main(["self-test", "--models", str(fake_models), "--no-example"]) == 0  # optional without the flag


def test_shipped_models_pass(capsys):
    if modelstore.DEFAULT_SPARSITY not in modelstore.available_levels():
        pytest.skip("models/ has no trained models yet")
    assert main(["self-test", "--no-tf", "--no-example"]) == 0, capsys.readouterr().err
