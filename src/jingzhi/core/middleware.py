"""Request-wide context: the client's address for the audit log, and the read-your-writes pin for the replicas."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from jingzhi.core.audit import request_ip
from jingzhi.core.clientip import client_ip


class AuditContextMiddleware:
    """Services record the IP of the request that called them without each taking the request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        with request_ip(client_ip(request)):
            return self.get_response(request)


class ReadYourWritesMiddleware:
    """After a change, its author reads from the primary for a few seconds (core/replicas.py).

    Browsers carry the pin in a cookie; API clients, which often keep no cookies, are pinned by user in the shared
    cache. Without replicas configured this does nothing at all.
    """

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from jingzhi.core import replicas

        if not replicas.aliases():
            return self.get_response(request)
        now = time.time()
        try:
            pinned = float(request.COOKIES.get(replicas.PIN_COOKIE, "0")) > now
        except ValueError:
            pinned = False  # a tampered cookie can only cost the replica a few reads

        def by_user() -> bool:
            user = getattr(request, "user", None)
            return bool(user is not None and user.is_authenticated and (cache.get(f"jz:primary:{user.pk}") or 0) > time.time())

        with replicas.request_scope(pinned=pinned, pin_check=by_user):
            response = self.get_response(request)
        if request.method not in self.SAFE and response.status_code < 400:
            window = float(getattr(settings, "JINGZHI_READ_YOUR_WRITES_SECONDS", 5))
            until = now + window
            response.set_cookie(replicas.PIN_COOKIE, f"{until:.3f}", max_age=int(window) + 1, httponly=True,
                                samesite="Lax", secure=request.is_secure())
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                cache.set(f"jz:primary:{user.pk}", until, int(window) + 1)
        return response
