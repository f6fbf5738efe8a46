"""The rate-limit tests' cache: the database cache (embedded mode) and a real Redis (production), in turn.

Redis is the one at JINGZHI_TEST_REDIS_URL (default redis://127.0.0.1:6379/13); each run uses its own key
prefix and removes exactly its own keys afterwards (never FLUSHDB: the server is shared). Without CI a
missing Redis skips its half; with CI=true it is a failure.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

REDIS_URL = os.environ.get("JINGZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_client() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as e:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {e}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (not CI)")
    return client


def _away_from_a_minute_edge(margin: float = 10.0) -> None:
    """Start the test well inside a calendar minute.

    The limits count in fixed windows (core.ratelimit): a test that knocks twenty-one times and crosses
    a minute's edge half-way would see the count start again and fail for no fault of the code.
    """
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.05)


@pytest.fixture(params=["db", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: Any, db: None) -> Iterator[str]:
    """Switch the default cache to the database cache or to Redis for one test; yields the kind."""
    from django.core.cache import caches

    _away_from_a_minute_edge()
    if request.param == "db":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                       "LOCATION": "jingzhi_cache", "KEY_PREFIX": "test"}}
        assert type(caches["default"]).__name__ == "DatabaseCache"
        yield "db"  # the table's rows go with the test's transaction
        return
    client = _redis_client()
    prefix = f"jztest-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    assert type(caches["default"]).__name__ == "RedisCache"
    try:
        yield "redis"
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
