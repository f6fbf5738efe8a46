"""Indicator arithmetic, plans and red/amber/green status: pure functions over plain values (no queries).

A value is a Decimal or None. None means "cannot be computed" — a ratio whose denominator is zero — and is
shown as "—", never as an error or a zero. Ratios are percentages.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    GREY = "grey"  # no data yet: nothing to compare

    @property
    def rank(self) -> int:
        return {"grey": 0, "green": 1, "amber": 2, "red": 3}[self.value]

    @property
    def label(self) -> str:
        return {"green": _("On track"), "amber": _("Slipping"), "red": _("Behind"), "grey": _("No data")}[self.value]


@dataclass(frozen=True)
class Spec:
    """What an indicator computes, as plain values (so the arithmetic needs no database)."""

    name: str
    computation: str  # count | sum | ratio
    numerator: str | None  # metric key
    denominator: str | None
    unit_of_measure: str = ""
    direction: str = "up"


def _num(value: object) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)


def compute(spec: Spec, items: Iterable[tuple[Mapping[str, object], bool]]) -> Decimal | None:
    """Roll the indicator up from sub-items, each given as (metrics, is_done)."""
    rows = list(items)
    if spec.computation == "count":
        if spec.numerator:
            return Decimal(sum(1 for metrics, _done in rows if _num(metrics.get(spec.numerator)) > 0))
        return Decimal(sum(1 for _metrics, done in rows if done))
    if spec.computation == "sum":
        return sum((_num(m.get(spec.numerator or "")) for m, _d in rows), Decimal(0))
    numerator = sum((_num(m.get(spec.numerator or "")) for m, _d in rows), Decimal(0))
    denominator = sum((_num(m.get(spec.denominator or "")) for m, _d in rows), Decimal(0))
    if denominator == 0:
        return None
    return numerator / denominator * HUNDRED


def month_start(d: date) -> date:
    return d.replace(day=1)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def plan_on(
    on: date, *, monthly: Mapping[date, Decimal], baseline: Decimal, target: Decimal, start: date, deadline: date
) -> Decimal:
    """The planned value on a date.

    With monthly targets (each: the value to reach by the end of that month), the plan moves linearly through
    the month from the previous month's target (the baseline before the first) to this month's; after the last
    month it stays there. Without monthly targets it runs linearly from the baseline at the start to the
    target at the deadline.
    """
    if monthly:
        months = sorted(monthly)
        previous = baseline
        for m in months:
            end = _month_end(m)
            if on <= end:
                if on < m:
                    return previous
                fraction = Decimal(on.day) / Decimal(end.day)
                return previous + (monthly[m] - previous) * fraction
            previous = monthly[m]
        return previous
    if on <= start:
        return baseline
    if on >= deadline:
        return target
    fraction = Decimal((on - start).days) / Decimal(max(1, (deadline - start).days))
    return baseline + (target - baseline) * fraction


def fmt(value: Decimal | None, unit: str = "") -> str:
    """82% · 1,200户 · — for a value that cannot be computed."""
    if value is None:
        return "—"
    text = f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP):,.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text}{unit}"


@dataclass(frozen=True)
class Verdict:
    rag: Rag
    reason: str


def judge(spec: Spec, *, actual: Decimal | None, plan: Decimal, margin_percent: Decimal) -> Verdict:
    """Compare actual with plan: green at or ahead of plan, amber within the margin, red beyond it.

    The margin is a share of the planned value (10 % of a planned 90 % is 9 percentage points).
    """
    unit = "%" if spec.computation == "ratio" else spec.unit_of_measure
    if actual is None:
        return Verdict(Rag.GREY, _("%(name)s: — (nothing to divide by yet)") % {"name": spec.name})
    gap = (plan - actual) if spec.direction == "up" else (actual - plan)
    gap_unit = _(" percentage points") if spec.computation == "ratio" else unit
    values = {"name": spec.name, "actual": fmt(actual, unit), "plan": fmt(plan, unit), "gap": fmt(abs(gap), gap_unit)}
    if gap <= 0:
        if gap == 0:
            return Verdict(Rag.GREEN, _("%(name)s %(actual)s vs plan %(plan)s, on plan") % values)
        return Verdict(Rag.GREEN, _("%(name)s %(actual)s vs plan %(plan)s, ahead by %(gap)s") % values)
    rag = Rag.AMBER if gap <= abs(plan) * margin_percent / HUNDRED else Rag.RED
    return Verdict(rag, _("%(name)s %(actual)s vs plan %(plan)s, behind by %(gap)s") % values)


def worst(verdicts: Sequence[Verdict]) -> Verdict | None:
    """The verdict that decides the whole: the worst status; among equals, the first."""
    best: Verdict | None = None
    for v in verdicts:
        if best is None or v.rag.rank > best.rag.rank:
            best = v
    return best
