"""Reads of early warning: the duty board (值班) of an active warning, an official's own tasks, the after-event
report (warning → every acknowledgement → on site, and who was late). All scoped by the access rules.

The board counts in the database and fetches only the rows it shows (the least advanced sites, the longest
overdue officials), so its answer time stays flat however many sites and officials a warning has.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, QuerySet, Value, When
from django.utils import timezone

from jingzhi.earlywarning.models import DangerSite, InspectionTask, TaskStatus, Warning

# A site's status on the board is the furthest any of its officials got (someone on site covers the site).
PROGRESS: list[str] = [TaskStatus.NOT_ACKNOWLEDGED, TaskStatus.ACKNOWLEDGED, TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE,
            TaskStatus.REPORTED]
BOARD_ROWS = 100
NOT_REACHED_ROWS = 40


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
        return [(s, str(TaskStatus(s).label), self.counts.get(s, 0)) for s in PROGRESS]


def duty_board(user: Any, warning: Warning, *, now: datetime | None = None) -> Board:
    """Sites × status for the warning (the sites this user sees), and the officials not reached yet.

    The database does the counting (each site's furthest status is a MAX over its tasks' progress rank), so only the
    rows shown cross into Python: the board's cost does not grow with the number of officials on it."""
    now = now or timezone.now()
    tasks = InspectionTask.objects.visible_to(user).filter(warning=warning).exclude(status=TaskStatus.ENDED)
    rank = Case(*[When(status=s, then=Value(i)) for i, s in enumerate(PROGRESS)], default=Value(0),
                output_field=IntegerField())
    per_site = list(tasks.values("site_id").annotate(p=Max(rank), n=Count("pk")).values_list("site_id", "p", "n"))
    counts = Counter(PROGRESS[p] for _s, p, _n in per_site)
    total = sum(n for _s, _p, n in per_site)
    least = sorted(per_site, key=lambda r: r[1])[:BOARD_ROWS * 2]
    names = {pk: (name, division) for pk, name, division in
             DangerSite.objects.filter(pk__in=[r[0] for r in least]).values_list("pk", "name", "division__name")}
    ordered = sorted(least, key=lambda r: (r[1], names[r[0]][1], names[r[0]][0]))[:BOARD_ROWS]
    rows = {site_id: SiteRow(site_id, names[site_id][0], names[site_id][1], PROGRESS[p]) for site_id, p, _n in ordered}
    for site_id, display, username, status in (tasks.filter(site_id__in=list(rows)).order_by("level", "pk")
                                               .values_list("site_id", "official__display_name", "official__username", "status")):
        rows[site_id].officials.append((display or username, status))
    pending = tasks.filter(status=TaskStatus.NOT_ACKNOWLEDGED)
    not_reached = [(display or username, site, int((now - due).total_seconds() // 60)) for display, username, site, due in
                   pending.order_by("ack_due_at", "pk").values_list("official__display_name", "official__username",
                                                                    "site__name", "ack_due_at")[:NOT_REACHED_ROWS]]
    return Board(warning=warning, minutes_since=max(0, int((now - warning.effective_at).total_seconds() // 60)),
                 counts=dict(counts), tasks=total, not_reached=not_reached, not_reached_total=pending.count(),
                 rows=list(rows.values()), rows_total=len(per_site))


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
    task_id: int = 0
    photos: tuple[tuple[int, str], ...] = ()  # (photo id, file name) of the on-site report


def after_event_report(user: Any, warning: Warning) -> list[ReportLine]:
    """Per task: minutes from the warning to 叫应 and to arrival on site, and whether each was late."""
    lines = []
    start = warning.effective_at
    for t in (InspectionTask.objects.visible_to(user).filter(warning=warning).select_related("official", "site")
              .prefetch_related("photos").order_by("site__name", "level")):
        def minutes(at: datetime | None) -> int | None:
            return None if at is None else max(0, int((at - start).total_seconds() // 60))

        late_ack = t.acknowledged_at is None or t.acknowledged_at > t.ack_due_at
        late_onsite = t.on_site_at is None or t.on_site_at > t.onsite_due_at
        lines.append(ReportLine(official=str(t.official), site=t.site.name, level=t.get_level_display(),
                                delivered=t.created_at, ack_minutes=minutes(t.acknowledged_at),
                                onsite_minutes=minutes(t.on_site_at), late_ack=late_ack, late_onsite=late_onsite,
                                escalated=t.escalated_at is not None, status=t.get_status_display(), task_id=t.pk,
                                photos=tuple((p.pk, p.name) for p in t.photos.all())))
    return lines
