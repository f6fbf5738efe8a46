"""The dispute register's policy as data — escalation limits and follow-up visit days: changed by administrators,
checked, audited; read by the services when they escalate or resolve a dispute."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.disputes.models import (
    DEFAULT_ESCALATION_HOURS,
    DEFAULT_FOLLOW_UP_DAYS,
    ESCALATED_RISKS,
    EscalationLimit,
    FollowUpVisitDay,
)
from jingzhi.org.guards import admin_required
from jingzhi.org.models import User

FIELDS = ("risk", "hours")
# A month: an escalation that may wait longer than that is no escalation.
MAX_HOURS = 720


def escalation_hours(risk: int) -> int | None:
    """Hours to act on an escalated dispute of this risk level: its policy row, else the default; None: not escalated."""
    if risk not in ESCALATED_RISKS:
        return None
    row = EscalationLimit.objects.filter(risk=risk).values_list("hours", flat=True).first()
    return row if row is not None else DEFAULT_ESCALATION_HOURS[risk]


def escalation_limit_set(*, actor: User | None, row: EscalationLimit | None, risk: object, hours: object) -> EscalationLimit:
    """Set the hours of one escalated risk level (one row per level). Disputes escalated from now on use it."""
    admin_required(actor)
    errors: dict[str, str] = {}
    try:
        level = int(str(risk))
    except ValueError:
        level = 0
    if level not in ESCALATED_RISKS:
        errors["risk"] = _("Only high and could-turn-violent disputes are escalated.")
    try:
        value = int(str(hours).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_HOURS:
        errors["hours"] = _("The time to act is a whole number of hours from 1 to %(max)d.") % {"max": MAX_HOURS}
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        clash = EscalationLimit.objects.select_for_update().filter(risk=level).first()
        current = EscalationLimit.objects.select_for_update().filter(pk=row.pk).first() if row is not None else None
        if clash is not None and (current is None or clash.pk != current.pk):
            msg = _("There is already a limit for this risk level: change that one.")
            raise ValidationFailed(msg, fields={"risk": msg})
        before = snapshot(current, FIELDS)
        target = current or EscalationLimit()
        target.risk, target.hours = level, value
        target.save()
        changes = field_changes(before, snapshot(target, FIELDS))
        if current is None or changes:
            audit_change(actor=actor, action="dispute_escalation_limit_set", object_type="dispute_escalation_limit",
                         object_id=target.pk, detail={"changes": changes})
    return target


MAX_FOLLOW_UP_DAYS = 365


def follow_up_days() -> tuple[int, ...]:
    """The days after a resolution on which follow-up visits fall: the active rows (none active: no visits); the
    defaults only while the table is empty (never seeded)."""
    rows = list(FollowUpVisitDay.objects.values_list("days_after", "is_active"))
    if not rows:
        return DEFAULT_FOLLOW_UP_DAYS
    return tuple(sorted(days for days, active in rows if active))


def follow_up_day_set(*, actor: User | None, row: FollowUpVisitDay | None, days_after: object,
                      is_active: bool = True) -> FollowUpVisitDay:
    """Add or change a follow-up visit day (one row per day); switch it off with is_active rather than deleting."""
    admin_required(actor)
    try:
        days = int(str(days_after).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_FOLLOW_UP_DAYS:
        msg = _("A follow-up visit falls 1 to %(max)d days after the resolution.") % {"max": MAX_FOLLOW_UP_DAYS}
        raise ValidationFailed(_("Please correct the marked fields."), fields={"days_after": msg})
    with transaction.atomic():
        clash = FollowUpVisitDay.objects.select_for_update().filter(days_after=days).first()
        current = FollowUpVisitDay.objects.select_for_update().filter(pk=row.pk).first() if row is not None else None
        if clash is not None and (current is None or clash.pk != current.pk):
            msg = _("There is already a follow-up visit on this day: change that one.")
            raise ValidationFailed(msg, fields={"days_after": msg})
        before = snapshot(current, ("days_after", "is_active"))
        target = current or FollowUpVisitDay()
        target.days_after, target.is_active = days, bool(is_active)
        target.save()
        changes = field_changes(before, snapshot(target, ("days_after", "is_active")))
        if current is None or changes:
            audit_change(actor=actor, action="dispute_follow_up_day_set", object_type="dispute_follow_up_day",
                         object_id=target.pk, detail={"changes": changes})
    return target
