"""中止: the unit asks to stop the reply clock while it waits for the requester; a supervisor approves or rejects.

Until a supervisor approves, the case stays “in progress” and its reply clock runs: stopping the clock is what
a unit could otherwise use to hide a late case. Approved, the case is suspended from that moment (the approval
writes the "suspend" event a unit's own suspension used to write); resuming stays the unit's (lifecycle.case_resume).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, Status, SuspensionRequest
from jingzhi.cases.services.common import commit, lock, notify, supervisors_for, unit_staff
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import InvalidTransition, NotFound, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import User

NOTE_MAX = 5000
# How far ahead the unit may expect to resume: a wait for documents or a visit, not an indefinite shelving.
RESUME_HORIZON_DAYS = 180


def _text(value: str, field: str, message: str, *, required: bool) -> str:
    text = clean_text(value or "", multiline=True)
    if required and not text:
        raise ValidationFailed(message, fields={field: message})
    if len(text) > NOTE_MAX:
        msg = _("At most %(max)d characters.") % {"max": NOTE_MAX}
        raise ValidationFailed(msg, fields={field: msg})
    return text


def pending_suspension(*, case: Case) -> SuspensionRequest | None:
    return case.suspension_requests.filter(state=SuspensionRequest.State.PENDING).select_related("requested_by", "unit").first()


def case_request_suspension(
    *, case: Case, actor: User, reason: str, resume_by: date | None, expected_version: int | None = None,
    at: datetime | None = None,
) -> SuspensionRequest:
    """Ask to suspend: what the unit waits for and when it expects to go on."""
    errors: dict[str, str] = {}
    text = clean_text(reason or "", multiline=True)
    if not text:
        errors["reason"] = _("Say what you are waiting for from the requester.")
    elif len(text) > NOTE_MAX:
        errors["reason"] = _("At most %(max)d characters.") % {"max": NOTE_MAX}
    at = at or timezone.now()
    today = timezone.localdate(at)
    if resume_by is None or not (today <= resume_by <= today + timedelta(days=RESUME_HORIZON_DAYS)):
        errors["resume_by"] = _("Choose the expected resume date, from today to %(days)d days ahead.") % {
            "days": RESUME_HORIZON_DAYS}
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert resume_by is not None
    with transaction.atomic():
        case = lock(case, action=Action.REQUEST_SUSPENSION, actor=actor, expected_version=expected_version)
        assert case.lead_unit is not None  # a handling case always has one
        try:
            with transaction.atomic():
                request = SuspensionRequest.objects.create(case=case, unit=case.lead_unit, requested_by=actor, reason=text,
                                                           resume_by=resume_by, created_at=at)
        except IntegrityError:
            raise InvalidTransition(_("A suspension request for this case is already waiting for a decision.")) from None
        commit(case, action=Action.REQUEST_SUSPENSION, actor=actor, from_status=case.status, note=text, at=at,
               data={"request": request.pk, "resume_by": resume_by.isoformat()})
        notify(lambda: supervisors_for(case), kind="info", case=case,
               message=_("%(unit)s asks to suspend case %(number)s until %(date)s") % {
                   "unit": case.lead_unit, "number": case.number, "date": resume_by.isoformat()})
    return request


def _decide(*, request: SuspensionRequest, actor: User, approve: bool, note: str, at: datetime | None) -> SuspensionRequest:
    at = at or timezone.now()
    action = Action.APPROVE_SUSPENSION if approve else Action.REJECT_SUSPENSION
    with transaction.atomic():
        case = lock(request.case, action=action, actor=actor)
        row = SuspensionRequest.objects.select_for_update().filter(pk=request.pk, case=case).first()
        if row is None:
            raise NotFound(_("This suspension request does not exist."))
        if row.state != SuspensionRequest.State.PENDING:
            raise InvalidTransition(_("This suspension request has already been decided."))
        row.state = SuspensionRequest.State.APPROVED if approve else SuspensionRequest.State.REJECTED
        row.decided_by, row.decided_at, row.decision_note = actor, at, note
        row.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        data = {"request": row.pk, "resume_by": row.resume_by.isoformat()}
        if approve:
            before = case.status
            case.status, case.paused_at = Status.SUSPENDED, at
            # The unit's reason is what the case waits for; the supervisor's note (if any) goes with the data.
            commit(case, action=Action.SUSPEND, actor=actor, from_status=before, note=row.reason, at=at,
                   data={**data, "approved": True, "requested_by": row.requested_by.username,
                         **({"decision_note": note} if note else {})},
                   update_fields=["paused_at"])
        else:
            commit(case, action=Action.REJECT_SUSPENSION, actor=actor, from_status=case.status, note=note, at=at, data=data)
        notify(lambda: unit_staff(case.lead_unit_id), kind="info", case=case,
               message=(_("Suspension of case %(number)s approved; the reply clock is stopped.") if approve
                        else _("Suspension of case %(number)s rejected: %(note)s")) % {"number": case.number, "note": note[:80]})
    return row


def suspension_approve(*, request: SuspensionRequest, actor: User, note: str = "", at: datetime | None = None) -> SuspensionRequest:
    """Approve: the case is suspended now and its reply clock stops."""
    return _decide(request=request, actor=actor, approve=True, note=_text(note, "note", "", required=False), at=at)


def suspension_reject(*, request: SuspensionRequest, actor: User, note: str, at: datetime | None = None) -> SuspensionRequest:
    """Reject: the case goes on being handled and its clock keeps running."""
    note = _text(note, "note", _("Say why the suspension is rejected."), required=True)
    return _decide(request=request, actor=actor, approve=False, note=note, at=at)
