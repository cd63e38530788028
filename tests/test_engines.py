"""The NZB sparse engine gives the dense model's answers: vs TensorFlow and vs the NumPy reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cta_desktop.core.model_spec import CONVS, EMBED_DIM
from cta_desktop.core.nzb import NzbFile, NzbTensor, decode_nzb, encode_nzb
from cta_desktop.core.preprocess import SEQ_LEN

sparse = pytest.importorskip("cta_desktop.core.engines.sparse")
from cta_desktop.core.engines.reference import NumpyEngine  # noqa: E402

LAYER_CHOICES = [(1, 2, 3, 4), (1,), (1, 2), (1, 2, 3), ()]
TOL = 1e-5


def rel_err(a, b) -> float:
    return float(np.max(np.abs(a.astype(np.float64) - b) / np.maximum(np.abs(b.astype(np.float64)), 1e-30)))


def random_nzb(vocab=50, sparsity=0.8, seed=0, empty_filter=True) -> NzbFile:
    """A model with the real architecture, random weights pruned to `sparsity`, via NZB bytes."""
    rng = np.random.default_rng(seed)

    def pruned(shape, scale):
        w = (rng.standard_normal(shape) * scale).astype(np.float32)
        w[rng.random(shape) < sparsity] = 0.0
        return w

    tensors: dict = {"embedding": NzbTensor.from_dense("embedding", pruned((vocab, EMBED_DIM), 1.0), 0)}
    c_in = EMBED_DIM
    for i, spec in enumerate(CONVS, start=1):
        k = pruned((spec.kernel, c_in, spec.filters), 1.0 / np.sqrt(spec.kernel * c_in * (1 - sparsity + 1e-3)))
        if empty_filter:
            k[:, :, 0] = 0.0  # a filter with no nonzeros at all
        tensors[f"conv{i}/kernel"] = NzbTensor.from_dense(f"conv{i}/kernel", k, 2)
        tensors[f"conv{i}/bias"] = (rng.standard_normal(spec.filters) * 0.1).astype(np.float32)
        c_in = spec.filters
    tensors["dense/kernel"] = NzbTensor.from_dense("dense/kernel", pruned((3 * c_in, 3), 0.5), 1)
    tensors["dense/bias"] = np.array([0.1, -0.2, 0.05], np.float32)
    return decode_nzb(encode_nzb(tensors, {"name": "random"}))


def random_ids(n, vocab, seed=1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, size=(n, SEQ_LEN)).astype(np.int32)
    lengths = rng.integers(0, SEQ_LEN + 1, size=n)
    ids[np.arange(SEQ_LEN)[None, :] >= lengths[:, None]] = 0  # padded tails, some empty tweets
    return ids


@pytest.fixture(scope="module")
def warm():
    sparse.warmup_async().join()
    assert sparse.jit_ready()


@pytest.mark.parametrize("sparsity", [0.0, 0.8, 0.97])
@pytest.mark.parametrize("layers", LAYER_CHOICES)
def test_random_model_matches_numpy_reference(warm, sparsity, layers):
    nzb = random_nzb(sparsity=sparsity, seed=int(sparsity * 100))
    ids = random_ids(300, 50)
    ref = NumpyEngine(nzb.dense_weights()).predict_proba(ids)
    engine = sparse.SparseNzbEngine(nzb, sparse_layers=layers)
    got = engine.predict_proba(ids)
    assert got.shape == (300, 3) and got.dtype == np.float32
    assert rel_err(got, ref) <= TOL
    np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))
    np.testing.assert_allclose(got.sum(1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 33])
def test_any_batch_size_and_single_tweet(warm, n):
    nzb = random_nzb(seed=3)
    ids = random_ids(n, 50, seed=n)
    engine = sparse.SparseNzbEngine(nzb)
    got = engine.predict_proba(ids)
    assert got.shape == (n, 3)
    ref = NumpyEngine(nzb.dense_weights()).predict_proba(ids) if n else got
    assert rel_err(got, ref) <= TOL if n else True
    for i in range(min(n, 3)):
        np.testing.assert_allclose(engine.predict_one(ids[i]), got[i], rtol=1e-6, atol=1e-7)


def test_raw_tensors_and_bad_ids(warm):
    nzb = random_nzb(seed=4)
    raw = NzbFile(nzb.dense_weights())  # every tensor raw (not NZB-encoded): still works
    ids = random_ids(40, 50)
    a = sparse.SparseNzbEngine(nzb).predict_proba(ids)
    b = sparse.SparseNzbEngine(raw).predict_proba(ids)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    engine = sparse.SparseNzbEngine(nzb)
    with pytest.raises(ValueError, match="token ids"):
        engine.predict_proba(np.full((2, SEQ_LEN), 50, np.int32))
    with pytest.raises(ValueError, match="token ids"):
        engine.predict_proba(np.full((2, SEQ_LEN), -1, np.int32))
    with pytest.raises(ValueError, match="shape"):
        engine.predict_proba(np.zeros((2, 7), np.int32))
    with pytest.raises(ValueError, match="sparse_layers"):
        sparse.SparseNzbEngine(nzb, sparse_layers=(5,))


def test_sparse_layers_cut_the_work():
    nzb = random_nzb(sparsity=0.8, seed=5, empty_filter=False)
    all_sparse = sparse.SparseNzbEngine(nzb)
    dense = sparse.SparseNzbEngine(nzb, sparse_layers=())
    layer1 = sparse.SparseNzbEngine(nzb, sparse_layers=(1,))
    assert all_sparse.nnz_macs < layer1.nnz_macs < dense.nnz_macs
    assert 0.15 < all_sparse.nnz_macs / dense.nnz_macs < 0.25
    assert all_sparse.model_bytes < dense.model_bytes
    assert all_sparse.name == "nzb" and layer1.name == "nzb[1]"


def test_numba_cache_lives_in_the_user_cache(tmp_path, run_python):
    """In a fresh process (numba fixes its cache folder at first import), the kernels' cache goes to
    the user cache directory, and compiled kernels really land there, never beside the sources."""
    cache = tmp_path / "user cache ✓"
    code = (
        "import numba, numpy as np\n"
        "from cta_desktop.core.engines import sparse\n"
        "from cta_desktop.core.modelstore import load_model\n"
        "e = sparse.SparseNzbEngine(load_model(80).nzb)\n"
        "e.predict_proba(np.ones((3, 50), np.int32))\n"
        "print(numba.config.CACHE_DIR)\n"
        "print(sparse.jit_cache_dir())\n"
    )
    numba_dir, engine_dir = run_python(code, {"CTA_CACHE_DIR": str(cache)}, drop_env=["NUMBA_CACHE_DIR"]).strip().splitlines()[-2:]
    assert numba_dir == engine_dir == str(cache / "numba")
    assert any((cache / "numba").rglob("*.nbi")), "no compiled kernel was cached"
    package = Path(sparse.__file__).resolve().parent
    assert not list(package.rglob("*.nbi")), "numba wrote its cache inside the install"


def test_numba_cache_is_set_whichever_engine_module_comes_first(tmp_path, run_python):
    """`self-test` imports every module in name order, so the kernel modules (through _kernels_simd)
    came before sparse.py, found no cache directory and compiled uncached on every run (10-12 s)."""
    cache = tmp_path / "cache"
    code = (
        "import numba\n"
        "from cta_desktop.core.engines import _kernels_simd as simd, _kernels_conv_csr_x8 as k\n"
        "print(repr(numba.config.CACHE_DIR), simd.cache_enabled(k.__file__), k.CACHE)\n"
    )
    assert run_python(code, {"CTA_CACHE_DIR": str(cache)}, drop_env=["NUMBA_CACHE_DIR"]).strip().splitlines()[-1] == f"{str(cache / 'numba')!r} True True"
    assert any((cache / "numba").rglob("*.nbi")), "the kernels compiled at import were not cached"


def test_generated_kernels_are_up_to_date():
    from cta_desktop.core.engines import _kernels_gen

    for split, target in _kernels_gen.TARGETS.items():
        assert target.read_text(encoding="utf-8") == _kernels_gen.module_source(split=split), target.name
    assert _kernels_gen.LANES == sparse.LANES  # both from tile_layout
    assert "KERNELS" not in _kernels_gen.module_source()  # no unused lookup tables


# ------------------------------------------------------------ the real models on real tweets
def _real_ids(model, n=2000):
    from cta_desktop.paths import shared_data_dir

    path = shared_data_dir() / "tweeteval_sentiment" / "test_text.txt"
    if not path.exists():
        pytest.skip("TweetEval test text not available")
    texts = path.read_text(encoding="utf-8").splitlines()[:n]
    return model.vocab.encode(texts)


def _levels():
    from cta_desktop.core.modelstore import available_levels

    return available_levels()


@pytest.mark.parametrize("sparsity", [0, 70, 75, 80, 85])
def test_real_models_match_dense_tf_and_numpy(warm, sparsity):
    from cta_desktop.core.modelstore import load_model

    if sparsity not in _levels():
        pytest.skip(f"model for {sparsity}% not available")
    pytest.importorskip("tensorflow")
    from cta_desktop.core.engines.dense_tf import DenseTfEngine

    model = load_model(sparsity)
    ids = _real_ids(model)
    weights = model.weights
    tf_probs = DenseTfEngine(weights, batch_size=1024).predict_proba(ids)
    np_probs = NumpyEngine(weights).predict_proba(ids)
    assert rel_err(np_probs, tf_probs) <= TOL
    for layers in LAYER_CHOICES:
        got = sparse.SparseNzbEngine(model.nzb, sparse_layers=layers).predict_proba(ids)
        assert rel_err(got, tf_probs) <= TOL, layers
        assert rel_err(got, np_probs) <= TOL, layers
        np.testing.assert_array_equal(got.argmax(1), tf_probs.argmax(1))


def test_dense_tf_naive_matches_batched():
    from cta_desktop.core.modelstore import load_model

    if 80 not in _levels():
        pytest.skip("80% model not available")
    pytest.importorskip("tensorflow")
    from cta_desktop.core.engines.dense_tf import DenseTfEngine

    model = load_model(80)
    ids = random_ids(3, len(model.vocab))
    engine = DenseTfEngine(model.weights)
    np.testing.assert_allclose(engine.predict_naive(ids), engine.predict_proba(ids), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(engine.predict_one(ids[1]), engine.predict_proba(ids)[1], rtol=1e-5, atol=1e-7)


def test_best_engine_is_the_nzb_engine():
    from cta_desktop.core.engines import best_engine
    from cta_desktop.core.modelstore import load_model

    if 80 not in _levels():
        pytest.skip("80% model not available")
    engine = best_engine(load_model(80))
    assert isinstance(engine, sparse.SparseNzbEngine)


# ------------------------------------------------------------ both CPU paths, on any CPU
_PATH_SCRIPT = """
import sys
import numpy as np
sys.path.insert(0, {tests!r})
from test_engines import random_nzb, random_ids, rel_err
from cta_desktop.core.engines import sparse
from cta_desktop.core.engines.tile_layout import SPLIT_LANES
from cta_desktop.core.engines.reference import NumpyEngine
assert SPLIT_LANES == {split!r}
worst = 0.0
for sparsity in (0.0, 0.8, 0.97):
    nzb = random_nzb(sparsity=sparsity, seed=int(sparsity * 100))
    ids = random_ids(300, 50)
    ref = NumpyEngine(nzb.dense_weights()).predict_proba(ids)
    for layers in ((1, 2, 3, 4), ()):
        engine = sparse.SparseNzbEngine(nzb, sparse_layers=layers)
        got = engine.predict_proba(ids)
        one = engine.predict_one(ids[7])
        assert (got.argmax(1) == ref.argmax(1)).all()
        worst = max(worst, rel_err(got, ref), rel_err(one[None], ref[7:8]))
