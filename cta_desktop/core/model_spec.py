"""The text-CNN of the CTA study, described without any framework.

Embedding(vocab, 32) -> 4 x [Conv1D(same, relu) -> MaxPool1D(2) -> Dropout] -> Flatten -> Dense(3, softmax).
Sequence lengths 50 -> 25 -> 12 -> 6 -> 3, so Flatten gives 3 x 32 = 96 features, in (time, channel)
order (feature index t * 32 + c), as Keras flattens.

Weight names used in NZB files and everywhere else, with Keras shapes:
  embedding            (vocab, 32)            NZB filter axis 0 (one filter per word)
  conv{i}/kernel       (k_i, c_in, c_out)     NZB filter axis 2 (one filter per output channel)
  conv{i}/bias         (c_out,)               raw
  dense/kernel         (96, 3)                NZB filter axis 1
  dense/bias           (3,)                   raw
"""

from __future__ import annotations

from dataclasses import dataclass

from cta_desktop.core.preprocess import SEQ_LEN

EMBED_DIM = 32
N_CLASSES = 3
LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class ConvSpec:
    filters: int
    kernel: int

    @property
    def pad_left(self) -> int:
        """Keras/TF `same` padding puts the extra zero on the right for even kernels."""
        return (self.kernel - 1) // 2

    @property
    def pad_right(self) -> int:
        return self.kernel - 1 - self.pad_left


CONVS = (ConvSpec(128, 5), ConvSpec(64, 6), ConvSpec(32, 7), ConvSpec(32, 8))
POOL = 2


def seq_lengths(seq_len: int = SEQ_LEN) -> list[int]:
    """Input length of each conv block, then the final pooled length: [50, 25, 12, 6, 3]."""
    lengths = [seq_len]
    for _ in CONVS:
        lengths.append(lengths[-1] // POOL)
    return lengths


FLAT_DIM = seq_lengths()[-1] * CONVS[-1].filters  # 96


def weight_names() -> list[str]:
    names = ["embedding"]
    for i in range(1, len(CONVS) + 1):
        names += [f"conv{i}/kernel", f"conv{i}/bias"]
    return names + ["dense/kernel", "dense/bias"]


FILTER_AXIS = {"embedding": 0, "dense/kernel": 1, **{f"conv{i}/kernel": 2 for i in range(1, len(CONVS) + 1)}}
PRUNABLE = tuple(FILTER_AXIS)  # every weight tensor but the biases


def multiply_adds_per_tweet(seq_len: int = SEQ_LEN) -> int:
    total = 0
    c_in = EMBED_DIM
    for spec, length in zip(CONVS, seq_lengths(seq_len), strict=False):
        total += length * spec.kernel * c_in * spec.filters
        c_in = spec.filters
    return total + FLAT_DIM * N_CLASSES
