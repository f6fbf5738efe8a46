"""What the metric pages show: tables per unit / division / category, rankings, and the dashboards' data.

Every function reads roll-ups (engine.py), never the case table, and returns plain rows that the page, its table
view and its Excel export all render from, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Channel, Kind
from jingzhi.metrics import engine
from jingzhi.metrics.engine import Metrics, Scope
from jingzhi.metrics.models import DailyIntake
from jingzhi.metrics.periods import Period
from jingzhi.org.models import Division, Unit
from jingzhi.taxonomy.models import Category


@dataclass
class Row:
    """One line of a metrics table or ranking."""

    key: str  # "unit", "division" or "category"
    obj: Any
    metrics: Metrics
    query: dict[str, str]  # case-list filters for this row's cases
    rank: int | None = None
    ranked: bool = True
    previous: Metrics | None = None
    previous_rank: int | None = None

    @property
    def name(self) -> str:
        if self.obj is None:
            return str(_("(not dispatched)")) if self.key == "unit" else str(_("(no category)"))
        return getattr(self.obj, "short_name", "") or getattr(self.obj, "name", str(self.obj))

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous.composite is None or self.metrics.composite is None:
            return None
        return self.metrics.composite - self.previous.composite

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


def unit_rows(scope: Scope, period: Period, *, durations: bool = False) -> list[Row]:
    pol = engine.policy()
    counts = engine.grouped(scope, period, "unit_id")
    lists = engine.grouped_durations(scope, period, "unit_id") if durations else {}
    units = Unit.objects.using(engine.read_db()).in_bulk([k for k in counts if k is not None])
    base = scope.query()
    rows = []
    for unit_id, c in counts.items():
        unit = units.get(unit_id)
        ack, reply = lists.get(unit_id, (None, None))
        q = {**base, "unit": unit.code if unit else "none"}
        rows.append(Row("unit", unit, engine.compute(c, pol, ack=ack, reply=reply), q))
    return sorted(rows, key=lambda r: (r.obj is None, getattr(r.obj, "code", "")))


def division_rows(scope: Scope, period: Period) -> list[Row]:
    pol = engine.policy()
    base = {k: v for k, v in scope.query().items() if k != "division"}
    return [Row("division", d, engine.compute(c, pol), {**base, "division": d.code}) for d, c in engine.by_child_division(scope, period)]


def category_rows(scope: Scope, period: Period) -> list[Row]:
    pol = engine.policy()
    counts = engine.grouped(scope, period, "category_id")
    cats = Category.objects.using(engine.read_db()).in_bulk([k for k in counts if k is not None])
    base = scope.query()
    rows = [
        Row("category", cats.get(cid), engine.compute(c, pol), {**base, "category": str(cid)} if cid else {**base, "category": "none"})
        for cid, c in counts.items()
    ]
    return sorted(rows, key=lambda r: -r.metrics.volume)


def rank(rows: list[Row], previous: list[Row], *, min_volume: int) -> list[Row]:
    """Order by composite score; rows below the minimum follow-up volume are listed after, unranked."""
    def ordered(items: list[Row]) -> list[Row]:
        eligible = [r for r in items if r.metrics.counts["followed_up"] >= min_volume and r.metrics.composite is not None]
        eligible.sort(key=lambda r: (-(r.metrics.composite or 0), r.name))
        for i, r in enumerate(eligible, 1):
            r.rank = i
        return eligible

    prev_by_key = {(r.key, getattr(r.obj, "pk", None)): r for r in ordered(previous)}
    ranked = ordered(rows)
    rest = [r for r in rows if r.rank is None]
    for r in rest:
        r.ranked = False
    for r in rows:
        prev = prev_by_key.get((r.key, getattr(r.obj, "pk", None)))
        if prev is not None:
            r.previous, r.previous_rank = prev.metrics, prev.rank
    rest.sort(key=lambda r: (-(r.metrics.counts["followed_up"]), r.name))
    return ranked + rest


def unit_ranking(scope: Scope, period: Period) -> list[Row]:
    pol = engine.policy()
    rows = [r for r in unit_rows(scope, period) if r.obj is not None]
    prev = [r for r in unit_rows(scope, period.previous()) if r.obj is not None]
    return rank(rows, prev, min_volume=pol.min_volume)


def kind_unit_rows(scope: Scope, period: Period, kind: str) -> list[Row]:
    """One row per unit over the cases of one kind (the source tables; see engine.kind_unit_counts)."""
    pol = engine.policy()
    counts = engine.kind_unit_counts(scope, period, kind)
    units = Unit.objects.using(engine.read_db()).in_bulk([k for k in counts if k is not None])
    base = {**scope.query(), "kind": kind}
    return [Row("unit", units[u], engine.compute(c, pol), {**base, "unit": units[u].code})
            for u, c in counts.items() if u in units]


def kind_unit_ranking(scope: Scope, period: Period, kind: str) -> list[Row]:
    """The same 三率 ranking as the units', restricted to one kind of case (企业诉求: the enterprise service's)."""
    pol = engine.policy()
    return rank(kind_unit_rows(scope, period, kind), kind_unit_rows(scope, period.previous(), kind), min_volume=pol.min_volume)


def division_ranking(scope: Scope, period: Period) -> list[Row]:
    pol = engine.policy()
    return rank(division_rows(scope, period), division_rows(scope, period.previous()), min_volume=pol.min_volume)


def trend(scope: Scope, *, days: int = 30, today: date | None = None) -> dict[str, Any]:
    """Cases received per day over the last `days` days, by channel and by kind (DailyIntake)."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    dates = [start + timedelta(days=i) for i in range(days)]
    by_channel: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    if scope.unit_ids is not None:
        # Intake by channel and kind is kept per division only; a unit's trend is its received count.
        qs = engine.rollups(scope, Period("custom", start, today))
        totals = dict.fromkeys(dates, 0)
        for day, n in qs.values_list("day").annotate(n=Sum("received")).order_by():
            totals[day] += n
        return {"dates": dates, "total": [totals[d] for d in dates], "by_channel": {}, "by_kind": {}}
    qs = DailyIntake.objects.using(engine.read_db()).filter(day__gte=start, day__lte=today)
    if scope.empty:
        qs = qs.none()
    elif scope.division is not None:
        qs = qs.filter(division__path__startswith=scope.division.path)
    index = {d: i for i, d in enumerate(dates)}
    total = [0] * days
    # Summed in the database: at most days × channels and days × kinds rows come back.
    for day, channel, n in qs.values_list("day", "channel").annotate(n=Sum("received")).order_by():
        by_channel.setdefault(channel, [0] * days)[index[day]] += n
        total[index[day]] += n
    for day, kind, n in qs.values_list("day", "kind").annotate(n=Sum("received")).order_by():
        by_kind.setdefault(kind, [0] * days)[index[day]] += n
    channel_labels, kind_labels = dict(Channel.choices), dict(Kind.choices)
    return {
        "dates": dates, "total": total,
        "by_channel": {str(channel_labels.get(k, k)): v for k, v in sorted(by_channel.items())},
        "by_kind": {str(kind_labels.get(k, k)): v for k, v in sorted(by_kind.items())},
    }


def scope_title(scope: Scope) -> str:
    if scope.unit_ids is not None:
        names = Unit.objects.filter(pk__in=scope.unit_ids).order_by("code").values_list("name", flat=True)
        return "、".join(names)
    if scope.division is not None:
        return scope.division.name
    top = Division.objects.filter(parent__isnull=True).order_by("code").first()
    return top.name if top else ""
