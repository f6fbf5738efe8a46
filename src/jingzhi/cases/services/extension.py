"""延期: a unit asks for more time before its reply deadline; a supervisor approves or rejects."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases import sla
from jingzhi.cases.models import Case, ExtensionRequest, Supervision
from jingzhi.cases.services.common import commit, lock, notify, supervisors_for, unit_staff
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import InvalidTransition, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import User


def case_request_extension(
    *, case: Case, actor: User, working_days: int, reason: str, expected_version: int | None = None, at: datetime | None = None
) -> ExtensionRequest:
    """Ask for `working_days` more, before the reply deadline, at most as often as the policy allows."""
    pol = sla.policy()
    errors: dict[str, str] = {}
    if not isinstance(working_days, int) or not 1 <= working_days <= pol.extension_max_working_days:
        errors["working_days"] = _("Ask for 1 to %(max)d working days.") % {"max": pol.extension_max_working_days}
    if not clean_text(reason, multiline=True):
        errors["reason"] = _("Say why more time is needed.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.REQUEST_EXTENSION, actor=actor, expected_version=expected_version)
        if case.reply_due is not None and at >= case.reply_due:
            raise InvalidTransition(_("An extension must be asked for before the reply deadline; this case is already overdue."))
        if case.extensions_granted >= pol.extensions_allowed:
            raise InvalidTransition(_("This case has already had its extension."))
        assert case.lead_unit is not None  # handling and suspended cases always have one
        try:
            with transaction.atomic():
                request = ExtensionRequest.objects.create(
                    case=case, unit=case.lead_unit, requested_by=actor, working_days=working_days,
                    reason=clean_text(reason, multiline=True), created_at=at,
                )
        except IntegrityError:
            raise InvalidTransition(_("An extension request for this case is already waiting for a decision.")) from None
        commit(case, action=Action.REQUEST_EXTENSION, actor=actor, from_status=case.status, note=clean_text(reason, multiline=True), at=at,
               data={"working_days": working_days, "request": request.pk})
        notify(
            lambda: supervisors_for(case), kind="extension", case=case,
            message=_("%(unit)s asks %(days)d more working days for case %(number)s")
            % {"unit": case.lead_unit, "days": working_days, "number": case.number},
        )
    return request


def _decide(*, request: ExtensionRequest, actor: User, approve: bool, note: str, at: datetime | None) -> ExtensionRequest:
    at = at or timezone.now()
    action = Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION
    with transaction.atomic():
        case = lock(request.case, action=action, actor=actor)
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != ExtensionRequest.State.PENDING:
            raise InvalidTransition(_("This extension request has already been decided."))
        request.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REJECTED
        request.decided_by, request.decided_at, request.decision_note = actor, at, clean_text(note, multiline=True)
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        data: dict[str, object] = {"request": request.pk, "working_days": request.working_days}
        fields: list[str] = []
        if approve:
            old_due = case.reply_due
            base = max(old_due, at) if old_due else at
            case.reply_due = sla.work_calendar().add(base, request.working_days, "working_days")
            case.extensions_granted += 1
            case.supervision = Supervision.NONE
            data.update(reply_due_before=old_due.isoformat() if old_due else None, reply_due=case.reply_due.isoformat())
            fields = ["reply_due", "extensions_granted", "supervision"]
        commit(case, action=action, actor=actor, from_status=case.status, note=request.decision_note, at=at, data=data,
               update_fields=fields)
        notify(
            lambda: unit_staff(case.lead_unit_id), kind="extension", case=case,
            message=(_("Extension approved for case %(number)s") if approve else _("Extension rejected for case %(number)s"))
            % {"number": case.number},
        )
    return request


def extension_approve(*, request: ExtensionRequest, actor: User, note: str = "", at: datetime | None = None) -> ExtensionRequest:
    """Grant the extra working days; the reply deadline moves."""
    return _decide(request=request, actor=actor, approve=True, note=note, at=at)


def extension_reject(*, request: ExtensionRequest, actor: User, note: str, at: datetime | None = None) -> ExtensionRequest:
    """Refuse the extension; the deadline stays."""
    if not clean_text(note, multiline=True):
        msg = _("Say why the extension is rejected.")
        raise ValidationFailed(msg, fields={"note": msg})
    return _decide(request=request, actor=actor, approve=False, note=note, at=at)
