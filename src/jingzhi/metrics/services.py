"""The one write of the metrics app: the assessment policy (weights and credits of the composite score).

Administrators only (or the system: actor None); each change is in the audit log with its before and after.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.metrics.engine import policy
from jingzhi.metrics.models import MetricPolicy
from jingzhi.org.guards import admin_required
from jingzhi.org.models import User

WEIGHTS = ("response_weight", "resolution_weight", "satisfaction_weight")
CREDITS = ("partly_resolved_credit", "basically_satisfied_credit")
POLICY_FIELDS = (*WEIGHTS, *CREDITS, "min_volume")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None and str(value).strip() != "" else None
    except InvalidOperation:
        return None


def metric_policy_set(
    *, actor: User | None, response_weight: Decimal, resolution_weight: Decimal, satisfaction_weight: Decimal,
    partly_resolved_credit: Decimal, basically_satisfied_credit: Decimal, min_volume: int,
) -> MetricPolicy:
    """Change the city's assessment policy. The three weights are not negative and add up to exactly 1;
    the credits lie between 0 and 1."""
    admin_required(actor)
    given = {"response_weight": response_weight, "resolution_weight": resolution_weight,
             "satisfaction_weight": satisfaction_weight, "partly_resolved_credit": partly_resolved_credit,
             "basically_satisfied_credit": basically_satisfied_credit}
    values = {name: _decimal(v) for name, v in given.items()}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            errors[name] = _("Enter a number.")
    weights = [values[name] for name in WEIGHTS]
    if not any(name in errors for name in WEIGHTS):
        if any(w < 0 for w in weights):  # type: ignore[operator]
            errors[""] = _("Weights cannot be negative.")
        elif sum(weights) != Decimal("1"):  # type: ignore[arg-type]
            errors[""] = _("The three weights must add up to 1 (now %(sum)s).") % {"sum": sum(weights)}  # type: ignore[arg-type]
    for name in CREDITS:
        value = values[name]
        if value is not None and not (0 <= value <= 1):
            errors[name] = _("Enter a value between 0 and 1.")
    if min_volume is None or int(min_volume) < 0:
        errors["min_volume"] = _("Enter a whole number, 0 or more.")
    if errors:
        message = errors.get("") or _("Please correct the marked fields.")
        raise ValidationFailed(message, fields=errors)
    with transaction.atomic():
        row = MetricPolicy.objects.select_for_update().filter(pk=policy().pk).get()
        before = snapshot(row, POLICY_FIELDS)
        for name, value in values.items():
            setattr(row, name, value)
        row.min_volume = int(min_volume)
        row.save()
        row.refresh_from_db()
        changes = field_changes(before, snapshot(row, POLICY_FIELDS))
        if changes:
            audit_change(actor=actor, action="metric_policy_update", object_type="metric_policy", object_id=row.pk,
                         detail={"changes": changes})
    return row
