"""The leaders' coverage figures on /policies/ (ADR 027): per county of the user's scope, enterprises reached,
money approved, money paid, and the days to payment.

- reached: distinct enterprises with a 免申即享 grant or an application (any status) in the user's scope;
- approved: approved amounts of grants (approved) and applications (approved or paid), 10,000 yuan;
- paid: the sum of payments;
- days to payment: from the policy's first publication to the day it was paid (median and mean), and from the
  benefit's start (the grant proposed / the application submitted) to payment (median).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Min
from django.utils import timezone

from jingzhi.matching.access import grants_visible_to
from jingzhi.matching.benefits_access import applications_visible_to, payments_visible_to
from jingzhi.matching.models import Grant, MatchingEvent
from jingzhi.matching.models_benefits import Application
from jingzhi.org.models import Division


@dataclass
class CountyFigures:
    county: str
    enterprises: set[int] = field(default_factory=set)
    approved: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")
    payments: int = 0
    from_policy: list[int] = field(default_factory=list)
    from_start: list[int] = field(default_factory=list)

    @property
    def reached(self) -> int:
        return len(self.enterprises)

    @property
    def median_from_policy(self) -> float | None:
        return statistics.median(self.from_policy) if self.from_policy else None

    @property
    def mean_from_policy(self) -> float | None:
        return round(statistics.fmean(self.from_policy), 1) if self.from_policy else None

    @property
    def median_from_start(self) -> float | None:
        return statistics.median(self.from_start) if self.from_start else None


def _counties() -> list[tuple[str, str]]:
    """(path, name) of every county, longest path first."""
    return sorted(Division.objects.filter(level=Division.Level.COUNTY).values_list("path", "name"),
                  key=lambda r: -len(r[0]))


def _county(path: str, counties: list[tuple[str, str]], fallback: str) -> str:
    for prefix, name in counties:
        if path.startswith(prefix):
            return name
    return fallback


def coverage(user: Any) -> list[CountyFigures]:
    """The figures, one row per county (the enterprise's division's county), within what the user may see."""
    counties = _counties()
    rows: dict[str, CountyFigures] = {}

    def row(path: str, name: str) -> CountyFigures:
        county = _county(path, counties, name)
        return rows.setdefault(county, CountyFigures(county))

    grants = grants_visible_to(user).values_list("enterprise_id", "status", "amount", "enterprise__division__path",
                                                 "enterprise__division__name")
    for eid, status, amount, path, name in grants:
        r = row(path, name)
        r.enterprises.add(eid)
        if status == Grant.Status.APPROVED and amount is not None:
            r.approved += amount
    apps = applications_visible_to(user).values_list("enterprise_id", "status", "approved_amount",
                                                     "enterprise__division__path", "enterprise__division__name")
    for eid, status, amount, path, name in apps:
        r = row(path, name)
        r.enterprises.add(eid)
        if status in (Application.Status.APPROVED, Application.Status.PAID) and amount is not None:
            r.approved += amount
    pays = list(payments_visible_to(user).values_list(
        "policy_id", "amount", "paid_on", "enterprise__division__path", "enterprise__division__name",
        "grant__created_at", "application__submitted_at"))
    published = dict(MatchingEvent.objects.filter(policy_id__in={p[0] for p in pays}, action="published", grant=None)
                     .values("policy_id").annotate(first=Min("at")).values_list("policy_id", "first"))
    for pid, amount, paid_on, path, name, granted_at, submitted_at in pays:
        r = row(path, name)
        r.paid += amount
        r.payments += 1
        if pid in published:
            r.from_policy.append(_days(timezone.localdate(published[pid]), paid_on))
        start = granted_at or submitted_at
        if start is not None:
            r.from_start.append(_days(timezone.localdate(start), paid_on))
    return [rows[k] for k in sorted(rows)]


def _days(start: date, end: date) -> int:
    return max(0, (end - start).days)
