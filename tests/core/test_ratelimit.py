"""The rate-limit policy module on both shared caches: counting, windows, lockouts, audit rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from tests.shared_cache import shared_cache  # noqa: F401

from jingzhi.core import ratelimit
from jingzhi.core.errors import RateLimited
from jingzhi.core.models import AuditLog


def test_parse_rate() -> None:
    assert ratelimit.parse_rate("10/min") == ratelimit.Rate(10, 60)
    assert ratelimit.parse_rate("50/hour") == ratelimit.Rate(50, 3600)
    assert ratelimit.parse_rate("5/10min") == ratelimit.Rate(5, 600)
    for bad in ("", "ten/min", "0/min", "10/week", "10"):
        with pytest.raises(ValueError):
            ratelimit.parse_rate(bad)


def test_a_door_refuses_past_its_rate_and_audits_once(shared_cache: str, settings: Any) -> None:  # noqa: F811
    settings.JINGZHI_RATE_LIMITS = {**settings.JINGZHI_RATE_LIMITS, "test_door": ["3/min", "100/hour"]}
    request = RequestFactory().get("/x", REMOTE_ADDR="198.51.100.7")
    verdicts = [ratelimit.hit("test_door", "198.51.100.7", request=request) for _ in range(6)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, False]
    assert 1 <= verdicts[3].retry_after <= 60
    # Another address has its own budget.
    assert ratelimit.hit("test_door", "198.51.100.8").allowed
    rows = AuditLog.objects.filter(action="ratelimit.refused", object_id="test_door")
    assert rows.count() == 1
    assert rows.get().detail["ip"] == "198.51.100.7"
    with pytest.raises(RateLimited) as refused:
        ratelimit.enforce("test_door", "198.51.100.7")
    assert refused.value.status == 429 and refused.value.retry_after >= 1


def test_peek_counts_nothing(shared_cache: str, settings: Any) -> None:  # noqa: F811
    settings.JINGZHI_RATE_LIMITS = {**settings.JINGZHI_RATE_LIMITS, "test_door": ["2/min"]}
    for _ in range(5):
        assert ratelimit.peek("test_door", "a").allowed
    ratelimit.hit("test_door", "a")
    ratelimit.hit("test_door", "a")
    assert not ratelimit.peek("test_door", "a").allowed


def test_lock_and_its_audit(shared_cache: str) -> None:  # noqa: F811
    assert ratelimit.locked("test_door", "TL20261125-000123-4827") == 0
    ratelimit.lock("test_door", "TL20261125-000123-4827", 3600)
    assert 3590 <= ratelimit.locked("test_door", "TL20261125-000123-4827") <= 3600
    assert ratelimit.locked("test_door", "TL20261125-000124-1111") == 0
    assert AuditLog.objects.filter(action="ratelimit.locked", detail__ident="TL20261125-000123-4827").count() == 1


def test_client_ip_trusts_only_the_configured_proxies(settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.JINGZHI_PROXY_COUNT = 0
    assert ratelimit.client_ip(request) == "10.0.0.1"  # a forged header from the client is ignored
    settings.JINGZHI_PROXY_COUNT = 1
    assert ratelimit.client_ip(request) == "203.0.113.9"
    settings.JINGZHI_PROXY_COUNT = 2
    assert ratelimit.client_ip(request) == "1.2.3.4"


def test_the_embedded_mode_uses_the_database_cache_and_redis_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import jingzhi.settings as base

    monkeypatch.delenv("JINGZHI_CACHE_URL", raising=False)
    assert importlib.reload(base).CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    monkeypatch.setenv("JINGZHI_CACHE_URL", "redis://127.0.0.1:6379/2")
    conf = importlib.reload(base).CACHES["default"]
    assert conf["BACKEND"] == "django.core.cache.backends.redis.RedisCache" and conf["LOCATION"] == "redis://127.0.0.1:6379/2"
    monkeypatch.setenv("JINGZHI_CACHE_URL", "memcached://x")
    with pytest.raises(ValueError):
        importlib.reload(base)
    monkeypatch.delenv("JINGZHI_CACHE_URL")
    importlib.reload(base)
