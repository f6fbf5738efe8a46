"""What the rest of Jingzhi needs to know about model files without importing scikit-learn (slow to import)."""

from __future__ import annotations

FORMAT = "jingzhi-dispatch-classifier/1"


class ModelFileError(Exception):
    """The model file is missing, unreadable, altered or not a Jingzhi dispatch model."""
