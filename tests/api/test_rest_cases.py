"""REST API v1: create with idempotency, list with the UI's filters, one case with its timeline, reference data."""

from __future__ import annotations

import json
from typing import Any

from jingzhi.cases.models import Case, Status
from tests.cases.helpers import case_in

NEW = {
    "kind": "complaint", "title": "小区供暖温度不达标", "content": "家里暖气只有十五度。", "division": "211223",
    "requester_name": "张三", "requester_phone": "13812345678",
}


def post(client: Any, path: str, data: Any, **extra: Any) -> Any:
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


def test_create_returns_201_with_the_case_and_a_retry_with_the_same_key_returns_it_again(city: Any, api: Any) -> None:
    client = api(city.operator)
    first = post(client, "/api/v1/cases/", NEW, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == Status.ACCEPTED and body["division"]["code"] == "211223"
    assert body["requester_phone"] == "138****5678"  # masked, like every list
    assert first["Location"] == f"/api/v1/cases/{body['number']}/"
    again = post(client, "/api/v1/cases/", NEW, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert again.status_code == 200
    assert again.json()["number"] == body["number"]
    assert Case.objects.count() == 1
    other = post(client, "/api/v1/cases/", NEW, HTTP_IDEMPOTENCY_KEY="retry-2")
    assert other.status_code == 201 and Case.objects.count() == 2


def test_the_same_idempotency_key_from_two_callers_makes_two_cases(city: Any, api: Any) -> None:
    a = post(api(city.operator), "/api/v1/cases/", NEW, HTTP_IDEMPOTENCY_KEY="same")
    b = post(api(city.dispatcher), "/api/v1/cases/", NEW, HTTP_IDEMPOTENCY_KEY="same")
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]


def test_create_reports_every_bad_field_and_changes_nothing(city: Any, api: Any) -> None:
    response = post(api(city.operator), "/api/v1/cases/", {**NEW, "title": "", "division": "999999", "requester_phone": "12"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"] == "about:blank"
    assert set(problem["errors"]) >= {"title", "division", "requester_phone"}
    assert Case.objects.count() == 0


def test_create_needs_an_intake_role(city: Any, api: Any) -> None:
    response = post(api(city.handler), "/api/v1/cases/", NEW)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_list_filters_like_the_case_list_page_and_pages_by_cursor(city: Any, api: Any) -> None:
    for _ in range(3):
        case_in(city, Status.HANDLING)
    accepted = case_in(city, Status.ACCEPTED)
    client = api(city.dispatcher)
    only_accepted = client.get("/api/v1/cases/", {"status": "accepted"}).json()
    assert [c["number"] for c in only_accepted["results"]] == [accepted.number]
    page1 = client.get("/api/v1/cases/", {"page_size": 2}).json()
    assert len(page1["results"]) == 2 and page1["next"]
    page2 = client.get(page1["next"]).json()
    seen = [c["number"] for c in page1["results"] + page2["results"]]
    assert len(seen) == len(set(seen)) == 4
    bad = client.get("/api/v1/cases/", {"status": "nonsense", "date_from": "2024-13-01"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "date_from"}


def test_list_shows_only_what_the_caller_may_see(city: Any, api: Any) -> None:
    mine = case_in(city, Status.HANDLING, unit=city.housing)
    case_in(city, Status.HANDLING, unit=city.env)
    numbers = [c["number"] for c in api(city.handler).get("/api/v1/cases/").json()["results"]]
    assert numbers == [mine.number]


def test_retrieve_has_the_timeline_and_the_allowed_actions(city: Any, api: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    body = api(city.handler).get(f"/api/v1/cases/{case.number}/").json()
    assert [e["action"] for e in body["timeline"]] == ["create", "dispatch"]
    assert body["allowed_actions"] == ["acknowledge", "return"]
    assert body["version"] == case.version


def test_a_case_out_of_scope_is_404_like_a_missing_one(city: Any, api: Any) -> None:
    case = case_in(city, Status.HANDLING, unit=city.env)
    client = api(city.handler)
    hidden = client.get(f"/api/v1/cases/{case.number}/")
    missing = client.get("/api/v1/cases/TL20990101-000001/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_reference_data_and_the_routing_dry_run(city: Any, api: Any, taxonomy: Any) -> None:
    client = api(city.handler)
    assert {u["code"] for u in client.get("/api/v1/units/").json()} == {"SZX", "ZJJ", "STHJ", "XFX"}
    divisions = client.get("/api/v1/divisions/").json()
    assert divisions[0] == {"code": "211200", "name": "铁岭市", "level": "city", "parent": None}
    assert {c["name"] for c in client.get("/api/v1/categories/").json()} >= {"冬季采暖", "环境卫生"}
    route = client.get("/api/v1/routing/", {"division": "211223", "category": taxonomy["heating"].pk})
    assert route.status_code == 200
    assert route.json()["lead_unit"]["code"] == "XFX"  # no rule: the county government (兜底)
    bad = client.get("/api/v1/routing/", {"division": "nowhere", "category": "x"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"division", "category"}
