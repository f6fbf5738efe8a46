"""The published Open311 JSON Schemas (open311/schema-validation, schema/georeport-v2) as validators.

Third-party files, not copied into the repository (docs/architecture.md §5): JINGZHI_OPEN311_SCHEMAS names their
folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parents[2]
# Without JINGZHI_OPEN311_SCHEMAS, look for a shared/data/open311 folder beside the checkout or any of its
# parents (CI clones the repository elsewhere on the same machine), then in the machine's common data folder.
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
