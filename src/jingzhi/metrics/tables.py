"""Figures as tables: one structure that the page, the chart's data table and the Excel export all render.

A cell is a value and, for a figure, the link to the exact case list behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingzhi.metrics.engine import Metrics, policy
from jingzhi.metrics.periods import Period


@dataclass
class Cell:
    value: Any
    url: str = ""
    percent: bool = False

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if self.percent:
            return f"{self.value * 100:.1f}%"
        if isinstance(self.value, float):
            return f"{self.value:.1f}"
        return str(self.value)

    @property
    def is_number(self) -> bool:
        return self.percent or self.value is None or (isinstance(self.value, int | float) and not isinstance(self.value, bool))

    @property
    def export_value(self) -> Any:
        if self.value is None:
            return ""
        if self.percent:
            return round(self.value * 100, 2)
        if isinstance(self.value, float):
            return round(self.value, 2)
        return self.value


@dataclass
class Table:
    key: str
    title: str | Promise
    headers: list[str | Promise]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str | Promise = ""

    @property
    def columns(self) -> list[tuple[str | Promise, bool]]:
        """(header, numeric?): a column is numeric when every cell in it is a number (right-aligned)."""
        return [
            (h, i > 0 and bool(self.rows) and all(len(r) > i and r[i].is_number for r in self.rows))
            for i, h in enumerate(self.headers)
        ]


def rank_cell(row: Any) -> Cell:
    """The rank, or why there is none: "不参与排名（回访 3 件，不足 10 件）" rather than a bare "not ranked"."""
    if row.ranked:
        return Cell(row.rank)
    return Cell(_("not ranked (%(n)s follow-ups, fewer than %(min)s)") % {
        "n": row.metrics.counts.get("followed_up", 0), "min": policy().min_volume})


def case_url(query: dict[str, str], *, activity: str = "", period: Period | None = None, **extra: Any) -> str:
    q = dict(query)
    if activity:
        q["activity"] = activity
    if period is not None:
        q["date_from"], q["date_to"] = period.start.isoformat(), period.end.isoformat()
    q.update({k: v for k, v in extra.items() if v})
    return f"{reverse('web:case_list')}?{urlencode(q)}"


METRIC_HEADERS: list[str | Promise] = [
    _("Received"), _("Followed up"), _("Response rate"), _("Resolution rate"), _("Satisfaction rate"), _("Composite score"),
    _("Acknowledged on time"), _("Replied on time"), _("Return rate"), _("Reopen rate"), _("Extension rate"),
]
DURATION_HEADERS: list[str | Promise] = [
    _("Median hours to acknowledge"), _("P90 hours to acknowledge"), _("Median hours to reply"), _("P90 hours to reply"),
]
NOW_HEADERS: list[str | Promise] = [_("Overdue now"), _("Flagged now")]


def metric_cells(m: Metrics, query: dict[str, str], period: Period, *, durations: bool = False,
                 now: dict[str, int] | None = None) -> list[Cell]:
    """The standard columns of a metrics row, each linked to its cases."""
    def link(activity: str) -> str:
        return case_url(query, activity=activity, period=period)

    cells = [
        Cell(m.volume, link("received")),
        Cell(m.counts["followed_up"], link("followed_up")),
        Cell(m.response, link("contacted"), percent=True),
        Cell(m.resolution, link("resolved"), percent=True),
        Cell(m.satisfaction, link("satisfied"), percent=True),
        Cell(m.composite, link("followed_up")),
        Cell(m.ack_on_time, link("acknowledged_on_time"), percent=True),
        Cell(m.reply_on_time, link("replied_on_time"), percent=True),
        Cell(m.return_rate, link("returned"), percent=True),
        Cell(m.reopen_rate, link("reopened"), percent=True),
        Cell(m.extension_rate, link("extended"), percent=True),
    ]
    if durations:
        cells += [
            Cell(m.ack_median_h, link("acknowledged")), Cell(m.ack_p90_h, link("acknowledged")),
            Cell(m.reply_median_h, link("replied")), Cell(m.reply_p90_h, link("replied")),
        ]
    if now is not None:
        cells += [
            Cell(now.get("overdue", 0), case_url(query, overdue="1")),
            Cell(now.get("flagged", 0), case_url(query, supervision_min="3")),
        ]
    return cells
