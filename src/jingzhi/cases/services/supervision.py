"""Escalation of a case whose clock runs out: reminder (催办), supervision (督办), flagged supervision (挂牌督办).

The SLA sweep calls case_escalate for every case that needs it; a supervisor may call it by hand (manual 督办
with a note). The level only ever goes up while a clock runs (services that start a new clock reset it), so
escalating to a level the case already has writes nothing: that is what makes the sweep safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, CaseEvent, Status, Supervision
from jingzhi.cases.services.common import commit, lock, notify, supervisors_for, unit_staff, users_with_role
from jingzhi.cases.transitions import Action
from jingzhi.core.bulk import insert_rows
from jingzhi.core.errors import InvalidTransition, ValidationFailed
from jingzhi.core.notify import Outgoing, notify_many
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Division, Responsibility, Role, User

NOTE_MAX = 5000

LEVEL_ACTION: dict[int, Action] = {
    Supervision.REMINDED: Action.REMIND,
    Supervision.SUPERVISED: Action.SUPERVISE,
    Supervision.FLAGGED: Action.FLAG,
}
LEVEL_NOTIFICATION_KIND: dict[int, str] = {
    Supervision.REMINDED: "reminder",
    Supervision.SUPERVISED: "supervision",
    Supervision.FLAGGED: "flagged",
}


class CaseFacts(Protocol):
    """What escalation reads of a case: a Case, or the sweep's plain CandidateCase row (sweep.py)."""

    @property
    def pk(self) -> Any: ...
    @property
    def number(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def lead_unit_id(self) -> Any: ...
    @property
    def division_id(self) -> Any: ...
    @property
    def division(self) -> Division: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def dispatched_at(self) -> datetime | None: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def replied_at(self) -> datetime | None: ...
    @property
    def followed_up_at(self) -> datetime | None: ...
    @property
    def dispatch_due(self) -> datetime | None: ...
    @property
    def acknowledge_due(self) -> datetime | None: ...
    @property
    def reply_due(self) -> datetime | None: ...
    @property
    def follow_up_due(self) -> datetime | None: ...

    supervision: int
    version: int


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def running_clocks(case: CaseFacts) -> list[tuple[str, datetime | None, datetime | None]]:
    """(clock, started at, due at) for every clock that runs in the case's status; none while it waits (suspended).

    Like selectors.running_clock, except that a dispatched case has two clocks running at once (the unit must
    acknowledge within hours and reply within days, both from the dispatch), and that a clock restarted by a
    return or a reopening starts no earlier than the last moment the case records before the restart (the
    case keeps no field for the restart itself).
    """
    if case.status in (Status.ACCEPTED, Status.RETURNED):
        return [("dispatch", _latest(case.created_at, case.dispatched_at, case.acknowledged_at), case.dispatch_due)]
    if case.status == Status.DISPATCHED:
        return [("acknowledge", case.dispatched_at, case.acknowledge_due), ("reply", case.dispatched_at, case.reply_due)]
    if case.status == Status.HANDLING:
        return [("reply", _latest(case.dispatched_at, case.followed_up_at), case.reply_due)]
    if case.status == Status.REPLIED:
        return [("follow_up", case.replied_at, case.follow_up_due)]
    return []


def division_leaders(division: Division) -> list[int]:
    """The 包保 officials of a division: its own active ones or, if it has none, those of its nearest ancestor."""
    codes = [code for code in division.path.strip("/").split("/") if code] or [division.code]
    rows = Responsibility.objects.filter(
        target_type=Responsibility.TargetType.DIVISION, is_active=True, official__is_active=True, division__code__in=codes
    ).values_list("official_id", "division__code")
    by_code: dict[str, list[int]] = {}
    for official_id, code in rows:
        by_code.setdefault(code, []).append(official_id)
    for code in reversed(codes):  # the division itself first, then up the tree
        if code in by_code:
            return sorted(by_code[code])
    return []


_memo: ContextVar[dict[Any, list[int]] | None] = ContextVar("jingzhi_escalation_recipients", default=None)


@contextmanager
def recipients_memo() -> Iterator[None]:
    """Within a bulk run (the sweep), look up each unit's staff and each division's leaders once, not per case."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _memoized(memo: dict[Any, list[int]] | None, key: Any, compute: Callable[[], list[int]]) -> list[int]:
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def escalation_recipients(case: CaseFacts, level: int, clock: str, *, memo: dict[Any, list[int]] | None = None) -> list[int]:
    """Who hears of an escalation.

    Reminder: the lead unit's handlers and heads (for the dispatch clock, which is the hotline centre's own,
    the dispatchers). Supervision: the unit's heads and the division's 包保 leader. Flagged: those and the
    supervisors whose division contains the case. `memo` (from recipients_memo) saves repeated look-ups.
    """
    if level == Supervision.REMINDED:
        if clock == "dispatch":
            return _memoized(memo, ("role", Role.DISPATCHER), lambda: users_with_role(Role.DISPATCHER))
        return _memoized(memo, ("unit", case.lead_unit_id), lambda: unit_staff(case.lead_unit_id))
    recipients = _memoized(memo, ("heads", case.lead_unit_id), lambda: unit_staff(case.lead_unit_id, heads_only=True))
    recipients = recipients + _memoized(memo, ("leaders", case.division_id), lambda: division_leaders(case.division))
    if level >= Supervision.FLAGGED:
        recipients = recipients + _memoized(memo, ("supervisors", case.division_id), lambda: supervisors_for(case))
    return sorted(set(recipients))


def _message_params(case: CaseFacts, due: datetime | None, shown: dict[datetime | None, str] | None = None) -> dict[str, str]:
    if shown is None or due not in shown:
        text = timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—"
        if shown is not None:
            shown[due] = text
    else:
        text = shown[due]
    return {"number": case.number, "title": case.title[:60], "due": text}


def _raise_levels(escalations: Sequence[Escalation]) -> set[int]:
    """Lock the escalations' cases and raise the levels of those unchanged since they were read; their ids.

    A case is raised only if it is still at the level and version the sweep read and below the new level; on
    PostgreSQL rows another transaction holds are skipped (that sweep's, or the next one's).
    """
    now = timezone.now()
    if connection.vendor == "postgresql":
        # One statement for the batch: its rows locked, checked and raised together. The earlier lock, read and
        # one UPDATE per level with 1,000 ids each as parameters cost more in Django and psycopg to compile
        # and send than the database spent on them (issue 12, ADR 031).
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH wanted AS (
                    SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::smallint[], %s::integer[])
                        AS w(id, level, from_level, version)
                ), locked AS (
                    SELECT c.id FROM cases_case c WHERE c.id IN (SELECT id FROM wanted) FOR UPDATE SKIP LOCKED
                )
                UPDATE cases_case c SET supervision = w.level, version = c.version + 1, updated_at = %s
                FROM wanted w
                WHERE c.id = w.id AND c.id IN (SELECT id FROM locked)
                  AND c.supervision = w.from_level AND c.version = w.version AND c.supervision < w.level
                RETURNING c.id
                """,
                [
                    [e.case.pk for e in escalations], [int(e.level) for e in escalations],
                    [int(e.case.supervision) for e in escalations], [e.case.version for e in escalations], now,
                ],
            )
            return {row[0] for row in cursor.fetchall()}
    rows = Case.objects.filter(pk__in=[e.case.pk for e in escalations]).select_for_update()
    current = {pk: (supervision, version) for pk, supervision, version in rows.values_list("pk", "supervision", "version")}
    applied = [
        e for e in escalations
        if e.case.pk in current and current[e.case.pk] == (e.case.supervision, e.case.version) and e.case.supervision < e.level
    ]
    for level in sorted({e.level for e in applied}):
        Case.objects.filter(pk__in=[e.case.pk for e in applied if e.level == level]).update(
            supervision=level, version=F("version") + 1, updated_at=now
        )
    return {e.case.pk for e in applied}


