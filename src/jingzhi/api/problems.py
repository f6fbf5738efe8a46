"""One error format for the REST API: RFC 9457 problem details, in the request's language.

Service errors (`jingzhi.core.errors`) and DRF's own errors (parse, auth, throttling, validation) all
leave here as `application/problem+json` with a status, a short title, a detail and, for bad input,
the message of every field. Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from jingzhi.core.errors import ApplicationError

PROBLEM_JSON = "application/problem+json"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        413: _("Request body too large"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def problem(status: int, detail: str, *, code: str = "", fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": titles().get(status, _("Error")), "status": status, "detail": detail}
    if code:
        body["code"] = code
    if fields:
        body["errors"] = fields
    return body


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → {"field": [messages]} (nested fields joined with dots)."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                for k, v in _flatten(value, f"{prefix}.{i}" if prefix else str(i)).items():
                    out.setdefault(k, []).extend(v)
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every handled error becomes a problem document."""
    headers: dict[str, str] = {}
    if isinstance(exc, ApplicationError):
        fields = {k: [str(v)] for k, v in exc.fields.items()}
        body = problem(exc.status, str(exc.message), code=exc.code, fields=fields)
        return Response(body, status=exc.status, content_type=PROBLEM_JSON)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        body = problem(413, _("The request body is too large."), code="too_large")
        return Response(body, status=413, content_type=PROBLEM_JSON)
    if not isinstance(exc, exceptions.APIException):
        return None
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    if isinstance(exc, exceptions.ValidationError):
        body = problem(400, _("Please correct the marked fields."), code="invalid", fields=_flatten(exc.detail))
    elif isinstance(exc, exceptions.ParseError):
        body = problem(400, _("The request body is not valid JSON: %(error)s") % {"error": _short(exc.detail)}, code="parse_error")
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        body = problem(
            415, _("Send the request body as application/json (this endpoint does not read “%(type)s”).")
            % {"type": _media_type(context)}, code="unsupported_media_type",
        )
    else:
        codes = exc.get_codes()
        body = problem(exc.status_code, _short(exc.detail), code=codes if isinstance(codes, str) else "")
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_JSON)


def _short(detail: Any) -> str:
    if isinstance(detail, list | dict):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in _flatten(detail).items())
    return str(detail)[:300]


def _media_type(context: dict[str, Any]) -> str:
    request = context.get("request")
    return (request.content_type if request is not None else "")[:80]


def problem_response(request: HttpRequest, status: int, detail: str, *, code: str = "", headers: dict[str, str] | None = None) -> JsonResponse:
    """A problem document outside DRF (middleware, URL 404s)."""
    response = JsonResponse(problem(status, detail, code=code), status=status, content_type=PROBLEM_JSON,
                            json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error of this API is returned."""

    type = serializers.CharField(help_text="A URI reference for the problem type; `about:blank` here.")
    title = serializers.CharField(help_text="Short summary of the HTTP status, in the request's language.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in the request's language.")
    code = serializers.CharField(required=False, help_text="Machine-readable reason: invalid, forbidden, not_found, conflict, …")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Field name → messages, for bad input.",
    )
