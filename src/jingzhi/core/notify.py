"""Notifications leave after the transaction commits, through pluggable channels (in-app by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


_suppressed: ContextVar[bool] = ContextVar("jingzhi_notifications_suppressed", default=False)


@contextmanager
def suppressed() -> Iterator[None]:
    """Record history without telling anyone (loading past cases): nobody should be paged about last year."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def is_suppressed() -> bool:
    return _suppressed.get()


def notify_after_commit(
    *, recipients: Callable[[], Iterable[int]], kind: str, message: str, subject_type: str = "", subject_ref: str = ""
) -> None:
    """Queue a notification; nothing is sent if the surrounding transaction rolls back.

    `recipients` is called after the commit, so it sees the committed state and costs nothing
    when notifications are suppressed.
    """
    if _suppressed.get():
        return
    from jingzhi.core.tasks import deliver_notification

    def send() -> None:
        ids = sorted(set(recipients()))
        if ids:
            deliver_notification.enqueue(
                recipient_ids=ids, kind=kind, message=message[:300], subject_type=subject_type, subject_ref=subject_ref
            )

    transaction.on_commit(send)


IN_APP = "jingzhi.core.notify.in_app"


@dataclass(frozen=True)
class Outgoing:
    """One notification of a bulk write: the same message to each recipient."""

    recipient_ids: tuple[int, ...]
    kind: str
    message: str
    subject_type: str = ""
    subject_ref: str = ""


def notify_many(items: Sequence[Outgoing]) -> int:
    """Record many notifications of one bulk write (the SLA sweep's batch); returns how many rows were written.

    With only the in-app channel configured (the default) the rows are inserted at once, in the caller's
    transaction: they commit with the change they report or not at all, in one statement instead of a queued
    task each, and a crash after the commit cannot lose them. Any other channel (SMS, e-mail) must not be
    called before the commit, so then each notification is queued after the commit as notify_after_commit does.
    """
    if _suppressed.get():
        return 0
    items = [item for item in items if item.recipient_ids]
    if list(settings.JINGZHI["NOTIFICATION_CHANNELS"]) == [IN_APP]:
        from jingzhi.core.bulk import insert_rows
        from jingzhi.core.models import Notification

        now = timezone.now()
        written = insert_rows(
            Notification, ("recipient", "kind", "message", "subject_type", "subject_ref", "created_at"),
            ((rid, item.kind, item.message[:300], item.subject_type, item.subject_ref, now)
             for item in items for rid in sorted(set(item.recipient_ids))),
        )
        # Deadline notices also by SMS / e-mail to those who asked (recorded now, sent after the commit).
        from jingzhi.core.gateway import queue_for_staff

        queue_for_staff(items)
        return written
    from jingzhi.core.tasks import deliver_notification

    def send() -> None:
        for item in items:
            deliver_notification.enqueue(
                recipient_ids=sorted(set(item.recipient_ids)), kind=item.kind, message=item.message[:300],
                subject_type=item.subject_type, subject_ref=item.subject_ref,
            )

    transaction.on_commit(send)
    return 0


def deliver(*, recipient_ids: list[int], kind: str, message: str, subject_type: str = "", subject_ref: str = "") -> int:
    """Hand one notification to every configured channel. Returns how many deliveries were made."""
    from jingzhi.core.gateway import queue_for_staff

    delivered = 0
    for path in settings.JINGZHI["NOTIFICATION_CHANNELS"]:
        channel = import_string(path)
        delivered += channel(recipient_ids=recipient_ids, kind=kind, message=message,
                             subject_type=subject_type, subject_ref=subject_ref)
    # Besides the bell: the deadline notices by SMS / e-mail to the recipients who asked (core/gateway.py).
    queue_for_staff([Outgoing(recipient_ids=tuple(recipient_ids), kind=kind, message=message, subject_type=subject_type,
                              subject_ref=subject_ref)])
    return delivered


def in_app(*, recipient_ids: list[int], kind: str, message: str, subject_type: str = "", subject_ref: str = "") -> int:
    """The built-in channel: a row per recipient, shown on the notifications page."""
    from jingzhi.core.models import Notification

    Notification.objects.bulk_create(
        [Notification(recipient_id=rid, kind=kind, message=message, subject_type=subject_type, subject_ref=subject_ref)
         for rid in recipient_ids]
    )
    return len(recipient_ids)
