"""The escalation limits are policy rows: seeded with the defaults, changed in the admin through their service
(checked, audited), read when a dispute is escalated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog
from jingzhi.disputes.models import EscalationLimit, Risk
from jingzhi.disputes.services import dispute_set_risk
from jingzhi.disputes.services.policy import escalation_hours, escalation_limit_set
from tests.disputes.conftest import register

pytestmark = pytest.mark.django_db


def _admin(city: Any) -> Client:
    client = Client()
    client.force_login(city.admin)
    return client


def test_the_defaults_are_seeded_rows(db: None) -> None:
    assert dict(EscalationLimit.objects.values_list("risk", "hours")) == {Risk.HIGH: 24, Risk.VIOLENT: 2}
    assert escalation_hours(Risk.MEDIUM) is None and escalation_hours(Risk.LOW) is None


def test_an_administrator_changes_a_limit_in_the_admin_and_new_escalations_use_it(city: Any, police: Any) -> None:
    client = _admin(city)
    row = EscalationLimit.objects.get(risk=Risk.HIGH)
    url = reverse("admin:disputes_escalationlimit_change", args=[row.pk])
    for bad, says in (({"risk": Risk.HIGH, "hours": "0"}, "from 1 to 720"),
                      ({"risk": Risk.HIGH, "hours": "721"}, "from 1 to 720"),
                      ({"risk": Risk.VIOLENT, "hours": "5"}, "already a limit for this risk level")):
        response = client.post(url, bad)
        assert response.status_code == 200 and says in response.content.decode(), bad
    assert EscalationLimit.objects.get(pk=row.pk).hours == 24  # nothing changed
    ok = client.post(url, {"risk": Risk.HIGH, "hours": "12"})
    assert ok.status_code == 302
    assert AuditLog.objects.filter(action="dispute_escalation_limit_set", object_id=str(row.pk)).exists()
    d = register(police.officer_a, police.station_a, city.county_a, risk=Risk.HIGH)
    assert d.escalation_due - d.escalated_at == timedelta(hours=12)
    escalation_limit_set(actor=None, row=EscalationLimit.objects.get(risk=Risk.VIOLENT), risk=Risk.VIOLENT, hours=1)
    raised = dispute_set_risk(actor=police.officer_a, dispute_id=d.pk, risk=Risk.VIOLENT)
    assert raised.escalation_due - raised.escalated_at == timedelta(hours=1)


def test_only_administrators_change_the_limits(city: Any) -> None:
    row = EscalationLimit.objects.get(risk=Risk.HIGH)
    for user in (city.operator, city.leader, city.handler, city.supervisor):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("admin:disputes_escalationlimit_changelist")).status_code in (302, 403)
        with pytest.raises(PermissionDenied):
            escalation_limit_set(actor=user, row=row, risk=Risk.HIGH, hours=1)
    with pytest.raises(ValidationFailed):  # only the escalated levels have limits
        escalation_limit_set(actor=city.admin, row=None, risk=Risk.MEDIUM, hours=48)
    assert EscalationLimit.objects.get(pk=row.pk).hours == 24
    # No delete: a level without a row would silently fall back to the default.
    response = _admin(city).post(reverse("admin:disputes_escalationlimit_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 403 and EscalationLimit.objects.filter(pk=row.pk).exists()


def test_follow_up_visit_days_are_policy_rows(city: Any, police: Any) -> None:
    from jingzhi.disputes.models import FollowUpVisitDay, Visit
    from jingzhi.disputes.services import dispute_end
    from jingzhi.disputes.services.policy import follow_up_day_set, follow_up_days

    assert follow_up_days() == (7, 30)  # seeded
    client = _admin(city)
    seven = FollowUpVisitDay.objects.get(days_after=7)
    bad = client.post(reverse("admin:disputes_followupvisitday_change", args=[seven.pk]), {"days_after": "30", "is_active": "on"})
    assert bad.status_code == 200 and "already a follow-up visit on this day" in bad.content.decode()
    assert client.post(reverse("admin:disputes_followupvisitday_add"), {"days_after": "400", "is_active": "on"}).status_code == 200
    assert not FollowUpVisitDay.objects.filter(days_after=400).exists()
    assert client.post(reverse("admin:disputes_followupvisitday_add"), {"days_after": "3", "is_active": "on"}).status_code == 302
    assert client.post(reverse("admin:disputes_followupvisitday_change", args=[seven.pk]), {"days_after": "7"}).status_code == 302
    assert follow_up_days() == (3, 30)  # 7 switched off
    assert AuditLog.objects.filter(action="dispute_follow_up_day_set").count() == 2
    with pytest.raises(PermissionDenied):
        follow_up_day_set(actor=city.handler, row=None, days_after=14)
    d = register(police.officer_a, police.station_a, city.county_a)
    ended = dispute_end(actor=police.officer_a, dispute_id=d.pk, action="resolve", outcome="和解")
    from django.utils import timezone

    resolved_on = timezone.localdate(ended.resolved_at)
    assert sorted((v.due - resolved_on).days for v in Visit.objects.filter(dispute=d)) == [3, 30]
