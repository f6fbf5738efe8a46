"""The city's calendar (core/services.py): entering and importing days, the warnings for unknown years,
and deadlines that follow the imported days at once.

The first year the installed chinesecalendar does not know is computed, so these tests keep working when
a newer release (that knows 2027) is installed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from tests.org.files import csv_file, errors_by_row, xlsx

from jingzhi.cases import sla
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog, CalendarDay
from jingzhi.core.services import (
    calendar_day_clear,
    calendar_day_set,
    calendar_import,
    calendar_warnings,
    year_is_covered,
)
from jingzhi.core.workcalendar import supported_years

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids; the Chinese test switches language itself."""
    with translation.override("en"):
        yield

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNKNOWN = max(supported_years()) + 1  # 2027 with chinesecalendar 1.11
KNOWN = max(supported_years())
HEADER = ["日期", "类型", "说明"]


def _weekdays(year: int, month: int, count: int) -> list[date]:
    d, out = date(year, month, 1), []
    while len(out) < count:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def _first_saturday(year: int, month: int) -> date:
    d = date(year, month, 8)  # the second week: away from New Year
    while d.weekday() != 5:
        d += timedelta(days=1)
    return d


def _official_list(year: int) -> list[list[object]]:
    """A State Council-like list: a week off in February (a Saturday worked before it), and May Day."""
    rows: list[list[object]] = [HEADER]
    rows += [[d, "休息日", "春节"] for d in _weekdays(year, 2, 5)]
    rows += [[d.isoformat(), "holiday", "劳动节"] for d in _weekdays(year, 5, 3)]
    rows.append([_first_saturday(year, 1).isoformat(), "调休", "春节调休上班"])
    return rows


# ------------------------------------------------------------------------------------------------ warnings


def test_a_known_year_gives_no_warning():
    assert calendar_warnings(today=date(KNOWN, 3, 1)) == []


def test_next_year_is_warned_about_from_october_only():
    assert calendar_warnings(today=date(KNOWN, 9, 30)) == []
    warnings = calendar_warnings(today=date(KNOWN, 10, 1))
    assert len(warnings) == 1
    assert str(UNKNOWN) in warnings[0] and "State Council" in warnings[0]


def test_the_current_year_is_warned_about_all_year_and_next_year_too_in_q4():
    assert len(calendar_warnings(today=date(UNKNOWN, 1, 5))) == 1
    warnings = calendar_warnings(today=date(UNKNOWN, 12, 1))
    assert [str(UNKNOWN) in w for w in warnings] == [True, False]
    assert str(UNKNOWN + 1) in warnings[1]


def test_warnings_disappear_after_importing_the_years_holidays(city):
    assert calendar_warnings(today=date(KNOWN, 11, 25))
    result = calendar_import(rows_file=xlsx(_official_list(UNKNOWN)), actor=city.admin)

    assert result.ok, result.errors
    assert (result.created, result.updated) == (9, 0)
    assert calendar_warnings(today=date(KNOWN, 11, 25)) == []
    assert year_is_covered(UNKNOWN)


def test_one_local_holiday_does_not_silence_the_warning(city):
    calendar_day_set(date=_weekdays(UNKNOWN, 3, 1)[0], is_workday=False, note="城市纪念日", actor=city.admin)
    assert not year_is_covered(UNKNOWN)
    assert calendar_warnings(today=date(KNOWN, 11, 25))


def test_warnings_are_english_msgids_shown_in_the_users_language():
    (warning,) = calendar_warnings(today=date(UNKNOWN, 6, 1))
    assert warning.startswith(f"The statutory holidays for {UNKNOWN} have not been entered")
    with translation.override("zh-hans"):
        (chinese,) = calendar_warnings(today=date(UNKNOWN, 6, 1))
    assert f"{UNKNOWN}年法定节假日" in chinese


# ------------------------------------------------------------------------------------------------ deadlines


def test_an_imported_saturday_working_day_changes_a_deadline_at_once(city):
    saturday = _first_saturday(UNKNOWN, 1)
    friday = saturday - timedelta(days=1)
    start = datetime.combine(friday, time(10, 0), tzinfo=SHANGHAI)

    before = sla.due("reply", kind="inquiry", priority="normal", start=start)  # 3 working days
    assert before.date() == friday + timedelta(days=5)  # Mon, Tue, Wed

    result = calendar_import(rows_file=csv_file([HEADER, [saturday.isoformat(), "工作日", "调休上班"]], encoding="gbk"),
                             actor=city.admin)
    assert result.ok, result.errors

    after = sla.due("reply", kind="inquiry", priority="normal", start=start)
    assert after.date() == friday + timedelta(days=4)  # Sat, Mon, Tue
    assert after < before


