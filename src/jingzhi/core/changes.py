"""Before/after of the fields a write changed, in the form the audit log keeps them (JSON, readable)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import models

from jingzhi.core.audit import audit_record


def plain(value: Any) -> Any:
    """A JSON value for the audit log: related rows by their code (or key), numbers and times as text."""
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or getattr(value, "username", None) or value.pk
    if isinstance(value, Decimal | date | datetime | time):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(plain(v) for v in value)
    return value


def snapshot(obj: models.Model | None, names: Iterable[str]) -> dict[str, Any]:
    """The current values of `names` on `obj` (all None for a row that does not exist yet)."""
    return {name: (plain(getattr(obj, name)) if obj is not None else None) for name in names}


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for every field whose value differs."""
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def audit_change(
    *, actor: Any, action: str, object_type: str, object_id: str | int, detail: dict[str, Any]
) -> None:
    """Audit a change made by a person. The system's own writes (actor None: the demo loader, the first
    administrator created from the command line, test fixtures) are not people's acts and are not logged;
    every admin page and every import names a person."""
    if actor is None:
        return
    audit_record(actor=actor, action=action, object_type=object_type, object_id=object_id, detail=detail)
