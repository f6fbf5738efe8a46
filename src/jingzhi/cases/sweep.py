"""The SLA sweep: a periodic job that reminds (催办), supervises (督办) and flags (挂牌督办) cases whose clocks run out.

It only ever raises a case's level. Due escalations are applied a batch at a time through
services.supervision.cases_escalate_bulk: one transaction per batch locks the batch's rows (skipping rows another
sweep holds, on PostgreSQL), leaves alone a case that changed since it was read or already has the level, raises
the levels with one UPDATE per level and inserts the events and notifications in bulk. Running the sweep twice,
or on two workers at once, therefore escalates each case once. sweep_case_by_case is the earlier path through
case_escalate, one transaction per case, kept as the reference the set-based path is tested against (ADR 009).

Scale: candidates are selected in the database with the status, level and deadline columns (a case can only
need escalating if its deadline is near enough for the warning share of the longest possible limit to have
begun, or has passed, and if its status allows a higher level), through partial indexes that hold open cases
only; they are read in batches by primary key and evaluated in Python against the working calendar and the
rule book, each loaded once per sweep.
"""

from __future__ import annotations

import contextvars
import logging
import operator
import queue
import threading
import time as _time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import reduce

import psycopg.types.datetime
from django.db import connection
from django.db.models import Field, Q
from django.utils import timezone

from jingzhi.cases import sla
from jingzhi.cases.models import Case, Kind, Priority, Status, Supervision
from jingzhi.cases.services.supervision import (
    LEVEL_ACTION,
    Escalation,
    case_escalate,
    cases_escalate_bulk,
    recipients_memo,
    running_clocks,
)
from jingzhi.cases.transitions import TRANSITIONS
from jingzhi.core.errors import ApplicationError
from jingzhi.core.workcalendar import WorkCalendar
from jingzhi.org.models import Division

logger = logging.getLogger(__name__)

# Which deadline column each clock keeps, and the statuses in which that clock runs (see running_clocks).
CLOCK_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dispatch": ("dispatch_due", (Status.ACCEPTED, Status.RETURNED)),
    "acknowledge": ("acknowledge_due", (Status.DISPATCHED,)),
    "reply": ("reply_due", (Status.DISPATCHED, Status.HANDLING)),
    "follow_up": ("follow_up_due", (Status.REPLIED,)),
}

# What the sweep reads of a candidate: its clocks, and what the event and the notification name.
_FIELDS = (
    "id", "number", "title", "status", "kind", "priority", "supervision", "version", "lead_unit", "division",
    "created_at", "dispatched_at", "acknowledged_at", "replied_at", "followed_up_at",
    "dispatch_due", "acknowledge_due", "reply_due", "follow_up_due",
)
BATCH_SIZE = 1000
OVERLAP = True  # write each batch in a second connection while the next is read (PostgreSQL; see _apply_overlapped)

# A deadline in working days falls at the end of the N-th working day after the start's date, so the clock
# may also hold what was left of the start day: at most one working day more than N.
_START_DAY_SLACK = 1


@dataclass
class SweepResult:
    """What one sweep did. `skipped`: the case changed (or another worker escalated it) between read and lock."""

    examined: int = 0
    reminded: int = 0
    supervised: int = 0
    flagged: int = 0
    skipped: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def escalated(self) -> int:
        return self.reminded + self.supervised + self.flagged

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)


@dataclass(frozen=True)
class _Policy:
    calendar: WorkCalendar
    rules: sla.RuleBook
    warn_ratio: float
    flag_after_working_days: int
    day_seconds: float
    extension_days: int  # the most working days extensions can add to a reply deadline


def _allowed_levels(status: str) -> int:
    """The highest level the system may raise a case to in this status: levels are climbed in order, and the
    transition table says from which statuses each may be reached (an undispatched case is not supervised)."""
    top = int(Supervision.NONE)
    for level in sorted(LEVEL_ACTION):
        if status not in TRANSITIONS[LEVEL_ACTION[level]].sources:
            break
        top = level
    return top


def _clock_level(pol: _Policy, clock: str, case: Case | CandidateCase, start: datetime | None, due: datetime, now: datetime) -> int:
    """The level one running clock calls for at `now`."""
    cal = pol.calendar
    if now >= due:
        overdue = cal.working_seconds_between(due, now)
        if overdue >= pol.flag_after_working_days * pol.day_seconds:
            return Supervision.FLAGGED
        return Supervision.SUPERVISED
    if start is None or start >= due:
        return Supervision.NONE
    limit = pol.rules.limit(clock, kind=case.kind, priority=case.priority)
    allowed = elapsed = 0.0
    if limit.unit != "hours":
        allowed = cal.working_seconds_between(start, due)
        elapsed = cal.working_seconds_between(start, now)
    if allowed <= 0:  # hour-based (emergency) limits run around the clock
        allowed = (due - start).total_seconds()
        elapsed = (now - start).total_seconds()
    return Supervision.REMINDED if elapsed >= pol.warn_ratio * allowed else Supervision.NONE


