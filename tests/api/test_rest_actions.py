"""REST API v1 lifecycle actions: each is one POST calling one service; stale versions conflict; roles are checked."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jingzhi.cases.models import Case, ExtensionRequest, Status
from tests.cases.helpers import case_in


def post(client: Any, path: str, data: Any | None = None) -> Any:
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def test_a_case_walks_its_whole_life_through_the_api(city: Any, api: Any) -> None:
    case = case_in(city, Status.ACCEPTED)
    url = f"/api/v1/cases/{case.number}"
    dispatcher, handler, operator = api(city.dispatcher), api(city.handler), api(city.operator)
    r = post(dispatcher, f"{url}/dispatch/", {"unit": "ZJJ", "assisting": ["STHJ"], "expected_version": case.version})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "dispatched" and [u["code"] for u in r.json()["assisting_units"]] == ["STHJ"]
    assert post(handler, f"{url}/acknowledge/").json()["status"] == "handling"
    r = post(handler, f"{url}/extension/", {"working_days": 3, "reason": "需要现场勘查"})
    assert r.status_code == 200 and ExtensionRequest.objects.filter(case=case, state="pending").exists()
    assert post(api(city.supervisor), f"{url}/extension/approve/", {"note": "同意"}).status_code == 200
    assert Case.objects.get(pk=case.pk).extensions_granted == 1
    assert post(handler, f"{url}/note/", {"note": "已上门"}).status_code == 200
    assert post(handler, f"{url}/reply/", {"reply": "已修复"}).json()["status"] == "replied"
    r = post(operator, f"{url}/follow-up/", {"contacted": True, "resolution": "unresolved", "satisfaction": "unsatisfied"})
    assert r.json()["status"] == "followed_up"
    assert post(operator, f"{url}/reopen/", {"reason": "仍不热"}).json()["status"] == "handling"
    post(handler, f"{url}/reply/", {"reply": "更换阀门"})
    post(operator, f"{url}/follow-up/", {"contacted": True, "resolution": "resolved", "satisfaction": "satisfied"})
    final = post(operator, f"{url}/close/")
    assert final.status_code == 200 and final.json()["status"] == "closed"
    actions = [e["action"] for e in final.json()["timeline"]]
    assert actions == ["create", "dispatch", "acknowledge", "request_extension", "approve_extension", "note", "reply",
                       "follow_up", "reopen", "reply", "follow_up", "close"]


def test_a_stale_expected_version_is_a_409_and_changes_nothing(city: Any, api: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    r = post(api(city.handler), f"/api/v1/cases/{case.number}/acknowledge/", {"expected_version": case.version - 1})
    assert r.status_code == 409
    assert r["Content-Type"] == "application/problem+json" and r.json()["code"] == "conflict"
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_an_action_the_status_does_not_allow_is_a_409(city: Any, api: Any) -> None:
    case = case_in(city, Status.CLOSED)
    r = post(api(city.operator), f"/api/v1/cases/{case.number}/close/")
    assert r.status_code == 409


def test_return_redispatch_transfer_merge_and_answer(city: Any, api: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    url = f"/api/v1/cases/{case.number}"
    assert post(api(city.handler), f"{url}/return/", {"reason": ""}).status_code == 400  # a reason is required
    assert post(api(city.handler), f"{url}/return/", {"reason": "不是我们的"}).json()["status"] == "returned"
    dispatcher = api(city.dispatcher)
    assert post(dispatcher, f"{url}/redispatch/", {"unit": "NOPE"}).json()["errors"] == {
        "unit": ["There is no unit with the code “NOPE”."]}
    assert post(dispatcher, f"{url}/redispatch/", {"unit": "STHJ"}).json()["lead_unit"]["code"] == "STHJ"
    assert post(dispatcher, f"{url}/transfer/", {"unit": "ZJJ", "reason": "住建职责"}).json()["lead_unit"]["code"] == "ZJJ"
    original = case_in(city, Status.ACCEPTED)
    merged = post(dispatcher, f"{url}/merge/", {"into": original.number})
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == original.number
    inquiry = case_in(city, Status.ACCEPTED, kind="inquiry")
    answered = post(api(city.operator), f"/api/v1/cases/{inquiry.number}/answer/", {"reply": "办理时间为工作日"})
    assert answered.json()["status"] == "closed"


def test_decisions_without_a_pending_extension_conflict(city: Any, api: Any) -> None:
    case = case_in(city, Status.HANDLING)
    r = post(api(city.supervisor), f"/api/v1/cases/{case.number}/extension/reject/", {"note": "no"})
    assert r.status_code == 409


# Who may acknowledge a case dispatched to the housing bureau: (user, expected status code).
ACKNOWLEDGE_MATRIX = [
    ("handler", 200),  # lead unit
    ("unit_head", 200),  # lead unit
    ("env_handler", 404),  # another unit: the case does not exist for them
    ("county_handler", 404),
    ("operator", 403),  # sees every case, but the role may not acknowledge
    ("dispatcher", 403),
    ("supervisor", 403),
    ("leader", 403),
    ("county_leader", 404),  # the case is in 西丰县... seen only inside the leader's subtree
    ("admin", 200),
]


@pytest.mark.parametrize(("who", "expected"), ACKNOWLEDGE_MATRIX)
def test_permission_matrix_for_acknowledge(city: Any, api: Any, who: str, expected: int) -> None:
    case = case_in(city, Status.DISPATCHED, division_code="211223")
    r = post(api(getattr(city, who)), f"/api/v1/cases/{case.number}/acknowledge/")
    assert r.status_code == expected, r.content
    assert (Case.objects.get(pk=case.pk).status == Status.HANDLING) == (expected == 200)


# Who may dispatch an accepted case (dispatchers and administrators only).
@pytest.mark.parametrize(("who", "expected"), [
    ("dispatcher", 200), ("admin", 200), ("operator", 403), ("supervisor", 403), ("handler", 404), ("leader", 403),
])
def test_permission_matrix_for_dispatch(city: Any, api: Any, who: str, expected: int) -> None:
    case = case_in(city, Status.ACCEPTED)
    r = post(api(getattr(city, who)), f"/api/v1/cases/{case.number}/dispatch/", {"unit": "ZJJ"})
    assert r.status_code == expected, r.content


def test_an_integration_key_acts_with_its_own_role_and_division_scope(city: Any, api: Any) -> None:
    inside = case_in(city, Status.DISPATCHED, division_code="211282")
    outside = case_in(city, Status.DISPATCHED, division_code="211223")
    client = api(role="supervisor", division="211282")
    numbers = {c["number"] for c in client.get("/api/v1/cases/").json()["results"]}
    assert numbers == {inside.number}
    assert client.get(f"/api/v1/cases/{outside.number}/").status_code == 404
    assert post(client, f"/api/v1/cases/{inside.number}/acknowledge/").status_code == 403
