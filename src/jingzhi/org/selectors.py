"""Reads of the organisation that every page of every app uses."""

from __future__ import annotations

from django.db.models import QuerySet

from jingzhi.core import refcache
from jingzhi.org.models import Division, Role, User


def division_choices(*, max_depth: int | None = None) -> list[tuple[str, str]]:
    """(code, label) for every division in tree order; the label is indented by depth."""
    rows = Division.objects.order_by("path").values_list("code", "name", "path")
    choices: list[tuple[str, str]] = []
    for code, name, path in rows:
        depth = max(path.count("/") - 2, 0)
        if max_depth is not None and depth > max_depth:
            continue
        # Full-width spaces keep the indentation inside a <select>, where ordinary spaces collapse.
        choices.append((code, "\u3000" * depth + name))
    return choices


def division_tree_rows() -> list[dict[str, str]]:
    """Every division below the city (county, township, community) as {code, name, level, parent}, in tree order.

    Feeds the public cascading 区划 picker; the codes are public (GB/T 2260), nothing personal is in it. Kept per
    process (core/refcache.py) so that the public door costs no query until a division service changes the tree."""
    return refcache.get("org.division_tree_rows", _division_tree_rows)


def _division_tree_rows() -> list[dict[str, str]]:
    levels = [Division.Level.COUNTY, Division.Level.TOWNSHIP, Division.Level.COMMUNITY]
    rows = Division.objects.filter(level__in=levels).order_by("path").values_list("code", "name", "level", "parent__code")
    return [{"code": c, "name": n, "level": lv, "parent": p or ""} for c, n, lv, p in rows]


def division_by_code(code: str) -> Division | None:
    """The division with this code, from this process's copy (core/refcache.py); None if there is none.

    Intake names a division on every create. Codes seen once are kept until a division service announces a change;
    an unknown code is asked of the database every time, so a division added a moment ago is found at once."""
    known: dict[str, Division] = refcache.get("org.divisions_by_code", dict)
    division = known.get(code)
    if division is None:
        division = Division.objects.filter(code=code).first()
        if division is not None:
            known[code] = division
    return division


def unit_staff_for_choice(unit_id: int | None) -> QuerySet[User]:
    """The active handlers and heads of one unit (none without a unit), by name: whom a case may be assigned to."""
    if unit_id is None:
        return User.objects.filter(role__in=[Role.HANDLER, Role.UNIT_HEAD], is_active=True, unit__isnull=False).order_by(
            "unit_id", "last_name", "first_name", "username")
    return User.objects.filter(unit_id=unit_id, role__in=[Role.HANDLER, Role.UNIT_HEAD], is_active=True).order_by(
        "last_name", "first_name", "username")
