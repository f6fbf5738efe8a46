"""Time limits: which rule applies to a case, and when each clock runs out. Deadlines come from one pure engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings

from jingzhi.cases.defaults import DEFAULT_RULES
from jingzhi.cases.models import SlaRule
from jingzhi.core import refcache
from jingzhi.core.models import CalendarDay, SlaPolicy
from jingzhi.core.workcalendar import WorkCalendar, WorkingHours


class SlaState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    NONE = "none"


@dataclass(frozen=True)
class Limit:
    amount: Decimal
    unit: str

    def apply(self, calendar: WorkCalendar, start: datetime) -> datetime:
        amount = int(self.amount) if self.unit == "working_days" else float(self.amount)
        return calendar.add(start, amount, self.unit)  # type: ignore[arg-type]


def policy() -> SlaPolicy:
    """The city's policy row, created with defaults on first use."""
    row = SlaPolicy.objects.order_by("pk").first()
    return row if row is not None else SlaPolicy.objects.create()


def work_calendar() -> WorkCalendar:
    """The statutory calendar plus the city's own days, in the city's time zone and working hours.

    Kept per process (core/refcache.py): the services that change the calendar, the working hours or the rules
    announce it, and every process reloads."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen[0]
    return refcache.get("cases.sla.calendar", _load_calendar)


def _load_calendar() -> WorkCalendar:
    pol = policy()
    overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
    return WorkCalendar(
        overrides=overrides,
        hours=WorkingHours(start=pol.workday_start, end=pol.workday_end),
        tz=ZoneInfo(settings.TIME_ZONE),
    )


class RuleBook:
    """All time-limit rules loaded once; picks the most specific rule for a clock, kind and priority."""

    def __init__(self, rules: list[tuple[str, str, str, Decimal, str]] | None = None) -> None:
        if rules is None:
            rules = list(SlaRule.objects.values_list("clock", "kind", "priority", "amount", "time_unit"))
        self._rules = rules or DEFAULT_RULES
        self._clocks_with_rules = {r[0] for r in self._rules}

    def limit(self, clock: str, *, kind: str, priority: str) -> Limit:
        rules = self._rules if clock in self._clocks_with_rules else DEFAULT_RULES
        best: tuple[int, Limit] | None = None
        for r_clock, r_kind, r_priority, amount, unit in rules:
            if r_clock != clock or (r_kind and r_kind != kind) or (r_priority and r_priority != priority):
                continue
            # A priority (emergency, utilities) outranks a kind: an emergency inquiry is an emergency.
            score = (2 if r_priority else 0) + (1 if r_kind else 0)
            if best is None or score > best[0]:
                best = (score, Limit(Decimal(amount), unit))
        if best is None:
            return RuleBook(DEFAULT_RULES).limit(clock, kind=kind, priority=priority)
        return best[1]


def rule_book() -> RuleBook:
    frozen = _frozen.get()
    return frozen[1] if frozen is not None else refcache.get("cases.sla.rules", RuleBook)


_frozen: ContextVar[tuple[WorkCalendar, RuleBook] | None] = ContextVar("jingzhi_sla_frozen", default=None)


@contextmanager
def frozen_policy() -> Iterator[None]:
    """Read the calendar and the rules once for a bulk run (a sweep, an import, the demo) instead of per case."""
    token = _frozen.set((work_calendar(), RuleBook()))
    try:
        yield
    finally:
        _frozen.reset(token)


def due(clock: str, *, kind: str, priority: str, start: datetime, calendar: WorkCalendar | None = None,
        rules: RuleBook | None = None) -> datetime:
    """When `clock` runs out for a case of this kind and priority whose clock started at `start`."""
    limit = (rules or rule_book()).limit(clock, kind=kind, priority=priority)
    return limit.apply(calendar or work_calendar(), start)


def preview(*, kind: str, priority: str, start: datetime) -> dict[str, datetime]:
    """The deadlines a new case would get, shown to the operator while the form is filled in."""
    cal, rules = work_calendar(), rule_book()
    dispatch_due = due("dispatch", kind=kind, priority=priority, start=start, calendar=cal, rules=rules)
    reply_due = due("reply", kind=kind, priority=priority, start=start, calendar=cal, rules=rules)
    return {"dispatch": dispatch_due, "reply": reply_due}


def state_of(*, due_at: datetime | None, started_at: datetime | None, now: datetime, warn_ratio: float = 0.8) -> SlaState:
    """On time, at risk (past warn_ratio of the time allowed) or overdue, for one running clock."""
    if due_at is None:
        return SlaState.NONE
    if now >= due_at:
        return SlaState.OVERDUE
    if started_at is not None and due_at > started_at:
        elapsed = (now - started_at).total_seconds() / (due_at - started_at).total_seconds()
        if elapsed >= warn_ratio:
            return SlaState.AT_RISK
    return SlaState.ON_TIME


def resumed_due(*, case: object, paused_at: datetime | None, resumed_at: datetime) -> datetime | None:
    """The reply deadline after a pause: the time that was left when the clock stopped, counted from now.

    Hour-based limits (emergencies) run around the clock, so they shift by the wall-clock pause;
    working-time limits shift by the working time that was left.
    """
    reply_due: datetime | None = getattr(case, "reply_due", None)
    if reply_due is None or paused_at is None:
        return reply_due
    limit = rule_book().limit("reply", kind=getattr(case, "kind", ""), priority=getattr(case, "priority", ""))
    if limit.unit == "hours":
        return reply_due + (resumed_at - paused_at) if resumed_at > paused_at else reply_due
    cal = work_calendar()
    remaining = cal.working_seconds_between(paused_at, reply_due)
    if remaining <= 0:
        return reply_due
    return max(reply_due, cal.add_working_seconds(resumed_at, remaining))
