"""The NZB (non-zero bitmap) model format, after the CTA study's "NZB indexing".

Each weight tensor is cut into *filters* along one axis (a conv or dense kernel's output axis, an
embedding's rows). For each filter the file holds a bitmap with one bit per weight (1 = nonzero),
the popcount of that bitmap, and the nonzero values packed in order. Small tensors (biases) are
stored raw. One file holds every layer of a model, with names, shapes, dtypes and checksums.

File layout (little-endian)::

    offset  size  field
    0       4     magic b"NZB\\x1a"
    4       2     format version (uint16, currently 1)
    6       2     reserved (0)
    8       8     header length H (uint64)
    16      H     header: UTF-8 JSON {"metadata": {...}, "tensors": [entry, ...]}
    16+H    ...   payload: one section per tensor, each starting on an 8-byte boundary
    end-4   4     CRC-32 of every byte before it

A tensor entry: name, shape, dtype (numpy name), encoding ("nzb" or "raw"), offset (into the
payload) and nbytes of its section, crc32 of the section; for "nzb" also filter_axis, n_filters,
filter_size, nnz and popcount_dtype. An "nzb" section is::

    popcounts  n_filters x popcount_dtype  (uint8 when filter_size < 256, as the study's 8-bit count)
    bitmaps    n_filters x ceil(filter_size / 8) bytes; bit 7 of a filter's first byte is weight 0
    values     nnz x dtype, filter after filter, in weight order

Weight order within a filter is C order of the tensor with the filter axis moved to the front, so a
Conv1D kernel (k, c_in, c_out) with filter_axis 2 has filter `o` = kernel[:, :, o].ravel(), i.e.
weight `t * c_in + c`. A weight is "zero" only when all its bits are zero, so -0.0 and NaN survive
a round trip bit for bit.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cta_desktop.core.errors import UserError

MAGIC = b"NZB\x1a"
FORMAT_VERSION = 1
_PREFIX = struct.Struct("<4sHHQ")
_ALIGN = 8


class NzbFormatError(UserError, ValueError):
    """An NZB file is missing, truncated, corrupt or of an unknown version. The message names it."""


def _popcount_dtype(filter_size: int) -> np.dtype:
    for dt in (np.uint8, np.uint16, np.uint32):
        if filter_size <= np.iinfo(dt).max:
            return np.dtype(dt)
    return np.dtype(np.uint64)


def _nonzero_mask(values: np.ndarray) -> np.ndarray:
    """True where any bit of the value is set (so -0.0 and NaN count as nonzero)."""
    if values.dtype.itemsize == 0:
        return np.zeros(values.shape, dtype=bool)
    as_bytes = values.view(np.uint8).reshape(values.shape + (values.dtype.itemsize,))
    return np.asarray(as_bytes.any(axis=-1))


@dataclass
class NzbTensor:
    """One weight tensor in NZB form: per filter, a bitmap, its popcount and the packed values."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    filter_axis: int
    popcounts: np.ndarray  # (n_filters,) unsigned
    bitmaps: np.ndarray  # (n_filters, ceil(filter_size / 8)) uint8
    values: np.ndarray  # (nnz,) dtype

    @property
    def n_filters(self) -> int:
        return int(self.shape[self.filter_axis]) if self.shape else 1

    @property
    def filter_size(self) -> int:
        others = [s for i, s in enumerate(self.shape) if i != self.filter_axis]
        return int(np.prod(others, dtype=np.int64))

    @property
    def nnz(self) -> int:
        return int(self.values.size)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def sparsity(self) -> float:
        """Fraction of weights that are zero."""
        return 1.0 - self.nnz / self.size if self.size else 0.0

    @property
    def nbytes(self) -> int:
        return self.popcounts.nbytes + self.bitmaps.nbytes + self.values.nbytes

    @classmethod
    def from_dense(cls, name: str, array: np.ndarray, filter_axis: int = -1) -> NzbTensor:
        array = np.asarray(array)
        if array.ndim == 0:
            array = array.reshape(1)
        axis = filter_axis % array.ndim
        n_filters = array.shape[axis]
        filter_size = int(np.prod([s for i, s in enumerate(array.shape) if i != axis], dtype=np.int64))
        rows = np.ascontiguousarray(np.moveaxis(array, axis, 0)).reshape(n_filters, filter_size)
        mask = _nonzero_mask(rows)
        popcounts = mask.sum(axis=1).astype(_popcount_dtype(rows.shape[1]))
        bitmaps = np.packbits(mask, axis=1, bitorder="big") if rows.shape[1] else np.zeros((n_filters, 0), np.uint8)
        return cls(name, tuple(array.shape), array.dtype, axis, popcounts, bitmaps, rows[mask].copy())

    def filter_mask(self) -> np.ndarray:
        """(n_filters, filter_size) bool: which weights are nonzero."""
        return np.unpackbits(self.bitmaps, axis=1, count=self.filter_size, bitorder="big").astype(bool)

    def filter_rows(self) -> np.ndarray:
        """The weights as (n_filters, filter_size), filter axis first."""
        rows = np.zeros((self.n_filters, self.filter_size), dtype=self.dtype)
        rows[self.filter_mask()] = self.values
        return rows

    def to_dense(self) -> np.ndarray:
        moved = tuple(self.shape[self.filter_axis : self.filter_axis + 1]) + tuple(
            s for i, s in enumerate(self.shape) if i != self.filter_axis
        )
        return np.ascontiguousarray(np.moveaxis(self.filter_rows().reshape(moved), 0, self.filter_axis))

    def to_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, indices, values) of the filter rows: filter f's nonzeros are
        indices[indptr[f]:indptr[f+1]] (positions within the filter) with their values."""
        indptr = np.zeros(self.n_filters + 1, dtype=np.int64)
        np.cumsum(self.popcounts, out=indptr[1:])
        indices = np.nonzero(self.filter_mask())[1].astype(np.int32)
        return indptr, indices, self.values


@dataclass
class NzbFile:
    """The decoded contents of one NZB file."""

    tensors: dict[str, NzbTensor | np.ndarray]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def dense(self, name: str) -> np.ndarray:
        tensor = self.tensors[name]
        return tensor.to_dense() if isinstance(tensor, NzbTensor) else tensor

    def dense_weights(self) -> dict[str, np.ndarray]:
        return {name: self.dense(name) for name in self.tensors}


def _section_bytes(tensor: NzbTensor | np.ndarray) -> bytes:
    if isinstance(tensor, NzbTensor):
        return (
            np.ascontiguousarray(tensor.popcounts).astype(tensor.popcounts.dtype.newbyteorder("<")).tobytes()
            + np.ascontiguousarray(tensor.bitmaps).tobytes()
            + np.ascontiguousarray(tensor.values).astype(tensor.dtype.newbyteorder("<")).tobytes()
        )
    arr = np.asarray(tensor)
    return np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()


def _dtype_name(dtype: np.dtype) -> str:
    return np.dtype(dtype).newbyteorder("=").name if np.dtype(dtype).byteorder not in "|" else np.dtype(dtype).name


def encode_nzb(tensors: Mapping[str, NzbTensor | np.ndarray], metadata: Mapping[str, Any] | None = None) -> bytes:
    """Serialise tensors (NzbTensor for sparse ones, plain arrays stored raw) to NZB bytes."""
    entries = []
    sections = []
    offset = 0
    for name, tensor in tensors.items():
        data = _section_bytes(tensor)
        entry: dict[str, Any] = {"name": name, "offset": offset, "nbytes": len(data), "crc32": zlib.crc32(data)}
        if isinstance(tensor, NzbTensor):
            entry.update(
                shape=list(tensor.shape),
                dtype=_dtype_name(tensor.dtype),
                encoding="nzb",
                filter_axis=tensor.filter_axis,
                n_filters=tensor.n_filters,
                filter_size=tensor.filter_size,
                nnz=tensor.nnz,
                popcount_dtype=tensor.popcounts.dtype.name,
            )
        else:
            arr = np.asarray(tensor)
            entry.update(shape=list(arr.shape), dtype=_dtype_name(arr.dtype), encoding="raw")
        entries.append(entry)
        pad = (-len(data)) % _ALIGN
        sections.append(data + b"\0" * pad)
        offset += len(data) + pad
    header = json.dumps({"metadata": dict(metadata or {}), "tensors": entries}, ensure_ascii=False).encode("utf-8")
    header += b" " * ((-(len(header) + _PREFIX.size)) % _ALIGN)
    body = _PREFIX.pack(MAGIC, FORMAT_VERSION, 0, len(header)) + header + b"".join(sections)
    return body + struct.pack("<I", zlib.crc32(body))


def write_nzb(path: str | Path, tensors: Mapping[str, NzbTensor | np.ndarray], metadata: Mapping[str, Any] | None = None) -> int:
    """Write an NZB file atomically (temp file, then rename). Returns its size in bytes."""
    path = Path(path)
    data = encode_nzb(tensors, metadata)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return len(data)


def decode_nzb(data: bytes, source: str = "<bytes>") -> NzbFile:
    """Parse NZB bytes. Every failure raises NzbFormatError naming `source`."""

    def fail(why: str) -> NzbFormatError:
        return NzbFormatError(f"{source}: not a valid NZB model file ({why})")

    if len(data) < _PREFIX.size + 4:
        raise fail(f"truncated: {len(data)} bytes")
    magic, version, _reserved, header_len = _PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise fail("wrong magic bytes; is this an NZB file?")
    if version != FORMAT_VERSION:
        raise fail(f"format version {version}, this program reads version {FORMAT_VERSION}")
    (stored_crc,) = struct.unpack_from("<I", data, len(data) - 4)
    if zlib.crc32(memoryview(data)[:-4]) != stored_crc:
        if _PREFIX.size + header_len + 4 > len(data):
            raise fail("truncated: the header runs past the end of the file")
        raise fail("checksum mismatch: the file is corrupt or truncated")
    payload_start = _PREFIX.size + header_len
    try:
        header = json.loads(bytes(data[_PREFIX.size : payload_start]).decode("utf-8"))
        entries = header["tensors"]
        metadata = header.get("metadata", {})
    except (ValueError, KeyError, TypeError) as exc:
        raise fail(f"unreadable header: {exc}") from exc
    payload_end = len(data) - 4
    tensors: dict[str, NzbTensor | np.ndarray] = {}
    for entry in entries:
        try:
            name = entry["name"]
            start = payload_start + int(entry["offset"])
            end = start + int(entry["nbytes"])
            if start < payload_start or end > payload_end:
                raise fail(f"tensor {name!r} lies outside the file")
            section = bytes(data[start:end])
            if zlib.crc32(section) != entry["crc32"]:
                raise fail(f"tensor {name!r} fails its checksum")
            dtype = np.dtype(entry["dtype"]).newbyteorder("<")
            shape = tuple(int(s) for s in entry["shape"])
            if entry["encoding"] == "raw":
                arr = np.frombuffer(section, dtype=dtype).astype(dtype.newbyteorder("="))
                tensors[name] = arr.reshape(shape)
            elif entry["encoding"] == "nzb":
                tensors[name] = _decode_nzb_section(entry, section, shape, dtype, fail)
            else:
                raise fail(f"tensor {name!r} has unknown encoding {entry['encoding']!r}")
        except NzbFormatError:
            raise
        except (KeyError, ValueError, TypeError) as exc:
            raise fail(f"bad tensor entry {entry!r:.80}: {exc}") from exc
    return NzbFile(tensors, metadata)


def _decode_nzb_section(entry: dict, section: bytes, shape: tuple[int, ...], dtype: np.dtype, fail) -> NzbTensor:
    n_filters = int(entry["n_filters"])
    filter_size = int(entry["filter_size"])
    nnz = int(entry["nnz"])
    axis = int(entry["filter_axis"])
    pc_dtype = np.dtype(entry["popcount_dtype"]).newbyteorder("<")
    row_bytes = (filter_size + 7) // 8
    sizes = (n_filters * pc_dtype.itemsize, n_filters * row_bytes, nnz * dtype.itemsize)
    if sum(sizes) != len(section):
        raise fail(f"tensor {entry['name']!r}: section is {len(section)} bytes, expected {sum(sizes)}")
    popcounts = np.frombuffer(section, pc_dtype, n_filters, 0).astype(pc_dtype.newbyteorder("="))
    bitmaps = np.frombuffer(section, np.uint8, n_filters * row_bytes, sizes[0]).reshape(n_filters, row_bytes)
    values = np.frombuffer(section, dtype, nnz, sizes[0] + sizes[1]).astype(dtype.newbyteorder("="))
    tensor = NzbTensor(entry["name"], shape, values.dtype, axis, popcounts, bitmaps, values)
    if tensor.n_filters != n_filters or tensor.filter_size != filter_size:
        raise fail(f"tensor {entry['name']!r}: shape {shape} does not match its filters")
    counted = np.unpackbits(bitmaps, axis=1, count=filter_size).sum(axis=1) if filter_size else np.zeros(n_filters)
    if not np.array_equal(counted, popcounts) or int(popcounts.sum()) != nnz:
        raise fail(f"tensor {entry['name']!r}: popcounts do not match the bitmaps")
    return tensor


def read_nzb(path: str | Path) -> NzbFile:
    """Read and verify an NZB file; any problem raises NzbFormatError naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NzbFormatError(f"{path}: cannot read the model file ({exc.strerror or exc})") from exc
    result = decode_nzb(data, str(path))
    result.path = path
    return result