def _message_template(level: int) -> str:
    if level == Supervision.REMINDED:
        return _("Reminder (催办): case %(number)s is due at %(due)s: %(title)s")
    if level == Supervision.SUPERVISED:
        return _("Supervision (督办): case %(number)s was due at %(due)s and is overdue: %(title)s")
    return _("Flagged supervision (挂牌督办): case %(number)s was due at %(due)s and is long overdue: %(title)s")


def _message(case: Case, level: int, due: datetime | None) -> str:
    return _message_template(level) % _message_params(case, due)


def _pick_clock(case: CaseFacts, clock: str | None) -> tuple[str, datetime | None]:
    clocks = [(name, due) for name, _start, due in running_clocks(case)]
    if clock is not None:
        for name, due in clocks:
            if name == clock:
                return name, due
        return clock, None
    # By hand: the most pressing clock that is running (the earliest deadline).
    dated = [c for c in clocks if c[1] is not None]
    if dated:
        return min(dated, key=lambda c: c[1])  # type: ignore[arg-type, return-value]
    return (clocks[0][0], None) if clocks else ("", None)


def case_escalate(
    *,
    case: Case,
    level: Supervision | int,
    actor: User | None,
    note: str = "",
    at: datetime | None = None,
    clock: str | None = None,
    expected_version: int | None = None,
) -> bool:
    """Raise the case's supervision level to `level` (催办 / 督办 / 挂牌督办) and tell the people who answer for it.

    `actor` None is the system (the SLA sweep). Returns False, writing and sending nothing, if the case is
    already at or above `level`. `clock` names the clock that ran out (the sweep knows it; by hand the most
    pressing running clock is recorded). With `expected_version`, a case that changed since it was read
    raises InvalidTransition instead of being escalated on stale facts.
    """
    if level not in LEVEL_ACTION:
        msg = _("Unknown supervision level.")
        raise ValidationFailed(msg, fields={"level": msg})
    level = Supervision(level)
    note = clean_text(note, multiline=True)
    if len(note) > NOTE_MAX:
        msg = _("At most %(max)d characters.") % {"max": NOTE_MAX}
        raise ValidationFailed(msg, fields={"note": msg})
    action = LEVEL_ACTION[level]
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock(case, action=action, actor=actor)
        if locked.supervision >= level:
            return False
        if expected_version is not None and locked.version != expected_version:
            raise InvalidTransition(_("This case was changed by someone else a moment ago. Reload the page and try again."))
        clock_name, due = _pick_clock(locked, clock)
        before = locked.supervision
        locked.supervision = level
        commit(
            locked, action=action, actor=actor, from_status=locked.status, note=note, at=at,
            data={
                "level": int(level),
                "from_level": int(before),
                "clock": clock_name,
                "due": due.isoformat() if due else None,
            },
            update_fields=["supervision"],
        )
        memo = _memo.get()  # captured now: the recipients are looked up after the commit
        notify(
            lambda: escalation_recipients(locked, level, clock_name, memo=memo),
            kind=LEVEL_NOTIFICATION_KIND[level], case=locked, message=_message(locked, level, due),
        )
    case.supervision, case.version = locked.supervision, locked.version
    return True


