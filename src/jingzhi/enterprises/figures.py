"""Enterprise-need figures: answered in time, closed, satisfaction — per unit and per 专班 — and the enterprises not
visited in the last quarter (each named, with its last visit).

Counted in the database (one grouped query per table), over the needs the user may see (Case.objects.visible_to).
The 三率 ranking restricted to enterprise needs is the metrics app's own ranking (/metrics/rankings/?kind=enterprise,
the same rule and weights as every unit's); these pages link to it rather than keep a second formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from jingzhi.cases.models import Case, Status
from jingzhi.enterprises.access import enterprises_visible_to
from jingzhi.enterprises.models import Need, Visit

SATISFIED = ("satisfied", "basically")


@dataclass
class Row:
    name: str
    total: int
    in_time: int
    closed: int
    rated: int
    satisfied: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def in_time_rate(self) -> float | None:
        return self._rate(self.in_time, self.total)

    @property
    def closed_rate(self) -> float | None:
        return self._rate(self.closed, self.total)

    @property
    def satisfied_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)


def _counts() -> dict[str, Any]:
    rating = Q(rating__in=SATISFIED) | Q(rating="", case__satisfaction__in=SATISFIED)
    return {
        "total": Count("pk"),
        "in_time": Count("pk", filter=Q(case__replied_at__isnull=False, case__replied_at__lte=F("close_due"))),
        "closed": Count("pk", filter=Q(case__status=Status.CLOSED)),
        "rated": Count("pk", filter=~Q(rating="") | ~Q(case__satisfaction="")),
        "satisfied": Count("pk", filter=rating),
    }


def _rows(needs: Any, name: str, empty: str = "—") -> list[Row]:
    """One row per value of `name` (`empty` where there is none), most needs first."""
    grouped: list[dict[str, Any]] = list(needs.values(name).annotate(**_counts()).order_by())
    rows = [Row(r[name] or empty, r["total"], r["in_time"], r["closed"], r["rated"], r["satisfied"]) for r in grouped]
    rows.sort(key=lambda r: (-r.total, r.name))
    return rows


QUARTER_DAYS = 91


@dataclass
class NotVisited:
    name: str
    credit_code: str
    division: str
    last_visit: date | None


@dataclass
class Figures:
    start: date
    end: date
    units: list[Row]
    task_forces: list[Row]
    total: Row
    enterprises: int
    since: date  # "not visited" means no visit on or after this day (the last quarter)
    not_visited_list: list[NotVisited]

    @property
    def not_visited(self) -> int:
        return len(self.not_visited_list)


def figures(user: Any, *, start: date | None = None, end: date | None = None) -> Figures:
    """Needs received from `start` to `end` (local dates, default: this year so far)."""
    today = timezone.localdate()
    start, end = start or date(today.year, 1, 1), end or today
    needs = Need.objects.filter(case__in=Case.objects.visible_to(user), created_at__date__gte=start,
                                created_at__date__lte=end)
    units = _rows(needs, "case__lead_unit__name", empty=gettext("(not dispatched)"))
    forces = _rows(needs.filter(enterprise__task_forces__isnull=False), "enterprise__task_forces__name")
    t = needs.aggregate(**_counts())
    total = Row("", t["total"], t["in_time"], t["closed"], t["rated"], t["satisfied"])
    firms = enterprises_visible_to(user)
    quarter = today - timedelta(days=QUARTER_DAYS)
    visited = Visit.objects.filter(visited_on__gte=quarter).values("enterprise_id")
    unvisited = (firms.exclude(pk__in=visited).annotate(last_visit=Max("visits__visited_on"))
                 .order_by(F("last_visit").asc(nulls_first=True), "name")
                 .values_list("name", "credit_code", "division__name", "last_visit"))
    return Figures(start, end, units, forces, total, firms.count(), quarter, [NotVisited(*row) for row in unvisited])


def figures_workbook(f: Figures) -> bytes:
    """The page as a clerk's workbook: a sheet per unit / 专班 table, and the enterprises not visited, each named."""
    import io

    import openpyxl
    from django.utils.translation import gettext as _

    from jingzhi.core.workbooks import append_row, finish_sheet, start_sheet

    wb = openpyxl.Workbook()
    head = [_("Name"), _("Needs"), _("Answered in time"), _("Closed"), _("Rated"), _("Satisfied"),
            _("In-time rate %"), _("Closed rate %"), _("Satisfaction %")]
    for index, (title, rows) in enumerate(((_("Units"), f.units), (_("Task forces"), f.task_forces))):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        start_sheet(ws, head, widths=[28, 8, 10, 8, 8, 8, 10, 10, 10])
        for r in rows:
            append_row(ws, [r.name, r.total, r.in_time, r.closed, r.rated, r.satisfied, r.in_time_rate,
                            r.closed_rate, r.satisfied_rate])
        finish_sheet(ws, columns=len(head), rows=len(rows))
    ws = wb.create_sheet(_("Not visited"))
    head = [_("Enterprise"), _("Unified social credit code"), _("Division"), _("Last visit")]
    start_sheet(ws, head, widths=[34, 22, 14, 12])
    for e in f.not_visited_list:
        append_row(ws, [e.name, e.credit_code, e.division, e.last_visit])
    finish_sheet(ws, columns=len(head), rows=len(f.not_visited_list))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
