"""Metric pages: figures, rankings, dashboards (leader, big screen, unit), the daily brief and the monthly report.

Views parse the request, pick the user's scope (engine.scope_for) and render tables built by selectors/reports;
`?format=xlsx` on any page downloads the same tables as Excel.
"""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from jingzhi.cases import selectors as case_selectors
from jingzhi.cases.models import OPEN_STATUSES, Kind
from jingzhi.core.audit import audit_record
from jingzhi.core.dates import parse_query_date, parse_query_month
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.replicas import reads_from_replica
from jingzhi.core.workbooks import export_filename
from jingzhi.metrics import engine, exports, reports, selectors
from jingzhi.metrics.engine import Scope
from jingzhi.metrics.periods import Period, parse_period, period_of
from jingzhi.metrics.tables import (
    DURATION_HEADERS,
    METRIC_HEADERS,
    NOW_HEADERS,
    Cell,
    Table,
    case_url,
    metric_cells,
    rank_cell,
)
from jingzhi.org.access import ANALYST_ROLES
from jingzhi.org.http import role_required
from jingzhi.org.models import Role

LEADERS = (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER)
UNIT_PEOPLE = (Role.UNIT_HEAD, Role.HANDLER)


def _scope(request: HttpRequest) -> Scope:
    scope = engine.scope_for(request.user, division_code=(request.GET.get("division") or "").strip(),
                             unit_code=(request.GET.get("unit") or "").strip())
    if scope.empty:
        raise Http404
    return scope


def _period(request: HttpRequest, default: str = "month") -> tuple[Period | None, dict[str, str]]:
    try:
        return parse_period(request.GET, default=default), {}
    except ValidationFailed as e:
        return None, {k: str(v) for k, v in e.fields.items()}


def _wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _export(request: HttpRequest, tables: list[Table], name: str, heading: str) -> HttpResponse:
    key = request.GET.get("table")
    chosen = [t for t in tables if not key or t.key == key]
    if not chosen:
        raise Http404
    # "排名-铁岭市-20261207.xlsx": the page's name, the scope (the heading's first part) and the period's date.
    what = str(EXPORT_NAMES.get(name.split("-")[0], name))
    filename = export_filename(what, heading.split(" · ")[0], _export_date(name))
    response = exports.response(chosen, filename, heading=heading)
    audit_record(actor=request.user, action="export", object_type="metrics", object_id=name, request=request,
                 detail={"file": filename, "tables": [t.key for t in chosen],
                         "rows": sum(len(t.rows) for t in chosen), "query": request.GET.urlencode()[:500]})
    return response


EXPORT_NAMES = {
    "metrics": gettext_lazy("Figures"), "rankings": gettext_lazy("Rankings"), "dashboard": gettext_lazy("Dashboard"),
    "unit": gettext_lazy("Unit dashboard"), "brief": gettext_lazy("Daily brief"), "assessment": gettext_lazy("Assessment"),
}


def _export_date(name: str) -> date:
    digits = name.rsplit("-", 1)[-1]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8] or 1))
    except ValueError:
        return timezone.localdate()


def _division_choices(scope: Scope) -> list[tuple[str, str]]:
    root, children = engine.child_divisions(scope)
    items = ([root] if root is not None else []) + children
    return [(d.code, d.name) for d in items]


# ---- the figures ---------------------------------------------------------------------------------------------

