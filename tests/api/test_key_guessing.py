"""Wrong API keys cost time (issue 10, finding #13); Open311 keys stay out of addresses; a key's own rate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jingzhi.api.models import ApiKey
from jingzhi.api.services import apikey_create, apikey_set_rate
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.models import AuditLog
from tests.shared_cache import shared_cache  # noqa: F401

BASE = "/open311/v2"


def test_wrong_keys_from_one_address_get_429_after_twenty(city: Any, key_for: Any, shared_cache: str) -> None:  # noqa: F811
    good = key_for(role="operator")
    guesser = Client(REMOTE_ADDR="203.0.113.66")
    codes = [guesser.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer jz_0000{i:04d}_guess").status_code for i in range(22)]
    assert codes == [401] * 20 + [429] * 2
    limited = guesser.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {good}")  # even a right key, from there
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert limited["Content-Type"] == "application/problem+json" and limited.json()["status"] == 429
    assert "wrong API keys" in limited.json()["detail"]
    assert AuditLog.objects.filter(action="ratelimit.refused", object_id="api_key_failure").count() == 1
    # Another address with the right key is served.
    assert Client(REMOTE_ADDR="203.0.113.67").get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200


def test_wrong_open311_keys_count_too(city: Any, taxonomy: Any, shared_cache: str) -> None:  # noqa: F811
    guesser = Client(REMOTE_ADDR="203.0.113.68")
    data = {"service_code": str(taxonomy["heating"].pk), "description": "路灯坏了"}
    codes = [guesser.post(f"{BASE}/requests.json", {**data, "api_key": f"jz_1111{i:04d}_guess"}).status_code for i in range(21)]
    assert codes == [403] * 20 + [429]


def test_open311_refuses_a_key_in_the_address(city: Any, taxonomy: Any, key_for: Any) -> None:
    key = key_for(role="operator")
    data = {"service_code": str(taxonomy["heating"].pk), "description": "路灯坏了", "lat": "42.2906", "long": "123.8445"}
    response = Client().post(f"{BASE}/requests.json?api_key={key}", data)
    assert response.status_code == 400
    assert "POST body" in response.json()[0]["description"]
    # The body (FixMyStreet's way) and an Authorization header both work.
    assert Client().post(f"{BASE}/requests.json", {**data, "api_key": key}).status_code == 201
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(f"{BASE}/requests.json", {**data, "description": "又坏了"}).status_code == 201


def test_a_key_has_its_own_rate(city: Any, shared_cache: str) -> None:  # noqa: F811
    """On the database cache and on Redis, as every process of a production server would count it."""
    _key, secret = apikey_create(name="busy", actor=None, role="operator", rate="3/min")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [client.get("/api/v1/units/").status_code for _ in range(4)] == [200, 200, 200, 429]
    apikey_set_rate(name="busy", rate="", actor=city.admin)  # back to the default (600/min)
    assert client.get("/api/v1/units/").status_code == 200
    assert AuditLog.objects.filter(action="apikey_rate", detail__name="busy").count() == 1
    with pytest.raises(ValidationFailed):
        apikey_set_rate(name="busy", rate="lots", actor=city.admin)
    with pytest.raises(ValidationFailed):
        apikey_create(name="bad", actor=None, role="operator", rate="3 per minute")
    assert ApiKey.objects.get(name="busy").rate == ""
    # The refusal was a security event, audited once for its window (not once per request).
    assert AuditLog.objects.filter(action="ratelimit.refused", object_id="api.key").count() == 1
