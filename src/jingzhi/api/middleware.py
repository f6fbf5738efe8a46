"""Refuse oversized API bodies before anything reads them (413), with the API's own error format."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

API_PREFIXES = ("/api/", "/open311/")


# Endpoints that take photos (multipart/form-data): the on-site report of an early-warning task carries up to 6 photos
# of 10 MB each, as its page form does, so its bound is MAX_UPLOAD_BODY_BYTES; the files themselves are checked by the
# service (type, size, count). Every other body keeps MAX_BODY_BYTES.
UPLOAD_PATHS = (re.compile(r"^/api/v1/warning-tasks/\d+/report/$"),)


def max_body_bytes() -> int:
    return int(str(settings.JINGZHI_API.get("MAX_BODY_BYTES", 1024 * 1024)))


def max_upload_body_bytes() -> int:
    return int(str(settings.JINGZHI_API.get("MAX_UPLOAD_BODY_BYTES", 61 * 1024 * 1024)))


def body_limit(request: HttpRequest) -> int:
    """The bound of this request's body: the upload bound for a multipart body to a photo endpoint, else the API's."""
    multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
    if multipart and any(p.match(request.path) for p in UPLOAD_PATHS):
        return max_upload_body_bytes()
    return max_body_bytes()


class ApiBodyLimitMiddleware:
    """DRF streams JSON bodies past Django's DATA_UPLOAD_MAX_MEMORY_SIZE, so the API enforces its own limit.

    The declared Content-Length is checked here; a body without one is cut off by the parsers
    (RequestDataTooBig → 413 as well).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIXES):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = body_limit(request)
            if length > limit:
                message = _("The request body is too large: at most %(max)d bytes are accepted.") % {"max": limit}
                if request.path.startswith("/open311/"):
                    from jingzhi.api.open311.render import error_response

                    return error_response(request, 413, [(413, message)])
                from jingzhi.api.problems import problem_response

                return problem_response(request, 413, message, code="too_large")
        return self.get_response(request)
