"""Working a dispute: steps (visit, mediation, agreement, referral), risk changes, follow-up visits, the end."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.errors import InvalidTransition, NotFound, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.disputes.models import Dispute, Risk, Status, Step, Visit
from jingzhi.disputes.services.common import escalate, event, lock, require_act
from jingzhi.disputes.services.policy import follow_up_days
from jingzhi.org.models import User

# The end of a dispute: action → status it ends in. Only an open dispute ends; a relapse is a new dispute
# (so that it counts as a recurrence), never a reopened one.
ENDINGS = {"resolve": Status.RESOLVED, "refer": Status.REFERRED, "close": Status.CLOSED}


def _open(dispute: Dispute) -> None:
    if not dispute.is_open:
        raise InvalidTransition(_("This dispute has already ended."))


def dispute_step_add(*, actor: User | None, dispute_id: int, kind: str, note: str,
                     at: datetime | None = None) -> Step:
    """Record a step; any visit or mediation meets an escalation's deadline."""
    note = clean_text(note, multiline=True)
    errors = {}
    if kind not in Step.Kind.values:
        errors["kind"] = _("Choose a step.")
    if not note:
        errors["note"] = _("Say what was done.")
    now = timezone.now()
    if at is not None and at > now + timedelta(minutes=5):
        errors["at"] = _("A step cannot be recorded in the future.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        dispute = lock(actor=actor, dispute_id=dispute_id)
        require_act(actor, dispute)
        _open(dispute)
        step = Step.objects.create(dispute=dispute, kind=kind, note=note, at=at or now, actor=actor)
        if dispute.escalation_due is not None and step.kind in (Step.Kind.VISIT, Step.Kind.MEDIATION):
            event(dispute, "escalation_met", actor=actor, at=step.at, data={"due": dispute.escalation_due.isoformat(),
                                                                          "late": step.at > dispute.escalation_due})
            dispute.escalation_due = None
            dispute.save(update_fields=["escalation_due"])
    return step


def dispute_set_risk(*, actor: User | None, dispute_id: int, risk: int, note: str = "") -> Dispute:
    """Change the risk level; raising it to high or above escalates the dispute again."""
    if risk not in Risk.values:
        raise ValidationFailed(_("Choose a risk level."), fields={"risk": _("Choose a risk level.")})
    now = timezone.now()
    with transaction.atomic():
        dispute = lock(actor=actor, dispute_id=dispute_id)
        require_act(actor, dispute)
        _open(dispute)
        before = dispute.risk
        if before == risk:
            return dispute
        dispute.risk = risk
        dispute.save(update_fields=["risk"])
        event(dispute, "risk", actor=actor, at=now, note=clean_text(note, multiline=True), data={"from": before, "to": risk})
        if risk > before and risk >= Risk.HIGH:
            escalate(dispute, actor=actor, now=now)
        elif risk < Risk.HIGH:
            dispute.escalation_due = None
            dispute.save(update_fields=["escalation_due"])
    return dispute


def dispute_end(*, actor: User | None, dispute_id: int, action: str, outcome: str,
                visit_days: tuple[int, ...] | None = None, now: datetime | None = None) -> Dispute:
    """Resolve, refer or close a dispute; a resolution schedules the follow-up visits (on the days of the policy rows,
    FollowUpVisitDay, unless `visit_days` is given).

    `now` is for loading history (the demo, imports): the time the dispute ended.
    """
    outcome = clean_text(outcome, multiline=True)
    if action not in ENDINGS:
        raise ValidationFailed(_("Unknown action."), fields={"action": _("Unknown action.")})
    if not outcome:
        raise ValidationFailed(_("Describe the outcome."), fields={"outcome": _("Describe the outcome.")})
    now = now or timezone.now()
    with transaction.atomic():
        dispute = lock(actor=actor, dispute_id=dispute_id)
        require_act(actor, dispute)
        _open(dispute)
        dispute.status = ENDINGS[action]
        dispute.outcome = outcome
        dispute.resolved_at = now
        dispute.escalation_due = None
        fields = ["status", "outcome", "resolved_at", "escalation_due"]
        if dispute.status == Status.RESOLVED:
            dispute.sessions_to_resolve = dispute.steps.filter(kind=Step.Kind.MEDIATION).count()
            fields.append("sessions_to_resolve")
            today = timezone.localdate(now)
            days = follow_up_days() if visit_days is None else visit_days
            Visit.objects.bulk_create([Visit(dispute=dispute, due=today + timedelta(days=d)) for d in days])
        dispute.save(update_fields=fields)
        event(dispute, action, actor=actor, at=now, note=outcome)
    return dispute


def visit_schedule(*, actor: User | None, dispute_id: int, due: date) -> Visit:
    """Add a follow-up visit on a date (open disputes are visited too, e.g. a high-risk one every week)."""
    if due < timezone.localdate():
        raise ValidationFailed(_("A visit is scheduled for today or later."), fields={"due": _("A visit is scheduled for today or later.")})
    with transaction.atomic():
        dispute = lock(actor=actor, dispute_id=dispute_id)
        require_act(actor, dispute)
        visit = Visit.objects.create(dispute=dispute, due=due)
        event(dispute, "visit_scheduled", actor=actor, at=timezone.now(), data={"due": due.isoformat()})
    return visit


def visit_record(*, actor: User | None, dispute_id: int, visit_id: int, note: str, stable: bool,
                 now: datetime | None = None) -> Visit:
    """Record a follow-up visit: what was found and whether the parties are at peace (`now`: loading history)."""
    note = clean_text(note, multiline=True)
    if not note:
        raise ValidationFailed(_("Say what the visit found."), fields={"note": _("Say what the visit found.")})
    now = now or timezone.now()
    with transaction.atomic():
        dispute = lock(actor=actor, dispute_id=dispute_id)
        require_act(actor, dispute)
        visit = Visit.objects.select_for_update().filter(pk=visit_id, dispute=dispute).first()
        if visit is None:
            raise NotFound(_("No such visit."))
        if visit.done_at is not None:
            raise InvalidTransition(_("This visit has already been recorded."))
        visit.done_at, visit.note, visit.stable, visit.actor = now, note, stable, actor
        visit.save(update_fields=["done_at", "note", "stable", "actor"])
        event(dispute, "visited", actor=actor, at=now, note=note, data={"visit": visit.pk, "stable": stable})
    return visit
