"""The one writer of the audit log: every security-relevant event goes through `audit_record`.

The log is a hash chain. Each row stores the previous row's hash (`prev_hash`) and its own
`hash = sha256(prev_hash + canonical JSON of its fields)`. Rows are appended under a lock (a
PostgreSQL transaction-level advisory lock; SQLite serialises writers already with IMMEDIATE
transactions), so the chain is linear however many processes write, and id order is chain order.

Database triggers (migration core 0003) refuse UPDATE and DELETE on the table. The only deletion
allowed is `audit_purge` of rows older than the retention (at least 180 days): it opens the trigger
for its own transaction only. After a purge the chain starts at the first remaining row, whose
`prev_hash` is taken as the anchor; the purge itself is a row in the log that names that anchor.
"""

from __future__ import annotations

import contextvars
import hashlib
import ipaddress
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jingzhi.core.models import AuditLog

GENESIS = "0" * 64
# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_304_117_001
MIN_RETENTION_DAYS = 180

# The client address of the request being served, set by AuditContextMiddleware, so that services
# called from a view record it without each one taking the request.
_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("jingzhi_audit_ip", default=None)
# SQLite has no session settings: its DELETE trigger asks this flag through a function (see apps.py).
_purge_permit = threading.local()


def canonical(row: dict[str, Any]) -> str:
    """The fields the hash covers, as one deterministic JSON text (sorted keys, UTC time in microseconds)."""
    created: datetime = row["created_at"]
    fields = {
        "actor_id": row["actor_id"],
        "actor_username": row["actor_username"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "detail": row["detail"],
        "ip": row["ip"] or None,
        "outcome": row["outcome"],
        "created_at": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


def normalise_ip(value: str | None) -> str | None:
    """The address as both databases give it back (compressed IPv6), or None if it is not an address."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return None


def current_ip() -> str | None:
    return _request_ip.get()


@contextmanager
def request_ip(ip: str | None) -> Iterator[None]:
    """Attribute the audit rows written inside this block to `ip`."""
    token = _request_ip.set(ip)
    try:
        yield
    finally:
        _request_ip.reset(token)


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def audit_record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    outcome: str = AuditLog.Outcome.SUCCESS,
    ip: str | None = None,
    request: Any = None,
) -> AuditLog:
    """Append one row. `actor` is a user or None (the system, the CLI without a user).

    The IP is `ip`, else the client of `request`, else the request being served (middleware).
    Call it last in a transaction where possible: on PostgreSQL the chain lock is held until commit.
    """
    if ip is None and request is not None:
        from jingzhi.core.clientip import client_ip

        ip = client_ip(request)
    if ip is None:
        ip = current_ip()
    ip = normalise_ip(ip)
    user = actor if getattr(actor, "pk", None) else None
    fields: dict[str, Any] = {
        "actor_id": user.pk if user is not None else None,
        "actor_username": (getattr(user, "username", "") or "")[:150],
        "action": action[:50],
        "object_type": object_type[:50],
        "object_id": str(object_id)[:50],
        # Through JSON and back, so the hash covers exactly what the database will return.
        "detail": json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        "ip": ip,
        "outcome": str(outcome),
    }
    with transaction.atomic():
        _lock_chain()
        # Taken under the lock, so id order is time order. Microseconds survive both databases.
        fields["created_at"] = timezone.now()
        last = AuditLog.objects.order_by("-id").values_list("hash", flat=True).first()
        prev = last or GENESIS
        return AuditLog.objects.create(**fields, prev_hash=prev, hash=row_hash(prev, fields))


# ------------------------------------------------------------------------------------------------ verification


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head: str
    broken_id: int | None = None
    broken_at: datetime | None = None
    reason: str = ""


_FIELDS = ["id", "actor_id", "actor_username", "action", "object_type", "object_id", "detail", "ip", "outcome",
           "created_at", "prev_hash", "hash"]


def audit_verify() -> ChainReport:
    """Recompute the chain from the first row (its prev_hash is the anchor: genesis, or the purge point)."""
    count = 0
    expected_prev: str | None = None
    head = GENESIS
    for row in AuditLog.objects.order_by("id").values(*_FIELDS).iterator(chunk_size=2000):
        if expected_prev is not None and row["prev_hash"] != expected_prev:
            return ChainReport(False, count, head, row["id"], row["created_at"], "prev_hash does not match the row before")
        if row_hash(row["prev_hash"], row) != row["hash"]:
            return ChainReport(False, count, head, row["id"], row["created_at"], "hash does not match the row's fields")
        expected_prev = head = row["hash"]
        count += 1
    return ChainReport(True, count, head)


def chain_head() -> str:
    return AuditLog.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


# ---------------------------------------------------------------------------------------------------- retention


def retention_days() -> int:
    """The configured retention, never below the 180 days that 等保 2.0 (and the Cybersecurity Law) ask for."""
    configured = int(getattr(settings, "JINGZHI_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    return max(configured, MIN_RETENTION_DAYS)


def purge_permitted() -> bool:
    """Asked by the SQLite DELETE trigger: true only inside `audit_purge` (or a test database flush)."""
    return bool(getattr(_purge_permit, "on", False))


@contextmanager
def purge_permit() -> Iterator[None]:
    """Open the DELETE trigger for this thread's connection (SQLite) or transaction (PostgreSQL)."""
    postgres = connection.vendor == "postgresql" and connection.in_atomic_block
    _purge_permit.on = True
    try:
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jingzhi.audit_purge = 'on'")
        yield
    finally:
        _purge_permit.on = False
        if postgres:
            # SET LOCAL lasts to the end of the outermost transaction: close the door as soon as we are done.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jingzhi.audit_purge = 'off'")


def audit_purge(*, actor: Any = None, now: datetime | None = None, days: int | None = None) -> int:
    """Delete the rows older than the retention (never fewer than 180 days); record the purge and its anchor."""
    keep = max(days if days is not None else retention_days(), MIN_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - timedelta(days=keep)
    with transaction.atomic():
        _lock_chain()
        ids = list(AuditLog.objects.filter(created_at__lt=cutoff).order_by("id").values_list("id", flat=True))
        if not ids:
            return 0
        # Delete a prefix of the chain only: a row older than the cutoff after a newer one stays.
        last_old = max(ids)
        newer_before = AuditLog.objects.filter(id__lt=last_old, created_at__gte=cutoff).order_by("id").first()
        if newer_before is not None:
            last_old = newer_before.id - 1
        with purge_permit():
            deleted, _ = AuditLog.objects.filter(id__lte=last_old).delete()
        first = AuditLog.objects.order_by("id").values_list("id", "prev_hash").first()
        audit_record(
            actor=actor, action="audit_purge", object_type="audit_log", object_id="",
            detail={"deleted": deleted, "cutoff": cutoff.isoformat(), "retention_days": keep,
                    "anchor_id": first[0] if first else None, "anchor": first[1] if first else None},
        )
    return deleted
