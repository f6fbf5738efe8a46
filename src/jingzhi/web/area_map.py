"""The figures of the leader's map: per county of the city, cases per 10,000 residents (last 30 days),
overdue cases now, and live hotspots — each with the link to its case list.

It lives in the web layer because it puts together two feature apps that may not import each other
(metrics' roll-ups and hotspots). Counties are the finest level the boundary package draws; a county the
user's scope does not reach is drawn grey, without figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from jingzhi.hotspots.models import Hotspot
from jingzhi.metrics import engine
from jingzhi.metrics.engine import Scope
from jingzhi.metrics.periods import Period
from jingzhi.metrics.tables import case_url
from jingzhi.org import geodata
from jingzhi.org.models import Division, User

DAYS = 30
# A hotspot is live while a case joined it within this many days (the grouping window is 30 days; a week
# without a new case means the problem has gone quiet).
LIVE_DAYS = 7


@dataclass
class AreaFigures:
    code: str
    name: str
    population: int | None
    received: int | None = None
    per_10k: float | None = None
    overdue: int | None = None
    hotspots: int | None = None
    url: str = ""
    overdue_url: str = ""


def city_of(scope: Scope) -> Division | None:
    """The city-level division above (or at) the scope's division; for a citywide scope, the first city."""
    if scope.division is not None:
        codes = [c for c in scope.division.path.strip("/").split("/") if c]
        return Division.objects.filter(code__in=codes, level=Division.Level.CITY).first()
    return Division.objects.filter(level=Division.Level.CITY).order_by("code").first()


def _area_scope(user: User, scope: Scope, county: Division, unit_code: str) -> Scope | None:
    """The part of the page's scope inside `county`, or None when the two do not overlap."""
    if scope.division is None or county.path.startswith(scope.division.path):
        narrowed = engine.scope_for(user, division_code=county.code, unit_code=unit_code)
        return None if narrowed.empty else narrowed
    if scope.division.path.startswith(county.path):
        return scope
    return None


def area_figures(user: User, scope: Scope, *, unit_code: str = "") -> tuple[Division | None, list[AreaFigures]]:
    city = city_of(scope)
    if city is None:
        return None, []
    today = timezone.localdate()
    period = Period("custom", today - timedelta(days=DAYS - 1), today)
    since = timezone.now() - timedelta(days=LIVE_DAYS)
    live_paths = list(Hotspot.objects.visible_to(user).filter(last_at__gte=since).values_list("division__path", flat=True))
    rows: list[AreaFigures] = []
    for county in Division.objects.filter(parent=city, level=Division.Level.COUNTY).order_by("code"):
        row = AreaFigures(code=county.code, name=county.name, population=county.population)
        area = _area_scope(user, scope, county, unit_code)
        if area is not None:
            row.received = engine.summary(area, period, with_durations=False).volume
            row.overdue = engine.snapshot(area)["overdue"]
            inside = area.division.path if area.division is not None else county.path
            row.hotspots = sum(1 for p in live_paths if p.startswith(inside))
            if county.population:
                row.per_10k = round(row.received * 10000 / county.population, 1)
            row.url = case_url(area.query(), activity="received", period=period)
            row.overdue_url = case_url(area.query(), overdue="1")
        rows.append(row)
    return city, rows


def map_payload(user: User, scope: Scope, *, unit_code: str = "") -> dict[str, Any]:
    """What the dashboard's map script draws; `boundaries` is None when the package is not installed."""
    city, rows = area_figures(user, scope, unit_code=unit_code)
    drawn = set(geodata.boundary_names(city.name)) if city is not None else set()
    return {
        "city": city.name if city else "",
        "boundaries": reverse("web:area_map_boundaries", args=[city.code]) if drawn and city else None,
        "days": DAYS,
        "live_days": LIVE_DAYS,
        "hotspots_url": reverse("hotspots:list"),
        "areas": [{**asdict(r), "drawn": r.name in drawn} for r in rows],
    }
