"""Writes to the time-limit policy: the city-wide policy row and the time-limit rules (clock × kind × priority).

Administrators only (or the system: actor None); each change is in the audit log with its before and after.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.cases.models import Kind, Priority, SlaRule
from jingzhi.cases.sla import policy
from jingzhi.core import refcache
from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.models import SlaPolicy
from jingzhi.org.guards import admin_required
from jingzhi.org.models import User

SLA_RULE_FIELDS = ("clock", "kind", "priority", "amount", "time_unit")
SLA_POLICY_FIELDS = ("workday_start", "workday_end", "warn_ratio", "flag_after_working_days",
                     "extension_max_working_days", "extensions_allowed", "close_with_follow_up")
# The longest limit a rule may set, in its own unit: a year of hours, or of working days.
MAX_AMOUNT = Decimal("8760")


def sla_rule_set(
    *, actor: User | None, rule: SlaRule | None, clock: str, kind: str, priority: str, amount: Decimal,
    time_unit: str,
) -> SlaRule:
    """Create a time-limit rule, or change one; at most one rule per clock, kind and priority."""
    admin_required(actor)
    kind, priority = kind or "", priority or ""
    errors: dict[str, str] = {}
    if clock not in SlaRule.Clock.values:
        errors["clock"] = _("Unknown clock.")
    if kind and kind not in Kind.values:
        errors["kind"] = _("Unknown kind.")
    if priority and priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if time_unit not in SlaRule.TimeUnit.values:
        errors["time_unit"] = _("Unknown time unit.")
    if amount is None or not (Decimal(0) < Decimal(amount) <= MAX_AMOUNT):
        errors["amount"] = _("A time limit is more than 0 and at most %(max)s.") % {"max": MAX_AMOUNT}
    elif time_unit == SlaRule.TimeUnit.WORKING_DAYS and Decimal(amount) != int(amount):
        errors["amount"] = _("A limit in working days is a whole number.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        clash = SlaRule.objects.select_for_update().filter(clock=clock, kind=kind, priority=priority).first()
        row = SlaRule.objects.select_for_update().filter(pk=rule.pk).first() if rule is not None else None
        if rule is not None and row is None:
            raise ValidationFailed(_("This time-limit rule no longer exists."))
        if clash is not None and (row is None or clash.pk != row.pk):
            msg = _("There is already a rule for this clock, kind and priority: change that one.")
            raise ValidationFailed(msg, fields={"clock": msg})
        before = snapshot(row, SLA_RULE_FIELDS)
        created = row is None
        row = row or SlaRule()
        row.clock, row.kind, row.priority, row.amount, row.time_unit = clock, kind, priority, Decimal(amount), time_unit
        row.save()
        refcache.changing()
        row.refresh_from_db()  # the amount as stored (two decimals), so the audit shows what deadlines will use
        changes = field_changes(before, snapshot(row, SLA_RULE_FIELDS))
        if created or changes:
            audit_change(actor=actor, action="sla_rule_create" if created else "sla_rule_update", object_type="sla_rule",
                         object_id=row.pk, detail={"changes": changes})
    return row


def sla_rule_delete(*, actor: User | None, rule: SlaRule) -> None:
    """Remove a time-limit rule: its cases fall back to the next less specific rule."""
    admin_required(actor)
    with transaction.atomic():
        row = SlaRule.objects.select_for_update().filter(pk=rule.pk).first()
        if row is None:
            return
        before = snapshot(row, SLA_RULE_FIELDS)
        row.delete()
        refcache.changing()
        audit_change(actor=actor, action="sla_rule_delete", object_type="sla_rule", object_id=rule.pk,
                     detail={"before": before})


def sla_policy_set(
    *, actor: User | None, workday_start: time, workday_end: time, warn_ratio: float, flag_after_working_days: int,
    extension_max_working_days: int, extensions_allowed: int, close_with_follow_up: bool | None = None,
) -> SlaPolicy:
    """Change the city-wide time-limit policy (the one row): working hours, warning share, escalation, extensions."""
    admin_required(actor)
    errors: dict[str, str] = {}
    if workday_start is None or workday_end is None or not workday_start < workday_end:
        errors["workday_end"] = _("The working day ends after it starts.")
    if warn_ratio is None or not (0 < float(warn_ratio) < 1):
        errors["warn_ratio"] = _("The warning share is more than 0 and less than 1 (0.8 warns when 80 percent of the limit has passed).")
    for name, value, low, high in (("flag_after_working_days", flag_after_working_days, 1, 60),
                                   ("extension_max_working_days", extension_max_working_days, 1, 60),
                                   ("extensions_allowed", extensions_allowed, 0, 10)):
        if value is None or not (low <= int(value) <= high):
            errors[name] = _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = SlaPolicy.objects.select_for_update().filter(pk=policy().pk).get()
        before = snapshot(row, SLA_POLICY_FIELDS)
        row.workday_start, row.workday_end, row.warn_ratio = workday_start, workday_end, float(warn_ratio)
        row.flag_after_working_days, row.extension_max_working_days = flag_after_working_days, extension_max_working_days
        row.extensions_allowed = extensions_allowed
        if close_with_follow_up is not None:  # None: left as it is (callers that predate the setting)
            row.close_with_follow_up = bool(close_with_follow_up)
        row.save()
        refcache.changing()
        changes = field_changes(before, snapshot(row, SLA_POLICY_FIELDS))
        if changes:
            audit_change(actor=actor, action="sla_policy_update", object_type="sla_policy", object_id=row.pk,
                         detail={"changes": changes})
    return row
