"""Open311 GeoReport v2 endpoints: a thin adapter over intake (case_create) and read-only selectors.

Every response is XML or JSON by the URL's suffix; every error is an Open311 `errors` body with the
status the spec names (400 bad input, 403 api_key, 404 unknown service/request/token, 429 rate limit).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.views import APIView

from jingzhi.api.authentication import apikey_for_request, key_from_request
from jingzhi.api.models import ApiKey, Open311Token
from jingzhi.api.open311 import mapping, params
from jingzhi.api.open311.params import Open311Error, optional
from jingzhi.api.open311.render import error_response, respond
from jingzhi.api.services import open311_token_for
from jingzhi.api.throttling import AnonymousThrottle, KeyThrottle
from jingzhi.cases.models import OPEN_STATUSES, Channel, Kind
from jingzhi.cases.services import case_create
from jingzhi.core.errors import ApplicationError, PermissionDenied
from jingzhi.org.models import Division

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DESCRIPTION_MAX = 4000


class Open311KeyAuthentication(BaseAuthentication):
    """The spec's `api_key` argument, in the POST body (as FixMyStreet sends it), or an Authorization header.

    Only POSTs require a key. A key in the address is refused with a 400 that says where to put it: addresses
    end up in proxy and server logs (issue 10). Wrong keys count against the caller's address (429 past the limit).
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if request.method != "POST":
            return None  # the GETs are public; a key there would only be a secret in a log
        if "api_key" in request.query_params:
            raise Open311Error(400, _("Do not put api_key in the address (it ends up in server logs): send it as a "
                                      "field of the POST body, or as the header “Authorization: Bearer <key>”."))
        secret = request.data.get("api_key", "") or key_from_request(request)
        if not isinstance(secret, str) or not secret:
            return None
        key = apikey_for_request(request, secret)
        return (key.user, key) if key is not None else None


class Open311View(APIView):
    authentication_classes = [Open311KeyAuthentication]
    permission_classes: list[Any] = []
    throttle_classes = [AnonymousThrottle, KeyThrottle]
    parser_classes = [FormParser, MultiPartParser]
    schema = None  # not part of the REST API's OpenAPI document

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        wanted = optional(request.query_params, "jurisdiction_id") or (
            optional(request.data, "jurisdiction_id") if request.method == "POST" else "")
        ours = mapping.open311_settings().get("OPEN311_JURISDICTION", "")
        if wanted and ours and wanted != ours:
            raise Open311Error(404, _("Unknown jurisdiction_id “%(id)s”.") % {"id": wanted[:60]})

    def handle_exception(self, exc: Exception) -> HttpResponse:
        request = self.request
        if isinstance(exc, Open311Error):
            return error_response(request, exc.status, exc.errors)
        if isinstance(exc, exceptions.Throttled):
            wait = str(max(1, int((exc.wait or 1) + 0.999)))
            return error_response(request, 429, [(429, _("Too many requests; try again in %(s)s seconds.") % {"s": wait})],
                                  headers={"Retry-After": wait})
        if isinstance(exc, exceptions.UnsupportedMediaType):
            return error_response(request, 400, [(415, _("Send the form as application/x-www-form-urlencoded (or multipart/form-data)."))])
        if isinstance(exc, exceptions.ParseError):
            return error_response(request, 400, [(400, _("The request body could not be read."))])
        if isinstance(exc, RequestDataTooBig):
            return error_response(request, 413, [(413, _("The request body is too large."))])
        if isinstance(exc, exceptions.MethodNotAllowed):
            return error_response(request, 405, [(405, _("This method is not allowed here."))])
        if isinstance(exc, ApplicationError):
            status = 403 if isinstance(exc, PermissionDenied) else exc.status
            errors = [(status, f"{name}: {msg}") for name, msg in exc.fields.items()] or [(status, str(exc.message))]
            return error_response(request, status, errors)
        return super().handle_exception(exc)


