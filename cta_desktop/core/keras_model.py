"""The study's text-CNN as a Keras model, and moving its weights to and from the framework-free names.

In the core because both the dense engine (`engines/dense_tf.py`) and training build it; Keras is
imported only inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cta_desktop.core.model_spec import CONVS, EMBED_DIM, N_CLASSES, POOL
from cta_desktop.core.preprocess import SEQ_LEN


def build_model(vocab_size: int, dropout: float = 0.3, seq_len: int = SEQ_LEN, seed: int = 0,
                embedding_l2: float = 0.0) -> Any:
    """The Keras text-CNN (Embedding -> 4 x Conv1D/MaxPool/Dropout -> Flatten -> Dense softmax)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(seq_len,), dtype="int32", name="token_ids")
    reg = keras.regularizers.L2(embedding_l2) if embedding_l2 else None
    x = layers.Embedding(vocab_size, EMBED_DIM, embeddings_regularizer=reg, name="embedding")(inputs)
    for i, spec in enumerate(CONVS, start=1):
        x = layers.Conv1D(spec.filters, spec.kernel, padding="same", activation="relu", name=f"conv{i}")(x)
        x = layers.MaxPooling1D(POOL, name=f"pool{i}")(x)
        x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(N_CLASSES, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs, name="cta_text_cnn")


def variable_map(model: Any) -> dict[str, Any]:
    """Our weight names -> the Keras variables."""
    out = {"embedding": model.get_layer("embedding").embeddings}
    for i in range(1, len(CONVS) + 1):
        layer = model.get_layer(f"conv{i}")
        out[f"conv{i}/kernel"] = layer.kernel
        out[f"conv{i}/bias"] = layer.bias
    dense = model.get_layer("dense")
    out["dense/kernel"] = dense.kernel
    out["dense/bias"] = dense.bias
    return out


def get_weights(model: Any) -> dict[str, np.ndarray]:
    return {name: np.asarray(var.numpy(), dtype=np.float32) for name, var in variable_map(model).items()}


def set_weights(model: Any, weights: dict[str, np.ndarray]) -> None:
    for name, var in variable_map(model).items():
        var.assign(weights[name])
