"""Warning rules and seasonal expectations changed by people (the admin): validated, locked, audited.

rule_set (services.py) stays the demo's and tests' way to declare a rule by its key; rule_save changes one row as
an administrator or the duty office edits it, and seasonal_rule_save does the same for a SeasonalRule.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.earlywarning.models import SeasonalRule, SiteType, WarningLevel, WarningRule, WarningType
from jingzhi.earlywarning.services import _require_issuer
from jingzhi.org.models import Unit, User

CHECKLIST_MAX = 30


def _checklist(items: Any) -> list[str]:
    if isinstance(items, str):
        items = items.splitlines()
    return [clean_text(c)[:200] for c in (items or []) if clean_text(c)]


def rule_save(*, actor: User, rule: WarningRule | None, warning_type: str, level: str, site_type: str = "",
              ack_minutes: int, onsite_minutes: int, checklist: list[str] | str | None = None,
              is_active: bool = True) -> WarningRule:
    """Create a warning rule (rule=None) or change one; a type × level × site type has one rule."""
    _require_issuer(actor)
    errors: dict[str, str] = {}
    if warning_type not in WarningType.values:
        errors["warning_type"] = _("Unknown warning type.")
    if level not in WarningLevel.values:
        errors["level"] = _("Unknown warning level.")
    if site_type and site_type not in SiteType.values:
        errors["site_type"] = _("Unknown site type.")
    if not 1 <= (ack_minutes or 0) <= 1440:
        errors["ack_minutes"] = _("Acknowledge within 1–1440 minutes.")
    if not 1 <= (onsite_minutes or 0) <= 10080:
        errors["onsite_minutes"] = _("Be on site within 1–10080 minutes.")
    elif ack_minutes and onsite_minutes < ack_minutes:
        errors["onsite_minutes"] = _("The time to be on site cannot be shorter than the time to acknowledge.")
    items = _checklist(checklist)
    if len(items) > CHECKLIST_MAX:
        errors["checklist"] = _("At most %(max)d checklist items.") % {"max": CHECKLIST_MAX}
    clash = WarningRule.objects.filter(warning_type=warning_type, level=level, site_type=site_type or "")
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        errors["site_type"] = _("A rule for this warning type, level and site type exists already; change that one.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    values = {"warning_type": warning_type, "level": level, "site_type": site_type or "", "ack_minutes": ack_minutes,
              "onsite_minutes": onsite_minutes, "checklist": items, "is_active": is_active}
    with transaction.atomic():
        if rule is None:
            try:
                with transaction.atomic():
                    saved = WarningRule.objects.create(**values)
            except IntegrityError:  # the same rule saved at the same moment by someone else
                raise ValidationFailed(_("A rule for this warning type, level and site type exists already; change that one."),
                                       fields={"site_type": _("Exists already.")}) from None
            before: dict[str, Any] = {}
        else:
            saved = WarningRule.objects.select_for_update().get(pk=rule.pk)
            before = {k: getattr(saved, k) for k in values}
            for k, v in values.items():
                setattr(saved, k, v)
            saved.save(update_fields=list(values))
        audit_record(actor=actor, action="warning_rule_save", object_type="warning_rule", object_id=saved.pk,
                     detail={"before": before, "after": values})
    return saved


def seasonal_rule_save(*, actor: User, rule: SeasonalRule | None, name: str, start_month: int, start_day: int,
                       lead_days: int, unit: Unit | None, instructions: str, is_active: bool = True) -> SeasonalRule:
    """Create or change a seasonal expectation; the date must exist (February 29 is refused: it skips years)."""
    _require_issuer(actor)
    errors: dict[str, str] = {}
    name, instructions = clean_text(name)[:100], clean_text(instructions)[:300]
    if not name:
        errors["name"] = _("Give the expectation a name.")
    if not 1 <= (start_month or 0) <= 12:
        errors["start_month"] = _("The month is 1–12.")
    elif not 1 <= (start_day or 0) <= (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[start_month - 1]:
        errors["start_day"] = _("This month has no such day.")
    if not 1 <= (lead_days or 0) <= 120:
        errors["lead_days"] = _("Raise the task 1–120 days ahead.")
    if unit is None or not unit.is_active:
        errors["unit"] = _("Choose an active unit.")
    if not instructions:
        errors["instructions"] = _("Say what the unit must prepare.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    values = {"name": name, "start_month": start_month, "start_day": start_day, "lead_days": lead_days, "unit": unit,
              "instructions": instructions, "is_active": is_active}
    with transaction.atomic():
        if rule is None:
            saved = SeasonalRule.objects.create(**values)
            before: dict[str, Any] = {}
        else:
            saved = SeasonalRule.objects.select_for_update().get(pk=rule.pk)
            before = {k: getattr(saved, k) for k in values if k != "unit"} | {"unit": saved.unit_id}
            for k, v in values.items():
                setattr(saved, k, v)
            saved.save(update_fields=list(values))
        audit_record(actor=actor, action="seasonal_rule_save", object_type="seasonal_rule", object_id=saved.pk,
                     detail={"before": before, "after": {k: v for k, v in values.items() if k != "unit"} | {
                         "unit": unit.pk if unit else None}})
    return saved
