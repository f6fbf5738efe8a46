"""Moving a case through its life: dispatch, acknowledge, return, transfer, handle, resume, reply, merge.

中止 (suspension) is a request the supervisor decides: services/suspension.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases import hooks, notices, sla
from jingzhi.cases.models import Case, Outcome, Status, Supervision
from jingzhi.cases.services.common import commit, lock, lock_visible, notify, unit_staff, users_with_role
from jingzhi.cases.services.files import check_reply_files, store_reply_files
from jingzhi.cases.services.review_policy import reply_review_required
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import InvalidTransition, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Role, Unit, User
from jingzhi.taxonomy.models import Category

NOTE_MAX = 5000


def _required_text(value: str, field: str, message: str) -> str:
    text = clean_text(value, multiline=True)
    if not text:
        raise ValidationFailed(message, fields={field: message})
    if len(text) > NOTE_MAX:
        msg = _("At most %(max)d characters.") % {"max": NOTE_MAX}
        raise ValidationFailed(msg, fields={field: msg})
    return text


def _assign(case: Case, *, unit: Unit, assisting: Sequence[Unit], at: datetime, first: bool,
            reply_due: datetime | None = None) -> None:
    """Give the case to a unit: new acknowledge and reply clocks start now (`reply_due`: a deadline of its own)."""
    if not unit.is_active:
        msg = _("“%(unit)s” no longer takes cases.") % {"unit": unit.name}
        raise ValidationFailed(msg, fields={"unit": msg})
    case.lead_unit = unit
    case.dispatched_at = at
    case.acknowledged_at = None
    cal, rules = sla.work_calendar(), sla.rule_book()
    case.acknowledge_due = sla.due("acknowledge", kind=case.kind, priority=case.priority, start=at, calendar=cal, rules=rules)
    case.reply_due = reply_due or sla.due("reply", kind=case.kind, priority=case.priority, start=at, calendar=cal, rules=rules)
    case.supervision = Supervision.NONE
    if assisting or not first:  # a first dispatch has no assisting units to clear
        case.assisting_units.set([u for u in assisting if u.pk != unit.pk])


_ASSIGN_FIELDS = ("lead_unit", "dispatched_at", "acknowledged_at", "acknowledge_due", "reply_due", "supervision")


def _dispatch_like(
    action: Action, *, case: Case, unit: Unit, assisting: Sequence[Unit], actor: User | None, note: str,
    expected_version: int | None, at: datetime | None, data: dict[str, Any] | None = None,
    category: Category | None = None, reply_due: datetime | None = None,
) -> Case:
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=action, actor=actor, expected_version=expected_version)
        before, previous_unit = case.status, case.lead_unit
        if action == Action.TRANSFER and previous_unit is not None and unit.pk == previous_unit.pk:
            msg = _("The case is already with this unit; choose another unit to transfer to.")
            raise ValidationFailed(msg, fields={"unit": msg})
        _assign(case, unit=unit, assisting=assisting, at=at, first=previous_unit is None, reply_due=reply_due)
        if reply_due is not None:
            data = {**(data or {}), "reply_due_set": reply_due.isoformat()}
        case.status = Status.DISPATCHED
        fields: tuple[str, ...] = _ASSIGN_FIELDS
        if category is not None and category.pk != case.category_id:
            # Recorded with the move that decided it, so a dispatched case always says what it is about.
            data = {**(data or {}), "category_id": category.pk, "category_name": category.name}
            case.category = category
            fields = (*fields, "category")
        commit(
            case, action=action, actor=actor, from_status=before, note=note, at=at,
            data={
                "unit": unit.code,
                "unit_name": unit.name,
                "assisting": [u.code for u in assisting],
                "previous_unit": previous_unit.code if previous_unit else None,
                **(data or {}),
            },
            update_fields=fields,
        )
        if action in (Action.TRANSFER, Action.REDISPATCH):
            # A wrong first dispatch is evidence for the dispatch classifier's accuracy and next training set.
            hooks.dispatch_corrected(case=case, kind=action.value, from_unit=previous_unit, to_unit=unit, reason=note)
        notify(
            lambda: unit_staff(unit.pk), kind="assigned", case=case,
            message=_("New case %(number)s: %(title)s") % {"number": case.number, "title": case.title[:60]},
        )
    return case


def case_dispatch(
    *, case: Case, unit: Unit, actor: User | None, assisting: Sequence[Unit] = (), note: str = "",
    expected_version: int | None = None, at: datetime | None = None, data: dict[str, Any] | None = None,
    category: Category | None = None, reply_due: datetime | None = None,
) -> Case:
    """派单: send an accepted case to its lead unit (and assisting units), optionally setting its category.

    actor None is the system (the dispatch classifier); `data` adds to the event (model version, confidence).
    `reply_due`: a deadline set by the dispatcher instead of the time-limit rules (a proactive case, 未诉先办).
    """
    if reply_due is not None and reply_due <= (at or timezone.now()):
        msg = _("The deadline must be in the future.")
        raise ValidationFailed(msg, fields={"reply_due": msg})
    return _dispatch_like(Action.DISPATCH, case=case, unit=unit, assisting=assisting, actor=actor, note=note,
                          expected_version=expected_version, at=at, data=data, category=category, reply_due=reply_due)


def case_transfer(
    *, case: Case, unit: Unit, actor: User, reason: str, assisting: Sequence[Unit] = (),
    expected_version: int | None = None, at: datetime | None = None,
) -> Case:
    """转办: the dispatcher re-routes a case that is with one unit to another."""
    reason = _required_text(reason, "reason", _("Say why the case is transferred."))
    return _dispatch_like(Action.TRANSFER, case=case, unit=unit, assisting=assisting, actor=actor, note=reason,
                          expected_version=expected_version, at=at)


def case_redispatch(
    *, case: Case, unit: Unit, actor: User, note: str = "", assisting: Sequence[Unit] = (),
    expected_version: int | None = None, at: datetime | None = None, category: Category | None = None,
) -> Case:
    """The dispatcher accepts a return and sends the case to the right unit (counts against dispatch accuracy)."""
    return _dispatch_like(Action.REDISPATCH, case=case, unit=unit, assisting=assisting, actor=actor, note=note,
                          expected_version=expected_version, at=at, category=category)


def case_overrule_return(
    *, case: Case, actor: User, reason: str, expected_version: int | None = None, at: datetime | None = None
) -> Case:
    """The dispatcher rejects a return: the case goes back to the same unit with fresh clocks."""
    reason = _required_text(reason, "reason", _("Say why the return is overruled."))
    if case.lead_unit is None:  # never dispatched, so never returned: a conflict, not a crash
        raise InvalidTransition(_("Only a returned case can have its return overruled."))
    return _dispatch_like(Action.OVERRULE_RETURN, case=case, unit=case.lead_unit, assisting=list(case.assisting_units.all()),
                          actor=actor, note=reason, expected_version=expected_version, at=at)


def case_acknowledge(*, case: Case, actor: User, expected_version: int | None = None, at: datetime | None = None) -> Case:
    """签收: the lead unit takes the case; from now on it is theirs to handle."""
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.ACKNOWLEDGE, actor=actor, expected_version=expected_version)
        before = case.status
        case.status = Status.HANDLING
        case.acknowledged_at = at
        commit(case, action=Action.ACKNOWLEDGE, actor=actor, from_status=before, at=at, update_fields=["acknowledged_at"])
    return case


def case_return(
    *, case: Case, actor: User, reason: str, expected_version: int | None = None, at: datetime | None = None
) -> Case:
    """回退: the unit says the case is not theirs; a dispatcher must review it."""
    reason = _required_text(reason, "reason", _("Say why the case is not your unit's."))
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.RETURN, actor=actor, expected_version=expected_version)
        before = case.status
        case.status = Status.RETURNED
        case.return_count += 1
        case.dispatch_due = sla.due("dispatch", kind=case.kind, priority=case.priority, start=at)
        case.supervision = Supervision.NONE
        commit(
            case, action=Action.RETURN, actor=actor, from_status=before, note=reason, at=at,
            data={"unit": case.lead_unit.code if case.lead_unit else None},
            update_fields=["return_count", "dispatch_due", "supervision"],
        )
        hooks.dispatch_corrected(case=case, kind=Action.RETURN.value, from_unit=case.lead_unit, reason=reason)
        notify(
            lambda: users_with_role(Role.DISPATCHER), kind="returned", case=case,
            message=_("%(unit)s returned case %(number)s") % {"unit": actor.unit or actor, "number": case.number},
        )
    return case


def case_add_note(*, case: Case, actor: User, note: str, expected_version: int | None = None) -> Case:
    """办理: a handling note (a visit, a call, a measure taken); the lead or an assisting unit may write it."""
    note = _required_text(note, "note", _("Write what was done."))
    with transaction.atomic():
        case = lock(case, action=Action.NOTE, actor=actor, expected_version=expected_version)
        commit(case, action=Action.NOTE, actor=actor, from_status=case.status, note=note)
    return case


def case_resume(*, case: Case, actor: User, note: str = "", expected_version: int | None = None, at: datetime | None = None) -> Case:
    """The requester answered: the reply clock runs again with the time it had left."""
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.RESUME, actor=actor, expected_version=expected_version)
        before, old_due = case.status, case.reply_due
        case.reply_due = sla.resumed_due(case=case, paused_at=case.paused_at, resumed_at=at)
        case.status = Status.HANDLING
        case.paused_at = None
        commit(
            case, action=Action.RESUME, actor=actor, from_status=before, note=note, at=at,
            data={"reply_due_before": old_due.isoformat() if old_due else None, "reply_due": case.reply_due.isoformat() if case.reply_due else None},
            update_fields=["reply_due", "paused_at"],
        )
    return case


def case_reply(
    *, case: Case, actor: User, reply: str, outcome: str = "", attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None, at: datetime | None = None,
) -> Case:
    """答复: the unit's answer to the requester, with what it amounts to (outcome) and any files; the follow-up
    clock starts. In a unit whose replies are reviewed, a handler submits instead (services/reply_review.py)."""
    reply, outcome = reply_input(reply, outcome)
    files = check_reply_files(attachments)
    with transaction.atomic():
        case = lock(case, action=Action.REPLY, actor=actor, expected_version=expected_version)
        if reply_review_required(case=case, actor=actor):
            raise InvalidTransition(_("Your unit's replies are reviewed by the unit head first: submit the reply for review."))
        names = store_reply_files(case=case, files=files, actor=actor)
        send_reply(case, actor=actor, reply=reply, outcome=outcome, at=at or timezone.now(),
                   data={"files": names} if names else None)
    return case


def reply_input(reply: str, outcome: str) -> tuple[str, str]:
    """The reply's text and outcome, checked (shared by the direct reply and the one submitted for review)."""
    reply = _required_text(reply, "reply", _("Write the reply to the requester."))
    if outcome and outcome not in Outcome.values:
        msg = _("Choose the outcome from the list.")
        raise ValidationFailed(msg, fields={"outcome": msg})
    return reply, outcome


