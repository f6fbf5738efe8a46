"""Reads of supply ↔ demand, each through access.py's visibility rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from jingzhi.org.models import Division
from jingzhi.supplydemand.access import introductions_visible_to, listings_visible_to
from jingzhi.supplydemand.models import Introduction, Listing

PAGE_SIZE = 50


def listing_rows(user: Any, *, kind: str = "", q: str = "", offset: int = 0) -> list[Listing]:
    qs = listings_visible_to(user).select_related("enterprise")
    if kind in Listing.Kind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q))
    return list(qs.order_by("-created_at", "-pk")[offset:offset + PAGE_SIZE])


def listing_for(user: Any, pk: int) -> Listing | None:
    return listings_visible_to(user).select_related("enterprise", "created_by").filter(pk=pk).first()


def introductions_of(user: Any, listing: Listing) -> QuerySet[Introduction]:
    return (introductions_visible_to(user).filter(Q(need=listing) | Q(capability=listing))
            .select_related("need__enterprise", "capability__enterprise"))


def board(user: Any, *, status: str = "") -> QuerySet[Introduction]:
    qs = introductions_visible_to(user).select_related("need__enterprise", "capability__enterprise", "made_by", "via")
    if status in Introduction.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-made_at", "-pk")


@dataclass
class CountyRow:
    county: str
    introductions: int = 0
    signed: int = 0
    value: Decimal = Decimal(0)
    not_concluded: int = 0


@dataclass
class Figures:
    rows: list[CountyRow] = field(default_factory=list)
    total: CountyRow = field(default_factory=lambda: CountyRow(""))
    listings_open: int = 0


def _county_names() -> dict[str, str]:
    return dict(Division.objects.filter(level__in=[Division.Level.COUNTY, Division.Level.CITY]).values_list("code", "name"))


def county_key(path: str, names: dict[str, str]) -> str:
    """The county of a division path (/211200/211202/…), or the city for a division above the counties."""
    codes = [c for c in path.split("/") if c]
    for code in codes[1:2] or codes[:1]:
        return names.get(code, code)
    return ""


def figures(user: Any) -> Figures:
    """Introductions made, contracts signed and their value, by the county of the supplying enterprise, within the
    user's scope (the introductions they see)."""
    names = _county_names()
    out = Figures()
    by: dict[str, CountyRow] = {}
    rows = introductions_visible_to(user).values_list("status", "contract_value", "capability__enterprise__division__path")
    for status, value, path in rows:
        county = county_key(path or "", names)
        row = by.setdefault(county, CountyRow(county))
        for r in (row, out.total):
            r.introductions += 1
            if status == Introduction.Status.SIGNED:
                r.signed += 1
                r.value += value or Decimal(0)
            elif status == Introduction.Status.NOT_CONCLUDED:
                r.not_concluded += 1
    out.rows = sorted(by.values(), key=lambda r: (-r.introductions, r.county))
    out.listings_open = listings_visible_to(user).filter(status=Listing.Status.OPEN).count()
    return out
