"""The Open311 JSON Schemas (open311/schema-validation, georeport-v2) from the shared design data, as validators."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parents[2]
# Not copied into the repository (third-party files): read from the design data beside it, or from the env.
# CI clones the repository somewhere else on the same machine, so look beside every parent folder and in the
# workplace's shared data folder before giving up.
_CANDIDATES = [
    *([Path(os.environ["JINGZHI_OPEN311_SCHEMAS"])] if os.environ.get("JINGZHI_OPEN311_SCHEMAS") else []),
    *(parent / "shared" / "data" / "open311" for parent in REPO.parents),
    Path("/work/shared/data/open311"),
]
SCHEMA_DIR = next((c for c in _CANDIDATES if (c / "services.json").exists()), _CANDIDATES[0])


def _load(name: str) -> dict[str, Any]:
    path = SCHEMA_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"Open311 schema {path} is missing; set JINGZHI_OPEN311_SCHEMAS to its folder")
    return json.loads(path.read_text())


def validator(name: str) -> Draft7Validator:
    registry: Registry = Registry().with_resources(
        (n, Resource.from_contents(_load(n), default_specification=DRAFT7))
        for n in ("request.json", "requests.json", "service.json", "services.json", "service-definition.json")
    )
    return Draft7Validator(_load(name), registry=registry, format_checker=FormatChecker())


def assert_valid(name: str, instance: Any) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
