"""The dispute escalation limits (policy as data): changed by administrators, checked, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.disputes.models import DEFAULT_ESCALATION_HOURS, ESCALATED_RISKS, EscalationLimit
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
