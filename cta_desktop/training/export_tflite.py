"""Export the shipped models as TensorFlow Lite flatbuffers for the benchmark's LiteRT peer.

    python -m cta_desktop.training.export_tflite [--models DIR] [--levels 0,70,75,80,85]

or, from the train command, one call: `export_tflite(models_dir)`.

Each level is exported from the weights `load_model` hands out (calibration included), in dense
format (every weight, zeros included, float32, no quantisation: the same arithmetic the other
dense runtimes do), with a dynamic batch dimension. Files are xz-compressed (`cta_pXX.tflite.xz`):
a pruned model's zeros compress, so all five levels cost ~6 MB of models/ instead of 5 x 2.9 MB,
which would break the 20 MB budget; the engine decompresses in memory in a few milliseconds.
`models/tflite.json` records each file's source weights' SHA-256 so a stale file is refused.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cta_desktop.core.engines.tflite import MANIFEST, tflite_name, weights_sha256
from cta_desktop.core.preprocess import SEQ_LEN


def tflite_bytes(weights: dict[str, np.ndarray]) -> bytes:
    """The float32 .tflite flatbuffer of the text-CNN with these weights, batch dimension dynamic."""
    from cta_desktop.paths import prepare_tensorflow_env

    prepare_tensorflow_env()
    import tensorflow as tf

    from cta_desktop.core.keras_model import build_model, set_weights

    model = build_model(int(np.asarray(weights["embedding"]).shape[0]))
    set_weights(model, {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()})

    # Through a SavedModel: converting a concrete function directly drops Keras 3's variables.
    import contextlib
    import io

    import keras

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serve", lambda ids: model(ids, training=False),
                         input_signature=[tf.TensorSpec([None, SEQ_LEN], tf.int32, name="token_ids")])
    with tempfile.TemporaryDirectory() as tmp:
        with contextlib.redirect_stdout(io.StringIO()):  # write_out prints the endpoint signatures
            archive.write_out(tmp)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        converter.optimizations = []  # float32 as trained: no quantisation, no sparsity encoding
        return converter.convert()


def export_tflite(models_dir: Path | str | None = None, levels: Sequence[int] | None = None,
                  log=print) -> dict[str, dict]:
    """Write models_dir/cta_*.tflite.xz for each level (default: every level present) and tflite.json."""
    from cta_desktop.core.modelstore import available_levels, load_model, model_stem

    models_dir = Path(models_dir) if models_dir else None
    if models_dir is None:
        from cta_desktop.paths import models_dir as default_dir

        models_dir = default_dir()
    levels = list(levels) if levels is not None else available_levels(models_dir)
    manifest_path = models_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    files = manifest.setdefault("files", {})
    for level in levels:
        model = load_model(level, models_dir)
        weights = model.weights
        raw = tflite_bytes(weights)
        packed = lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME)
        name = tflite_name(model_stem(level))
        (models_dir / name).write_bytes(packed)
        files[name] = {"sparsity": level, "weights_sha256": weights_sha256(weights),
                       "tflite_bytes": len(raw), "xz_bytes": len(packed)}
        log(f"{name}: {len(raw) / 1e6:.2f} MB flatbuffer, {len(packed) / 1e6:.2f} MB compressed")
    manifest["note"] = ("Dense-format float32 TFLite exports of the models (LiteRT benchmark peer), made by "
                        "cta_desktop.training.export_tflite from the weights load_model hands out.")
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return files


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m cta_desktop.training.export_tflite", description=__doc__.split("\n")[0])
    p.add_argument("--models", type=Path, default=None, help="models folder (default: the shipped models/)")
    p.add_argument("--levels", default=None, help="pruning levels to export, e.g. 0,80 (default: all present)")
    args = p.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")] if args.levels else None
    export_tflite(args.models, levels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