def target_level(case: Case | CandidateCase, *, now: datetime, policy: _Policy) -> tuple[int, str]:
    """(level, clock): the level the case's running clocks call for, capped by what its status allows."""
    best, best_clock = int(Supervision.NONE), ""
    for clock, start, due in running_clocks(case):
        if due is None:
            continue
        level = _clock_level(policy, clock, case, start, due, now)
        if level > best:
            best, best_clock = level, clock
    return min(best, _allowed_levels(case.status)), best_clock


def _limit_seconds(limit: sla.Limit, day_seconds: float) -> tuple[float, float]:
    """(working seconds, wall-clock seconds) a limit can span at most."""
    amount = float(limit.amount)
    if limit.unit == "hours":
        return 0.0, amount * 3600
    if limit.unit == "working_hours":
        return amount * 3600, 0.0
    return (amount + _START_DAY_SLACK) * day_seconds, 0.0


def _horizon(pol: _Policy, clock: str, now: datetime) -> datetime | None:
    """The latest deadline that can already be past the warning share of its limit at `now` (None: any)."""
    if pol.warn_ratio <= 0:
        return None
    most_working = most_wall = 0.0
    for kind in Kind.values:
        for priority in Priority.values:
            working, wall = _limit_seconds(pol.rules.limit(clock, kind=kind, priority=priority), pol.day_seconds)
            most_working, most_wall = max(most_working, working), max(most_wall, wall)
    if clock == "reply":
        most_working += pol.extension_days * pol.day_seconds
    share = max(0.0, 1.0 - pol.warn_ratio)
    working_horizon = pol.calendar.add_working_seconds(now, share * most_working)
    wall_horizon = now + timedelta(seconds=share * most_wall)
    # One minute of slack for rounding: a candidate too many costs a little Python, one too few a reminder.
    return max(working_horizon, wall_horizon) + timedelta(minutes=1)


def candidates_q(pol: _Policy, now: datetime) -> Q:
    """Open cases that may need a higher level now: indexed filters on status, deadline and current level.

    Each (clock, current level) pair keeps only the statuses that may be raised above that level
    (_allowed_levels): a case not yet dispatched may be reminded but not supervised, so an overdue reminded
    one is never a candidate again, however long it waits. The partial indexes on (supervision, deadline)
    per clock (migration 0006) answer every part of this filter from open cases only.
    """
    # Five working days are at least four calendar days, so a case due later than this cannot be flagged yet.
    flag_bound = now - timedelta(days=max(0, pol.flag_after_working_days - 1))
    parts = []
    for clock, (column, statuses) in CLOCK_COLUMNS.items():
        horizon = _horizon(pol, clock, now)
        near = Q(**{f"{column}__isnull": False}) if horizon is None else Q(**{f"{column}__lte": horizon})
        for level, due_q in (
            (Supervision.NONE, near),
            (Supervision.REMINDED, Q(**{f"{column}__lte": now})),
            (Supervision.SUPERVISED, Q(**{f"{column}__lte": flag_bound})),
        ):
            raisable = [s for s in statuses if _allowed_levels(s) > level]
            if raisable:
                parts.append(Q(status__in=raisable, supervision=level) & due_q)
    return reduce(operator.or_, parts)


@dataclass(slots=True)
class CandidateCase:
    """What the set-based sweep reads of a candidate (`_FIELDS`, in that order), as a plain object.

    Why not the model: building 33,000 Case instances and the attribute machinery behind them was a quarter of a
    27,000-escalation burst's CPU (issue 12). The sweep only reads these columns and writes through
    cases_escalate_bulk, which re-checks level and version under the row lock, so nothing else is needed.
    """

    id: int
    number: str
    title: str
    status: str
    kind: str
    priority: str
    supervision: int
    version: int
    lead_unit_id: int | None
    division_id: int
    created_at: datetime
    dispatched_at: datetime | None
    acknowledged_at: datetime | None
    replied_at: datetime | None
    followed_up_at: datetime | None
    dispatch_due: datetime | None
    acknowledge_due: datetime | None
    reply_due: datetime | None
    follow_up_due: datetime | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def division(self) -> Division:
        # Read only for the recipients of a supervision, once per division and sweep (recipients_memo).
        return Division.objects.get(pk=self.division_id)


