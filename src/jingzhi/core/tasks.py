"""Background tasks of the core: they take ids and plain values and call one service."""

from __future__ import annotations

from django_tasks import task

from jingzhi.core import notify


@task()
def deliver_notification(*, recipient_ids: list[int], kind: str, case_id: int | None, message: str) -> int:
    return notify.deliver(recipient_ids=recipient_ids, kind=kind, case_id=case_id, message=message)