@role_required(*ANALYST_ROLES)
@reads_from_replica
def metrics_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    period, errors = _period(request)
    if period is None:
        return render(request, "metrics/metrics.html", {"errors": errors, "tables": []}, status=400)
    base = scope.query()
    overall = engine.summary(scope, period)
    snap = engine.snapshot(scope)
    summary = Table("summary", _("All figures"), [*METRIC_HEADERS, *DURATION_HEADERS, *NOW_HEADERS])
    summary.rows.append(metric_cells(overall, base, period, durations=True, now=snap))
    units = Table("units", _("By unit"), [_("Unit"), *METRIC_HEADERS, *DURATION_HEADERS, *NOW_HEADERS])
    snap_units = engine.snapshot(scope, "unit_id")
    for row in selectors.unit_rows(scope, period, durations=True):
        units.rows.append([Cell(row.name), *metric_cells(row.metrics, row.query, period, durations=True,
                                                          now=snap_units.get(getattr(row.obj, "pk", None), {}))])
    divisions = Table("divisions", _("By division (rolled up through the tree)"), [_("Division"), *METRIC_HEADERS])
    for row in selectors.division_rows(scope, period):
        divisions.rows.append([Cell(row.name), *metric_cells(row.metrics, row.query, period)])
    categories = Table("categories", _("By category"), [_("Category"), *METRIC_HEADERS])
    for row in selectors.category_rows(scope, period):
        categories.rows.append([Cell(row.name if row.obj else _("(no category)")), *metric_cells(row.metrics, row.query, period)])
    tables = [summary, units, divisions, categories]
    title = f"{selectors.scope_title(scope)} · {period.label()}"
    if _wants_xlsx(request):
        return _export(request, tables, f"metrics-{period.start:%Y%m%d}", title)
    return render(request, "metrics/metrics.html", {
        "tables": tables, "period": period, "heading": title, "division_choices": _division_choices(scope),
        "policy": engine.policy(), "snapshot_at": engine.snapshot_time(), "errors": {},
    })