def candidates(pol: _Policy, now: datetime, *, batch_size: int = BATCH_SIZE) -> Iterator[list[Case]]:
    """The candidates as model instances, in batches of `batch_size` in primary-key order (the per-case path).

    Their ids are collected first, in one pass over the partial indexes; then each batch is read by id. (Paging
    the filter itself by `pk > last` made the database re-evaluate the whole filter once per batch.)
    """
    ids = _candidate_ids(pol, now)
    for start in range(0, len(ids), batch_size):
        yield list(Case.objects.filter(pk__in=ids[start:start + batch_size]).only(*_FIELDS).order_by("pk"))


def candidate_rows(pol: _Policy, now: datetime, *, batch_size: int = BATCH_SIZE) -> Iterator[list[CandidateCase]]:
    """The same candidates and batches as `candidates`, read as plain rows (the set-based sweep)."""
    ids = _candidate_ids(pol, now)
    if connection.vendor == "postgresql":
        yield from _candidate_rows_pg(ids, batch_size)
        return
    for start in range(0, len(ids), batch_size):
        rows = Case.objects.filter(pk__in=ids[start:start + batch_size]).order_by("pk").values_list(*_FIELDS)
        yield [CandidateCase(*row) for row in rows]


_COLUMNS = tuple(str(f.column) for name in _FIELDS if isinstance(f := Case._meta.get_field(name), Field))


def _candidate_rows_pg(ids: list[int], batch_size: int) -> Iterator[list[CandidateCase]]:
    """On PostgreSQL: one statement per batch with the ids as one array, its timestamps read by psycopg's C loader.

    Why not the queryset: Django's own timestamptz loader is written in Python (it re-labels each value's time
    zone) and parsed the burst's 190,000 timestamps in a quarter of the sweep's CPU; `pk IN (1,000 parameters)`
    cost more to compile and send than the rows. psycopg's loader gives the same instants, aware, in the
    session's zone (UTC, as Django sets it).
    """
    columns = ", ".join(_COLUMNS)
    sql = f"SELECT {columns} FROM {Case._meta.db_table} WHERE id = ANY(%s) ORDER BY id"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper: its adapters are its own copy
        raw.adapters.register_loader("timestamptz", psycopg.types.datetime.TimestamptzLoader)
        for start in range(0, len(ids), batch_size):
            raw.execute(sql, [ids[start:start + batch_size]])
            yield [CandidateCase(*row) for row in raw.fetchall()]


def _candidate_ids(pol: _Policy, now: datetime) -> list[int]:
    return list(Case.objects.filter(candidates_q(pol, now)).order_by("pk").values_list("pk", flat=True))


def load_policy() -> _Policy:
    """The calendar, rule book and thresholds of one sweep, read once."""
    pol = sla.policy()
    cal = sla.work_calendar()
    start, end = pol.workday_start, pol.workday_end
    day_seconds = float((end.hour * 3600 + end.minute * 60 + end.second) - (start.hour * 3600 + start.minute * 60 + start.second))
    return _Policy(
        calendar=cal,
        rules=sla.rule_book(),
        warn_ratio=float(pol.warn_ratio),
        flag_after_working_days=int(pol.flag_after_working_days),
        day_seconds=day_seconds,
        extension_days=int(pol.extension_max_working_days) * int(pol.extensions_allowed),
    )


