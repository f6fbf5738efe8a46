"""Rate limits: anonymous callers by address, signed-in callers by API key (or by user for sessions)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from jingzhi.api.models import ApiKey
from jingzhi.core import ratelimit


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"


class KeyThrottle(SimpleRateThrottle):
    """Each API key has its own budget; a browser session counts against its user.

    Counted in core.ratelimit's fixed windows, not in DRF's sliding log: a call-centre key allowed thousands a
    minute would otherwise read and rewrite a list of thousands of timestamps on every request, and two processes
    doing so at once lose each other's counts. Redis's INCR is one atomic step shared by every process; the first
    refusal in a window is audited (ratelimit.refused, door "api.key").
    """

    scope = "key"
    retry_after = 0

    def allow_request(self, request: Any, view: Any) -> bool:
        ident = self.get_cache_key(request, view)
        # A key with its own rate (ApiKey.rate, e.g. a busy integration) uses it instead of the default.
        rate = request.auth.rate if isinstance(request.auth, ApiKey) and request.auth.rate else self.rate
        if ident is None or not rate:
            return True
        verdict = ratelimit.hit("api.key", ident, request=request, rates=[ratelimit.parse_rate(rate)])
        self.retry_after = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        return self.retry_after or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
