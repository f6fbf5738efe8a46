"""Reads of early warning: the duty board (值班) of an active warning, an official's own tasks, the after-event
report (warning → every acknowledgement → on site, and who was late). All scoped by the access rules.

The board reads tasks as value tuples in one query and counts in Python: 6,000 tasks are a few milliseconds of
work, and one query keeps the board's answer time flat however many officials are on it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jingzhi.earlywarning.models import DangerSite, InspectionTask, TaskStatus, Warning

# A site's status on the board is the furthest any of its officials got (someone on site covers the site).
PROGRESS = [TaskStatus.NOT_ACKNOWLEDGED, TaskStatus.ACKNOWLEDGED, TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE,
            TaskStatus.REPORTED]
BOARD_ROWS = 300


def warnings_for(user: Any, *, active_only: bool = False) -> QuerySet[Warning]:
    found = Warning.objects.visible_to(user)
    if active_only:
        found = found.filter(status=Warning.Status.ACTIVE)
    return found.order_by("-sent_at")


def warning_for(user: Any, pk: int) -> Warning | None:
    return Warning.objects.visible_to(user).filter(pk=pk).first()


def sites_for(user: Any) -> QuerySet[DangerSite]:
    return DangerSite.objects.visible_to(user).select_related("division", "emergency_unit")


def my_tasks(user: Any, *, open_only: bool = True) -> QuerySet[InspectionTask]:
    found = InspectionTask.objects.filter(official=user).select_related("site__division", "warning")
    if open_only:
        found = found.exclude(status=TaskStatus.ENDED).exclude(status=TaskStatus.REPORTED)
    return found.order_by("-created_at")


def task_for(user: Any, pk: int) -> InspectionTask | None:
    return (InspectionTask.objects.visible_to(user).select_related("site__division", "warning", "official", "hazard_case")
            .filter(pk=pk).first())


@dataclass
class SiteRow:
    site_id: int
    name: str
    division: str
    status: str
    officials: list[tuple[str, str]] = field(default_factory=list)  # (name, status)

    @property
    def label(self) -> str:
        return str(TaskStatus(self.status).label)


@dataclass
class Board:
    warning: Warning
    minutes_since: int
    counts: dict[str, int]  # site status → sites
    tasks: int
    not_reached: list[tuple[str, str, int]]  # (official, site, minutes overdue or -minutes left)
    not_reached_total: int
    rows: list[SiteRow]
    rows_total: int

    @property
    def status_labels(self) -> list[tuple[str, str, int]]:
        return [(s, TaskStatus(s).label, self.counts.get(s, 0)) for s in PROGRESS]


def duty_board(user: Any, warning: Warning, *, now: datetime | None = None) -> Board:
    """Sites × status for the warning (the sites this user sees), and the officials not reached yet."""
    now = now or timezone.now()
    tasks = (InspectionTask.objects.visible_to(user).filter(warning=warning).exclude(status=TaskStatus.ENDED)
             .values_list("site_id", "site__name", "site__division__name", "official__display_name", "official__username",
                          "status", "ack_due_at"))
    sites: dict[int, SiteRow] = {}
    not_reached: list[tuple[str, str, int]] = []
    total = 0
    for site_id, site_name, division, display, username, status, ack_due in tasks:
        total += 1
        row = sites.get(site_id)
        if row is None:
            row = sites[site_id] = SiteRow(site_id, site_name, division, status)
        elif PROGRESS.index(status) > PROGRESS.index(row.status):
            row.status = status
        row.officials.append((display or username, status))
        if status == TaskStatus.NOT_ACKNOWLEDGED:
            not_reached.append((display or username, site_name, int((now - ack_due).total_seconds() // 60)))
    counts = Counter(r.status for r in sites.values())
    # Least progress first: the sites nobody has reached are what the duty officer works on.
    ordered = sorted(sites.values(), key=lambda r: (PROGRESS.index(r.status), r.division, r.name))
    not_reached.sort(key=lambda t: -t[2])
    return Board(warning=warning, minutes_since=max(0, int((now - warning.effective_at).total_seconds() // 60)),
                 counts=dict(counts), tasks=total, not_reached=not_reached[:50], not_reached_total=len(not_reached),
                 rows=ordered[:BOARD_ROWS], rows_total=len(ordered))


@dataclass(frozen=True)
class ReportLine:
    official: str
    site: str
    level: str
    delivered: datetime
    ack_minutes: int | None
    onsite_minutes: int | None
    late_ack: bool
    late_onsite: bool
    escalated: bool
    status: str


def after_event_report(user: Any, warning: Warning) -> list[ReportLine]:
    """Per task: minutes from the warning to 叫应 and to arrival on site, and whether each was late."""
    lines = []
    start = warning.effective_at
    for t in (InspectionTask.objects.visible_to(user).filter(warning=warning).select_related("official", "site")
              .order_by("site__name", "level")):
        def minutes(at: datetime | None) -> int | None:
            return None if at is None else max(0, int((at - start).total_seconds() // 60))

        late_ack = t.acknowledged_at is None or t.acknowledged_at > t.ack_due_at
        late_onsite = t.on_site_at is None or t.on_site_at > t.onsite_due_at
        lines.append(ReportLine(official=str(t.official), site=t.site.name, level=t.get_level_display(),
                                delivered=t.created_at, ack_minutes=minutes(t.acknowledged_at),
                                onsite_minutes=minutes(t.on_site_at), late_ack=late_ack, late_onsite=late_onsite,
                                escalated=t.escalated_at is not None, status=t.get_status_display()))
    return lines