print(worst)
"""


@pytest.mark.parametrize("simd", ["x16", "x8"])
def test_both_kernel_variants_match_reference(tmp_path, simd):
    """The wide (AVX-512) and split-lane (AVX2) kernels both run here, whatever this CPU is:
    CTA_NZB_SIMD forces the variant, in a fresh process with its own kernel cache."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, CTA_NZB_SIMD=simd, CTA_CACHE_DIR=str(tmp_path / "cache"))
    script = _PATH_SCRIPT.format(tests=str(Path(__file__).parent), split=simd == "x8")
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert float(run.stdout.strip().splitlines()[-1]) <= TOL


def test_tile_buffers_start_on_a_cache_line(warm):
    """Vector loads of a tile row never straddle two cache lines because of where a buffer starts."""
    engine = sparse.SparseNzbEngine(random_nzb(), n_threads=2)
    ids = random_ids(100, 50)
    engine.predict_proba(ids)
    engine.predict_one(ids[0])
    buffers = [b for per_thread in engine._scratch for b in per_thread] + list(engine._one_buffers)
    assert buffers and all(b.ctypes.data % 64 == 0 for b in buffers)
    for n in (1, 7, 1000):
        z = sparse.aligned_zeros(n)
        assert z.size == n and z.dtype == np.float32 and z.ctypes.data % 64 == 0 and not z.any()
