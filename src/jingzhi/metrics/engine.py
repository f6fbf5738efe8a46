"""The metrics of docs/domain.md §6 computed from summed roll-up counters, and who sees which roll-up rows.

Everything here reads roll-up tables (DailyRollup, DailyIntake, OpenSnapshot) — except the per-kind ranking's
counters, which the roll-ups do not keep — through `read_db()`, which is the replica when one is configured. Rates are None when their denominator is zero (shown as "—").
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from jingzhi.cases.models import Case, FollowUp, Status
from jingzhi.core import replicas
from jingzhi.metrics.models import (
    DailyCategoryRollup,
    DailyRollup,
    DailyUnitRollup,
    MetricPolicy,
    OpenSnapshot,
)
from jingzhi.metrics.periods import Period
from jingzhi.metrics.rollup import COUNTERS, day_window, is_deep, tally_follow_ups
from jingzhi.org.access import case_reach
from jingzhi.org.models import Division, Unit


def read_db() -> str:
    """The database alias dashboards and reports read from: a healthy replica if any, else the primary (core/replicas.py)."""
    return replicas.read_alias()


def policy() -> MetricPolicy:
    row = MetricPolicy.objects.order_by("pk").first()
    return row if row is not None else MetricPolicy.objects.create()


@dataclass(frozen=True)
class Scope:
    """The part of the city a user's figures cover: a division subtree, a set of units, everything, or nothing."""

    division: Division | None = None
    unit_ids: tuple[int, ...] | None = None
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not self.everything and self.division is None and self.unit_ids is None

    def filter(self, qs: QuerySet[Any], *, division: str = "division", unit: str = "unit") -> QuerySet[Any]:
        """Narrow a queryset to this scope: roll-ups and snapshots by their own division and unit; other tables name
        the fields that play those parts (cases: division, lead_unit; follow-ups: case__division, unit)."""
        if self.empty:
            return qs.none()
        if self.division is not None:
            qs = qs.filter(**{f"{division}__path__startswith": self.division.path})
        if self.unit_ids is not None:
            qs = qs.filter(**{f"{unit}_id__in": self.unit_ids})
        return qs

    def query(self) -> dict[str, str]:
        """Case-list filters that give the same cases (the link behind every figure)."""
        q: dict[str, str] = {}
        if self.division is not None:
            q["division"] = self.division.code
        if self.unit_ids is not None and len(self.unit_ids) == 1:
            q["unit"] = Unit.objects.only("code").get(pk=self.unit_ids[0]).code
        return q


def scope_for(user: Any, *, division_code: str = "", unit_code: str = "") -> Scope:
    """The user's scope, optionally narrowed to a division or unit inside it (outside it: empty scope).

    The base scope is the case visibility rule itself (org.access.case_reach), read as roll-up filters.
    """
    reach = case_reach(user)
    if reach.nothing:
        return Scope()
    base = Scope(division=reach.division, unit_ids=reach.unit_ids(), everything=reach.everything)
    division, unit_ids = base.division, base.unit_ids
    if division_code:
        wanted = Division.objects.filter(code=division_code).first()
        if wanted is None or (division is not None and not wanted.path.startswith(division.path)):
            return Scope()
        division = wanted
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None or (unit_ids is not None and unit.pk not in unit_ids):
            return Scope()
        unit_ids = (unit.pk,)
    return Scope(division=division, unit_ids=unit_ids, everything=base.everything)


def rollups(scope: Scope, period: Period, *, fine: bool = False, by_category: bool = False) -> QuerySet[Any]:
    """The roll-up rows of the scope and period, from the smallest table that can answer: per (county-level
    division, unit), per (county-level division, category), or the fine table when the scope is a township or a
    community, when categories are asked for a set of units, or when `fine` is asked for."""
    deep = scope.division is not None and is_deep(scope.division)
    model: Any
    if fine or deep or (by_category and scope.unit_ids is not None):
        model = DailyRollup
    elif by_category:
        model = DailyCategoryRollup
    else:
        model = DailyUnitRollup
    qs = model.objects.using(read_db()).filter(day__gte=period.start, day__lte=period.end)
    return scope.filter(qs)


SUMS = {name: Sum(name) for name in COUNTERS}