@role_required(*ANALYST_ROLES)
@reads_from_replica
def rankings(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    period, errors = _period(request)
    if period is None:
        return render(request, "metrics/rankings.html", {"errors": errors, "tables": []}, status=400)
    kind = (request.GET.get("kind") or "").strip()
    if kind and kind not in Kind.values:
        return render(request, "metrics/rankings.html", {"errors": {"kind": _("Unknown kind.")}, "tables": []}, status=400)
    pol = engine.policy()
    headers = [_("Rank"), _("Change in rank"), _("Composite score"), _("Change in score"), _("Followed up"), _("Received"),
               _("Response rate"), _("Resolution rate"), _("Satisfaction rate")]
    tables = []
    # ?kind=enterprise: the same ranking over one kind of case (the enterprise service's 三率); units only, since the
    # division ranking's roll-ups keep no kind.
    rankings_shown = [("units", _("Units"), selectors.kind_unit_ranking(scope, period, kind))] if kind else [
        ("units", _("Units"), selectors.unit_ranking(scope, period)),
        ("divisions", _("Divisions"), selectors.division_ranking(scope, period)),
    ]
    for key, title, rows in rankings_shown:
        table = Table(key, title, [_("Name"), *headers],
                      note=_("Fewer than %(n)s follow-ups in the period: listed, not ranked.") % {"n": pol.min_volume})
        for row in rows:
            cells = metric_cells(row.metrics, row.query, period)
            table.rows.append([
                Cell(row.name), rank_cell(row), Cell(row.rank_change),
                cells[5], Cell(row.change), cells[1], cells[0], cells[2], cells[3], cells[4],
            ])
        tables.append(table)
    kind_label = f" · {Kind(kind).label}" if kind else ""
    title = f"{selectors.scope_title(scope)}{kind_label} · {period.label()}"
    if _wants_xlsx(request):
        return _export(request, tables, f"rankings-{period.start:%Y%m%d}", title)
    return render(request, "metrics/rankings.html", {
        "tables": tables, "period": period, "previous": period.previous(), "heading": title, "policy": pol,
        "division_choices": _division_choices(scope), "errors": {}, "kind": kind, "kinds": Kind.choices,
    })


# ---- dashboards ----------------------------------------------------------------------------------------------

def _supervision_list(request: HttpRequest, scope: Scope, limit: int = 15) -> Table:
    """Supervised and flagged open cases in scope, by the deadline each owes next: the most overdue first."""
    qs = case_selectors.case_list(user=request.user)  # type: ignore[arg-type]
    if scope.division is not None:
        qs = qs.filter(division__path__startswith=scope.division.path)
    if scope.unit_ids is not None:
        qs = qs.filter(lead_unit_id__in=scope.unit_ids)
    qs = (qs.filter(status__in=sorted(OPEN_STATUSES), supervision__gte=2).with_next_due()
          .order_by(F("next_due").asc(nulls_last=True), "pk")[:limit])
    table = Table("supervision", _("Supervision list"), [_("Case number"), _("Title"), _("Lead unit"), _("Next deadline"), _("Supervision")])
    for c in qs:
        table.rows.append([
            Cell(c.number, f"/cases/{c.number}/"), Cell(c.title), Cell(c.lead_unit.name if c.lead_unit else ""),
            Cell(timezone.localtime(c.next_due).strftime("%Y-%m-%d %H:%M") if c.next_due else ""),
            Cell(str(c.get_supervision_display())),
        ])
    return table


def dashboard_data(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    """Everything the leader's dashboard (and the big screen) shows, as tables plus chart series."""
    today = timezone.localdate()
    base = scope.query()
    today_p = Period("day", today, today)
    last30 = Period("custom", today - timedelta(days=29), today)
    month = period_of("month", today)
    today_counts = engine.summary(scope, today_p, with_durations=False)
    snap = engine.snapshot(scope)
    cards = [
        (_("Received today (since 00:00)"), today_counts.volume, case_url(base, activity="received", period=today_p)),
        (_("Open"), snap["open"], case_url(base, status="open")),
        (_("Overdue"), snap["overdue"], case_url(base, overdue="1")),
        (_("Flagged (挂牌督办)"), snap["flagged"], case_url(base, supervision_min="3")),
    ]
    tr = selectors.trend(scope, days=30, today=today)
    trend_table = Table("trend", _("Received per day, last 30 days"), [_("Day"), _("Total"), *tr["by_channel"].keys(), *tr["by_kind"].keys()])
    for i, d in enumerate(tr["dates"]):
        day_p = Period("day", d, d)
        trend_table.rows.append([
            Cell(d.isoformat()), Cell(tr["total"][i], case_url(base, activity="received", period=day_p)),
            *[Cell(v[i]) for v in tr["by_channel"].values()], *[Cell(v[i]) for v in tr["by_kind"].values()],
        ])
    cat_rows = selectors.category_rows(scope, last30)[:12]
    cat_table = Table("categories", _("Categories, last 30 days"), [_("Category"), _("Received"), _("Satisfaction rate")])
    for row in cat_rows:
        cells = metric_cells(row.metrics, row.query, last30)
        cat_table.rows.append([Cell(row.name if row.obj else _("(no category)")), cells[0], cells[4]])
    div_rows = selectors.division_rows(scope, last30)
    div_table = Table("divisions", _("Divisions side by side, last 30 days"),
                      [_("Division"), _("Received"), _("Replied on time"), _("Satisfaction rate"), _("Composite score")])
    for row in div_rows:
        cells = metric_cells(row.metrics, row.query, last30)
        div_table.rows.append([Cell(row.name), cells[0], cells[7], cells[4], cells[5]])
    ranking = selectors.unit_ranking(scope, month)
    rank_table = Table("ranking", _("Unit ranking, this month"), [_("Rank"), _("Unit"), _("Composite score"), _("Followed up"), _("Change in score")])
    for row in ranking[:15]:
        cells = metric_cells(row.metrics, row.query, month)
        rank_table.rows.append([rank_cell(row), Cell(row.name), cells[5], cells[1], Cell(row.change)])
    tables = [trend_table, cat_table, div_table, rank_table, _supervision_list(request, scope)]
    charts = {
        "trend": {"dates": [d.strftime("%m-%d") for d in tr["dates"]], "by_channel": tr["by_channel"], "by_kind": tr["by_kind"],
                  "total": tr["total"]},
        "categories": [{"name": r[0].text, "value": r[1].value} for r in cat_table.rows],
        "divisions": {"names": [r[0].text for r in div_table.rows], "received": [r[1].value for r in div_table.rows],
                      "satisfaction": [round((r[3].value or 0) * 100, 1) for r in div_table.rows]},
    }
    return {"cards": cards, "tables": tables, "charts": charts, "snapshot_at": engine.snapshot_time(),
            "heading": selectors.scope_title(scope), "today": today}


@role_required(*LEADERS)
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    data = dashboard_data(request, scope)
    if _wants_xlsx(request):
        return _export(request, data["tables"], f"dashboard-{data['today']:%Y%m%d}", data["heading"])
    big = request.GET.get("screen") == "big"
    template = "metrics/bigscreen.html" if big else "metrics/dashboard.html"
    return render(request, template, {**data, "division_choices": _division_choices(scope)})


@role_required(*UNIT_PEOPLE)
@reads_from_replica
def unit_dashboard(request: HttpRequest) -> HttpResponse:
    """The unit head's view: the unit's queue health, and its figures this month against the whole city."""
    scope = _scope(request)
    today = timezone.localdate()
    month = period_of("month", today)
    base = scope.query()
    snap = engine.snapshot(scope)
    mine = engine.summary(scope, month)
    city = engine.summary(Scope(everything=True), month)
    comparison = Table("comparison", _("This month: your unit and the city"), [_("Scope"), *METRIC_HEADERS, *DURATION_HEADERS])
    comparison.rows.append([Cell(selectors.scope_title(scope)), *metric_cells(mine, base, month, durations=True)])
    comparison.rows.append([Cell(_("Whole city")), *[Cell(c.value, percent=c.percent) for c in metric_cells(city, {}, month, durations=True)]])
    health = Table("queue", _("Queue health"), [_("Open"), _("Overdue now"), _("Flagged now"), _("Received today")])
    received_today = engine.summary(scope, Period("day", today, today), with_durations=False).volume
    health.rows.append([
        Cell(snap["open"], case_url(base, status="open")), Cell(snap["overdue"], case_url(base, overdue="1")),
        Cell(snap["flagged"], case_url(base, supervision_min="3")),
        Cell(received_today, case_url(base, activity="received", period=Period("day", today, today))),
    ])
    tr = selectors.trend(scope, days=30, today=today)
    trend_table = Table("trend", _("Received per day, last 30 days"), [_("Day"), _("Received")])
    for d, n in zip(tr["dates"], tr["total"], strict=True):
        trend_table.rows.append([Cell(d.isoformat()), Cell(n, case_url(base, activity="received", period=Period("day", d, d)))])
    tables = [health, comparison, trend_table, _supervision_list(request, scope)]
    heading = selectors.scope_title(scope)
    if _wants_xlsx(request):
        return _export(request, tables, f"unit-{today:%Y%m%d}", heading)
    charts = {"trend": {"dates": [d.strftime("%m-%d") for d in tr["dates"]], "total": tr["total"], "by_channel": {}, "by_kind": {}}}
    return render(request, "metrics/unit_dashboard.html", {
        "tables": tables, "charts": charts, "heading": heading, "snapshot_at": engine.snapshot_time(), "month": month,
    })


# ---- reports -------------------------------------------------------------------------------------------------

@role_required(*ANALYST_ROLES)
@reads_from_replica
def daily_brief(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    raw = (request.GET.get("date") or "").strip()
    try:
        day = parse_query_date(raw) if raw else reports.latest_brief_day()
    except ValueError as e:
        return render(request, "metrics/brief.html", {"errors": {"date": str(e)}, "tables": []}, status=400)
    brief = reports.daily_brief(scope, day)
    heading = _("Daily brief %(day)s · %(scope)s") % {"day": day.isoformat(), "scope": selectors.scope_title(scope)}
    if _wants_xlsx(request):
        return _export(request, brief.tables, f"brief-{day:%Y%m%d}", heading)
    return render(request, "metrics/brief.html", {"brief": brief, "tables": brief.tables, "heading": heading, "day": day,
                                                   "errors": {}, "division_choices": _division_choices(scope)})


@role_required(*ANALYST_ROLES)
@reads_from_replica
def monthly_report(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    raw = (request.GET.get("month") or "").strip()
    try:
        month = parse_query_month(raw) if raw else timezone.localdate().replace(day=1)
    except ValueError as e:
        return render(request, "metrics/report.html", {"errors": {"month": str(e)}, "tables": []}, status=400)
    period, tables = reports.monthly_report(scope, month)
    heading = _("Monthly assessment %(month)s · %(scope)s") % {"month": period.label(), "scope": selectors.scope_title(scope)}
    if _wants_xlsx(request):
        return _export(request, tables, f"assessment-{period.start:%Y%m}", heading)
    return render(request, "metrics/report.html", {"tables": tables, "heading": heading, "period": period, "errors": {},
                                                    "policy": engine.policy(), "division_choices": _division_choices(scope)})


# ---- the chart library ---------------------------------------------------------------------------------------

def _echarts_file() -> Path:
    """ECharts' ES-module build, as installed from PyPI (package instaui-echarts); never a CDN, never in the repo."""
    spec = importlib.util.find_spec("instaui_echarts")
    if spec is None or not spec.submodule_search_locations:
        raise Http404
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "echarts.esm.min.js"


@cache_control(max_age=86400, public=True)
def echarts_js(request: HttpRequest) -> FileResponse:
    path = _echarts_file()
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="text/javascript")
