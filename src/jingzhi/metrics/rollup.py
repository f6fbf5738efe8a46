"""Building the roll-up tables from the case tables, one local day at a time.

`rollup_day(day)` recomputes a whole day from the source (cases received that day, events and follow-ups that
happened that day) and replaces that day's rows in one transaction: running it twice gives the same rows.
`refresh()` is the periodic job: it finds the days that received new case events since its bookmark (the
events' own days and the days their cases were received on, because a merge changes the received day's count),
rebuilds those days, and retakes the open-case snapshot. Every source query is bounded by an indexed time
range (cases.created_at, caseevent.created_at, followup.created_at), never a scan of the whole case table.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from jingzhi.cases import sla
from jingzhi.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    FollowUp,
    Priority,
    Resolution,
    Satisfaction,
    Status,
)
from jingzhi.cases.selectors import overdue_q
from jingzhi.metrics.models import (
    DailyCategoryRollup,
    DailyIntake,
    DailyRollup,
    DailyUnitRollup,
    OpenSnapshot,
    RollupState,
)
from jingzhi.org.models import Division

Key = tuple[int, int | None, int | None]  # (division, unit, category)

COUNTERS = (
    "received", "merged", "emergencies", "acknowledged", "acknowledged_on_time", "replied", "replied_on_time", "returned",
    "reopened", "extended", "followed_up", "contacted", "resolved", "partly", "satisfied", "basically",
)

# A refresh that finds more new events than this rebuilds in several passes; keeps one run's memory bounded.
EVENT_BATCH = 200_000
LOCK_NAMESPACE = 5_2026  # first key of the advisory locks taken per rebuilt day

# DailyUnitRollup keeps divisions down to the county level; townships and communities are summed into their county.
DEEP_LEVELS = frozenset({"township", "community"})


def is_deep(division: Division) -> bool:
    """Below county level: only the fine table (DailyRollup) has this division's own rows."""
    return division.level in DEEP_LEVELS


def coarse_divisions() -> dict[int, int]:
    """division id → id of its nearest ancestor-or-self at county level or above."""
    rows = {pk: (parent, level) for pk, parent, level in Division.objects.values_list("pk", "parent_id", "level")}
    out = {}
    for pk in rows:
        node = pk
        while rows[node][1] in DEEP_LEVELS and rows[node][0] is not None:
            node = rows[node][0]
        out[pk] = node
    return out


def day_window(day: date) -> tuple[datetime, datetime]:
    """[00:00, next 00:00) of a local (city time zone) day, as aware datetimes."""
    tz = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass
class _Acc:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ack_seconds: list[int] = field(default_factory=list)
    reply_seconds: list[int] = field(default_factory=list)


