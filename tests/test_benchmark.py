"""The benchmark: its dict, progress, cancel, inputs without shared data, and the CLI."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

pytest.importorskip("numba")
# Only look TensorFlow up: importing it at collection would put it in sys.modules for every test,
# and the GUI tests check that the window opens without it.
if importlib.util.find_spec("tensorflow") is None:
    pytest.skip("TensorFlow is not installed", allow_module_level=True)

from cta_desktop.core import benchmark  # noqa: E402
from cta_desktop.core.modelstore import available_levels, load_model  # noqa: E402


@pytest.fixture(scope="module")
def level():
    levels = [s for s in available_levels() if s]
    if not levels:
        pytest.skip("no pruned model available")
    return 80 if 80 in levels else levels[0]


def test_run_benchmark_result(level):
    seen = []
    r = benchmark.run_benchmark(n=70, batch=32, sparsity=level, layers=(1, 2), rounds=2, peers=("dense_tf",),
                                memory=False, progress=lambda d, t: seen.append((d, t)))
    assert (r["n"], r["batch"], r["sparsity"], r["layers"], r["rounds"]) == (70, 32, level, [1, 2], 2)
    for name in ("dense_tf", "nzb"):
        e = r["engines"][name]
        assert e["seconds"] > 0 and e["tweets_per_s"] == pytest.approx(70 / e["seconds"])
        assert e["cpu_percent"] >= 0 and e["peak_mem_bytes"] is None and e["model_bytes"] > 0
        assert len(e["round_seconds"]) == 2
    assert r["engines"]["nzb"]["model_bytes"] < r["engines"]["dense_tf"]["model_bytes"]
    assert r["speedup"] == pytest.approx(r["engines"]["dense_tf"]["seconds"] / r["engines"]["nzb"]["seconds"])
    assert r["max_rel_err"] <= 1e-5
    assert r["speedup_best_round"] > 0
    assert 0 < r["engines"]["nzb"]["single_tweet_ms"] < 1000
    assert r["label_agreement"] == 1.0
    assert r["jit_compile_seconds"] is not None and r["jit_compile_seconds"] > 0
    assert r["machine"]["cpu_count"]
    json.dumps(r)  # the CLI prints it
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1][0] == seen[-1][1]


def test_cancel_raises(level):
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(benchmark.BenchmarkCancelled):
        benchmark.run_benchmark(n=64, batch=16, sparsity=level, rounds=3, cancel=cancel, peers=("dense_tf",))


def test_naive_row_is_labelled_and_extrapolated(level):
    r = benchmark.run_benchmark(n=40, batch=40, sparsity=level, rounds=1, naive=True, naive_n=2, memory=False,
                                peers=("dense_tf",))
    naive = r["engines"]["naive_predict"]
    assert naive["extrapolated_from"] == 2 and "extrapolated" in naive["note"]
    assert naive["seconds"] == pytest.approx(40 / naive["tweets_per_s"])


def test_inputs_without_shared_data(level, monkeypatch, tmp_path):
    model = load_model(level)
    monkeypatch.setenv("CTA_SHARED_DATA", str(tmp_path))  # as in a bundle: no TweetEval
    ids, source = benchmark.benchmark_inputs(model, 300)
    assert ids.shape == (300, 50) and ids.dtype == np.int32
    assert source.startswith("shipped example tweets")
    monkeypatch.setattr(benchmark, "_example_texts", lambda: None)
    ids, source = benchmark.benchmark_inputs(model, 300)
    assert source == "ids sampled from the vocabulary"
    assert ids.min() >= 0 and ids.max() < len(model.vocab) and (ids[:, 0] > 0).all()


def test_max_rel_err():
    a = np.array([[0.5, 0.25, 0.25]], np.float32)
    assert benchmark.max_rel_err(a, a) == 0.0
    assert benchmark.max_rel_err(a * 1.001, a) == pytest.approx(1e-3, rel=1e-3)


def test_cli_json(level, capsys):
    from cta_desktop.cli import main

    assert main(["bench", "--n", "20", "--batch", "16", "--rounds", "1", "--sparsity", str(level),
                 "--layers", "1,2,3,4", "--json", "--no-memory"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layers"] == [1, 2, 3, 4] and set(out["engines"]) == {"dense_tf", "nzb"}


def test_cli_table_and_bad_layers(level, capsys):
    from cta_desktop.cli import main

    assert main(["bench", "--n", "20", "--batch", "20", "--rounds", "1", "--sparsity", str(level), "--no-memory"]) == 0
    out = capsys.readouterr().out
    assert "NZB vs the best dense runtime (TensorFlow)" in out and "GFLOP/s" in out
    with pytest.raises(SystemExit):
        main(["bench", "--layers", "1,9"])


def test_peers_every_dense_runtime(level):
    """NZB against every dense runtime installed: same labels, a ratio to each and to the best, GFLOP/s,
    and each engine's memory measured alone in a fresh process."""
    from cta_desktop.core.engines.peers import peer_status
    from cta_desktop.core.model_spec import multiply_adds_per_tweet

    available = [k for k, why in peer_status(load_model(level)).items() if why is None]
    r = benchmark.run_benchmark(n=96, batch=48, sparsity=level, rounds=2, peers=None, single=3)
    assert r["dense_peers"] == available and set(r["engines"]) == {"nzb", *available}
    nzb = r["engines"]["nzb"]
    for name in available:
        e = r["engines"][name]
        assert e["label_agreement"] == 1.0 and e["max_rel_err"] <= 1e-5
        assert e["nzb_speedup"] == pytest.approx(e["seconds"] / nzb["seconds"])
        assert e["gflops"] == pytest.approx(2 * multiply_adds_per_tweet() * e["tweets_per_s"] / 1e9)
        assert e["peak_mem_bytes"] > 0 and e["memory_baseline_bytes"] > 10e6, e  # a real Python + NumPy worker
    best = min(available, key=lambda k: r["engines"][k]["seconds"])
    assert r["best_dense"] == best and r["speedup"] == pytest.approx(r["engines"][best]["seconds"] / nzb["seconds"])
    assert nzb["gflops"] < nzb["gflops_dense_equiv"]  # it skips the zeros
    assert nzb["peak_mem_bytes"] > 0
    if "dense_tf" in available and "tflite" in available:
        # Like with like: TensorFlow's runtime is hundreds of MB more than LiteRT's, whatever ran first here.
        assert r["engines"]["dense_tf"]["peak_mem_bytes"] > r["engines"]["tflite"]["peak_mem_bytes"] + 100e6
    json.dumps(r)


