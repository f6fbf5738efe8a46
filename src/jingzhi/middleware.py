"""Request and response rules every page and API shares: no control characters in queries, no caching of
what a signed-in user or an API caller was shown.

A module of the root package, outside the layers (like urls.py): it answers in the API's and the pages' own
error formats, so it knows both."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

API_PREFIXES = ("/api/", "/open311/")
# C0 controls but tab, LF and CR: never part of a real query, and PostgreSQL refuses a NUL in a string outright
# (a ValueError deep in the query, a 500). One check here instead of one per filter.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the form the caller reads: Open311 errors, a problem document for the API, else a page."""
    if request.path.startswith("/open311/"):
        from jingzhi.api.open311.render import error_response

        return error_response(request, 400, [(400, message)])
    if request.path.startswith("/api/"):
        from jingzhi.api.problems import problem_response

        return problem_response(request, 400, message, code="invalid")
    return HttpResponseBadRequest(loader.render_to_string("400.html", {"message": message}, request))


class QueryGuardMiddleware:
    """Refuse a query string carrying control characters with a 400, before any view parses it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if _CONTROL.search(key) or any(_CONTROL.search(v) for v in values):
                return bad_request(request, _("The address contains control characters; remove them and try again."))
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user and on every API response.

    Case lists, personal data and API payloads must not stay in a shared proxy's or the browser's cache after
    sign-out (等保 2.0: residual information). Responses that chose to be cached publicly (the chart library,
    static files served before this middleware) keep their own header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (signed_in or request.path.startswith(API_PREFIXES)) and "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, no_cache=True, must_revalidate=True, private=True, max_age=0)
        return response
