"""NZB format: exact round trips for any shape, dtype and sparsity; clear errors on bad files."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cta_desktop.core.nzb import NzbFormatError, NzbTensor, decode_nzb, encode_nzb, read_nzb, write_nzb

FLOATS = st.sampled_from([np.float32, np.float64, np.float16])


@st.composite
def sparse_arrays(draw):
    dtype = draw(FLOATS)
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=9))
    values = draw(hnp.arrays(dtype, shape, elements=st.floats(width=np.dtype(dtype).itemsize * 8, allow_nan=True)))
    density = draw(st.floats(0, 1))
    keep = draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1))) < density
    return np.where(keep, values, np.zeros((), dtype)).astype(dtype)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@settings(max_examples=200, deadline=None)
@given(sparse_arrays(), st.integers(0, 3))
def test_tensor_round_trip_is_bit_exact(array, axis_pick):
    axis = axis_pick % array.ndim
    tensor = NzbTensor.from_dense("w", array, filter_axis=axis)
    assert same_bits(tensor.to_dense(), array)
    nonzero_bits = array.view(np.uint8).reshape(array.shape + (array.dtype.itemsize,)).any(-1)
    assert tensor.nnz == int(np.count_nonzero(nonzero_bits))
    decoded = decode_nzb(encode_nzb({"w": tensor, "raw": array}, {"k": "v"}))
    assert same_bits(decoded.dense("w"), array)
    assert same_bits(decoded.tensors["raw"], array)
    assert decoded.metadata == {"k": "v"}


def test_bitmap_layout_matches_the_study():
    # a conv kernel (k=2, c_in=3, c_out=2): filter o is kernel[:, :, o] in (t, c) order
    kernel = np.zeros((2, 3, 2), np.float32)
    kernel[0, 1, 0] = 1.5
    kernel[1, 2, 0] = -2.0
    kernel[1, 0, 1] = 3.0
    t = NzbTensor.from_dense("conv", kernel, filter_axis=2)
    assert t.popcounts.tolist() == [2, 1]
    assert t.popcounts.dtype == np.uint8  # 6 weights a filter: an 8-bit count, as in the study
    # weight index t*c_in + c: filter 0 has bits 1 and 5 set, filter 1 has bit 3
    assert t.bitmaps[:, 0].tolist() == [0b01000100, 0b00010000]
    assert t.values.tolist() == [1.5, -2.0, 3.0]
    indptr, indices, values = t.to_csr()
    assert indptr.tolist() == [0, 2, 3] and indices.tolist() == [1, 5, 3]


def test_negative_zero_and_nan_survive():
    a = np.array([[0.0, -0.0], [np.nan, 1.0]], np.float32)
    assert same_bits(NzbTensor.from_dense("a", a, 0).to_dense(), a)


@pytest.fixture
def model_file(tmp_path):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((40, 8)).astype(np.float32)
    w[rng.random(w.shape) < 0.8] = 0
    path = tmp_path / "mödel ✓.nzb"
    write_nzb(path, {"w": NzbTensor.from_dense("w", w, 1), "b": np.arange(8, dtype=np.float32)}, {"name": "t"})
    return path, w


def test_file_round_trip(model_file):
    path, w = model_file
    f = read_nzb(path)
    assert np.array_equal(f.dense("w"), w)
    assert f.metadata["name"] == "t"
    assert f.tensors["w"].sparsity == pytest.approx(np.mean(w == 0))


@pytest.mark.parametrize("cut", [0, 3, 17, 100, -5, -1])
def test_truncated_file_names_the_file(model_file, cut):
    path, _ = model_file
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut > 0 else data[:cut] if cut < 0 else b"")
    with pytest.raises(NzbFormatError, match="mödel ✓.nzb"):
        read_nzb(path)


def test_flipped_byte_is_detected(model_file):
    path, _ = model_file
    data = bytearray(path.read_bytes())
    for pos in (5, 40, len(data) // 2, len(data) - 10):
        corrupt = bytearray(data)
        corrupt[pos] ^= 0x40
        path.write_bytes(bytes(corrupt))
        with pytest.raises(NzbFormatError, match="nzb"):
            read_nzb(path)


def test_wrong_magic_and_missing_file(tmp_path):
    junk = tmp_path / "junk.nzb"
    junk.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(NzbFormatError, match="magic"):
        read_nzb(junk)
    with pytest.raises(NzbFormatError, match="cannot read"):
        read_nzb(tmp_path / "absent.nzb")
