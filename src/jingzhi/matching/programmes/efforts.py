"""Application efforts (申报): a qualifying or nearly qualifying county applies for a programme, a responsible official
(包保) answers for it to a deadline, each stage is recorded with a note, and the result (won or not, the amount) closes
it. Overdue efforts (past the deadline, not closed) are shown to leaders and supervisors (selectors below).

The stages are a table, as the cases' lifecycle is (ADR 002): from which stage to which."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.matching.programmes import access
from jingzhi.matching.programmes.models import DivisionMatch, Effort, Programme
from jingzhi.matching.programmes.services import _event
from jingzhi.org.access import is_signed_in
from jingzhi.org.models import Division, Responsibility, Role, User

S = Effort.Stage
OPEN_STAGES = (S.PREPARING, S.SUBMITTED, S.REVIEWING)
# stage → the stages it may move to (a step forward, the result, or dropping the effort).
MOVES: dict[str, tuple[str, ...]] = {
    S.PREPARING: (S.SUBMITTED, S.DROPPED),
    S.SUBMITTED: (S.REVIEWING, S.WON, S.NOT_WON, S.DROPPED),
    S.REVIEWING: (S.WON, S.NOT_WON, S.DROPPED),
}


def suggested_official(division: Division) -> User | None:
    """The official who answers for the division (包保, an active org Responsibility), if one is on file."""
    r = (Responsibility.objects.filter(target_type=Responsibility.TargetType.DIVISION, division=division, is_active=True)
         .select_related("official").order_by("pk").first())
    return r.official if r is not None else None


def effort_open(*, actor: User | None, programme: Programme, division: Division, official: User | None,
                deadline: date | None, idempotency_key: str | None = None, is_demo: bool = False) -> tuple[Effort, bool]:
    """Open an application effort for a county that qualifies or nearly qualifies for a published programme.

    One open effort per programme and county (a constraint); a retried form returns the first effort."""
    if idempotency_key:
        found = Effort.objects.filter(idempotency_key=idempotency_key).first()
        if found is not None:
            return found, False
    if actor is not None and not access.may_open_effort(actor, division):
        raise PermissionDenied(_("Only a leader or a programme office over this division opens an application."))
    errors: dict[str, str] = {}
    if official is None or not is_signed_in(official) or official.role == Role.ENTERPRISE:
        errors["official"] = _("Choose the responsible official.")
    if deadline is None:
        errors["deadline"] = _("Enter the deadline as YYYY-MM-DD.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline has passed already.")
    if errors or official is None or deadline is None:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        p = Programme.objects.select_for_update().filter(pk=programme.pk).first()
        if p is None or p.status != Programme.Status.PUBLISHED or p.current is None:
            raise InvalidTransition(_("Applications are opened for published programmes only."))
        m = DivisionMatch.objects.filter(programme=p, division=division).first()
        if m is None or m.outcome == DivisionMatch.Outcome.NOT:
            raise InvalidTransition(_("This division neither qualifies nor nearly qualifies for the programme."))
        if Effort.objects.filter(programme=p, division=division, stage__in=OPEN_STAGES).exists():
            raise InvalidTransition(_("An application for this programme and division is already open."))
        try:
            with transaction.atomic():
                effort = Effort.objects.create(programme=p, version=p.current, division=division, official=official,
                                               deadline=deadline, opened_by=actor, is_demo=is_demo,
                                               idempotency_key=idempotency_key or None)
        except IntegrityError:
            found = Effort.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
            if found is None:
                raise InvalidTransition(_("An application for this programme and division is already open.")) from None
            return found, False
        _event(action="effort_opened", actor=actor, programme=p, division=division, effort=effort,
               official=official.pk, deadline=deadline.isoformat(), outcome=m.outcome)  # type: ignore[union-attr]
        audit_record(actor=actor, action="programme_effort.open", object_type="programme_effort", object_id=effort.pk,
                     detail={"programme": p.pk, "division": division.code})
        notify_after_commit(recipients=lambda: [official.pk], kind="programme_effort",  # type: ignore[union-attr]
                            message=_("You answer for the application of %(division)s for “%(title)s”, due %(date)s.") % {
                                "division": division.name, "title": str(p), "date": deadline.isoformat()},  # type: ignore[union-attr]
                            subject_type="programme_effort", subject_ref=str(effort.pk))
    return effort, True


def effort_record(*, actor: User | None, effort: Effort, stage: str, note: str = "", amount: Any = None) -> Effort:
    """Record the next stage (材料准备 → 申报 → 评审 → 结果) with a note; the result closes the effort (won: the amount)."""
    note = clean_text(str(note or ""), multiline=True)[:500]
    with transaction.atomic():
        qs = Effort.objects.all() if actor is None else access.efforts_visible_to(actor)
        locked = qs.select_for_update().filter(pk=effort.pk).first()
        if locked is None:
            raise NotFound(_("No such application."))
        if actor is not None and not access.may_record(actor, locked):
            raise PermissionDenied(_("Only the responsible official, a leader or the programme office records steps."))
        if stage not in MOVES.get(locked.stage, ()):
            raise InvalidTransition(_("This application cannot move from “%(from)s” to “%(to)s”.") % {
                "from": locked.get_stage_display(), "to": dict(S.choices).get(stage, stage)})
        value: Decimal | None = None
        if stage == S.WON and amount not in (None, ""):
            try:
                value = Decimal(str(amount).strip()).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                value = None
            if value is None or not value.is_finite() or value < 0:
                raise ValidationFailed(_("The amount must be a number of 10,000 yuan."),
                                       fields={"amount": _("The amount must be a number of 10,000 yuan.")})
        if stage in (S.NOT_WON, S.DROPPED) and not note:
            raise ValidationFailed(_("Say why (a note is needed)."), fields={"note": _("Say why (a note is needed).")})
        before = locked.stage
        locked.stage = stage
        update = ["stage"]
        if stage == S.WON:
            locked.amount = value
            update.append("amount")
        if stage not in OPEN_STAGES:
            locked.closed_at = timezone.now()
            update.append("closed_at")
        locked.save(update_fields=update)
        _event(action=f"stage:{stage}", actor=actor, programme=locked.programme, effort=locked, note=note,
               before=before, amount=str(value) if value is not None else None)
        audit_record(actor=actor, action="programme_effort.stage", object_type="programme_effort", object_id=locked.pk,
                     detail={"from": before, "to": stage})
    return locked


def overdue(qs: models.QuerySet[Effort], *, today: date | None = None) -> models.QuerySet[Effort]:
    """Efforts past their deadline and not closed."""
    return qs.filter(stage__in=OPEN_STAGES, deadline__lt=today or timezone.localdate())
