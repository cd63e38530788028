"""The study's text-CNN in Keras: now defined in `cta_desktop.core.keras_model` (the dense engine
needs it too, and the core must not import training); re-exported here for training's imports."""

from cta_desktop.core.keras_model import build_model, get_weights, set_weights, variable_map

__all__ = ["build_model", "get_weights", "set_weights", "variable_map"]
