"""Rebuilding the roll-up tables for a range of days in set-based SQL (PostgreSQL): `jingzhi metrics rebuild`.

rollup.rollup_day reads a day's facts into Python and writes its rows: right for the few days a refresh
touches, but ~4.5 minutes per million cases for a rebuild of history. Here a month of days is rebuilt in one
transaction by a handful of statements: the month's facts (cases received, events, follow-ups; each read by
its indexed time range) become one temporary table of per-fact counters, and every roll-up table is filled
from it by GROUP BY. The SQL follows rollup.compute_day rule for rule (a test holds the two together), with
working time from a temporary calendar table: working seconds between a and b = W(b) − W(a), where W(t) is
the running total of working seconds before t's day plus the worked part of t's own day, the same sum of
window overlaps as WorkCalendar.working_seconds_between.

SQLite has no jsonb_agg, AT TIME ZONE or advisory locks; there `rebuild` keeps the day-by-day Python path.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jingzhi.cases import sla
from jingzhi.core.workcalendar import WorkCalendar
from jingzhi.metrics import rollup

COUNTERS = rollup.COUNTERS
_TZ_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")
EVENT_ACTIONS = ("acknowledge", "reply", "return", "reopen", "approve_extension")


def supported() -> bool:
    return connection.vendor == "postgresql"


def calendar_rows(calendar: WorkCalendar, first: date, last: date) -> list[tuple[date, datetime, datetime, bool, float]]:
    """(day, working window start, window end, is a working day, working seconds before the day) for first..last."""
    rows, before = [], 0.0
    d = first
    while d <= last:
        lo = datetime.combine(d, calendar.hours.start, tzinfo=calendar.tz)
        hi = datetime.combine(d, calendar.hours.end, tzinfo=calendar.tz)
        work = calendar.is_workday(d)
        rows.append((d, lo, hi, work, before))
        if work:
            before += (hi - lo).total_seconds()
        d += timedelta(days=1)
    return rows


def _working_at(cal: str, t: str) -> str:
    """W(t) for a moment t whose local day joined the calendar table as `cal`."""
    return f"({cal}.before + CASE WHEN {cal}.work THEN greatest(0, extract(epoch FROM least({t}, {cal}.hi) - {cal}.lo)) ELSE 0 END)"


def _python_round(x: str) -> str:
    """Python's round() (half to even) on an exact numeric: compute_day stores round(working_seconds_between)."""
    return f"(CASE WHEN {x} - floor({x}) = 0.5 THEN 2 * round({x} / 2) ELSE round({x}) END)"


def _counters(values: dict[str, str], ack: str = "NULL::numeric", reply: str = "NULL::numeric") -> str:
    return ", ".join([f"{values.get(name, '0')} AS {name}" for name in COUNTERS] + [f"{ack} AS ack_s", f"{reply} AS reply_s"])


def _facts_sql(tz: str) -> str:
    """Per-fact counters of the window [%(start)s, %(end)s): one row per case received, event, follow-up."""
    duration = _python_round(f"({_working_at('ca', 'e.created_at')} - {_working_at('cd', 'c.dispatched_at')})")
    on_dispatch = "c.dispatched_at IS NOT NULL AND c.dispatched_at <= e.created_at"
    local = f"AT TIME ZONE '{tz}')::date"
    received = _counters({"received": "(status <> 'merged')::int", "merged": "(status = 'merged')::int",
                          "emergencies": "(status <> 'merged' AND priority = 'emergency')::int"})
    events = _counters(
        {"acknowledged": "(e.action = 'acknowledge')::int",
         "acknowledged_on_time": "(e.action = 'acknowledge' AND (c.acknowledge_due IS NULL OR e.created_at <= c.acknowledge_due))::int",
         "replied": "(e.action = 'reply')::int",
         "replied_on_time": "(e.action = 'reply' AND (c.reply_due IS NULL OR e.created_at <= c.reply_due))::int",
         "returned": "(e.action = 'return')::int", "reopened": "(e.action = 'reopen')::int",
         "extended": "(e.action = 'approve_extension')::int"},
        ack=f"CASE WHEN e.action = 'acknowledge' AND {on_dispatch} THEN {duration} END",
        reply=f"CASE WHEN e.action = 'reply' AND {on_dispatch} THEN {duration} END",
    )
    follow_ups = _counters({"followed_up": "1", "contacted": "f.contacted::int", "resolved": "(f.resolution = 'resolved')::int",
                            "partly": "(f.resolution = 'partly')::int", "satisfied": "(f.satisfaction = 'satisfied')::int",
                            "basically": "(f.satisfaction = 'basically')::int"})
    actions = ", ".join(f"'{a}'" for a in EVENT_ACTIONS)
    # Only fixed names, the checked time zone name and the expressions above go into the text; values are parameters.
    return f"""
CREATE TEMPORARY TABLE jz_facts ON COMMIT DROP AS
SELECT (created_at {local} AS day, division_id, lead_unit_id AS unit_id, category_id, {received}
FROM cases_case WHERE created_at >= %(start)s AND created_at < %(end)s
UNION ALL
SELECT (e.created_at {local}, c.division_id,
  CASE WHEN e.action IN ('acknowledge', 'return') THEN coalesce(e.actor_unit_id, c.lead_unit_id) ELSE c.lead_unit_id END,
  c.category_id, {events}
FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
  LEFT JOIN jz_cal ca ON ca.day = (e.created_at {local}
  LEFT JOIN jz_cal cd ON cd.day = (c.dispatched_at {local}
WHERE e.created_at >= %(start)s AND e.created_at < %(end)s AND e.action IN ({actions})
UNION ALL
SELECT (f.created_at {local}, c.division_id, f.unit_id, c.category_id, {follow_ups}
FROM cases_followup f JOIN cases_case c ON c.id = f.case_id
WHERE f.created_at >= %(start)s AND f.created_at < %(end)s
"""  # noqa: S608