class Discovery(Open311View):
    def get(self, request: Request, fmt: str) -> HttpResponse:
        conf = mapping.open311_settings()
        base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"})).rsplit("/", 1)[0]
        return respond(fmt, "discovery", {
            "changeset": conf["OPEN311_CHANGESET"],
            "contact": conf["OPEN311_CONTACT"],
            "key_service": conf["OPEN311_KEY_SERVICE"],
            "endpoints": [{
                "specification": SPECIFICATION, "url": base, "changeset": conf["OPEN311_CHANGESET"],
                "type": conf["OPEN311_ENDPOINT_TYPE"], "formats": ["text/xml", "application/json"],
            }],
        })


class ServiceList(Open311View):
    def get(self, request: Request, fmt: str) -> HttpResponse:
        return respond(fmt, "services", [mapping.service_dict(c) for c in mapping.public_services()])


class ServiceDefinition(Open311View):
    def get(self, request: Request, code: str, fmt: str) -> HttpResponse:
        category = mapping.service_by_code(code)
        if category is None:
            raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": code[:30]})
        return respond(fmt, "service_definition", mapping.service_definition(category))


class Requests(Open311View):
    def get(self, request: Request, fmt: str) -> HttpResponse:
        q = request.query_params
        extensions = params.truthy(q, "extensions")
        cases = mapping.feed_cases()
        ids = params.comma_list(q, "service_request_id")
        if ids:  # the spec: service_request_id overrides every other argument
            found = {c.number: c for c in cases.filter(number__in=ids)}
            return respond(fmt, "service_requests", [mapping.request_dict(found[i], extensions=extensions) for i in ids if i in found])
        start, end = params.date_range(q, now=timezone.now())
        cases = cases.filter(created_at__gte=start, created_at__lt=end)
        codes = params.comma_list(q, "service_code")
        if codes:
            categories = [mapping.service_by_code(code) for code in codes]
            if any(c is None for c in categories):
                raise Open311Error(404, _("Unknown service_code in “%(codes)s”.") % {"codes": ",".join(codes)[:60]})
            cases = cases.filter(category__in=categories)
        statuses = params.comma_list(q, "status")
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, _("status must be open, closed or both (comma-separated)."))
        if len(set(statuses)) == 1:
            cases = cases.open() if statuses[0] == "open" else cases.exclude(status__in=sorted(OPEN_STATUSES))
        for name, lookup in (("updated_after", "updated_at__gt"), ("updated_before", "updated_at__lt")):
            raw = optional(q, name)
            if raw:
                cases = cases.filter(**{lookup: params.parse_when(raw, name)})
        size = params.positive_int(q, "page_size", params.MAX_PAGE_SIZE, maximum=params.MAX_PAGE_SIZE)
        page = params.positive_int(q, "page", 1, maximum=1_000_000)
        rows = cases.order_by("-created_at", "-pk")[(page - 1) * size: page * size]
        return respond(fmt, "service_requests", [mapping.request_dict(c, extensions=extensions) for c in rows])

    def post(self, request: Request, fmt: str) -> HttpResponse:
        key = request.auth
        if not isinstance(key, ApiKey):
            raise Open311Error(403, _("api_key is missing or not valid."))
        d = request.data
        code = optional(d, "service_code")
        if not code:
            raise Open311Error(400, _("service_code is required."))
        category = mapping.service_by_code(code)
        if category is None:
            raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": code[:30]})
        loc = params.location(d)
        attrs = params.attributes(d)
        kind = attrs.one("kind") or Kind.COMPLAINT
        if kind not in Kind.values or kind == Kind.ENTERPRISE:
            raise Open311Error(400, _("attribute[kind]: “%(value)s” is not one of the listed values.") % {"value": kind[:30]})
        division_code = _division_code(loc, attrs.one("division"), key)
        description = optional(d, "description")
        if len(description) > DESCRIPTION_MAX:
            raise Open311Error(400, _("description may have at most %(max)d characters.") % {"max": DESCRIPTION_MAX})
        media_url = optional(d, "media_url")[:500]
        content = description or category.name
        if media_url:  # we keep no media; the link goes with the text so the unit can open it
            label = _("Media")
            content = f"{content}\n\n{label}: {media_url}"
        name = " ".join(p for p in (optional(d, "first_name"), optional(d, "last_name")) if p)
        title = f"{category.name}：{description[:60]}" if description else category.name
        case, created = case_create(
            actor=key.user, channel=Channel.OPEN311, kind=kind, title=title[:200], content=content,
            division_code=division_code, category=category, requester_name=name[:50], requester_phone=optional(d, "phone"),
            address=loc.address, lat=loc.lat, lng=loc.long, idempotency_key=_idempotency_key(request, key, attrs),
        )
        token = open311_token_for(case=case, api_key=key)
        notice = _("Received as case %(number)s. Dispatch is due by %(due)s.") % {
            "number": case.number, "due": timezone.localtime(case.dispatch_due).strftime("%Y-%m-%d %H:%M") if case.dispatch_due else "-"}
        body = [{"service_request_id": case.number, "token": token, "service_notice": notice, "account_id": None}]
        return respond(fmt, "service_requests", body, status=201 if created else 200)


