"""notify_many: in-app rows in the caller's transaction; any other channel only after the commit, through the queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from jingzhi.core import notify
from jingzhi.core.models import Notification

pytestmark = pytest.mark.django_db


def _items(city: Any) -> list[notify.Outgoing]:
    return [
        notify.Outgoing(recipient_ids=(city.handler.pk, city.unit_head.pk, city.handler.pk), kind="reminder",
                        message="催办", subject_type="case", subject_ref="TL1"),
        notify.Outgoing(recipient_ids=(), kind="reminder", message="nobody", subject_type="case", subject_ref="TL2"),
    ]


def test_in_app_rows_are_written_with_the_transaction_and_roll_back_with_it(city: Any) -> None:
    assert notify.notify_many(_items(city)) == 2  # each recipient once; no row for an empty list
    assert sorted(Notification.objects.values_list("recipient_id", "subject_ref")) == sorted(
        [(city.handler.pk, "TL1"), (city.unit_head.pk, "TL1")])
    with transaction.atomic():
        notify.notify_many(_items(city))
        transaction.set_rollback(True)
    assert Notification.objects.count() == 2


def test_nothing_is_written_while_notifications_are_suppressed(city: Any) -> None:
    with notify.suppressed():
        assert notify.notify_many(_items(city)) == 0
    assert not Notification.objects.exists()


def test_other_channels_are_queued_after_the_commit(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    with override_settings(JINGZHI={**settings.JINGZHI, "NOTIFICATION_CHANNELS": [notify.IN_APP, notify.IN_APP]}):
        _queued_after_commit(city, django_capture_on_commit_callbacks)


def _queued_after_commit(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notify.notify_many(_items(city)) == 0
    assert not Notification.objects.exists() and len(callbacks) == 1
    callbacks[0]()  # the commit: one queued delivery per notification, through every channel
    assert Notification.objects.filter(subject_ref="TL1").count() == 2 * 2