def compute_day(day: date) -> tuple[dict[Key, _Acc], dict[tuple[int, str, str], int]]:
    """The roll-up of one day, computed from the source tables (nothing is written)."""
    start, end = day_window(day)
    acc: dict[Key, _Acc] = defaultdict(_Acc)
    intake: dict[tuple[int, str, str], int] = defaultdict(int)

    received: Any = (
        Case.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("division_id", "lead_unit_id", "category_id", "channel", "kind", "priority", "status")
        .annotate(n=Count("id"))
    )
    for row in received:
        key = (row["division_id"], row["lead_unit_id"], row["category_id"])
        if row["status"] == Status.MERGED:
            acc[key].counts["merged"] += row["n"]
            continue
        acc[key].counts["received"] += row["n"]
        if row["priority"] == Priority.EMERGENCY:
            acc[key].counts["emergencies"] += row["n"]
        intake[(row["division_id"], row["channel"], row["kind"])] += row["n"]

    calendar = sla.work_calendar()
    events = CaseEvent.objects.filter(
        created_at__gte=start, created_at__lt=end,
        action__in=["acknowledge", "reply", "return", "reopen", "approve_extension"],
    ).values_list(
        "action", "created_at", "actor_unit_id", "case__division_id", "case__lead_unit_id", "case__category_id",
        "case__dispatched_at", "case__acknowledge_due", "case__reply_due",
    )
    for action, at, actor_unit, division, lead_unit, category, dispatched_at, ack_due, reply_due in events.iterator(chunk_size=5000):
        if action in ("acknowledge", "return"):
            # The unit that took the case or sent it back; it is the lead unit only until a return.
            a = acc[(division, actor_unit or lead_unit, category)]
        else:
            a = acc[(division, lead_unit, category)]
        if action == "acknowledge":
            a.counts["acknowledged"] += 1
            if ack_due is None or at <= ack_due:
                a.counts["acknowledged_on_time"] += 1
            if dispatched_at is not None and dispatched_at <= at:
                a.ack_seconds.append(round(calendar.working_seconds_between(dispatched_at, at)))
        elif action == "reply":
            a.counts["replied"] += 1
            if reply_due is None or at <= reply_due:
                a.counts["replied_on_time"] += 1
            if dispatched_at is not None and dispatched_at <= at:
                a.reply_seconds.append(round(calendar.working_seconds_between(dispatched_at, at)))
        elif action == "return":
            a.counts["returned"] += 1
        elif action == "reopen":
            a.counts["reopened"] += 1
        else:
            a.counts["extended"] += 1

    follow_ups: Any = (
        FollowUp.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("case__division_id", "unit_id", "case__category_id", "contacted", "resolution", "satisfaction")
        .annotate(n=Count("id"))
    )
    for row in follow_ups:
        a = acc[(row["case__division_id"], row["unit_id"], row["case__category_id"])]
        tally_follow_ups(a.counts, row["contacted"], row["resolution"], row["satisfaction"], row["n"])
    return acc, intake


def tally_follow_ups(counts: dict[str, int], contacted: bool | None, resolution: str, satisfaction: str, n: int) -> None:
    """Add `n` follow-ups with these answers to the 三率 counters (the roll-up's and the per-kind ranking's one rule)."""
    counts["followed_up"] += n
    if contacted:
        counts["contacted"] += n
    if resolution == Resolution.RESOLVED:
        counts["resolved"] += n
    elif resolution == Resolution.PARTLY:
        counts["partly"] += n
    if satisfaction == Satisfaction.SATISFIED:
        counts["satisfied"] += n
    elif satisfaction == Satisfaction.BASICALLY:
        counts["basically"] += n


