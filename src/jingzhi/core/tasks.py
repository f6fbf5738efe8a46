"""Background tasks of the core: they take ids and plain values and call one service."""

from __future__ import annotations

from django_tasks import task

from jingzhi.core import gateway, notify


@task()
def deliver_notification(
    *, recipient_ids: list[int], kind: str, message: str, subject_type: str = "", subject_ref: str = "",
    case_id: int | None = None,
) -> int:
    # case_id: tasks queued before the upgrade to subject references (ADR 011) still carry it; they are
    # delivered without their link rather than failing.
    return notify.deliver(recipient_ids=recipient_ids, kind=kind, message=message, subject_type=subject_type,
                          subject_ref=subject_ref)


@task()
def deliver_outbound(*, message_ids: list[int]) -> dict[str, int]:
    """Send queued SMS / e-mail / calls through the configured gateway (core/gateway.py); a failure is retried once."""
    return gateway.deliver(message_ids)


@task()
def resend_stranded_outbound() -> int:
    """Periodic: queue again the messages a crash left recorded but never handed to the queue."""
    return gateway.resend_stranded()
