"""The moves of the daily work around a case (issue 11): the unit head assigns it to a handler (指派), a
supervisor's manual 督办 with an instruction and a deadline, a leader's 批示.

None of them changes the status; each goes through the transition table like every other action.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, Supervision
from jingzhi.cases.services.common import commit, lock, notify, unit_staff
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Role, User

NOTE_MAX = 5000
# The furthest a 督办 deadline may lie ahead: a supervisor's instruction is about weeks, not years.
SUPERVISION_HORIZON_DAYS = 366


def _text(value: str, field: str, message: str, *, required: bool = True) -> str:
    text = clean_text(value or "", multiline=True)
    if required and not text:
        raise ValidationFailed(message, fields={field: message})
    if len(text) > NOTE_MAX:
        msg = _("At most %(max)d characters.") % {"max": NOTE_MAX}
        raise ValidationFailed(msg, fields={field: msg})
    return text


def case_assign(*, case: Case, actor: User, assignee: User, note: str = "", expected_version: int | None = None) -> Case:
    """指派: the unit head gives the case to one handler of the lead unit, who is told."""
    note = _text(note, "note", "", required=False)
    with transaction.atomic():
        case = lock(case, action=Action.ASSIGN, actor=actor, expected_version=expected_version)
        if (assignee.unit_id != case.lead_unit_id or not assignee.is_active
                or assignee.role not in (Role.HANDLER, Role.UNIT_HEAD)):
            msg = _("Choose a handler of the unit that leads this case.")
            raise ValidationFailed(msg, fields={"assignee": msg})
        previous = case.assignee
        case.assignee = assignee
        commit(case, action=Action.ASSIGN, actor=actor, from_status=case.status, note=note, update_fields=["assignee"],
               data={"assignee": assignee.username, "assignee_name": str(assignee),
                     "previous": previous.username if previous else None})
        notify(lambda: [assignee.pk], kind="assigned", case=case,
               message=_("Case %(number)s was assigned to you: %(title)s") % {"number": case.number, "title": case.title[:60]})
    return case


def case_supervise(
    *, case: Case, actor: User, instruction: str, deadline: date, expected_version: int | None = None
) -> Case:
    """Manual 督办: a supervisor instructs the lead unit what to do by when; the case is at least “supervised”.

    Unlike the sweep's escalation (services/supervision.py), which writes nothing when the level is already
    reached, a supervisor's instruction is always recorded: a second 督办 with a new deadline is news.
    """
    instruction = _text(instruction, "instruction", _("Write the instruction to the unit."))
    today = timezone.localdate()
    if deadline is None or not (today <= deadline <= today + timedelta(days=SUPERVISION_HORIZON_DAYS)):
        msg = _("Choose a deadline from today to a year ahead.")
        raise ValidationFailed(msg, fields={"deadline": msg})
    with transaction.atomic():
        case = lock(case, action=Action.SUPERVISE, actor=actor, expected_version=expected_version)
        before = case.supervision
        case.supervision = max(case.supervision, Supervision.SUPERVISED)
        case.supervision_due = deadline
        commit(case, action=Action.SUPERVISE, actor=actor, from_status=case.status, note=instruction,
               update_fields=["supervision", "supervision_due"],
               data={"level": int(case.supervision), "from_level": int(before), "deadline": deadline.isoformat(),
                     "manual": True})
        notify(lambda: unit_staff(case.lead_unit_id), kind="supervision", case=case,
               message=_("Supervision (督办) of case %(number)s, due %(due)s: %(text)s") % {
                   "number": case.number, "due": deadline.isoformat(), "text": instruction[:80]})
    return case


def case_instruct(*, case: Case, actor: User, instruction: str, expected_version: int | None = None) -> Case:
    """批示: a leader's instruction on a case, kept in its history, told to the lead unit, listed in the brief."""
    instruction = _text(instruction, "instruction", _("Write the instruction."))
    with transaction.atomic():
        case = lock(case, action=Action.INSTRUCT, actor=actor, expected_version=expected_version)
        commit(case, action=Action.INSTRUCT, actor=actor, from_status=case.status, note=instruction,
               data={"leader": str(actor)})
        notify(lambda: unit_staff(case.lead_unit_id), kind="info", case=case,
               message=_("Leader's instruction (批示) on case %(number)s: %(text)s") % {
                   "number": case.number, "text": instruction[:80]})
    return case