def _first_dispatch(start: datetime, end: datetime) -> datetime | None:
    """The earliest dispatch behind the window's acknowledgements and replies: the calendar table reaches back to it."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(c.dispatched_at) FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
            "WHERE e.created_at >= %s AND e.created_at < %s AND e.action IN ('acknowledge', 'reply')",
            [start, end],
        )
        row = cur.fetchone()
    return row[0] if row else None


def rebuild_range(first: date, last: date) -> int:
    """Replace the roll-up rows of the days first..last (one transaction); returns the DailyRollup rows written."""
    tz = timezone.get_default_timezone_name()
    if not _TZ_NAME.fullmatch(tz):  # it is written into the SQL text
        raise ValueError(f"unexpected time zone name {tz!r}")
    start, end = rollup.day_window(first)[0], rollup.day_window(last)[1]
    calendar = sla.work_calendar()
    earliest = _first_dispatch(start, end)
    cal_first = min(first, timezone.localtime(earliest).date() if earliest else first) - timedelta(days=2)
    params: dict[str, Any] = {"start": start, "end": end, "first": first, "last": last}
    with transaction.atomic(), connection.cursor() as cur:
        day = first
        while day <= last:  # the same per-day locks as rollup_day: a refresh of one of these days waits
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [rollup.LOCK_NAMESPACE, day.toordinal()])
            day += timedelta(days=1)
        # Dropped at the end as well as on commit: a caller's outer transaction (a test) may hold several ranges.
        cur.execute("DROP TABLE IF EXISTS jz_facts, jz_cal, jz_coarse")
        cur.execute("CREATE TEMPORARY TABLE jz_cal (day date PRIMARY KEY, lo timestamptz, hi timestamptz, work bool, "
                    "before numeric) ON COMMIT DROP")
        cur.executemany("INSERT INTO jz_cal VALUES (%s, %s, %s, %s, %s)", calendar_rows(calendar, cal_first, last + timedelta(days=2)))
        cur.execute("CREATE TEMPORARY TABLE jz_coarse (division_id bigint PRIMARY KEY, county_id bigint) ON COMMIT DROP")
        cur.executemany("INSERT INTO jz_coarse VALUES (%s, %s)", list(rollup.coarse_divisions().items()))
        cur.execute(_facts_sql(tz), params)
        for table in ("metrics_dailyrollup", "metrics_dailyunitrollup", "metrics_dailycategoryrollup", "metrics_dailyintake"):
            cur.execute(f"DELETE FROM {table} WHERE day BETWEEN %(first)s AND %(last)s", params)  # noqa: S608 — fixed names
        sums = ", ".join(f"sum({name})" for name in COUNTERS)
        arrays = ("coalesce(jsonb_agg(ack_s ORDER BY ack_s) FILTER (WHERE ack_s IS NOT NULL), '[]'::jsonb), "
                  "coalesce(jsonb_agg(reply_s ORDER BY reply_s) FILTER (WHERE reply_s IS NOT NULL), '[]'::jsonb)")
        columns = ", ".join(COUNTERS) + ", ack_seconds, reply_seconds"
        coarse = "(SELECT f.*, k.county_id FROM jz_facts f JOIN jz_coarse k USING (division_id)) s"
        written = 0
        for table, keys, group, source in (
            ("metrics_dailyrollup", "day, division_id, unit_id, category_id", "day, division_id, unit_id, category_id", "jz_facts"),
            ("metrics_dailyunitrollup", "day, division_id, unit_id", "day, county_id, unit_id", coarse),
            ("metrics_dailycategoryrollup", "day, division_id, category_id", "day, county_id, category_id", coarse),
        ):
            cur.execute(
                f"INSERT INTO {table} ({keys}, {columns}) SELECT {group}, {sums}, {arrays} FROM {source} "  # noqa: S608 — fixed names
                f"WHERE day BETWEEN %(first)s AND %(last)s GROUP BY {group}",
                params,
            )
            if table == "metrics_dailyrollup":
                written = cur.rowcount
        cur.execute(
            f"INSERT INTO metrics_dailyintake (day, division_id, channel, kind, received) "  # noqa: S608 — fixed names
            f"SELECT (created_at AT TIME ZONE '{tz}')::date, division_id, channel, kind, count(*) FROM cases_case "
            f"WHERE status <> 'merged' AND created_at >= %(start)s AND created_at < %(end)s GROUP BY 1, 2, 3, 4",
            params,
        )
        cur.execute("DROP TABLE jz_facts, jz_cal, jz_coarse")
    return written


def rebuild(start: date, end: date, *, days_per_transaction: int = 31) -> int:
    """Rebuild [start, end]: on PostgreSQL in SQL, a month (by default) per transaction, which bounds temporary
    space and locks; elsewhere day by day in Python (rollup.rebuild). Returns the DailyRollup rows written."""
    if not supported():
        return rollup.rebuild(start, end)
    rows = 0
    with sla.frozen_policy():
        first = start
        while first <= end:
            last = min(end, first + timedelta(days=days_per_transaction - 1))
            rows += rebuild_range(first, last)
            first = last + timedelta(days=1)
    return rows
