"""A trained model on disk: one joblib file (the model) and a JSON file beside it (its metadata).

Model files are pickles, which run code when loaded: load only files this installation wrote. The registry
stores each file's SHA-256 and refuses a file that no longer matches it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from jingzhi.dispatch.classifier.base import FORMAT, ModelFileError

if TYPE_CHECKING:
    from jingzhi.dispatch.classifier.model import DispatchClassifier

__all__ = ["ModelFileError", "load", "metadata_path", "save", "sha256"]


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(model: DispatchClassifier, path: str | Path) -> Path:
    import joblib

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"format": FORMAT, "model": model}, p, compress=3)
    metadata = {**model.metadata, "sha256": sha256(p)}
    metadata_path(p).write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return p


def metadata_path(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.name + ".json")


def load(path: str | Path, *, expected_sha256: str | None = None) -> DispatchClassifier:
    import joblib

    from jingzhi.dispatch.classifier.model import DispatchClassifier

    p = Path(path)
    if not p.is_file():
        raise ModelFileError(f"model file not found: {p}")
    if expected_sha256 and sha256(p) != expected_sha256:
        raise ModelFileError(f"model file {p} was changed after it was registered (checksum mismatch)")
    try:
        bundle = joblib.load(p)
    except Exception as e:  # a truncated or foreign file can fail in many ways inside the unpickler
        raise ModelFileError(f"model file {p} is corrupt or not a model: {type(e).__name__}: {e}") from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT or not isinstance(bundle.get("model"), DispatchClassifier):
        raise ModelFileError(f"{p} is not a Jingzhi dispatch model ({FORMAT})")
    return bundle["model"]
