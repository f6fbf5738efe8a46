"""Warning rules and seasonal expectations edited in the admin: saved through rules.py (validated, audited), bad
input shown on the form with nothing changed; only administrators reach the admin; the services refuse other roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog
from jingzhi.earlywarning.models import SeasonalRule, WarningRule
from jingzhi.earlywarning.rules import rule_save, seasonal_rule_save
from jingzhi.earlywarning.services import rule_set

pytestmark = pytest.mark.django_db


def _admin(city: Any) -> Client:
    client = Client()
    client.force_login(city.admin)
    return client


RULE = {"warning_type": "heavy_rain", "level": "red", "site_type": "levee", "ack_minutes": "5", "onsite_minutes": "60",
        "checklist": "巡查堤防\n转移群众\n", "is_active": "on"}


def test_a_rule_is_added_and_changed_in_the_admin_through_its_service(city: Any) -> None:
    client = _admin(city)
    assert client.post(reverse("admin:earlywarning_warningrule_add"), RULE).status_code == 302
    rule = WarningRule.objects.get(warning_type="heavy_rain", level="red", site_type="levee")
    assert (rule.ack_minutes, rule.checklist) == (5, ["巡查堤防", "转移群众"])
    assert AuditLog.objects.filter(action="warning_rule_save", object_id=str(rule.pk)).exists()
    url = reverse("admin:earlywarning_warningrule_change", args=[rule.pk])
    assert "巡查堤防\n转移群众" in client.get(url).content.decode()
    bad = client.post(url, RULE | {"ack_minutes": "90", "onsite_minutes": "30"})
    assert bad.status_code == 200 and "cannot be shorter than the time to acknowledge" in bad.content.decode()
    assert WarningRule.objects.get(pk=rule.pk).onsite_minutes == 60
    twin = client.post(reverse("admin:earlywarning_warningrule_add"), RULE)
    assert twin.status_code == 200 and "exists already" in twin.content.decode()
    assert WarningRule.objects.filter(warning_type="heavy_rain", level="red", site_type="levee").count() == 1
    assert client.post(url, RULE | {"ack_minutes": "15", "is_active": ""}).status_code == 302
    rule.refresh_from_db()
    assert (rule.ack_minutes, rule.is_active) == (15, False)
    assert AuditLog.objects.filter(action="warning_rule_save", object_id=str(rule.pk)).count() == 2


def test_a_seasonal_expectation_is_edited_in_the_admin(city: Any) -> None:
    client = _admin(city)
    data = {"name": "供暖季", "start_month": "11", "start_day": "1", "lead_days": "14", "unit": city.housing.pk,
            "instructions": "检修管网", "is_active": "on"}
    bad = client.post(reverse("admin:earlywarning_seasonalrule_add"), data | {"start_month": "2", "start_day": "30"})
    assert bad.status_code == 200 and "no such day" in bad.content.decode() and not SeasonalRule.objects.exists()
    assert client.post(reverse("admin:earlywarning_seasonalrule_add"), data).status_code == 302
    rule = SeasonalRule.objects.get()
    url = reverse("admin:earlywarning_seasonalrule_change", args=[rule.pk])
    assert client.post(url, data | {"lead_days": "21"}).status_code == 302
    rule.refresh_from_db()
    assert rule.lead_days == 21
    assert AuditLog.objects.filter(action="seasonal_rule_save", object_id=str(rule.pk)).count() == 2


def test_only_administrators_reach_them_and_the_services_refuse_other_roles(city: Any) -> None:
    for user in (city.operator, city.leader, city.handler, city.dispatcher):
        client = Client()
        client.force_login(user)
        for name in ("admin:earlywarning_warningrule_changelist", "admin:earlywarning_seasonalrule_add"):
            assert client.get(reverse(name)).status_code in (302, 403), (user.username, name)
    with pytest.raises(PermissionDenied):
        rule_save(actor=city.handler, rule=None, warning_type="flood", level="red", ack_minutes=5, onsite_minutes=60)
    with pytest.raises(PermissionDenied):
        seasonal_rule_save(actor=city.leader, rule=None, name="x", start_month=7, start_day=1, lead_days=10,
                           unit=city.housing, instructions="y")
    existing = rule_set(actor=None, warning_type="flood", level="red", ack_minutes=5, onsite_minutes=60)
    with pytest.raises(ValidationFailed) as refused:
        rule_save(actor=city.dispatcher, rule=existing, warning_type="flood", level="purple", ack_minutes=0,
                  onsite_minutes=60)
    assert set(refused.value.fields) == {"level", "ack_minutes"}
    saved = rule_save(actor=city.dispatcher, rule=existing, warning_type="flood", level="red", ack_minutes=8,
                      onsite_minutes=60, checklist=["  看水位 ", ""])
    assert (saved.pk, saved.ack_minutes, saved.checklist) == (existing.pk, 8, ["看水位"])
