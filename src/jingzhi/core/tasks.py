"""Background tasks of the core: they take ids and plain values and call one service."""

from __future__ import annotations

from django_tasks import task

from jingzhi.core import notify


@task()
def deliver_notification(
    *, recipient_ids: list[int], kind: str, message: str, subject_type: str = "", subject_ref: str = "",
    case_id: int | None = None,
) -> int:
    # case_id: tasks queued before the upgrade to subject references (ADR 011) still carry it; they are
    # delivered without their link rather than failing.
    return notify.deliver(recipient_ids=recipient_ids, kind=kind, message=message, subject_type=subject_type,
                          subject_ref=subject_ref)
