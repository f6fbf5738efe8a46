"""How API callers sign in: an API key in the Authorization header, or the browser's session."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from jingzhi.api.models import ApiKey
from jingzhi.api.services import apikey_check
from jingzhi.core import ratelimit

# Wrong keys per address (settings.JINGZHI_RATE_LIMITS); past the limit every key from there gets 429.
KEY_FAILURES = "api_key_failure"


def apikey_for_request(request: Any, secret: str) -> ApiKey | None:
    """The active key for `secret`, or None; each wrong key counts against the caller's address.

    Raises Throttled (429, Retry-After) once the address has tried too many wrong keys: guessing keys
    costs a minute per handful of tries. The first refusal of each window is audited (core/ratelimit.py).
    """
    ip = ratelimit.client_ip(request)
    if not ratelimit.peek(KEY_FAILURES, ip).allowed:
        verdict = ratelimit.hit(KEY_FAILURES, ip, request=request)
        raise exceptions.Throttled(
            wait=verdict.retry_after,
            detail=_("Too many wrong API keys from this address; try again in %(s)s seconds.") % {"s": verdict.retry_after})
    key = apikey_check(secret)
    if key is None:
        ratelimit.hit(KEY_FAILURES, ip, request=request)
    return key


def key_from_request(request: Any) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() in ("bearer", "api-key", "token") and value:
        return value.strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer jz_…` (or `X-Api-Key: jz_…`): the key's user is the caller."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        secret = key_from_request(request)
        if not secret:
            return None
        key = apikey_for_request(request, secret)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid or has been revoked."))
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="jingzhi"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "jingzhi.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": "A personal token or an integration key (jz_…)."}