def sla_sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Escalate every open case whose running clock calls for a higher level than it has. Idempotent.

    Set-based: each batch of candidates is evaluated against the calendar and the rule book, and the batch's
    escalations are applied in one transaction (cases_escalate_bulk).
    """
    started = _time.perf_counter()
    now = now or timezone.now()
    result = SweepResult()
    with sla.frozen_policy(), recipients_memo(), _relaxed_commits():
        pol = _policy_for(now)
        batches = _decided(candidate_rows(pol, now, batch_size=batch_size), now=now, policy=pol, result=result)
        if _can_overlap():
            _apply_overlapped(batches, at=now, result=result)
        else:
            for due in batches:
                _apply(due, at=now, result=result)
    result.seconds = round(_time.perf_counter() - started, 3)
    logger.info("SLA sweep: %s", result.as_dict())
    return result


def _decided(batches: Iterator[list[CandidateCase]], *, now: datetime, policy: _Policy, result: SweepResult) -> Iterator[list[Escalation]]:
    """Each batch of candidates as the escalations it calls for (empty batches left out)."""
    for batch in batches:
        result.examined += len(batch)
        due = []
        for case in batch:
            level, clock = target_level(case, now=now, policy=policy)
            if level > case.supervision:
                due.append(Escalation(case=case, level=level, clock=clock))
        if due:
            yield due


def _can_overlap() -> bool:
    """Whether the writes may go through a second connection: PostgreSQL, and not inside a transaction (a second
    connection would not see the caller's uncommitted rows: a test's transaction, an admin action's atomic block)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block and OVERLAP


def _apply_overlapped(batches: Iterator[list[Escalation]], *, at: datetime, result: SweepResult) -> None:
    """Apply the batches in a second thread (its own connection) while this one reads and decides the next.

    Why: in a burst, reading and deciding a batch is Python's work and applying one is mostly the database's
    (raising the levels rewrites every index entry of each case), so one after the other they took the sum of
    both; overlapped, about the longer of the two (issue 12, ADR 031). The queue holds one batch, so reading
    never runs far ahead of writing. Each batch still commits or rolls back on its own, exactly as in line.
    """
    pending: queue.Queue[list[Escalation] | None] = queue.Queue(maxsize=1)
    failure: list[BaseException] = []
    context = contextvars.copy_context()  # the frozen policy and the recipients memo of this sweep

    def write() -> None:
        try:
            with _relaxed_commits():
                while (due := pending.get()) is not None:
                    if not failure:
                        _apply(due, at=at, result=result)
        except BaseException as exc:  # re-raised in the sweep's thread
            failure.append(exc)
            while pending.get() is not None:  # let the reader finish instead of blocking on a full queue
                pass
        finally:
            connection.close()

    writer = threading.Thread(target=context.run, args=(write,), name="sla-sweep-writer", daemon=True)
    writer.start()
    try:
        for due in batches:
            if failure:
                break
            pending.put(due)
    finally:
        pending.put(None)
        writer.join()
    if failure:
        raise failure[0]


def sweep_case_by_case(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """The same sweep one case at a time through case_escalate (a transaction, a lock and a queued notification
    each): the reference that tests hold the set-based sweep to, and the "before" of benchmarks/sweep.py."""
    started = _time.perf_counter()
    now = now or timezone.now()
    result = SweepResult()
    with sla.frozen_policy(), recipients_memo(), _relaxed_commits():
        pol = _policy_for(now)
        for batch in candidates(pol, now, batch_size=batch_size):
            for case in batch:
                result.examined += 1
                _sweep_one(case, now=now, policy=pol, result=result)
    result.seconds = round(_time.perf_counter() - started, 3)
    return result


def _policy_for(now: datetime) -> _Policy:
    pol = load_policy()
    if not pol.calendar.knows_year(timezone.localtime(now).year):
        logger.warning("The statutory calendar does not know %s: weekends only; enter the holidays.", now.year)
    return pol


def _apply(due: list[Escalation], *, at: datetime, result: SweepResult) -> None:
    try:
        applied = cases_escalate_bulk(escalations=due, at=at)
    except Exception:
        # A batch fails as a whole (its transaction rolls back); the next sweep tries its cases again.
        logger.exception("SLA sweep failed on a batch of %d escalations (cases %s…%s)", len(due), due[0].case.pk, due[-1].case.pk)
        result.errors += len(due)
        return
    result.skipped += len(due) - len(applied)
    for e in applied:
        if e.level == Supervision.REMINDED:
            result.reminded += 1
        elif e.level == Supervision.SUPERVISED:
            result.supervised += 1
        else:
            result.flagged += 1


@contextmanager
def _relaxed_commits() -> Iterator[None]:
    """On PostgreSQL, do not wait for each of the sweep's many small commits to reach the disk.

    PostgreSQL's `synchronous_commit = off` for non-critical transactions: a commit costs microseconds
    instead of a disk flush, and a crash of the database server may lose the last fraction of a second of
    commits, never consistency. A lost escalation is simply made again by the next sweep; a lost queued
    notification is the same loss as a worker dying between an escalation's commit and its on-commit
    enqueue, which no setting prevents. Only this connection, and only during the sweep, is affected.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _sweep_one(case: Case, *, now: datetime, policy: _Policy, result: SweepResult) -> None:
    try:
        level, clock = target_level(case, now=now, policy=policy)
        if level <= case.supervision:
            return
        escalated = case_escalate(
            case=case, level=Supervision(level), actor=None, at=now, clock=clock, expected_version=case.version
        )
    except ApplicationError:
        # Moved on since it was read (replied, closed, escalated by another worker): the next sweep sees it afresh.
        result.skipped += 1
        return
    except Exception:
        logger.exception("SLA sweep failed on case %s", case.pk)
        result.errors += 1
        return
    if not escalated:
        result.skipped += 1
    elif level == Supervision.REMINDED:
        result.reminded += 1
    elif level == Supervision.SUPERVISED:
        result.supervised += 1
    else:
        result.flagged += 1


__all__ = ["CandidateCase", "SweepResult", "candidate_rows", "candidates", "candidates_q", "load_policy", "sla_sweep", "sweep_case_by_case", "target_level"]
