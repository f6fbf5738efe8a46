"""The enterprise service's policy rows and task forces in the admin: saved through their services, audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.core.models import AuditLog
from jingzhi.enterprises.clocks import limits
from jingzhi.enterprises.models import NeedTimeLimit, TaskForce

pytestmark = pytest.mark.django_db


def _admin(city: Any) -> Client:
    client = Client()
    client.force_login(city.admin)
    return client


def test_an_administrator_changes_a_need_clock_in_the_admin_and_new_needs_use_it(city: Any) -> None:
    client = _admin(city)
    row = NeedTimeLimit.objects.get(clock="progress")
    url = reverse("admin:enterprises_needtimelimit_change", args=[row.pk])
    bad = client.post(url, {"clock": "progress", "amount": "2.5", "time_unit": "working_days"})
    assert bad.status_code == 200 and "whole number" in bad.content.decode()
    assert NeedTimeLimit.objects.get(pk=row.pk).amount == row.amount  # nothing changed
    clash = client.post(url, {"clock": "close", "amount": "4", "time_unit": "working_days"})
    assert clash.status_code == 200 and "already a limit for this clock" in clash.content.decode()
    ok = client.post(url, {"clock": "progress", "amount": "2", "time_unit": "working_days"})
    assert ok.status_code == 302
    assert limits()["progress"].amount == Decimal(2)
    assert AuditLog.objects.filter(action="need_time_limit_set", object_id=str(row.pk)).exists()


def test_only_administrators_reach_the_policy_and_task_forces_in_the_admin(city: Any) -> None:
    for user in (city.operator, city.leader, city.handler):
        client = Client()
        client.force_login(user)
        for name in ("admin:enterprises_needtimelimit_changelist", "admin:enterprises_taskforce_add"):
            response = client.get(reverse(name))
            assert response.status_code in (302, 403), (user.username, name)


def test_a_task_force_is_set_up_in_the_admin_through_its_service(city: Any) -> None:
    client = _admin(city)
    response = client.post(reverse("admin:enterprises_taskforce_add"), {
        "name": "清河区企业服务专班", "park": "", "leader": city.leader.pk, "meets_on": 2, "visit_every_days": 14,
        "members": [city.handler.pk, city.env_handler.pk], "enterprises": [],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    force = TaskForce.objects.get(name="清河区企业服务专班")
    assert set(force.members.values_list("pk", flat=True)) == {city.handler.pk, city.env_handler.pk}
    assert AuditLog.objects.filter(action="task_force_save", object_id=str(force.pk)).exists()
    wrong = client.post(reverse("admin:enterprises_taskforce_add"), {
        "name": "另一个专班", "leader": city.handler.pk, "meets_on": 0, "visit_every_days": 30,
    })
    assert wrong.status_code == 200 and not TaskForce.objects.filter(name="另一个专班").exists()
