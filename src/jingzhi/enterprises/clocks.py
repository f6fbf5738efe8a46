"""An enterprise need's own clocks (contact, progress report, close): their limits as policy rows, their deadlines
from the city's working calendar (cases.sla, core.workcalendar), and where each one stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jingzhi.cases.sla import Limit, work_calendar
from jingzhi.enterprises.models import DEFAULT_LIMITS, NeedTimeLimit

CLOCKS = ("contact", "progress", "close")
# The unit's handling note or its reply is the progress report the enterprise is told about.
PROGRESS_ACTIONS = ("note", "reply")


def limits() -> dict[str, Limit]:
    """The city's limits for the three clocks; a clock without a row keeps its default."""
    rows = {r.clock: Limit(r.amount, r.time_unit) for r in NeedTimeLimit.objects.all()}
    return {clock: rows.get(clock) or Limit(*DEFAULT_LIMITS[clock]) for clock in CLOCKS}


def deadlines(start: datetime) -> dict[str, datetime]:
    """When each clock of a need received at `start` runs out."""
    cal = work_calendar()
    return {clock: limit.apply(cal, start) for clock, limit in limits().items()}


@dataclass(frozen=True)
class ClockState:
    clock: str
    due: datetime
    met_at: datetime | None
    now: datetime

    @property
    def overdue(self) -> bool:
        """Not met and past due, or met late."""
        return (self.met_at or self.now) > self.due

    @property
    def running(self) -> bool:
        return self.met_at is None


def states(*, need: object, case: object, progress_at: datetime | None, now: datetime) -> list[ClockState]:
    """The three clocks of one need: contact ends at the unit's acknowledgement, progress at its first handling
    note or reply, close at the reply (the unit's answer to the enterprise)."""
    return [
        ClockState("contact", need.contact_due, getattr(case, "acknowledged_at", None), now),  # type: ignore[attr-defined]
        ClockState("progress", need.progress_due, progress_at, now),  # type: ignore[attr-defined]
        ClockState("close", need.close_due, getattr(case, "replied_at", None), now),  # type: ignore[attr-defined]
    ]
