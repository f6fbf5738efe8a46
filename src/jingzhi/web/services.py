"""Writes the pages need that the domain apps do not offer yet. → move to jingzhi.core.services."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from jingzhi.core.models import Notification
from jingzhi.org.models import User


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None); returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
