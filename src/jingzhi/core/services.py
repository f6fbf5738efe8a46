"""Writes to the city's calendar, and the warnings administrators see when a year's holidays are unknown.

The chinesecalendar package knows only the years it was released for. For any other year deadlines
still compute (Monday–Friday working, plus the city's own CalendarDay rows, see core/workcalendar.py);
as soon as the State Council publishes the next year's holidays and make-up working days (调休),
administrators enter them one by one or import them from a spreadsheet, and every deadline computed
afterwards uses them (cases.sla.work_calendar() reads CalendarDay on each call).
"""

from __future__ import annotations

from datetime import date
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core import refcache
from jingzhi.core.access import is_admin
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.models import CalendarDay
from jingzhi.core.spreadsheets import (
    Column,
    ImportResult,
    InvalidRowError,
    RowOutcome,
    Sheet,
    SheetRow,
    cell_date,
    import_rows,
)
from jingzhi.core.validators import clean_text
from jingzhi.core.workcalendar import supported_years

if TYPE_CHECKING:
    from jingzhi.org.models import User

NOTE_MAX = 100
# A year counts as entered once the city has this many rest days on weekdays in it. The State Council's
# list always has more (New Year, Spring Festival, Qingming, Labour Day, Dragon Boat, Mid-Autumn, National
# Day: 11 to 13 weekdays), while a single local holiday entered early must not silence the warning.
MIN_WEEKDAY_REST_DAYS = 5

CALENDAR_COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", "date", example="2027-01-01",
           help=gettext_lazy("The date: an Excel date or text such as 2027-01-01.")),
    Column("type", "类型", "type", example="休息日", aliases=("is_workday", "kind", "休/班"),
           help=gettext_lazy("休息日 (holiday, rest) for a day off, 工作日 (workday, 调休) for a make-up working day.")),
    Column("note", "说明", "note", required=False, example="元旦", aliases=("备注", "名称", "节日"),
           help=gettext_lazy("What the day is, e.g. 春节 or 春节调休 (optional, at most 100 characters).")),
)

_REST_WORDS = {"休息日", "休息", "休", "假", "假日", "节假日", "法定节假日", "放假", "holiday", "rest", "restday", "off",
               "dayoff", "0", "false", "no", "否"}
_WORK_WORDS = {"工作日", "工作", "班", "上班", "补班", "调休", "调休上班", "workday", "work", "workingday", "makeup",
               "1", "true", "yes", "是"}


def _require_admin(actor: User | None) -> None:
    # None is the system itself (the demo loader, the CLI).
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only administrators may change the calendar."))


def _parse_type(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower().replace(" ", "").replace("-", "").replace("_", "")
    if word in _REST_WORDS:
        return False
    if word in _WORK_WORDS:
        return True
    return None


def _set(*, day: date, is_workday: bool, note: str) -> RowOutcome:
    existing = CalendarDay.objects.filter(date=day).first()
    if existing is not None and (existing.is_workday, existing.note) == (is_workday, note):
        return RowOutcome.UNCHANGED
    CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": note})
    refcache.changing()
    return RowOutcome.CREATED if existing is None else RowOutcome.UPDATED


def calendar_day_set(*, date: date, is_workday: bool, note: str, actor: User | None) -> CalendarDay:
    """Enter the city's word on one date (a holiday, or a make-up working day); it wins over the built-in calendar."""
    _require_admin(actor)
    note = clean_text(note, multiline=True)
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("Please correct the marked fields."),
                               fields={"note": _("A note may have at most %(max)d characters.") % {"max": NOTE_MAX}})
    with transaction.atomic():
        _set(day=date, is_workday=bool(is_workday), note=note)
        audit_record(actor=actor, action="calendar_day_set", object_type="calendar_day", object_id=date.isoformat(),
                     detail={"is_workday": bool(is_workday), "note": note})
    return CalendarDay.objects.get(date=date)


def calendar_day_clear(*, date: date, actor: User | None) -> bool:
    """Remove the city's entry for a date, so the built-in calendar (or the weekend rule) decides again."""
    _require_admin(actor)
    with transaction.atomic():
        deleted, _detail = CalendarDay.objects.filter(date=date).delete()
        refcache.changing()
        if deleted:
            audit_record(actor=actor, action="calendar_day_clear", object_type="calendar_day",
                         object_id=date.isoformat(), detail={})
    return bool(deleted)


def calendar_import(*, rows_file: IO[bytes] | Any, actor: User | None) -> ImportResult:
    """Import holidays and make-up working days (日期, 类型, 说明). One transaction: a bad row → nothing saved."""
    _require_admin(actor)

    def prepare(sheet: Sheet) -> dict[int, dict[str, str]]:
        seen: dict[date, int] = {}
        early: dict[int, dict[str, str]] = {}
        for row in sheet.rows:
            try:
                day = cell_date(row.raw("date"))
            except ValueError:
                continue  # reported by the row itself
            if day in seen:
                early[row.number] = {"date": _("%(date)s already appears in row %(row)d of this file.")
                                     % {"date": day.isoformat(), "row": seen[day]}}
            else:
                seen[day] = row.number
        return early

    def row_function(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        day = None
        if row.raw("date") in ("", None):
            errors["date"] = _("Enter the date.")
        else:
            try:
                day = cell_date(row.raw("date"))
            except ValueError as e:
                errors["date"] = str(e)
        is_workday = _parse_type(row.raw("type"))
        if is_workday is None:
            errors["type"] = _("Unknown type “%(value)s”: write 休息日 (holiday) or 工作日 (make-up working day, 调休).") % {
                "value": row.text("type")}
        note = row.text("note")
        if len(note) > NOTE_MAX:
            errors["note"] = _("A note may have at most %(max)d characters.") % {"max": NOTE_MAX}
        if errors:
            raise InvalidRowError(errors)
        assert day is not None and is_workday is not None
        return _set(day=day, is_workday=is_workday, note=note)

    return import_rows(rows_file, columns=CALENDAR_COLUMNS, handle_row=row_function, prepare=prepare,
                       actor=actor, audit_object="calendar_day")


def year_is_covered(year: int) -> bool:
    """True if the statutory calendar knows `year`, or the city has entered that year's holidays."""
    if year in supported_years():
        return True
    weekday_rest_days = CalendarDay.objects.filter(
        date__year=year, is_workday=False, date__week_day__in=[2, 3, 4, 5, 6]  # Monday–Friday (1 is Sunday)
    ).count()
    return weekday_rest_days >= MIN_WEEKDAY_REST_DAYS


def calendar_warnings(*, today: date) -> list[str]:
    """Warnings for the administrators' dashboard: this year, and from October next year, if its holidays are unknown."""
    years = [today.year, today.year + 1] if today.month >= 10 else [today.year]
    return [
        _("The statutory holidays for %(year)s have not been entered: deadlines are computed with weekends as the only "
          "rest days. Enter or import them as soon as the State Council publishes them.") % {"year": year}
        for year in years
        if not year_is_covered(year)
    ]
