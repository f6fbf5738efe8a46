"""The register's figures: screened, resolved, resolved at the first mediation, recurred within 90 days.

Counted over a cohort: the disputes screened in the period (by their screening time), and what has become of
them by now. So a figure for March does not change because of what was screened in April, and a station's
rate is its own disputes' fate. "Resolved at the first mediation" is a resolution after at most one mediation
session (a dispute settled at the screening visit counts too); "recurred" is a later dispute of the same
parties registered within 90 days of the resolution (Dispute.recurred_at, set at registration).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jingzhi.core.workbooks import append_row
from jingzhi.disputes.models import Dispute, DisputeType, Status
from jingzhi.org.models import User

# A station with fewer disputes in the period is listed but not ranked: two lucky cases are not a record.
MIN_RANKED = 3


@dataclass
class Figures:
    screened: int = 0
    resolved: int = 0
    first_mediation: int = 0
    recurred: int = 0

    def rate(self, part: int) -> float | None:
        return round(100 * part / self.screened, 1) if self.screened else None

    @property
    def resolved_rate(self) -> float | None:
        return self.rate(self.resolved)

    @property
    def first_rate(self) -> float | None:
        return self.rate(self.first_mediation)

    @property
    def recurred_rate(self) -> float | None:
        return round(100 * self.recurred / self.resolved, 1) if self.resolved else None


@dataclass
class StationFigures:
    station_id: int
    station: str
    total: Figures = field(default_factory=Figures)
    by_type: dict[str, Figures] = field(default_factory=dict)
    rank: int | None = None


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local days start…end (inclusive) as aware datetimes [from, to)."""
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def station_figures(user: User, *, start: date, end: date) -> list[StationFigures]:
    """Figures per station and type over the disputes the user sees, ranked; one query."""
    since, until = period_bounds(start, end)
    rows = (Dispute.objects.visible_to(user).filter(screened_at__gte=since, screened_at__lt=until)
            .values("station_id", "station__name", "type")
            .annotate(screened=Count("pk"),
                      resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
                      first=Count("pk", filter=Q(status=Status.RESOLVED, sessions_to_resolve__lte=1)),
                      recurred=Count("pk", filter=Q(status=Status.RESOLVED, recurred_at__isnull=False)))
            .order_by())
    stations: dict[int, StationFigures] = {}
    for r in rows:
        s = stations.setdefault(r["station_id"], StationFigures(r["station_id"], r["station__name"]))
        f = Figures(r["screened"], r["resolved"], r["first"], r["recurred"])
        s.by_type[r["type"]] = f
        for name in ("screened", "resolved", "first_mediation", "recurred"):
            setattr(s.total, name, getattr(s.total, name) + getattr(f, name))
    return rank(list(stations.values()))


def rank(stations: list[StationFigures]) -> list[StationFigures]:
    """Ranking: resolution rate, then fewer recurrences, then first-mediation rate; small volumes unranked, last."""
    def key(s: StationFigures) -> tuple[float, float, float, str]:
        t = s.total
        return (-(t.resolved_rate or 0), t.recurred_rate or 0, -(t.first_rate or 0), s.station)

    ranked = sorted((s for s in stations if s.total.screened >= MIN_RANKED), key=key)
    for i, s in enumerate(ranked, 1):
        s.rank = i
    return ranked + sorted((s for s in stations if s.total.screened < MIN_RANKED), key=key)


def totals(stations: list[StationFigures]) -> dict[str, Figures]:
    """The whole view by type (and "" for all types)."""
    out: dict[str, Figures] = {"": Figures()}
    for s in stations:
        for t, f in s.by_type.items():
            for target in (out.setdefault(t, Figures()), out[""]):
                for name in ("screened", "resolved", "first_mediation", "recurred"):
                    setattr(target, name, getattr(target, name) + getattr(f, name))
    return out


def workbook(stations: list[StationFigures], *, start: date, end: date) -> bytes:
    """The figures as an .xlsx: one row per station and type, then the station's total; text written as text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Disputes")[:31])
    append_row(ws, [_("Dispute figures %(start)s – %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}])
    append_row(ws, [_("Rank"), _("Station or unit"), _("Type"), _("Screened"), _("Resolved"), _("Resolved at first mediation"),
                    _("Recurred within 90 days"), _("Resolution rate %"), _("First-mediation rate %")])
    labels = dict(DisputeType.choices)
    for s in stations:
        for kind, f in sorted(s.by_type.items()):
            append_row(ws, ["", s.station, str(labels.get(kind, kind)), f.screened, f.resolved, f.first_mediation,
                            f.recurred, f.resolved_rate, f.first_rate])
        total = s.total
        append_row(ws, [s.rank or "", s.station, _("All types"), total.screened, total.resolved, total.first_mediation,
                        total.recurred, total.resolved_rate, total.first_rate])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
