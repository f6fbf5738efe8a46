"""The enterprise needs' time limits (policy as data): changed by administrators, audited, checked like the cases'."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.enterprises.models import NeedTimeLimit
from jingzhi.org.guards import admin_required
from jingzhi.org.models import User

FIELDS = ("clock", "amount", "time_unit")
# A year of hours, or of working days, as for the cases' rules (cases/services/policy.py).
MAX_AMOUNT = Decimal("8760")


def need_time_limit_set(
    *, actor: User | None, row: NeedTimeLimit | None, clock: str, amount: Decimal | str | None, time_unit: str,
) -> NeedTimeLimit:
    """Set the limit of one clock (contact, progress report, close); one row per clock. New needs use it at once."""
    admin_required(actor)
    errors: dict[str, str] = {}
    if clock not in NeedTimeLimit.Clock.values:
        errors["clock"] = _("Unknown clock.")
    if time_unit not in NeedTimeLimit.TimeUnit.values:
        errors["time_unit"] = _("Unknown time unit.")
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = Decimal(-1)
    if not (Decimal(0) < value <= MAX_AMOUNT):
        errors["amount"] = _("A time limit is more than 0 and at most %(max)s.") % {"max": MAX_AMOUNT}
    elif time_unit == NeedTimeLimit.TimeUnit.WORKING_DAYS and value != int(value):
        errors["amount"] = _("A limit in working days is a whole number.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        clash = NeedTimeLimit.objects.select_for_update().filter(clock=clock).first()
        current = NeedTimeLimit.objects.select_for_update().filter(pk=row.pk).first() if row is not None else None
        if clash is not None and (current is None or clash.pk != current.pk):
            msg = _("There is already a limit for this clock: change that one.")
            raise ValidationFailed(msg, fields={"clock": msg})
        before = snapshot(current, FIELDS)
        target = current or NeedTimeLimit()
        target.clock, target.amount, target.time_unit = clock, value, time_unit
        target.save()
        changes = field_changes(before, snapshot(target, FIELDS))
        if current is None or changes:
            audit_change(actor=actor, action="need_time_limit_set", object_type="need_time_limit", object_id=target.pk,
                         detail={"changes": changes})
    return target
