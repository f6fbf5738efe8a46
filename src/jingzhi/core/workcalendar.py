"""Working time on the Chinese statutory calendar: the pure engine behind every deadline.

No Django here: the caller passes the city's own calendar days (``overrides``), its working hours
and its time zone, and gets plain aware datetimes back.

Rules (these are the product's rules, see docs/domain.md §4.2):

* Days. A date is a working day if the city's override says so (``True`` = working day,
  ``False`` = rest day); an override always wins, in every year. Otherwise the ``chinesecalendar``
  package decides for the years it knows (statutory holidays *and* the weekend make-up working days,
  调休, e.g. Sunday 2024-09-29 and Saturday 2024-10-12 were working days). For a year it does not
  know, Monday–Friday are working days and Saturday/Sunday rest days.
* Working time is ``[hours.start, hours.end)`` local time on working days.
* Every datetime passed in must be timezone-aware (``ValueError`` otherwise); every datetime
  returned is aware and expressed in the calendar's time zone. Local dates and times are those of
  the calendar's time zone, whatever zone the input is in.
* Amounts are non-negative and finite (``ValueError`` otherwise).
* ``"hours"``: wall-clock hours, around the clock (emergencies are 24×7):
  ``start + timedelta(hours=amount)``.
* ``"working_hours"`` (and ``add_working_seconds``, the same thing in seconds): only time inside
  working time counts; a start outside working time begins counting at the next working moment.
  The result is the earliest moment at which that much working time has elapsed since ``start``, so
  a limit that runs out exactly at the end of a working day falls due at ``hours.end`` of that day,
  not at the next morning. An amount of zero gives ``start`` itself.
* ``"working_days"``: the amount must be a whole number N ≥ 0; the deadline is ``hours.end`` on the
  N-th working day strictly after the start's local date. N = 0 means ``hours.end`` of the start's
  date if it is a working day, else of the next working day (so it can lie before ``start`` when the
  clock starts after hours). A deadline in working days therefore always falls on a working day,
  at the end of working hours.
* ``working_seconds_between(a, b)`` is the working time in ``[a, b)``; 0 when ``b <= a``.
  ``add_working_seconds(a, working_seconds_between(a, b))`` lands at or before ``b``, and exactly
  on ``b`` when ``b`` is inside working time.

Performance: nothing loops finer than a day; ``is_workday``, the daily working window and the running
total of working time are cached per date per calendar (build one calendar per sweep, not one per case), so
``working_seconds_between`` is two look-ups however far apart its ends are.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants as _cc_constants

__all__ = ["Unit", "WorkCalendar", "WorkingHours", "supported_years"]

Unit = Literal["hours", "working_hours", "working_days"]
_UNITS: frozenset[str] = frozenset(get_args(Unit))
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_ONE_MICROSECOND = timedelta(microseconds=1)
_FILL_LIMIT = timedelta(days=3 * 366)  # how far past its filled days the running table is extended


def supported_years() -> range:
    """The years the installed ``chinesecalendar`` release has statutory data for."""
    years = {d.year for d in _cc_constants.holidays} | {d.year for d in _cc_constants.workdays}
    if not years:  # pragma: no cover - a release without data
        return range(0)
    return range(min(years), max(years) + 1)


_SUPPORTED: range = supported_years()


@dataclass(frozen=True)
class WorkingHours:
    """The daily working window, local time, ``[start, end)``."""

    start: time = time(8, 30)
    end: time = time(17, 30)

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times; pass naive times")
        if not self.start < self.end:
            raise ValueError(f"working hours must start before they end: {self.start}–{self.end}")


_DEFAULT_HOURS = WorkingHours()
_SHANGHAI = ZoneInfo("Asia/Shanghai")


class WorkCalendar:
    """Working days and working hours of one city; computes deadlines and elapsed working time."""

    def __init__(
        self,
        *,
        overrides: Mapping[date, bool] | None = None,
        hours: WorkingHours = _DEFAULT_HOURS,
        tz: ZoneInfo = _SHANGHAI,
    ) -> None:
        self.overrides: dict[date, bool] = {}
        for d, working in (overrides or {}).items():
            if isinstance(d, datetime) or not isinstance(d, date):
                raise ValueError(f"override keys must be dates, got {d!r}")
            self.overrides[d] = bool(working)
        self.hours = hours
        self.tz = tz
        self._override_years = frozenset(d.year for d in self.overrides)
        self._workday_cache: dict[date, bool] = {}
        self._window_cache: dict[date, tuple[datetime, datetime]] = {}
        self._cum: dict[date, int] = {}
        self._cum_first = self._cum_last = date.min

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(tz={self.tz.key!r}, hours={self.hours.start}–{self.hours.end}, "
            f"overrides={len(self.overrides)})"
        )

    # ---- days -------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a working day: override, else statutory calendar, else Monday–Friday."""
        if isinstance(d, datetime):
            d = d.date()
        try:
            return self._workday_cache[d]
        except KeyError:
            pass
        if d in self.overrides:
            result = self.overrides[d]
        elif d.year in _SUPPORTED:
            result = bool(chinese_calendar.is_workday(d))
        else:
            result = d.weekday() < 5
        self._workday_cache[d] = result
        return result

    def knows_year(self, year: int) -> bool:
        """True if the statutory calendar covers ``year`` or the city has entered days in it."""
        return year in _SUPPORTED or year in self._override_years

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        if isinstance(d, datetime):
            d = d.date()
        d += _ONE_DAY
        while not self.is_workday(d):
            d += _ONE_DAY
        return d

    # ---- deadlines ----------------------------------------------------------------------------

    def add(self, start: datetime, amount: float, unit: Unit) -> datetime:
        """The deadline ``amount`` ``unit`` after ``start`` (see the module docstring for the rules)."""
        self._check_aware(start)
        if unit not in _UNITS:
            raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(_UNITS)}")
        if unit == "hours":
            hours = self._check_amount(amount)
            return (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(self.tz)
        if unit == "working_hours":
            return self.add_working_seconds(start, self._check_amount(amount) * 3600)
        return self._add_working_days(start, self._check_count(amount))

    def _add_working_days(self, start: datetime, n: int) -> datetime:
        d = start.astimezone(self.tz).date()
        if n == 0:
            if not self.is_workday(d):
                d = self.next_workday(d)
        else:
            for _ in range(n):
                d = self.next_workday(d)
        return self._at(d, self.hours.end)

    # ---- working time -------------------------------------------------------------------------

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working time, in seconds, in ``[a, b)``; 0 if ``b <= a``.

        Computed as W(b) - W(a), W being the working time elapsed since a fixed day (_working_micros): two
        look-ups instead of a walk over every day between them. Why: the SLA sweep asks this of every
        candidate, and a case overdue for weeks made the walk the sweep's largest Python cost (issue 12).
        Exact: whole microseconds, as the walk with timedeltas was.
        """
        self._check_aware(a)
        self._check_aware(b)
        a_utc, b_utc = a.astimezone(UTC), b.astimezone(UTC)
        if b_utc <= a_utc:
            return 0.0
        a_day, b_day = a.astimezone(self.tz).date(), b.astimezone(self.tz).date()
        if self._cum and (a_day < self._cum_first - _FILL_LIMIT or b_day > self._cum_last + _FILL_LIMIT):
            return self._walk_seconds(a_utc, b_utc, a_day, b_day)  # far from the filled days: do not fill decades
        micros = self._working_micros(b_utc, b_day) - self._working_micros(a_utc, a_day)
        return micros / 1_000_000

    def _walk_seconds(self, a_utc: datetime, b_utc: datetime, d: date, last: date) -> float:
        """The same working time by a walk over the days from ``d`` to ``last`` (the reference for tests)."""
        total = _ZERO
        while d <= last:
            if self.is_workday(d):
                lo, hi = self._window_utc(d)
                lo, hi = max(lo, a_utc), min(hi, b_utc)
                if hi > lo:
                    total += hi - lo
            d += _ONE_DAY
        return total.total_seconds()

    def _working_micros(self, t_utc: datetime, d: date) -> int:
        """Working time, in microseconds, from the start of the reference day to ``t`` (local date ``d``)."""
        micros = self._cumulative(d)
        if self.is_workday(d):
            lo, hi = self._window_utc(d)
            if t_utc > lo:
                micros += (min(t_utc, hi) - lo) // _ONE_MICROSECOND
        return micros

    def _cumulative(self, d: date) -> int:
        """Working microseconds in whole days from the reference day (the first asked) up to, not including, ``d``.

        Filled outwards from the reference day as far as asked, once per calendar (a sweep builds one)."""
        cum = self._cum
        try:
            return cum[d]
        except KeyError:
            pass
        if not cum:
            cum[d] = 0
            self._cum_first = self._cum_last = d
            return 0
        while d > self._cum_last:
            last = self._cum_last
            cum[last + _ONE_DAY] = cum[last] + self._day_micros(last)
            self._cum_last = last + _ONE_DAY
        while d < self._cum_first:
            first = self._cum_first - _ONE_DAY
            cum[first] = cum[self._cum_first] - self._day_micros(first)
            self._cum_first = first
        return cum[d]

    def _day_micros(self, d: date) -> int:
        if not self.is_workday(d):
            return 0
        lo, hi = self._window_utc(d)
        return (hi - lo) // _ONE_MICROSECOND

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The earliest moment at which ``seconds`` of working time have elapsed since ``start``."""
        self._check_aware(start)
        remaining = timedelta(seconds=self._check_amount(seconds))
        if remaining <= _ZERO:
            return start.astimezone(self.tz)
        cur = start.astimezone(UTC)
        d = start.astimezone(self.tz).date()
        while True:
            if self.is_workday(d):
                lo, hi = self._window_utc(d)
                lo = max(lo, cur)
                if hi > lo:
                    available = hi - lo
                    if remaining <= available:
                        return (lo + remaining).astimezone(self.tz)
                    remaining -= available
            d += _ONE_DAY

    # ---- helpers --------------------------------------------------------------------------------

    def _at(self, d: date, t: time) -> datetime:
        return datetime.combine(d, t, tzinfo=self.tz)

    def _window_utc(self, d: date) -> tuple[datetime, datetime]:
        """The working window of date ``d`` in UTC, so that differences are true elapsed time."""
        try:
            return self._window_cache[d]
        except KeyError:
            pass
        window = self._at(d, self.hours.start).astimezone(UTC), self._at(d, self.hours.end).astimezone(UTC)
        self._window_cache[d] = window
        return window

    @staticmethod
    def _check_aware(dt: datetime) -> None:
        if not isinstance(dt, datetime):
            raise ValueError(f"expected a datetime, got {dt!r}")
        if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
            raise ValueError(f"naive datetime {dt.isoformat()}: pass a timezone-aware datetime")

    @staticmethod
    def _check_amount(amount: float) -> float:
        if isinstance(amount, bool) or not isinstance(amount, numbers.Real | Decimal):
            raise ValueError(f"amount must be a number, got {amount!r}")
        value = float(amount)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"amount must be finite and non-negative, got {amount!r}")
        return value

    @classmethod
    def _check_count(cls, amount: float) -> int:
        value = cls._check_amount(amount)
        if not value.is_integer():
            raise ValueError(f"working_days needs a whole number of days, got {amount!r}")
        return int(value)
