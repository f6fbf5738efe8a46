"""The outbound gateway (core/gateway.py): recorded with the change, sent after the commit through the task queue,
a failure retried once, skips recorded; staff deadline notices by SMS / e-mail as each user chose."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from tests.outbound_fakes import FlakyGateway, legacy_calls

from jingzhi.core import gateway, notify
from jingzhi.core.gateway import Message
from jingzhi.core.models import NotificationPreference, OutboundMessage

pytestmark = pytest.mark.django_db

SMS = Message(channel="sms", recipient="13800138000", body="您的诉求已受理", kind="case_registered",
              related_type="case", related_ref="TL1")


def _using(path: str, **extra: Any) -> Any:
    return override_settings(JINGZHI={**settings.JINGZHI, "OUTBOUND_GATEWAY": path, **extra})


@pytest.fixture(autouse=True)
def _reset_flaky() -> None:
    FlakyGateway.failures = 0
    FlakyGateway.sent = []


def test_a_message_is_recorded_in_the_transaction_and_sent_only_after_the_commit(
        django_capture_on_commit_callbacks: Any) -> None:
    with _using("tests.outbound_fakes.FlakyGateway"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            (row,) = gateway.queue([SMS])
        assert row.status == OutboundMessage.Status.QUEUED and FlakyGateway.sent == []  # not before the commit
        for callback in callbacks:
            callback()  # the commit: the task is queued (and, with the test backend, runs at once)
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT and row.provider_id == "p-1" and row.sent_at is not None
    assert row.attempts == 1 and FlakyGateway.sent == ["13800138000"]


def test_a_rolled_back_change_records_and_sends_nothing() -> None:
    with _using("tests.outbound_fakes.FlakyGateway"), transaction.atomic():
        gateway.queue([SMS])
        transaction.set_rollback(True)
    assert not OutboundMessage.objects.exists() and FlakyGateway.sent == []


def test_a_failure_is_retried_once_then_recorded_as_failed(django_capture_on_commit_callbacks: Any) -> None:
    FlakyGateway.failures = 1
    with _using("tests.outbound_fakes.FlakyGateway"), django_capture_on_commit_callbacks(execute=True):
        (row,) = gateway.queue([SMS])
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT and row.attempts == 2  # the retry went through

    FlakyGateway.failures = 5
    with _using("tests.outbound_fakes.FlakyGateway"), django_capture_on_commit_callbacks(execute=True):
        (row,) = gateway.queue([SMS])
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.FAILED and row.attempts == 2  # once, not for ever
    assert "provider unreachable" in row.detail and FlakyGateway.failures == 3


def test_a_message_is_sent_once_even_if_its_task_runs_twice(django_capture_on_commit_callbacks: Any) -> None:
    with _using("tests.outbound_fakes.FlakyGateway"):
        with django_capture_on_commit_callbacks(execute=True):
            (row,) = gateway.queue([SMS])
        assert gateway.deliver([row.pk]) == {"sent": 0, "failed": 0, "retry": 0}
    assert FlakyGateway.sent == ["13800138000"]


def test_no_address_or_a_refusal_is_recorded_as_skipped_and_never_sent(django_capture_on_commit_callbacks: Any) -> None:
    with _using("tests.outbound_fakes.FlakyGateway"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = gateway.queue([Message(channel="sms", recipient="", body="x", kind="k"),
                              Message(channel="sms", recipient="13800138000", body="x", kind="k", skip="requester asked not to be contacted")])
    assert [r.status for r in rows] == [OutboundMessage.Status.SKIPPED] * 2
    assert rows[0].detail == "no address" and "not to be contacted" in rows[1].detail
    assert callbacks == [] and FlakyGateway.sent == []


def test_nothing_is_recorded_while_notifications_are_suppressed() -> None:
    with notify.suppressed():
        assert gateway.queue([SMS]) == []
    assert not OutboundMessage.objects.exists()


def test_the_default_adapter_logs_with_the_recipient_masked(caplog: Any, django_capture_on_commit_callbacks: Any) -> None:
    with caplog.at_level("INFO", logger="jingzhi.core.gateway"), django_capture_on_commit_callbacks(execute=True):
        (row,) = gateway.queue([SMS])
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT and row.provider_id == "logged"
    assert "138****8000" in caplog.text and "13800138000" not in caplog.text
    assert row.masked_recipient == "138****8000" and "13800138000" not in str(row)


def test_email_through_djangos_mail_settings(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with _using("jingzhi.core.gateway.DjangoEmailGateway"), django_capture_on_commit_callbacks(execute=True):
        (row,) = gateway.queue([Message(channel="email", recipient="wang@example.cn", body="催办", subject="催办", kind="reminder")])
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT and len(mail.outbox) == 1 and mail.outbox[0].to == ["wang@example.cn"]
    assert row.masked_recipient == "w***@example.cn"


def test_early_warnings_former_adapter_setting_still_sends_sms_and_calls(django_capture_on_commit_callbacks: Any) -> None:
    legacy_calls.clear()
    with override_settings(JINGZHI={**settings.JINGZHI, "WARNING_GATEWAY": "tests.outbound_fakes.legacy_send"}), \
            django_capture_on_commit_callbacks(execute=True):
        gateway.queue([SMS, Message(channel="voice", recipient="13900139000", body="叫应", kind="warning_escalation")])
    assert legacy_calls == [("13800138000", "sms"), ("13900139000", "voice")]


def test_a_gateway_setting_that_is_not_a_gateway_is_refused() -> None:
    with _using("jingzhi.core.gateway.Message"), pytest.raises(TypeError):
        gateway.get_gateway()


def test_stranded_messages_are_queued_again(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        (row,) = gateway.queue([SMS])  # the process died before the commit's callback ran
    assert gateway.resend_stranded() == 0  # too recent: its task may still be on the way
    OutboundMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert gateway.resend_stranded() == 1
    row.refresh_from_db()
    assert row.status == OutboundMessage.Status.SENT


# ------------------------------------------------------------------------------------ staff preferences


def _reminder(*ids: int, kind: str = "reminder") -> notify.Outgoing:
    return notify.Outgoing(recipient_ids=ids, kind=kind, message="催办：TL1 即将到期", subject_type="case", subject_ref="TL1")


def test_deadline_notices_go_by_sms_or_email_to_those_who_chose_and_to_nobody_else(
        city: Any, django_capture_on_commit_callbacks: Any) -> None:
    for user, phone, email in ((city.handler, "13800138001", ""), (city.unit_head, "", "head@example.cn"),
                               (city.env_handler, "13800138003", "e@example.cn")):
        user.phone, user.email = phone, email
        user.save(update_fields=["phone", "email"])
    NotificationPreference.objects.create(user=city.handler, channel="sms")
    NotificationPreference.objects.create(user=city.unit_head, channel="email")
    NotificationPreference.objects.create(user=city.env_handler, channel="in_app")
    with django_capture_on_commit_callbacks(execute=True):
        written = notify.notify_many([_reminder(city.handler.pk, city.unit_head.pk, city.env_handler.pk, city.operator.pk)])
    assert written == 4  # the bell for everyone
    rows = {r.user_id: r for r in OutboundMessage.objects.all()}
    assert set(rows) == {city.handler.pk, city.unit_head.pk}
    assert (rows[city.handler.pk].channel, rows[city.handler.pk].recipient) == ("sms", "13800138001")
    assert (rows[city.unit_head.pk].channel, rows[city.unit_head.pk].recipient) == ("email", "head@example.cn")
    assert all(r.status == OutboundMessage.Status.SENT and r.related_ref == "TL1" for r in rows.values())


def test_other_notification_kinds_stay_in_the_app(city: Any) -> None:
    NotificationPreference.objects.create(user=city.handler, channel="sms")
    notify.notify_many([_reminder(city.handler.pk, kind="assigned")])
    assert not OutboundMessage.objects.exists()


def test_the_queued_delivery_path_also_respects_the_preference(city: Any) -> None:
    city.handler.phone = "13800138001"
    city.handler.save(update_fields=["phone"])
    NotificationPreference.objects.create(user=city.handler, channel="sms")
    notify.deliver(recipient_ids=[city.handler.pk], kind="supervision", message="督办", subject_type="case", subject_ref="TL2")
    assert OutboundMessage.objects.get().recipient == "13800138001"


# ------------------------------------------------------------------------------------------------ admin


def test_the_admin_lists_messages_read_only_with_recipients_masked(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        (row,) = gateway.queue([Message(channel="sms", recipient="13800138000", body="回电 13912345678", kind="case_replied",
                                        related_type="case", related_ref="TL1")])
    client = Client()
    client.force_login(city.admin)
    listing = client.get(reverse("admin:core_outboundmessage_changelist"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "138****8000" in html and "13800138000" not in html
    detail = client.get(reverse("admin:core_outboundmessage_change", args=[row.pk])).content.decode()
    assert "138****8000" in detail and "13800138000" not in detail and "13912345678" not in detail
    assert client.get(reverse("admin:core_outboundmessage_add")).status_code == 403
    assert client.post(reverse("admin:core_outboundmessage_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert OutboundMessage.objects.filter(pk=row.pk).exists()
    assert client.get(reverse("admin:core_notificationpreference_changelist")).status_code == 200
    # Other staff do not reach it at all.
    other = Client()
    other.force_login(city.handler)
    assert other.get(reverse("admin:core_outboundmessage_changelist")).status_code == 302