def send_reply(case: Case, *, actor: User, reply: str, outcome: str, at: datetime, data: dict[str, Any] | None = None) -> None:
    """The reply goes out (the case is locked by the caller): a direct reply and an approved one do exactly this."""
    before = case.status
    case.status = Status.REPLIED
    case.reply = reply
    case.outcome = outcome
    case.replied_at = at
    case.follow_up_due = sla.due("follow_up", kind=case.kind, priority=case.priority, start=at)
    case.supervision = Supervision.NONE
    commit(
        case, action=Action.REPLY, actor=actor, from_status=before, note=reply, at=at,
        data={"on_time": bool(case.reply_due and at <= case.reply_due), **({"outcome": outcome} if outcome else {}),
              **(data or {})},
        update_fields=["reply", "outcome", "replied_at", "follow_up_due", "supervision"],
    )
    # Recorded with the reply, texted after the commit (as the requester prefers): a direct reply and an approved one.
    notices.case_replied(case)


def case_answer_directly(*, case: Case, actor: User, reply: str, expected_version: int | None = None, at: datetime | None = None) -> Case:
    """直接办结: the operator answers an inquiry on the spot (from the knowledge base) and closes it."""
    reply = _required_text(reply, "reply", _("Write the answer given to the requester."))
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.ANSWER_DIRECTLY, actor=actor, expected_version=expected_version)
        before = case.status
        case.status = Status.CLOSED
        case.reply = reply
        case.replied_at = case.closed_at = at
        commit(case, action=Action.ANSWER_DIRECTLY, actor=actor, from_status=before, note=reply, at=at,
               update_fields=["reply", "replied_at", "closed_at"])
    return case