@dataclass(frozen=True)
class Escalation:
    """One escalation the sweep has decided on: the case as it read it (with its version), the level, the clock."""

    case: CaseFacts
    level: int
    clock: str


def cases_escalate_bulk(*, escalations: Sequence[Escalation], at: datetime) -> list[Escalation]:
    """Apply many system escalations (the SLA sweep) in one transaction; returns those applied.

    The same outcome as case_escalate(actor=None, clock=…, expected_version=…) for each case, in a fixed number
    of statements: the rows are locked together (on PostgreSQL skipping rows another transaction holds, so two
    sweeps never wait on each other: a skipped case is the other sweep's, or the next sweep's), a case that
    changed since it was read or already has the level is left alone, the levels are raised by one UPDATE per
    level, and the events and notifications are inserted in bulk. Each case gets exactly the event and the
    notification case_escalate would write.
    """
    if not escalations:
        return []
    for item in escalations:
        if item.level not in LEVEL_ACTION:
            raise ValidationFailed(_("Unknown supervision level."))
    with transaction.atomic():
        raised = _raise_levels(escalations)
        applied = [e for e in escalations if e.case.pk in raised]
        if not applied:
            return []
        events: list[tuple[Any, ...]] = []
        outgoing: list[Outgoing] = []
        memo = _memo.get()
        templates = {level: _message_template(level) for level in LEVEL_ACTION}  # gettext once, not per case
        shown: dict[datetime | None, str] = {}  # deadlines cluster (17:30 of a few days): format each once
        for e in applied:
            case = e.case
            clock_name, due = _pick_clock(case, e.clock)
            events.append((
                case.pk, LEVEL_ACTION[e.level].value, case.status, case.status, "", at,
                {"level": int(e.level), "from_level": int(case.supervision), "clock": clock_name,
                 "due": due.isoformat() if due else None},
            ))
            outgoing.append(Outgoing(
                recipient_ids=tuple(escalation_recipients(case, e.level, clock_name, memo=memo)),
                kind=LEVEL_NOTIFICATION_KIND[e.level], message=templates[e.level] % _message_params(case, due, shown),
                subject_type="case", subject_ref=case.number,
            ))
        insert_rows(CaseEvent, ("case", "action", "from_status", "to_status", "note", "created_at", "data"), events)
        notify_many(outgoing)
    for e in applied:
        e.case.supervision, e.case.version = e.level, e.case.version + 1
    return applied