def test_an_imported_holiday_pushes_a_deadline_out(city):
    monday = _first_saturday(UNKNOWN, 3) + timedelta(days=2)
    start = datetime.combine(monday, time(9, 0), tzinfo=SHANGHAI)
    before = sla.due("reply", kind="help", priority="normal", start=start)
    calendar_day_set(date=monday + timedelta(days=1), is_workday=False, note="地方假日", actor=city.admin)
    assert sla.due("reply", kind="help", priority="normal", start=start) == before + timedelta(days=1)


# --------------------------------------------------------------------------------------------- day by day


def test_calendar_day_set_creates_updates_and_audits(city):
    day = date(UNKNOWN, 10, 9)
    calendar_day_set(date=day, is_workday=True, note="国庆调休", actor=city.admin)
    calendar_day_set(date=day, is_workday=False, note="改为休息", actor=city.admin)

    row = CalendarDay.objects.get(date=day)
    assert (row.is_workday, row.note) == (False, "改为休息")
    assert AuditLog.objects.filter(action="calendar_day_set", object_id=day.isoformat()).count() == 2


def test_calendar_day_clear(city):
    day = date(UNKNOWN, 10, 9)
    calendar_day_set(date=day, is_workday=True, note="", actor=city.admin)
    assert calendar_day_clear(date=day, actor=city.admin)
    assert not CalendarDay.objects.filter(date=day).exists()
    assert not calendar_day_clear(date=day, actor=city.admin)


def test_a_long_note_is_refused():
    with pytest.raises(ValidationFailed) as e:
        calendar_day_set(date=date(UNKNOWN, 1, 1), is_workday=False, note="长" * 101, actor=None)
    assert "note" in e.value.fields


def test_only_administrators_change_the_calendar(city):
    with pytest.raises(PermissionDenied):
        calendar_day_set(date=date(UNKNOWN, 1, 1), is_workday=False, note="", actor=city.supervisor)
    with pytest.raises(PermissionDenied):
        calendar_import(rows_file=xlsx(_official_list(UNKNOWN)), actor=city.dispatcher)


# ------------------------------------------------------------------------------------------------- import


def test_a_broken_calendar_file_saves_nothing(city):
    result = calendar_import(rows_file=xlsx([
        HEADER,
        [date(UNKNOWN, 1, 1), "休息日", "元旦"],  # row 2: fine
        ["13/45/2027", "休息日", ""],  # row 3: not a date
        [date(UNKNOWN, 2, 1), "半天", ""],  # row 4: unknown type
        [f"{UNKNOWN}-01-01", "休息日", "元旦"],  # row 5: the same date as row 2
        [date(UNKNOWN, 2, 2), "休", "长" * 101],  # row 6: note too long
    ]), actor=city.admin)

    assert result.bad_rows == [3, 4, 5, 6]
    by_row = errors_by_row(result)
    assert [c for c, _m in by_row[3]] == ["日期"]
    assert [c for c, _m in by_row[4]] == ["类型"] and "半天" in by_row[4][0][1]
    assert [c for c, _m in by_row[5]] == ["日期"] and "row 2" in by_row[5][0][1]
    assert [c for c, _m in by_row[6]] == ["说明"]
    assert not CalendarDay.objects.exists()


def test_calendar_dates_in_the_ways_people_write_them(city):
    result = calendar_import(rows_file=csv_file([
        ["date", "type", "note"],
        [f"{UNKNOWN}/1/1", "rest", "New Year"],
        [f"{UNKNOWN}年2月6日", "holiday", ""],
        [f"{UNKNOWN}.2.7", "休息", ""],
        [f"{UNKNOWN}0208", "workday", ""],
    ]), actor=city.admin)
    assert result.ok, result.errors
    assert dict(CalendarDay.objects.values_list("date", "is_workday")) == {
        date(UNKNOWN, 1, 1): False, date(UNKNOWN, 2, 6): False, date(UNKNOWN, 2, 7): False, date(UNKNOWN, 2, 8): True,
    }


def test_reimporting_the_calendar_counts_unchanged_days(city):
    rows = _official_list(UNKNOWN)
    calendar_import(rows_file=xlsx(rows), actor=city.admin)
    again = calendar_import(rows_file=xlsx(rows), actor=city.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