def _division_code(loc: params.Location, attribute: str, key: ApiKey) -> str:
    """address_id (a division code) first, then attribute[division], then the key's own division, then the city."""
    for code, field in ((loc.address_id, "address_id"), (attribute, "attribute[division]")):
        if code:
            if not Division.objects.filter(code=code).exists():
                raise Open311Error(400, _("%(field)s: there is no division with the code “%(code)s”.") % {"field": field, "code": code[:20]})
            return code
    if key.user.division_id is not None:
        return key.user.division.code  # type: ignore[union-attr]
    fallback = mapping.open311_settings().get("OPEN311_DEFAULT_DIVISION") or ""
    if fallback:
        return fallback
    city = Division.objects.filter(level=Division.Level.CITY).order_by("path").first()
    if city is None:
        raise Open311Error(400, _("Give the place as address_id (a division code)."))
    return city.code


def _idempotency_key(request: Request, key: ApiKey, attrs: params.Attributes) -> str | None:
    """A client's own id (Idempotency-Key header, or FixMyStreet's attribute[fixmystreet_id]) makes a retry safe."""
    own = request.headers.get("Idempotency-Key", "").strip() or attrs.one("fixmystreet_id")
    if not own:
        return None
    return "open311:" + hashlib.sha256(f"{key.pk}:{own}".encode()).hexdigest()[:40]


class RequestDetail(Open311View):
    def get(self, request: Request, number: str, fmt: str) -> HttpResponse:
        case = mapping.feed_cases().filter(number=number).first()
        if case is None:
            raise Open311Error(404, _("Unknown service_request_id “%(id)s”.") % {"id": number[:30]})
        return respond(fmt, "service_requests", [mapping.request_dict(case, extensions=params.truthy(request.query_params, "extensions"))])


class TokenDetail(Open311View):
    def get(self, request: Request, token: str, fmt: str) -> HttpResponse:
        row = Open311Token.objects.select_related("case").filter(token=token).first()
        if row is None:
            raise Open311Error(404, _("Unknown token “%(token)s”.") % {"token": token[:40]})
        return respond(fmt, "service_requests", [{"service_request_id": row.case.number, "token": row.token}])


class ServiceRequestUpdates(Open311View):
    """FixMyStreet's `servicerequestupdates`: status changes in a window; extended statuses with extensions=true."""

    def get(self, request: Request, fmt: str) -> HttpResponse:
        q = request.query_params
        start, end = params.date_range(q, now=timezone.now(), default=timedelta(days=1))
        extensions = params.truthy(q, "extensions")
        events = mapping.updates_between(start, end)[: params.MAX_PAGE_SIZE]
        return respond(fmt, "service_request_updates", [mapping.Update(e).as_dict(extensions=extensions) for e in events])


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(request, 404, [(404, _("No such Open311 resource; see discovery.xml."))])
