"""The back button and a second submit (issue 13): the same call sent again from a fresh form makes one case."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases.models import Case
from jingzhi.cases.services import case_create

pytestmark = pytest.mark.django_db


def _form(client: Any) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{32})"', client.get("/intake/").content.decode())
    assert match
    return match.group(1)


def _data(city: Any, token: str, **kw: Any) -> dict[str, str]:
    return {"requester_name": "李四", "requester_phone": "13900001111", "channel": "hotline", "kind": "complaint",
            "priority": "normal", "division": city.county_a.code, "address": "西丰县人民路1号", "title": "路灯不亮",
            "content": "人民路1号门前路灯坏了一周", "token": token, **kw}


def test_back_and_resubmit_from_a_reloaded_form_makes_one_case(city: Any, client_for: Any) -> None:
    operator = client_for(city.operator)
    first = operator.post("/intake/", _data(city, _form(operator)))
    # The back button reloads the form (a new token) with the fields still filled in; the operator clicks again.
    second = operator.post("/intake/", _data(city, _form(operator)), follow=True)
    assert first.status_code == 302 and Case.objects.count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already submitted" in second.content.decode()
    # Another requester with the same words is another call.
    operator.post("/intake/", _data(city, _form(operator), requester_phone="13900002222"))
    assert Case.objects.count() == 2


def test_the_same_text_after_the_window_is_a_new_case(city: Any) -> None:
    common = {"actor": city.operator, "channel": "hotline", "kind": "complaint", "title": "路灯不亮", "content": "门前路灯坏了",
              "division_code": city.county_a.code, "requester_phone": "13900001111", "recognise_resubmit": True}
    start = timezone.now() - timedelta(minutes=30)
    first, _ = case_create(received_at=start, idempotency_key="a", **common)
    same, created = case_create(received_at=start + timedelta(minutes=5), idempotency_key="b", **common)
    assert same == first and not created
    later, created = case_create(received_at=start + timedelta(minutes=15), idempotency_key="c", **common)
    assert created and later != first
