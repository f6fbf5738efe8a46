"""The working-time engine: real 2024/2025 Chinese holidays and 调休, the fallback for unknown years,
city overrides, and properties checked with hypothesis over 2019–2028."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from chinese_calendar import constants as cc_constants
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jingzhi.core.workcalendar import WorkCalendar, WorkingHours, supported_years

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


# ---- supported years and days -------------------------------------------------------------------


def test_supported_years_come_from_the_package_data() -> None:
    years = supported_years()
    assert isinstance(years, range)
    data_years = {d.year for d in cc_constants.holidays}
    assert years.start == min(data_years)
    assert years.stop == max(data_years) + 1
    assert 2024 in years and 2025 in years
    assert 2028 not in years


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 9, 27), True),  # Friday
        (date(2024, 9, 28), False),  # Saturday, rest
        (date(2024, 9, 29), True),  # Sunday, 调休 make-up working day
        (date(2024, 9, 30), True),  # Monday
        *[(date(2024, 10, d), False) for d in range(1, 8)],  # 国庆 holiday, Tue 1 – Mon 7
        (date(2024, 10, 8), True),
        (date(2024, 10, 12), True),  # Saturday, 调休 make-up working day
        (date(2024, 10, 13), False),  # Sunday
        (date(2024, 2, 4), True),  # Sunday before 春节, make-up working day
        (date(2025, 1, 26), True),  # Sunday, make-up working day
        (date(2025, 1, 28), False),  # 春节 eve 2025
        (date(2025, 10, 8), False),  # last day of 国庆/中秋 2025
        (date(2025, 10, 11), True),  # Saturday, make-up working day
    ],
)
def test_statutory_days(day: date, working: bool) -> None:
    assert CAL.is_workday(day) is working


def test_unknown_year_falls_back_to_weekdays() -> None:
    assert not CAL.knows_year(2028)
    assert CAL.knows_year(2025)
    assert CAL.is_workday(date(2028, 1, 3))  # Monday
    assert CAL.is_workday(date(2028, 1, 7))  # Friday
    assert not CAL.is_workday(date(2028, 1, 1))  # Saturday (New Year's Day: no data, so just a Saturday)
    assert not CAL.is_workday(date(2028, 1, 2))  # Sunday
    assert CAL.is_workday(date(2028, 10, 2))  # a Monday in "国庆" — unknown, so a working day


def test_next_workday_skips_holidays_and_uses_make_up_days() -> None:
    assert CAL.next_workday(date(2024, 9, 27)) == date(2024, 9, 29)  # Fri → Sun (调休)
    assert CAL.next_workday(date(2024, 9, 30)) == date(2024, 10, 8)  # over 国庆
    assert CAL.next_workday(date(2024, 10, 11)) == date(2024, 10, 12)  # Fri → Sat (调休)
    assert CAL.next_workday(date(2024, 10, 12)) == date(2024, 10, 14)


# ---- the city's overrides ------------------------------------------------------------------------


def test_overrides_in_an_unknown_year() -> None:
    saturday, monday = date(2028, 1, 8), date(2028, 1, 10)
    cal = WorkCalendar(overrides={saturday: True, monday: False})
    assert cal.knows_year(2028)
    assert not cal.knows_year(2027)
    assert cal.is_workday(saturday)
    assert not cal.is_workday(monday)
    # Friday evening: the next working day is the overridden Saturday.
    assert cal.add(sh(2028, 1, 7, 19, 0), 1, "working_days") == sh(2028, 1, 8, 17, 30)
    # Two working days: Saturday, then Tuesday (Monday is a rest day now).
    assert cal.add(sh(2028, 1, 7, 19, 0), 2, "working_days") == sh(2028, 1, 11, 17, 30)
    # Working hours flow through the Saturday and skip the Sunday and the Monday.
    assert cal.add(sh(2028, 1, 8, 17, 0), 1, "working_hours") == sh(2028, 1, 11, 9, 0)
    # Fri 0.5 h + Sat 9 h + Tue 0.5 h
    assert cal.working_seconds_between(sh(2028, 1, 7, 17, 0), sh(2028, 1, 11, 9, 0)) == 10 * 3600


def test_overrides_beat_the_statutory_calendar() -> None:
    cal = WorkCalendar(overrides={date(2024, 10, 12): False, date(2024, 10, 3): True})
    assert not cal.is_workday(date(2024, 10, 12))
    assert cal.is_workday(date(2024, 10, 3))
    assert cal.add(sh(2024, 10, 1, 10, 0), 1, "working_days") == sh(2024, 10, 3, 17, 30)
    assert cal.add(sh(2024, 10, 11, 10, 0), 1, "working_days") == sh(2024, 10, 14, 17, 30)


# ---- working days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (sh(2024, 9, 30, 10, 0), 1, sh(2024, 10, 8, 17, 30)),  # over 国庆
        (sh(2024, 9, 30, 10, 0), 0, sh(2024, 9, 30, 17, 30)),
        (sh(2024, 9, 27, 18, 45), 1, sh(2024, 9, 29, 17, 30)),  # Friday evening → Sunday 调休
        (sh(2024, 9, 27, 18, 45), 2, sh(2024, 9, 30, 17, 30)),
        (sh(2024, 10, 11, 19, 0), 1, sh(2024, 10, 12, 17, 30)),  # Friday evening → Saturday 调休
        (sh(2024, 10, 3, 10, 0), 0, sh(2024, 10, 8, 17, 30)),  # start on a holiday
        (sh(2024, 10, 3, 10, 0), 1, sh(2024, 10, 8, 17, 30)),  # first working day after Oct 3
        (sh(2024, 10, 3, 10, 0), 3, sh(2024, 10, 10, 17, 30)),
        (sh(2024, 10, 3, 10, 0), 5, sh(2024, 10, 12, 17, 30)),
        (sh(2025, 3, 7, 18, 0), 1, sh(2025, 3, 10, 17, 30)),  # ordinary Friday evening → Monday
        (sh(2025, 3, 10, 7, 0), 1, sh(2025, 3, 11, 17, 30)),  # before hours still counts from the next day
        (sh(2025, 3, 10, 18, 0), 0, sh(2025, 3, 10, 17, 30)),  # N=0 after hours: end of that same day
        (sh(2025, 9, 30, 9, 0), 1, sh(2025, 10, 9, 17, 30)),  # 国庆+中秋 2025 (Oct 1–8)
        (sh(2024, 12, 31, 12, 0), 7, sh(2025, 1, 10, 17, 30)),  # across the new year (Jan 1 off)
    ],
)
def test_working_days(start: datetime, n: int, expected: datetime) -> None:
    got = CAL.add(start, n, "working_days")
    assert got == expected
    assert got.tzinfo == SH
    assert got.utcoffset() == timedelta(hours=8)


def test_working_days_accepts_whole_floats_and_decimals_only() -> None:
    start = sh(2025, 3, 7, 18, 0)
    assert CAL.add(start, 2.0, "working_days") == sh(2025, 3, 11, 17, 30)
    assert CAL.add(start, Decimal("2"), "working_days") == sh(2025, 3, 11, 17, 30)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number"):
        CAL.add(start, 1.5, "working_days")
    with pytest.raises(ValueError, match="non-negative"):
        CAL.add(start, -1, "working_days")


def test_input_in_another_zone_uses_the_local_date() -> None:
    # 2024-09-30 17:00 UTC is 2024-10-01 01:00 in Beijing: a holiday, so N=0 goes to Oct 8.
    start = datetime(2024, 9, 30, 17, 0, tzinfo=UTC)
    got = CAL.add(start, 0, "working_days")
    assert got == sh(2024, 10, 8, 17, 30)
    assert got.tzinfo == SH


def test_custom_working_hours() -> None:
    cal = WorkCalendar(hours=WorkingHours(start=time(9, 0), end=time(18, 0)))
    assert cal.add(sh(2025, 3, 7, 10, 0), 1, "working_days") == sh(2025, 3, 10, 18, 0)
    assert cal.add(sh(2025, 3, 7, 17, 0), 2, "working_hours") == sh(2025, 3, 10, 10, 0)
    with pytest.raises(ValueError):
        WorkingHours(start=time(18, 0), end=time(9, 0))


# ---- hours and working hours ---------------------------------------------------------------------


def test_hours_are_wall_clock() -> None:
    assert CAL.add(sh(2024, 10, 1, 23, 30), 2, "hours") == sh(2024, 10, 2, 1, 30)  # a holiday night
    assert CAL.add(sh(2024, 10, 1, 23, 30), 0.5, "hours") == sh(2024, 10, 2, 0, 0)
    got = CAL.add(datetime(2025, 1, 1, 0, 0, tzinfo=UTC), 1, "hours")
    assert got == sh(2025, 1, 1, 9, 0)
    assert got.tzinfo == SH


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (sh(2025, 3, 4, 16, 30), 2, sh(2025, 3, 5, 9, 30)),  # across a night
        (sh(2025, 3, 7, 17, 0), 2, sh(2025, 3, 10, 10, 0)),  # Friday evening, across a weekend
        (sh(2025, 3, 7, 20, 0), 2, sh(2025, 3, 10, 10, 30)),  # start after hours
        (sh(2025, 3, 8, 11, 0), 1, sh(2025, 3, 10, 9, 30)),  # start on a Saturday
        (sh(2025, 3, 10, 6, 0), 0.5, sh(2025, 3, 10, 9, 0)),  # start before hours
        (sh(2025, 3, 10, 8, 30), 9, sh(2025, 3, 10, 17, 30)),  # exactly one day: due at the end of it
        (sh(2025, 3, 10, 8, 30), 9.25, sh(2025, 3, 11, 8, 45)),
        (sh(2024, 9, 30, 16, 0), 2, sh(2024, 10, 8, 9, 0)),  # across 国庆
        (sh(2024, 10, 11, 17, 0), 1, sh(2024, 10, 12, 9, 0)),  # into the 调休 Saturday
        (sh(2024, 9, 27, 17, 0), 3, sh(2024, 9, 29, 11, 0)),  # into the 调休 Sunday
        (sh(2025, 3, 10, 10, 0), 0, sh(2025, 3, 10, 10, 0)),
    ],
)
def test_working_hours(start: datetime, hours: float, expected: datetime) -> None:
    assert CAL.add(start, hours, "working_hours") == expected
    assert CAL.add_working_seconds(start, hours * 3600) == expected


def test_zero_working_time_is_the_start_itself() -> None:
    start = sh(2025, 3, 7, 20, 0)
    assert CAL.add_working_seconds(start, 0) == start


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (sh(2025, 3, 4, 16, 30), sh(2025, 3, 5, 9, 30), 2),
        (sh(2025, 3, 7, 12, 0), sh(2025, 3, 10, 12, 0), 9),  # a weekend adds nothing
        (sh(2025, 3, 8, 0, 0), sh(2025, 3, 9, 23, 59), 0),
        (sh(2024, 9, 30, 8, 30), sh(2024, 10, 8, 17, 30), 18),  # 国庆: two working days
        (sh(2024, 9, 27, 17, 30), sh(2024, 9, 30, 8, 30), 9),  # only the 调休 Sunday
        (sh(2025, 3, 10, 12, 0), sh(2025, 3, 10, 11, 0), 0),  # b before a
        (sh(2025, 3, 10, 12, 0), sh(2025, 3, 10, 12, 0), 0),
    ],
)
def test_working_seconds_between(a: datetime, b: datetime, hours: float) -> None:
    assert CAL.working_seconds_between(a, b) == hours * 3600


# ---- bad input --------------------------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 3, 10, 9, 0)  # noqa: DTZ001
    aware = sh(2025, 3, 10, 9, 0)
    for unit in ("hours", "working_hours", "working_days"):
        with pytest.raises(ValueError, match="naive"):
            CAL.add(naive, 1, unit)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="naive"):
        CAL.add_working_seconds(naive, 60)
    with pytest.raises(ValueError, match="naive"):
        CAL.working_seconds_between(naive, aware)
    with pytest.raises(ValueError, match="naive"):
        CAL.working_seconds_between(aware, naive)


def test_bad_amounts_and_units_are_rejected() -> None:
    start = sh(2025, 3, 10, 9, 0)
    with pytest.raises(ValueError, match="unknown unit"):
        CAL.add(start, 1, "days")  # type: ignore[arg-type]
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            CAL.add(start, bad, "working_hours")
    with pytest.raises(ValueError):
        CAL.add_working_seconds(start, -1)


# ---- properties ---------------------------------------------------------------------------------------

# A calendar with some overrides in years the package knows and in years it does not.
OVR_CAL = WorkCalendar(
    overrides={
        date(2024, 10, 12): False,  # drop a 调休 Saturday
        date(2025, 5, 6): False,  # an extra local holiday on a Tuesday
        date(2027, 10, 1): False,  # 国庆 2027, not yet published
        date(2027, 10, 9): True,  # a Saturday made a working day
        date(2028, 1, 8): True,
        date(2028, 1, 10): False,
    }
)
CALENDARS = st.sampled_from([CAL, OVR_CAL])
ZONES = st.sampled_from([SH, UTC])
DATES = st.dates(min_value=date(2019, 1, 1), max_value=date(2028, 12, 31))
MOMENTS = st.datetimes(
    min_value=datetime(2019, 1, 1),  # noqa: DTZ001
    max_value=datetime(2028, 12, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=ZONES,
)
UNITS = st.sampled_from(["hours", "working_hours", "working_days"])
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def amounts(unit: str) -> st.SearchStrategy[float]:
    if unit == "working_days":
        return st.integers(min_value=0, max_value=20)
    return st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)


def is_working_moment(cal: WorkCalendar, dt: datetime) -> bool:
    local = dt.astimezone(cal.tz)
    return cal.is_workday(local.date()) and cal.hours.start <= local.time() < cal.hours.end


@PROPS
@given(cal=CALENDARS, start=MOMENTS, n=st.integers(min_value=0, max_value=25))
def test_working_day_deadline_is_end_of_a_working_day(cal: WorkCalendar, start: datetime, n: int) -> None:
    due = cal.add(start, n, "working_days")
    assert due.tzinfo == cal.tz
    local_start = start.astimezone(cal.tz).date()
    assert due.time() == cal.hours.end
    assert cal.is_workday(due.date())
    if due.year in supported_years() and due.date() not in cal.overrides:
        assert chinese_calendar.is_workday(due.date())  # never on a statutory holiday or rest day
    if n == 0:
        assert due.date() >= local_start
    else:
        assert due.date() > local_start
    # exactly n working days in (start's date, due's date]
    days = [local_start + timedelta(days=i) for i in range(1, (due.date() - local_start).days + 1)]
    assert sum(cal.is_workday(d) for d in days) == max(n, 1 if not cal.is_workday(local_start) else 0)


@PROPS
@given(cal=CALENDARS, d=DATES)
def test_is_workday_rule(cal: WorkCalendar, d: date) -> None:
    if d in cal.overrides:
        expected = cal.overrides[d]
    elif d.year in supported_years():
        expected = chinese_calendar.is_workday(d)
    else:
        expected = d.weekday() < 5
    assert cal.is_workday(d) is expected
    assert cal.knows_year(d.year) is (
        d.year in supported_years() or any(o.year == d.year for o in cal.overrides)
    )


@PROPS
@given(
    overrides=st.dictionaries(DATES, st.booleans(), max_size=30),
    d=DATES,
)
def test_overrides_win_in_every_year(overrides: dict[date, bool], d: date) -> None:
    cal = WorkCalendar(overrides=overrides)
    for day, working in overrides.items():
        assert cal.is_workday(day) is working
        assert cal.knows_year(day.year)
    if d not in overrides and d.year not in supported_years():
        assert cal.is_workday(d) is (d.weekday() < 5)


@PROPS
@given(cal=CALENDARS, a=MOMENTS, b=MOMENTS, data=st.data())
def test_deadlines_are_monotone(cal: WorkCalendar, a: datetime, b: datetime, data: st.DataObject) -> None:
    if b < a:
        a, b = b, a
    unit = data.draw(UNITS)
    amount = data.draw(amounts(unit))
    assert cal.add(a, amount, unit) <= cal.add(b, amount, unit)  # type: ignore[arg-type]


@PROPS
@given(cal=CALENDARS, start=MOMENTS, data=st.data())
def test_deadlines_grow_with_the_amount(cal: WorkCalendar, start: datetime, data: st.DataObject) -> None:
    unit = data.draw(UNITS)
    x, y = sorted([data.draw(amounts(unit)), data.draw(amounts(unit))])
    assert cal.add(start, x, unit) <= cal.add(start, y, unit)  # type: ignore[arg-type]


@PROPS
@given(cal=CALENDARS, a=MOMENTS, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
def test_round_trip(cal: WorkCalendar, a: datetime, gap: timedelta) -> None:
    b = a + gap
    seconds = cal.working_seconds_between(a, b)
    assert seconds >= 0
    back = cal.add_working_seconds(a, seconds)
    assert back <= b
    assert cal.working_seconds_between(a, back) == seconds
    if is_working_moment(cal, b):
        assert back == b


@PROPS
@given(cal=CALENDARS, start=MOMENTS, hours=st.floats(min_value=0.001, max_value=300))
def test_working_hours_deadline_uses_exactly_that_much_working_time(
    cal: WorkCalendar, start: datetime, hours: float
) -> None:
    due = cal.add(start, hours, "working_hours")
    assert due.tzinfo == cal.tz
    assert due > start
    assert cal.working_seconds_between(start, due) == pytest.approx(hours * 3600, abs=1e-6)
    # It falls inside a working day's hours (the end of the window included) …
    assert cal.is_workday(due.date())
    assert cal.hours.start < due.time() <= cal.hours.end
    # … and never later than needed: a moment earlier, not enough working time has passed.
    assert cal.working_seconds_between(start, due - timedelta(seconds=1)) < hours * 3600


@PROPS
@given(
    cal=CALENDARS,
    a=MOMENTS,
    g1=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    g2=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
)
def test_working_seconds_are_additive(cal: WorkCalendar, a: datetime, g1: timedelta, g2: timedelta) -> None:
    b, c = a + g1, a + g1 + g2
    total = cal.working_seconds_between(a, c)
    assert total == pytest.approx(
        cal.working_seconds_between(a, b) + cal.working_seconds_between(b, c), abs=1e-6
    )
    assert 0 <= total <= (c - a).total_seconds()


@settings(max_examples=60, deadline=None)
@given(
    cal=CALENDARS,
    day=DATES,
    start_min=st.integers(min_value=0, max_value=24 * 60 - 1),
    length_min=st.integers(min_value=0, max_value=4 * 24 * 60),
)
def test_working_seconds_match_a_minute_by_minute_count(
    cal: WorkCalendar, day: date, start_min: int, length_min: int
) -> None:
    a = datetime.combine(day, time(), tzinfo=SH) + timedelta(minutes=start_min)
    b = a + timedelta(minutes=length_min)
    minutes = sum(is_working_moment(cal, a + timedelta(minutes=i)) for i in range(length_min))
    assert cal.working_seconds_between(a, b) == minutes * 60


@PROPS
@given(cal=CALENDARS, d=DATES)
def test_next_workday(cal: WorkCalendar, d: date) -> None:
    nxt = cal.next_workday(d)
    assume(nxt.year <= 2029)
    assert nxt > d
    assert cal.is_workday(nxt)
    assert not any(cal.is_workday(d + timedelta(days=i)) for i in range(1, (nxt - d).days))


@PROPS
@given(ref=MOMENTS, a=MOMENTS, b=MOMENTS)
def test_running_total_equals_the_day_by_day_walk(ref: datetime, a: datetime, b: datetime) -> None:
    # A fresh calendar per example: its running total starts from whichever day is asked first (`ref`), and is
    # then extended backwards and forwards; every answer must equal the walk over the days, to the microsecond.
    cal = WorkCalendar(overrides=OVR_CAL.overrides)
    cal.working_seconds_between(ref, ref + timedelta(hours=30))
    expected = 0.0
    if b > a:
        expected = cal._walk_seconds(a.astimezone(UTC), b.astimezone(UTC), a.astimezone(cal.tz).date(), b.astimezone(cal.tz).date())
    assert cal.working_seconds_between(a, b) == expected


def test_far_apart_moments_do_not_fill_decades() -> None:
    cal = WorkCalendar()
    cal.working_seconds_between(sh(2026, 3, 2, 9, 0), sh(2026, 3, 3, 9, 0))
    far = cal.working_seconds_between(sh(1990, 1, 1, 0, 0), sh(2026, 3, 3, 9, 0))
    assert len(cal._cum) < 10  # answered by the walk, not by filling 36 years of days
    assert far == cal._walk_seconds(sh(1990, 1, 1, 0, 0).astimezone(UTC), sh(2026, 3, 3, 9, 0).astimezone(UTC), date(1990, 1, 1), date(2026, 3, 3))
    assert far > 30 * 240 * 9 * 3600  # thirty-odd years of about 240 working days of nine hours