def case_merge(
    *, case: Case, into: Case, actor: User, note: str = "", expected_version: int | None = None, at: datetime | None = None
) -> Case:
    """合并: a duplicate joins its original; it is closed as merged and points to the original."""
    at = at or timezone.now()
    if into.pk == case.pk:
        msg = _("A case cannot be merged into itself.")
        raise ValidationFailed(msg, fields={"into": msg})
    with transaction.atomic():
        # Lock both rows in one fixed order and judge the target as it is now, not as the caller loaded it:
        # otherwise A→B and B→A at the same time (or from two stale pages) would both pass and leave a cycle.
        # Both go through the visibility rule: a case the actor cannot see is neither merged nor merged into.
        rows = {pk: lock_visible(pk, actor=actor) for pk in sorted((case.pk, into.pk))}
        into = rows[into.pk]
        if into.status == Status.MERGED:
            msg = _("Case %(number)s is itself merged; merge into the case it points to.") % {"number": into.number}
            raise ValidationFailed(msg, fields={"into": msg})
        case = lock(case, action=Action.MERGE, actor=actor, expected_version=expected_version)
        before = case.status
        case.status = Status.MERGED
        case.merged_into = into
        case.closed_at = at
        commit(case, action=Action.MERGE, actor=actor, from_status=before, note=note, at=at,
               data={"into": into.number}, update_fields=["merged_into", "closed_at"])
    return case
