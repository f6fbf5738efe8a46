"""Enterprise service over REST: scoping (401, 404 outside, 403 wrong role), idempotent creates, errors as problems."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jingzhi.enterprises.models import Need, Visit
from jingzhi.org.models import Enterprise
from tests.enterprises.conftest import code

pytestmark = pytest.mark.django_db
BASE = "/api/v1/enterprises/"


def test_anonymous_gets_401(firms: Any) -> None:
    assert Client().get(BASE).status_code == 401
    assert Client().get(f"{BASE}{firms.leni.pk}/needs/").status_code == 401


def test_scope_of_the_registry(api: Any, firms: Any) -> None:
    names = [e["name"] for e in api(firms.official).get(BASE).json()["results"]]
    assert names == [firms.leni.name]
    assert api(firms.official).get(f"{BASE}{firms.other.pk}/").status_code == 404
    body = api(firms.city.dispatcher).get(f"{BASE}{firms.leni.pk}/").json()
    assert body["credit_code"] == firms.leni.credit_code and set(body["tags"]) == {"key", "above_scale"}


def test_create_is_idempotent_and_names_the_duplicate(api: Any, firms: Any) -> None:
    c = api(firms.city.dispatcher)
    data = {"name": "铁岭新企业有限公司", "credit_code": code("91211202791583627"), "division": "211223", "tags": ["high_tech"]}
    first = c.post(BASE, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="e-1")
    again = c.post(BASE, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="e-1")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    dup = c.post(BASE, {**data, "name": "别的名字"}, content_type="application/json")
    assert dup.status_code == 400 and "铁岭新企业有限公司" in dup.content.decode()
    bad = c.post(BASE, {**data, "name": "x", "credit_code": "91211202791583627Z"}, content_type="application/json")
    assert bad.status_code == 400 and Enterprise.objects.filter(name="x").count() == 0
    assert api(firms.city.handler).post(BASE, {**data, "name": "y"}, content_type="application/json").status_code == 403


def test_needs_scope_and_idempotency(api: Any, firms: Any) -> None:
    c = api(firms.city.operator)
    data = {"title": "用电增容", "content": "新产线", "contact_phone": "13812345678", "channel": "desk"}
    first = c.post(f"{BASE}{firms.leni.pk}/needs/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="n-1")
    again = c.post(f"{BASE}{firms.leni.pk}/needs/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="n-1")
    assert (first.status_code, again.status_code) == (201, 200) and Need.objects.count() == 1
    assert first.json()["channel"] == "desk"
    listed = api(firms.official).get(f"{BASE}{firms.leni.pk}/needs/").json()["results"]
    assert [n["number"] for n in listed] == [first.json()["number"]]
    # A 专班 member (not the 包保 official) sees the needs of the enterprises the 专班 serves; another unit does not.
    by_member = api(firms.member).get(f"{BASE}{firms.leni.pk}/needs/").json()["results"]
    assert [n["number"] for n in by_member] == [first.json()["number"]]
    assert api(firms.city.env_handler).get(f"{BASE}{firms.leni.pk}/needs/").status_code == 404
    assert api(firms.city.env_handler).post(f"{BASE}{firms.leni.pk}/needs/", data, content_type="application/json").status_code == 404


def test_visits_by_serving_staff_only(api: Any, firms: Any) -> None:
    data = {"visited_on": "2026-01-05", "asked": "招工难"}
    r = api(firms.member).post(f"{BASE}{firms.leni.pk}/visits/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="v")
    again = api(firms.member).post(f"{BASE}{firms.leni.pk}/visits/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="v")
    assert (r.status_code, again.status_code) == (201, 200) and Visit.objects.count() == 1
    assert api(firms.city.supervisor).post(f"{BASE}{firms.leni.pk}/visits/", data, content_type="application/json").status_code == 403
    assert api(firms.member).post(f"{BASE}{firms.other.pk}/visits/", data, content_type="application/json").status_code == 404
    assert api(firms.member).get(f"{BASE}{firms.leni.pk}/visits/").json()["count"] == 1
