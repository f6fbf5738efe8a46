"""Issue 11 through the REST API: the same actions as the page, from the one table (dispatch with a category,
reply with an outcome, follow-up-and-close, assign, 督办, 批示), with their refusals."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.cases.models import Case, Status
from tests.cases.helpers import case_in

pytestmark = pytest.mark.django_db


def post(client: Any, path: str, data: Any | None = None) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_the_daily_moves_through_the_api(city: Any, api: Any, taxonomy: Any) -> None:
    case = case_in(city, Status.ACCEPTED)
    url = f"/api/v1/cases/{case.number}"
    r = post(api(city.dispatcher), f"{url}/dispatch/", {"unit": "ZJJ", "category": taxonomy["heating"].pk})
    assert r.status_code == 200, r.content
    assert Case.objects.get(pk=case.pk).category == taxonomy["heating"]
    handler = api(city.handler)
    post(handler, f"{url}/acknowledge/")
    r = post(api(city.unit_head), f"{url}/assign/", {"assignee": city.handler.username})
    assert r.status_code == 200, r.content
    due = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert post(api(city.supervisor), f"{url}/supervise/", {"instruction": "明日答复", "deadline": due}).status_code == 200
    assert post(api(city.leader), f"{url}/instruct/", {"instruction": "请抓紧"}).status_code == 200
    r = post(handler, f"{url}/reply/", {"reply": "已解决", "outcome": "resolved"})
    assert r.json()["status"] == "replied"
    r = post(api(city.operator), f"{url}/follow-up-close/", {"resolution": "resolved", "satisfaction": "satisfied"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    actions = [e["action"] for e in r.json()["timeline"]]
    assert actions[-7:] == ["acknowledge", "assign", "supervise", "instruct", "reply", "follow_up", "close"]
    final = Case.objects.get(pk=case.pk)
    assert final.outcome == "resolved" and final.assignee == city.handler


def test_refusals_of_the_new_actions(city: Any, api: Any, taxonomy: Any) -> None:
    case = case_in(city, Status.HANDLING)
    url = f"/api/v1/cases/{case.number}"
    assert post(Client(), f"{url}/instruct/", {"instruction": "阅"}).status_code in (401, 403)
    assert post(api(city.handler), f"{url}/instruct/", {"instruction": "阅"}).status_code == 403
    assert post(api(city.county_leader), f"{url}/instruct/", {"instruction": "阅"}).status_code == 404
    assert post(api(city.env_handler), f"{url}/assign/", {"assignee": city.env_handler.username}).status_code == 404
    r = post(api(city.unit_head), f"{url}/assign/", {"assignee": "nobody"})
    assert r.status_code == 400 and "assignee" in r.json()["errors"]
    r = post(api(city.supervisor), f"{url}/supervise/", {"instruction": "请办理", "deadline": "2000-01-01"})
    assert r.status_code == 400 and "deadline" in r.json()["errors"]
    r = post(api(city.handler), f"{url}/reply/", {"reply": "x", "outcome": "maybe"})
    assert r.status_code == 400
    accepted = case_in(city, Status.ACCEPTED)
    r = post(api(city.dispatcher), f"/api/v1/cases/{accepted.number}/dispatch/", {"unit": "ZJJ", "category": 999999})
    assert r.status_code == 400 and "category" in r.json()["errors"]
    assert Case.objects.get(pk=accepted.pk).status == Status.ACCEPTED
    assert Case.objects.get(pk=case.pk).status == Status.HANDLING


def test_reply_review_and_suspension_through_the_api(city: Any, api: Any) -> None:
    """Issue 11, point 3: submit → return → submit → approve, and 中止 requested then approved, with refusals."""
    from jingzhi.cases.services.review_policy import reply_review_policy_set

    reply_review_policy_set(actor=city.unit_head, unit=city.housing, review_replies=True)
    case = case_in(city, Status.HANDLING)
    url = f"/api/v1/cases/{case.number}"
    handler, head = api(city.handler), api(city.unit_head)
    r = post(handler, f"{url}/reply/", {"reply": "已解决", "outcome": "resolved"})
    assert r.status_code == 409  # a reviewing unit's handler submits instead
    assert post(handler, f"{url}/reply/submit/", {"reply": "已解决", "outcome": "resolved"}).status_code == 200
    assert post(Client(), f"{url}/reply/approve/", {}).status_code in (401, 403)
    assert post(handler, f"{url}/reply/approve/", {}).status_code == 403
    assert post(api(city.county_leader), f"{url}/reply/approve/", {}).status_code == 404
    r = post(head, f"{url}/reply/return/", {"reason": ""})
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    assert post(head, f"{url}/reply/return/", {"reason": "请补充时间"}).status_code == 200
    assert post(head, f"{url}/reply/approve/", {}).status_code == 409  # nothing waits now
    assert post(handler, f"{url}/reply/submit/", {"reply": "12月6日已解决", "outcome": "resolved"}).status_code == 200
    r = post(head, f"{url}/reply/approve/", {"note": "同意"})
    assert r.status_code == 200 and r.json()["status"] == "replied"

    other = case_in(city, Status.HANDLING)
    url = f"/api/v1/cases/{other.number}"
    resume_by = (timezone.localdate() + timedelta(days=3)).isoformat()
    r = post(handler, f"{url}/suspension/", {"reason": "等待材料"})
    assert r.status_code == 400
    r = post(handler, f"{url}/suspension/", {"reason": "等待材料", "resume_by": resume_by})
    assert r.status_code == 200 and r.json()["status"] == "handling"
    assert post(handler, f"{url}/suspension/approve/", {}).status_code == 403
    assert post(api(city.supervisor), f"{url}/suspension/reject/", {}).status_code == 400  # a reason is required
    r = post(api(city.supervisor), f"{url}/suspension/approve/", {})
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    assert post(api(city.supervisor), f"{url}/suspension/approve/", {}).status_code == 409
