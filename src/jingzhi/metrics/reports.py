"""The daily brief (专报) and the monthly assessment report, as tables (page, print and Excel share them).

The brief covers the 24 hours from 12:00 yesterday to 12:00 today. Roll-ups are per calendar day, so the brief's
window is read from the case table directly, bounded by the indexed created_at range (one day's cases) and by the
open-case snapshot for overdue counts; it never scans the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, CaseEvent, Priority, Status
from jingzhi.metrics import engine, selectors
from jingzhi.metrics.engine import Scope
from jingzhi.metrics.periods import Period, period_of
from jingzhi.metrics.tables import METRIC_HEADERS, NOW_HEADERS, Cell, Table, case_url, metric_cells, rank_cell
from jingzhi.taxonomy.models import Category

BRIEF_HOUR = 12


def latest_brief_day(now: datetime | None = None) -> date:
    """The day of the latest complete brief: today from 12:00 on, yesterday before."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local.hour >= BRIEF_HOUR else local.date() - timedelta(days=1)


def brief_window(day: date) -> tuple[datetime, datetime]:
    """12:00 the day before `day` → 12:00 on `day`, local time."""
    tz = timezone.get_default_timezone()
    end = datetime.combine(day, time(BRIEF_HOUR), tzinfo=tz)
    return end - timedelta(days=1), end


def _scoped_cases(scope: Scope) -> Any:
    qs = Case.objects.using(engine.read_db())
    if scope.empty:
        return qs.none()
    if scope.division is not None:
        qs = qs.filter(division__path__startswith=scope.division.path)
    if scope.unit_ids is not None:
        qs = qs.filter(lead_unit_id__in=scope.unit_ids)
    return qs


@dataclass
class Brief:
    day: date
    start: datetime
    end: datetime
    volume: int
    previous_volume: int
    tables: list[Table]


def daily_brief(scope: Scope, day: date) -> Brief:
    start, end = brief_window(day)
    cases = _scoped_cases(scope).exclude(status=Status.MERGED)
    now_cases = cases.filter(created_at__gte=start, created_at__lt=end)
    before = cases.filter(created_at__gte=start - timedelta(days=1), created_at__lt=start)
    volume, previous_volume = now_cases.count(), before.count()
    base = scope.query()
    window = {"date_from": timezone.localtime(start).isoformat(timespec="minutes"),
              "date_to": timezone.localtime(end).isoformat(timespec="minutes")}
    # Category growth: this window against the 24 hours before it.
    cur = dict(now_cases.values_list("category_id").annotate(n=Count("id")).order_by())
    prev = dict(before.values_list("category_id").annotate(n=Count("id")).order_by())
    names = Category.objects.using(engine.read_db()).in_bulk([k for k in {*cur, *prev} if k])
    rising = sorted(((cid, n, prev.get(cid, 0)) for cid, n in cur.items()), key=lambda t: (-(t[1] - t[2]), -t[1]))[:10]
    rising_table = Table("rising", _("Fastest-rising categories"), [_("Category"), _("Received"), _("The 24 hours before"), _("Increase")])
    for cid, n, p in rising:
        name = names[cid].name if cid in names else _("(no category)")
        rising_table.rows.append([
            Cell(name), Cell(n, case_url({**base, **window, "category": str(cid) if cid else "none"}, activity="received")),
            Cell(p), Cell(n - p),
        ])
    emergencies = Table("emergencies", _("Emergencies"), [_("Case number"), _("Received at"), _("Title"), _("Division"), _("Status")])
    for c in now_cases.filter(priority=Priority.EMERGENCY).select_related("division").order_by("created_at")[:200]:
        emergencies.rows.append([
            Cell(c.number, f"/cases/{c.number}/"), Cell(timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M")),
            Cell(c.title), Cell(c.division.name), Cell(str(c.get_status_display())),
        ])
    snap = engine.snapshot(scope, "unit_id")
    units = selectors.Unit.objects.using(engine.read_db()).in_bulk([k for k in snap if k])
    overdue = Table("overdue", _("Overdue now, by unit"), [_("Unit"), _("Open"), *NOW_HEADERS])
    for unit_id, s in sorted(snap.items(), key=lambda kv: -kv[1]["overdue"]):
        if not s["overdue"] and not s["flagged"]:
            continue
        unit = units.get(unit_id)
        q = {**base, "unit": unit.code if unit else "none"}
        overdue.rows.append([
            Cell(unit.name if unit else _("(not dispatched)")), Cell(s["open"], case_url(q, status="open")),
            Cell(s["overdue"], case_url(q, overdue="1")), Cell(s["flagged"], case_url(q, supervision_min="3")),
        ])
    summary = Table("summary", _("Summary"), [_("Window"), _("Received"), _("The 24 hours before"), _("Emergencies")])
    summary.rows.append([
        Cell(f"{timezone.localtime(start):%Y-%m-%d %H:%M} – {timezone.localtime(end):%Y-%m-%d %H:%M}"),
        Cell(volume, case_url({**base, **window}, activity="received")), Cell(previous_volume),
        Cell(now_cases.filter(priority=Priority.EMERGENCY).count(), case_url({**base, **window}, activity="emergency")),
    ])
    return Brief(day, start, end, volume, previous_volume,
                 [summary, rising_table, emergencies, overdue, _instructions_table(cases, start, end)])


def _instructions_table(cases: Any, start: datetime, end: datetime) -> Table:
    """Leaders' 批示 in the window, on the cases of the scope (issue 11): what was asked, of whom, on which case."""
    table = Table("instructions", _("Leaders' instructions (批示)"),
                  [_("Case number"), _("Time"), _("Leader"), _("Instruction"), _("Lead unit"), _("Status")])
    events = (CaseEvent.objects.using(engine.read_db())
              .filter(action="instruct", created_at__gte=start, created_at__lt=end, case__in=cases.values("pk"))
              .select_related("case", "case__lead_unit", "actor").order_by("created_at", "pk")[:200])
    for ev in events:
        table.rows.append([
            Cell(ev.case.number, f"/cases/{ev.case.number}/"), Cell(timezone.localtime(ev.created_at).strftime("%Y-%m-%d %H:%M")),
            Cell(str(ev.actor or "")), Cell(ev.note), Cell(ev.case.lead_unit.name if ev.case.lead_unit else ""),
            Cell(str(ev.case.get_status_display())),
        ])
    return table


def monthly_report(scope: Scope, month: date) -> tuple[Period, list[Table]]:
    """The monthly assessment: every unit and every child division with all the metrics and the ranking."""
    period = period_of("month", month)
    snap_units = engine.snapshot(scope, "unit_id")
    unit_table = Table("units", _("Units"), [_("Rank"), _("Unit"), *METRIC_HEADERS, *NOW_HEADERS, _("Change in score")])
    for row in selectors.unit_ranking(scope, period):
        unit_table.rows.append([
            rank_cell(row), Cell(row.name),
            *metric_cells(row.metrics, row.query, period, now=snap_units.get(getattr(row.obj, "pk", None), {})),
            Cell(row.change),
        ])
    division_table = Table("divisions", _("Divisions"), [_("Rank"), _("Division"), *METRIC_HEADERS, _("Change in score")])
    for row in selectors.division_ranking(scope, period):
        division_table.rows.append([
            rank_cell(row), Cell(row.name),
            *metric_cells(row.metrics, row.query, period), Cell(row.change),
        ])
    pol = engine.policy()
    unit_table.note = _("Units with fewer than %(n)s follow-ups in the month are not ranked.") % {"n": pol.min_volume}
    division_table.note = unit_table.note
    return period, [unit_table, division_table]
