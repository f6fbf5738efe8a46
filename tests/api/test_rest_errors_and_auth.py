"""REST API v1: sign-in by key or session, problem details for bad input, body limit, rate limits, language."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from jingzhi.api.models import ApiKey
from jingzhi.api.services import apikey_create, apikey_revoke
from jingzhi.cases.models import Case

NEW = {"kind": "complaint", "title": "路灯不亮", "content": "小区门口路灯坏了。", "division": "211200", "requester_phone": "13812345678"}


def test_without_credentials_the_api_answers_401_with_a_challenge(city: Any) -> None:
    r = Client().get("/api/v1/cases/")
    assert r.status_code == 401
    assert r["WWW-Authenticate"].startswith("Bearer")
    assert r["Content-Type"] == "application/problem+json"


def test_a_wrong_or_revoked_key_is_401(city: Any, key_for: Any) -> None:
    assert Client(HTTP_AUTHORIZATION="Bearer jz_deadbeef_nope").get("/api/v1/units/").status_code == 401
    secret = key_for(city.operator)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/units/").status_code == 200
    apikey_revoke(actor=None, name=ApiKey.objects.get(user=city.operator).name)
    assert client.get("/api/v1/units/").status_code == 401


def test_only_a_hash_of_the_key_is_stored(city: Any) -> None:
    key, secret = apikey_create(name="fms", actor=None, role="operator")
    row = ApiKey.objects.get(pk=key.pk)
    assert secret not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert row.user.username == "apikey:fms" and row.user.role == "operator" and row.user.unit == city.hotline


def test_revoking_an_integration_key_deactivates_its_service_user(city: Any) -> None:
    key, _secret = apikey_create(name="wechat", actor=None, role="operator")
    apikey_revoke(actor=None, name="wechat")
    key.user.refresh_from_db()
    assert key.user.is_active is False


def test_the_browser_session_works_and_needs_csrf_for_writes(city: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.operator)
    assert client.get("/api/v1/cases/").status_code == 200
    r = client.post("/api/v1/cases/", json.dumps(NEW), content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


def test_malformed_json_is_a_400_problem(city: Any, api: Any) -> None:
    r = api(city.operator).post("/api/v1/cases/", '{"kind": "complaint",', content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "parse_error" and Case.objects.count() == 0


def test_a_wrong_content_type_is_a_415_problem(city: Any, api: Any) -> None:
    r = api(city.operator).post("/api/v1/cases/", "kind=complaint", content_type="text/plain")
    assert r.status_code == 415
    assert r.json()["code"] == "unsupported_media_type"


def test_a_5_mb_body_is_refused_with_413(city: Any, api: Any) -> None:
    body = json.dumps({**NEW, "content": "长" * (5 * 1024 * 1024 // 3)})
    r = api(city.operator).post("/api/v1/cases/", body, content_type="application/json")
    assert r.status_code == 413
    assert r["Content-Type"] == "application/problem+json" and r.json()["status"] == 413
    assert Case.objects.count() == 0


def test_wrong_types_are_field_errors_not_500(city: Any, api: Any) -> None:
    r = api(city.operator).post("/api/v1/cases/", json.dumps(["not", "an", "object"]), content_type="application/json")
    assert r.status_code == 400
    r = api(city.operator).post("/api/v1/cases/", json.dumps({**NEW, "lat": "north", "category": -1}), content_type="application/json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"lat", "category"}
    r = api(city.operator).post("/api/v1/cases/", json.dumps(NEW), content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY="x" * 200)
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["errors"]


def test_unknown_api_paths_are_404_problems(city: Any, api: Any) -> None:
    r = api(city.operator).get("/api/v1/nothing-here/")
    assert r.status_code == 404 and r["Content-Type"] == "application/problem+json"


def test_messages_follow_accept_language_and_default_to_chinese(city: Any, api: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    client = api(city.operator)
    zh = client.post("/api/v1/cases/", json.dumps({**NEW, "title": ""}), content_type="application/json").json()
    en = client.post("/api/v1/cases/", json.dumps({**NEW, "title": ""}), content_type="application/json",
                     HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["errors"]["title"] == ["Please enter a title."]
    assert zh["errors"]["title"] != en["errors"]["title"] and any("\u4e00" <= ch <= "\u9fff" for ch in zh["errors"]["title"][0])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["title"])


def test_rate_limits_answer_429_with_retry_after(city: Any, api: Any, monkeypatch: Any) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    # The rates are read when a throttle is made; the settings name them (JINGZHI_API_RATE_ANON / _KEY).
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "key": "3/min"})
    anonymous = Client()
    assert [anonymous.get("/api/v1/units/").status_code for _ in range(3)] == [401, 401, 429]
    keyed = api(city.operator)
    codes = [keyed.get("/api/v1/units/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = keyed.get("/api/v1/units/")
    assert int(limited["Retry-After"]) >= 1 and limited.json()["status"] == 429
    assert api(city.dispatcher).get("/api/v1/units/").status_code == 200  # another key has its own budget
    open311 = [Client().get("/open311/v2/services.json").status_code for _ in range(1)]
    assert open311 == [429]  # the same address is over its anonymous budget on Open311 too
    r = Client().get("/open311/v2/services.xml")
    assert r.status_code == 429 and r["Retry-After"] and b"<code>429</code>" in r.content
