"""Issue 10 #15: security headers — CSP on pages, HSTS and the proxy header behind TLS, no-store where it matters."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import _api_defaults, api, key_for  # noqa: F401 — API keys, and a fresh throttle budget
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _settings_with(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JINGZHI_SECURE") and k != "JINGZHI_BEHIND_TLS_PROXY"}
    code = ("import jingzhi.settings as s; print(getattr(s, 'SECURE_HSTS_SECONDS', 0), "
            "getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SESSION_COOKIE_SECURE)")
    run = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout.strip()


def test_hsts_and_the_proxy_header_only_behind_tls(tmp_path: Any) -> None:
    base = {"JINGZHI_DATA_DIR": str(tmp_path)}
    assert _settings_with(base) == "0 None False"
    assert _settings_with({**base, "JINGZHI_SECURE_COOKIES": "true"}) == "31536000 ('HTTP_X_FORWARDED_PROTO', 'https') True"
    assert _settings_with({**base, "JINGZHI_BEHIND_TLS_PROXY": "true"}) == "31536000 ('HTTP_X_FORWARDED_PROTO', 'https') False"


def test_hsts_header_is_sent_over_the_proxied_https(city: Any, settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    r = Client().get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert r["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/login/")


def test_pages_carry_a_content_security_policy(city: Any) -> None:
    c = Client()
    c.force_login(city.leader)
    policy = c.get("/metrics/dashboard/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "default-src 'self'" in Client().get("/login/")["Content-Security-Policy"]


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_and_api_responses_are_not_stored(city: Any, api: Any, client_for: Any) -> None:  # noqa: F811
    case = CaseFactory(actor=city.operator)
    operator = client_for(city.operator)
    for path in ("/", "/cases/", f"/cases/{case.number}/", "/cases/export.xlsx?list=all", "/notifications/", "/intake/"):
        assert _no_store(operator.get(path)), path
    leader = client_for(city.leader)
    for path in ("/metrics/", "/metrics/dashboard/", "/campaigns/"):
        assert _no_store(leader.get(path)), path
    assert _no_store(client_for(city.admin).get("/admin/"))
    assert _no_store(api(city.operator).get("/api/v1/cases/"))
    assert _no_store(Client().get("/api/v1/cases/"))  # the 401 too
    assert _no_store(Client().get("/open311/v2/services.json"))
    # What is the same for everyone may be cached: the chart library, the sign-in page's static files.
    js = leader.get("/metrics/assets/echarts.esm.js")
    assert "public" in js["Cache-Control"] and not _no_store(js)
