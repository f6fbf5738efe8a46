"""REST: listings (list, create, idempotent, bad input) and suggestions, scoped like the pages."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.supplydemand.models import Listing

pytestmark = pytest.mark.django_db


def _post(client: Client, body: dict[str, Any], key: str = "") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/listings/", json.dumps(body), content_type="application/json", **headers)


def _need() -> dict[str, Any]:
    return {"kind": "need", "title": "汽车用橡胶密封圈", "quantity": "2000", "unit": "piece",
            "wanted_by": (timezone.localdate() + timedelta(days=40)).isoformat()}


def test_an_enterprise_publishes_through_the_api_and_a_retry_returns_the_first(market: Any, api: Any) -> None:
    c = api(market.seals_user)
    r = _post(c, _need(), key="abc-1")
    assert r.status_code == 201, r.content
    again = _post(c, _need(), key="abc-1")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert Listing.objects.filter(enterprise=market.seals, kind="need").count() == 1
    assert r.json()["place_name"] == "西丰县" and r.json()["industry"] == "C2913"
    listed = c.get("/api/v1/listings/").json()
    assert {row["enterprise"] for row in listed["results"]} == {market.seals.name}


def test_bad_input_is_a_problem_response_naming_the_field(market: Any, api: Any) -> None:
    c = api(market.seals_user)
    for change in ({"unit": "barrel"}, {"quantity": "-1"}, {"wanted_by": "2020-01-01"}, {"place_code": "000000"},
                   {"industry": "橡胶"}, {"title": ""}):
        r = _post(c, {**_need(), **change})
        assert r.status_code == 400, (change, r.content)
        assert r["Content-Type"].startswith("application/problem+json")
        assert set(r.json()["errors"]) == set(change), r.json()
    assert _post(c, _need(), key="bad key with spaces").status_code == 400
    assert not Listing.objects.filter(enterprise=market.seals, kind="need").exists()


def test_the_office_publishes_for_an_enterprise_and_others_may_not(market: Any, api: Any, city: Any) -> None:
    r = _post(api(city.operator), {**_need(), "enterprise": market.belts.pk})
    assert r.status_code == 201 and r.json()["enterprise"] == market.belts.name
    assert _post(api(market.starch_user), {**_need(), "enterprise": market.belts.pk}).status_code == 404
    assert _post(api(city.leader), {**_need(), "enterprise": market.belts.pk}).status_code == 403
    assert _post(api(city.operator), _need()).status_code == 404  # no enterprise named
    assert Client().get("/api/v1/listings/").status_code in (401, 403)


def test_suggestions_come_with_their_reasons_and_only_for_visible_listings(market: Any, api: Any, city: Any) -> None:
    r = api(market.buyer_user).get(f"/api/v1/listings/{market.need.pk}/suggestions/?limit=3")
    assert r.status_code == 200
    rows = r.json()
    assert rows[0]["listing"]["id"] == market.seal_cap.pk and rows[0]["reasons"]["place"] == "province"
    assert "密封圈" in rows[0]["words"] and len(rows) <= 3
    assert api(market.starch_user).get(f"/api/v1/listings/{market.need.pk}/suggestions/").status_code == 404
    assert api(city.county_leader).get(f"/api/v1/listings/{market.seal_cap.pk}/suggestions/").status_code == 404
    assert api(city.county_leader).get(f"/api/v1/listings/{market.belt_cap.pk}/suggestions/").status_code == 200
    assert api(city.operator).get("/api/v1/listings/999999/suggestions/").status_code == 404
    assert api(city.operator).get(f"/api/v1/listings/{market.need.pk}/suggestions/?limit=x").status_code == 200