def test_missing_runtime_is_reported_not_run(level, monkeypatch):
    from cta_desktop.core.engines import peers

    real = peers._installed
    monkeypatch.setattr(peers, "_installed", lambda m: m != "onnxruntime" and real(m))
    r = benchmark.run_benchmark(n=20, batch=20, sparsity=level, rounds=1, peers=("dense_tf", "onnxruntime"),
                                memory=False, single=1)
    assert "onnxruntime" not in r["engines"] and "pip install onnxruntime" in r["missing"]["onnxruntime"]
    monkeypatch.setattr(peers, "_installed", lambda m: False)
    with pytest.raises(ValueError, match="no dense runtime"):
        benchmark.run_benchmark(n=20, batch=20, sparsity=level, rounds=1, memory=False)


def test_cli_peers_json(level, capsys):
    from cta_desktop.cli import main

    assert main(["bench", "--peers", "dense_tf,onnxruntime", "--n", "20", "--batch", "20", "--rounds", "1",
                 "--sparsity", str(level), "--json", "--no-memory"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["engines"]) <= {"nzb", "dense_tf", "onnxruntime"} and "nzb" in out["engines"]
    assert all(e["tweets_per_s"] > 0 for e in out["engines"].values())
    with pytest.raises(SystemExit):
        main(["bench", "--peers", "caffe"])
