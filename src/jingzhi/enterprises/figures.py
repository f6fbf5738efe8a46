"""Enterprise-need figures: answered in time, closed, satisfaction — per unit and per 专班 — and the same three-rate
ranking as cases (in-time, closed, satisfied), restricted to enterprise needs; enterprises not visited this quarter.

Counted in the database (one grouped query per table), over the needs the user may see (Case.objects.visible_to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

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

    @property
    def score(self) -> float:
        """The three rates' mean (a missing satisfaction rate counts as not yet known, so it is left out)."""
        rates = [r for r in (self.in_time_rate, self.closed_rate, self.satisfied_rate) if r is not None]
        return round(sum(rates) / len(rates), 1) if rates else 0.0


def _counts() -> dict[str, Any]:
    rating = Q(rating__in=SATISFIED) | Q(rating="", case__satisfaction__in=SATISFIED)
    return {
        "total": Count("pk"),
        "in_time": Count("pk", filter=Q(case__replied_at__isnull=False, case__replied_at__lte=F("close_due"))),
        "closed": Count("pk", filter=Q(case__status=Status.CLOSED)),
        "rated": Count("pk", filter=~Q(rating="") | ~Q(case__satisfaction="")),
        "satisfied": Count("pk", filter=rating),
    }


def _rows(needs: Any, name: str) -> list[Row]:
    """One row per value of `name`, best score first (the 三率 ranking)."""
    grouped: list[dict[str, Any]] = list(needs.values(name).annotate(**_counts()))
    rows = [Row(r[name] or "—", r["total"], r["in_time"], r["closed"], r["rated"], r["satisfied"]) for r in grouped]
    rows.sort(key=lambda r: (-r.score, r.name))
    return rows


@dataclass
class Figures:
    start: date
    end: date
    units: list[Row]
    task_forces: list[Row]
    total: Row
    not_visited: int
    enterprises: int


def figures(user: Any, *, start: date | None = None, end: date | None = None) -> Figures:
    """Needs received from `start` to `end` (local dates, default: this year so far)."""
    today = timezone.localdate()
    start, end = start or date(today.year, 1, 1), end or today
    needs = Need.objects.filter(case__in=Case.objects.visible_to(user), created_at__date__gte=start,
                                created_at__date__lte=end)
    units = _rows(needs, "case__lead_unit__name")
    forces = _rows(needs.filter(enterprise__task_forces__isnull=False), "enterprise__task_forces__name")
    t = needs.aggregate(**_counts())
    total = Row("", t["total"], t["in_time"], t["closed"], t["rated"], t["satisfied"])
    firms = enterprises_visible_to(user)
    quarter = today - timedelta(days=91)
    visited = Visit.objects.filter(visited_on__gte=quarter).values("enterprise_id")
    return Figures(start, end, units, forces, total, firms.exclude(pk__in=visited).count(), firms.count())


def figures_workbook(f: Figures) -> bytes:
    import io

    import openpyxl
    from django.utils.translation import gettext as _

    from jingzhi.core.workbooks import append_row

    wb = openpyxl.Workbook()
    head = [_("Name"), _("Needs"), _("Answered in time"), _("Closed"), _("Rated"), _("Satisfied"),
            _("In-time rate %"), _("Closed rate %"), _("Satisfaction %"), _("Score")]
    for index, (title, rows) in enumerate(((_("Units"), f.units), (_("Task forces"), f.task_forces))):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        append_row(ws, head)
        for r in rows:
            append_row(ws, [r.name, r.total, r.in_time, r.closed, r.rated, r.satisfied, r.in_time_rate,
                            r.closed_rate, r.satisfied_rate, r.score])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