def _clean(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row.get(name) or 0) for name in COUNTERS}


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def median(values: list[int]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    n = len(values)
    if not n:
        return None
    mid = n // 2
    return float(values[mid]) if n % 2 else (values[mid - 1] + values[mid]) / 2


def p90(values: list[int]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value with at least 90 % of the values at or below it."""
    if not values:
        return None
    return float(values[max(0, math.ceil(0.9 * len(values)) - 1)])


@dataclass
class Metrics:
    """All the figures of one scope and period (or one row of a table)."""

    counts: dict[str, int]
    response: float | None = None
    resolution: float | None = None
    satisfaction: float | None = None
    composite: float | None = None
    ack_on_time: float | None = None
    reply_on_time: float | None = None
    return_rate: float | None = None
    reopen_rate: float | None = None
    extension_rate: float | None = None
    ack_median_h: float | None = None
    ack_p90_h: float | None = None
    reply_median_h: float | None = None
    reply_p90_h: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def volume(self) -> int:
        return self.counts.get("received", 0)


def compute(counts: dict[str, int], pol: MetricPolicy, *, ack: list[int] | None = None, reply: list[int] | None = None) -> Metrics:
    c = counts
    fu = c["followed_up"]
    m = Metrics(counts=c)
    m.response = ratio(c["contacted"], fu)
    m.resolution = ratio(c["resolved"] + float(pol.partly_resolved_credit) * c["partly"], fu)
    m.satisfaction = ratio(c["satisfied"] + float(pol.basically_satisfied_credit) * c["basically"], fu)
    if fu:
        m.composite = 100 * (
            float(pol.response_weight) * (m.response or 0)
            + float(pol.resolution_weight) * (m.resolution or 0)
            + float(pol.satisfaction_weight) * (m.satisfaction or 0)
        )
    m.ack_on_time = ratio(c["acknowledged_on_time"], c["acknowledged"])
    m.reply_on_time = ratio(c["replied_on_time"], c["replied"])
    # Over what the unit received (its 受理, plus the cases it sent back, which then count for the next unit):
    # a unit that received nothing shows "—", not "100 %" for one misdirected case it rightly returned.
    m.return_rate = ratio(c["returned"], c["received"] + c["returned"]) if c["received"] else None
    m.reopen_rate = ratio(c["reopened"], fu)
    m.extension_rate = ratio(c["extended"], c["replied"])
    if ack is not None:
        m.ack_median_h, m.ack_p90_h = _hours(median(ack)), _hours(p90(ack))
    if reply is not None:
        m.reply_median_h, m.reply_p90_h = _hours(median(reply)), _hours(p90(reply))
    return m


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 3600


def summary(scope: Scope, period: Period, *, with_durations: bool = True) -> Metrics:
    """Every metric of the scope over the period: one aggregate query, plus one for the durations."""
    qs = rollups(scope, period)
    counts = _clean(qs.aggregate(**SUMS))
    ack: list[int] | None = None
    reply: list[int] | None = None
    if with_durations:
        ack_lists, reply_lists = [], []
        for a, r in qs.values_list("ack_seconds", "reply_seconds").iterator(chunk_size=5000):
            if a:
                ack_lists.append(a)
            if r:
                reply_lists.append(r)
        # Each day's list is sorted already: merge rather than sort again.
        ack, reply = list(heapq.merge(*ack_lists)), list(heapq.merge(*reply_lists))
    return compute(counts, policy(), ack=ack, reply=reply)


def grouped(scope: Scope, period: Period, by: str, *, fine: bool = False) -> dict[Any, dict[str, int]]:
    """Summed counters per value of `by` (unit_id, division_id, category_id)."""
    rows = rollups(scope, period, fine=fine, by_category=by == "category_id").values(by).annotate(**SUMS).order_by()
    return {row[by]: _clean(row) for row in rows}


def grouped_durations(scope: Scope, period: Period, by: str) -> dict[Any, tuple[list[int], list[int]]]:
    out: dict[Any, tuple[list[int], list[int]]] = {}
    qs = rollups(scope, period, by_category=by == "category_id")
    for key, a, r in qs.values_list(by, "ack_seconds", "reply_seconds").iterator(chunk_size=5000):
        acc = out.setdefault(key, ([], []))
        acc[0].extend(a or [])
        acc[1].extend(r or [])
    return {k: (sorted(a), sorted(r)) for k, (a, r) in out.items()}


def child_divisions(scope: Scope) -> tuple[Division | None, list[Division]]:
    """The division the scope is rooted at (the top of the tree for citywide users) and its children."""
    root = scope.division
    if root is None:
        tops = list(Division.objects.using(read_db()).filter(parent__isnull=True).order_by("code"))
        if len(tops) == 1:
            root = tops[0]
        else:
            return None, tops
    return root, list(Division.objects.using(read_db()).filter(parent=root).order_by("code"))


def by_child_division(scope: Scope, period: Period) -> list[tuple[Division, dict[str, int]]]:
    """Counters rolled up through the tree to each child of the scope's division (or the top divisions)."""
    root, children = child_divisions(scope)
    # Counties and above are kept in the per-unit table; townships and communities only in the fine one.
    fine = any(is_deep(c) for c in children)
    per_division = grouped(scope, period, "division_id", fine=fine)
    paths = dict(Division.objects.using(read_db()).filter(pk__in=list(per_division)).values_list("pk", "path"))
    totals: list[tuple[Division, dict[str, int]]] = []
    for child in children:
        acc = dict.fromkeys(COUNTERS, 0)
        for division_id, counts in per_division.items():
            if paths.get(division_id, "").startswith(child.path):
                for name in COUNTERS:
                    acc[name] += counts[name]
        totals.append((child, acc))
    if root is not None:
        # Cases filed against the root division itself (not one of its children) keep their own row.
        own = per_division.get(root.pk)
        if own and any(own.values()):
            totals.append((root, own))
    return totals


def snapshot(scope: Scope, by: str | None = None) -> Any:
    qs = scope.filter(OpenSnapshot.objects.using(read_db()))
    sums = {"open": Sum("open"), "overdue": Sum("overdue"), "flagged": Sum("flagged")}
    if by is None:
        row = qs.aggregate(**sums)
        return {k: int(v or 0) for k, v in row.items()}
    return {r[by]: {k: int(r[k] or 0) for k in sums} for r in qs.values(by).annotate(**sums).order_by()}


def snapshot_time() -> Any:
    return OpenSnapshot.objects.using(read_db()).order_by("-taken_at").values_list("taken_at", flat=True).first()


def weights(pol: MetricPolicy) -> dict[str, Decimal]:
    return {"response": pol.response_weight, "resolution": pol.resolution_weight, "satisfaction": pol.satisfaction_weight}


def kind_unit_counts(scope: Scope, period: Period, kind: str) -> dict[int | None, dict[str, int]]:
    """The ranking's counters per unit over the cases of one kind (e.g. enterprise needs).

    The roll-ups keep no kind, so these come from the source tables: cases received (by lead unit) and follow-ups (by
    the unit assessed), counted in the database and tallied by the roll-up's own rule. Kinds are a small share of
    the cases; a year of one kind's follow-ups is a few grouped rows.
    """
    start, end = day_window(period.start)[0], day_window(period.end)[1]
    db = read_db()
    out: dict[int | None, dict[str, int]] = {}

    def row(unit_id: int | None) -> dict[str, int]:
        return out.setdefault(unit_id, dict.fromkeys(COUNTERS, 0))

    cases = scope.filter(Case.objects.using(db).filter(kind=kind, created_at__gte=start, created_at__lt=end)
                         .exclude(status=Status.MERGED), unit="lead_unit")
    for unit_id, n in cases.values_list("lead_unit_id").annotate(n=Count("id")).order_by():
        row(unit_id)["received"] += n
    follow_ups = scope.filter(FollowUp.objects.using(db).filter(case__kind=kind, created_at__gte=start, created_at__lt=end),
                              division="case__division")
    grouped_answers = follow_ups.values_list("unit_id", "contacted", "resolution", "satisfaction").annotate(n=Count("id"))
    for unit_id, contacted, resolution, satisfaction, n in grouped_answers.order_by():
        tally_follow_ups(row(unit_id), contacted, resolution, satisfaction, n)
    return out