def _lock_day(day: date) -> None:
    """Inside a transaction: two workers rebuilding the same day take turns (PostgreSQL advisory lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, day.toordinal()])


def rollup_day(day: date) -> int:
    """Recompute one day and replace its rows; returns the number of roll-up rows written."""
    with transaction.atomic():
        _lock_day(day)
        return _replace_day(day)


def _replace_day(day: date) -> int:
    acc, intake = compute_day(day)
    rows = [
        DailyRollup(
            day=day, division_id=key[0], unit_id=key[1], category_id=key[2],
            ack_seconds=sorted(a.ack_seconds), reply_seconds=sorted(a.reply_seconds),
            **{name: a.counts.get(name, 0) for name in COUNTERS},
        )
        for key, a in acc.items()
    ]
    coarse = coarse_divisions()
    unit_acc: dict[tuple[int, int | None], _Acc] = defaultdict(_Acc)
    category_acc: dict[tuple[int, int | None], _Acc] = defaultdict(_Acc)
    for (division, unit, category), a in acc.items():
        county = coarse.get(division, division)
        for target in (unit_acc[(county, unit)], category_acc[(county, category)]):
            for name, n in a.counts.items():
                target.counts[name] += n
            target.ack_seconds.extend(a.ack_seconds)
            target.reply_seconds.extend(a.reply_seconds)

    def counters(a: _Acc) -> dict[str, Any]:
        return {"ack_seconds": sorted(a.ack_seconds), "reply_seconds": sorted(a.reply_seconds),
                **{name: a.counts.get(name, 0) for name in COUNTERS}}

    unit_rows = [DailyUnitRollup(day=day, division_id=d, unit_id=u, **counters(a)) for (d, u), a in unit_acc.items()]
    category_rows = [DailyCategoryRollup(day=day, division_id=d, category_id=c, **counters(a)) for (d, c), a in category_acc.items()]
    intake_rows = [
        DailyIntake(day=day, division_id=division, channel=channel, kind=kind, received=n)
        for (division, channel, kind), n in intake.items()
    ]
    DailyRollup.objects.filter(day=day).delete()
    DailyUnitRollup.objects.filter(day=day).delete()
    DailyCategoryRollup.objects.filter(day=day).delete()
    DailyIntake.objects.filter(day=day).delete()
    DailyRollup.objects.bulk_create(rows, batch_size=2000)
    DailyUnitRollup.objects.bulk_create(unit_rows, batch_size=2000)
    DailyCategoryRollup.objects.bulk_create(category_rows, batch_size=2000)
    DailyIntake.objects.bulk_create(intake_rows, batch_size=2000)
    return len(rows)


def take_snapshot(now: datetime | None = None) -> int:
    """Open, overdue and flagged cases now, per (division, unit, category). One grouped query over open cases."""
    now = now or timezone.now()
    rows = (
        Case.objects.filter(status__in=sorted(OPEN_STATUSES))
        .values("division_id", "lead_unit_id", "category_id")
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue_q(now)), flagged=Count("id", filter=Q(supervision=3)))
    )
    snapshot = [
        OpenSnapshot(
            division_id=r["division_id"], unit_id=r["lead_unit_id"], category_id=r["category_id"],
            open=r["n"], overdue=r["overdue"], flagged=r["flagged"], taken_at=now,
        )
        for r in rows
    ]
    with transaction.atomic():
        OpenSnapshot.objects.all().delete()
        OpenSnapshot.objects.bulk_create(snapshot, batch_size=2000)
        state = _state()
        state.snapshot_at = now
        state.save(update_fields=["snapshot_at"])
    return len(snapshot)


def _state() -> RollupState:
    row = RollupState.objects.order_by("pk").first()
    return row if row is not None else RollupState.objects.create()


def dirty_days(after_event_id: int, limit: int = EVENT_BATCH) -> tuple[set[date], int]:
    """Days touched by events newer than the bookmark, and the new bookmark."""
    days: set[date] = set()
    last = after_event_id
    rows = (
        CaseEvent.objects.filter(pk__gt=after_event_id).order_by("pk")
        .values_list("pk", "created_at", "case__created_at")[:limit]
    )
    for pk, at, received_at in rows.iterator(chunk_size=10000):
        days.add(local_day(at))
        days.add(local_day(received_at))
        last = pk
    return days, last


@dataclass
class RefreshResult:
    days: list[str]
    rows: int
    snapshot_rows: int
    seconds: float


def refresh(*, now: datetime | None = None) -> RefreshResult:
    """The periodic job: rebuild every day with new events since the last run, then retake the snapshot."""
    began = _time.monotonic()
    state = _state()
    # Today and yesterday are rebuilt on every run whatever the bookmark says: an event whose transaction
    # committed after a later event had been read (ids are not committed in order) still gets counted.
    today = timezone.localdate(now) if now else timezone.localdate()
    all_days: set[date] = {today, today - timedelta(days=1)}
    rows = 0
    with sla.frozen_policy():
        for day in sorted(all_days):
            rows += rollup_day(day)
        while True:
            days, last = dirty_days(state.last_event_id)
            if last == state.last_event_id:
                break
            for day in sorted(days - {today, today - timedelta(days=1)}):
                rows += rollup_day(day)
            all_days |= days
            state.last_event_id = last
            state.refreshed_at = timezone.now()
            state.save(update_fields=["last_event_id", "refreshed_at"])
    snapshot_rows = take_snapshot(now)
    return RefreshResult(sorted(d.isoformat() for d in all_days), rows, snapshot_rows, round(_time.monotonic() - began, 3))


def rebuild(start: date, end: date) -> int:
    """Rebuild every day in [start, end] (after an import or a calendar change). Returns the rows written."""
    rows = 0
    with sla.frozen_policy():
        day = start
        while day <= end:
            rows += rollup_day(day)
            day += timedelta(days=1)
    return rows


def as_dict(result: RefreshResult) -> dict[str, Any]:
    return {"days": result.days, "rows": result.rows, "snapshot_rows": result.snapshot_rows, "seconds": result.seconds}
