"""Rate limits: anonymous callers by address, signed-in callers by API key (or by user for sessions)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from jingzhi.api.models import ApiKey


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"


class KeyThrottle(SimpleRateThrottle):
    """Each API key has its own budget; a browser session counts against its user."""

    scope = "key"

    def allow_request(self, request: Any, view: Any) -> bool:
        # A key with its own rate (ApiKey.rate, e.g. a busy integration) uses it instead of the default.
        if isinstance(request.auth, ApiKey) and request.auth.rate:
            self.rate = request.auth.rate
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
