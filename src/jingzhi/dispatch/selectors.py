"""Reads of the routing table: which unit a case of a category in a division should go to, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jingzhi.dispatch.models import DispatchSuggestion, RoutingRule
from jingzhi.org.models import Division, Unit
from jingzhi.taxonomy.models import Category


@dataclass
class Route:
    lead_unit: Unit | None
    assisting_units: list[Unit] = field(default_factory=list)
    rule: RoutingRule | None = None
    reason: str = ""


def _ancestors(division: Division) -> list[str]:
    """Division codes from the division itself up to the root (most specific first)."""
    return [code for code in reversed(division.path.strip("/").split("/")) if code]


def route_for(*, category: Category | None, division: Division) -> Route:
    """Most specific rule wins: the deepest category, then the nearest division (a rule without division is city-wide).

    Without any rule the case falls back (兜底) to the government of the nearest county or city above it.
    """
    division_codes = _ancestors(division)
    node: Category | None = category
    while node is not None:
        rules = {
            (r.division.code if r.division else None): r
            for r in RoutingRule.objects.filter(category=node).select_related("lead_unit", "division")
        }
        for code in [*division_codes, None]:
            if code in rules:
                rule = rules[code]
                where = rule.division.name if rule.division else "*"
                return Route(rule.lead_unit, list(rule.assisting_units.all()), rule, f"{node.name} @ {where}")
        node = node.parent
    fallback = (
        Unit.objects.filter(division__code__in=division_codes, is_active=True,
                            kind__in=[Unit.Kind.COUNTY_GOVERNMENT, Unit.Kind.TOWNSHIP_GOVERNMENT])
        .select_related("division")
        .order_by("-division__path")
        .first()
    )
    reason = _("fallback: the local government (兜底)") if fallback else _("no rule and no local government: no route")
    return Route(fallback, [], None, str(reason))


def latest_suggestion(case: Any) -> DispatchSuggestion | None:
    """The classifier's most recent suggestion for a case, if any."""
    return (
        DispatchSuggestion.objects.filter(case=case).select_related("model", "category", "lead_unit").order_by("-created_at", "-pk").first()
    )


def attach_suggestions(cases: list[Any]) -> None:
    """Set `dispatch_suggestion` (the latest, or None) on each case, in one query."""
    latest: dict[int, DispatchSuggestion] = {}
    rows = (
        DispatchSuggestion.objects.filter(case__in=[c.pk for c in cases])
        .select_related("category", "lead_unit")
        .order_by("case_id", "created_at", "pk")
    )
    for row in rows:
        latest[row.case_id] = row  # ordered oldest first: the last one wins
    for case in cases:
        case.dispatch_suggestion = latest.get(case.pk)
