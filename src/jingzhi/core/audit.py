"""The one writer of the audit log: every security-relevant event goes through `audit_record`."""

from __future__ import annotations

from typing import Any

from jingzhi.core.models import AuditLog


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one row. `actor` is a user or None (the system, the CLI without a user)."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
