"""CTA Desktop: Celeb's Tweet Analysis, offline, on a pruned sparse text-CNN."""

__version__ = "0.1.0"
