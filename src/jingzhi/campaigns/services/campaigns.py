"""Writes to a campaign itself: create, edit, metrics, indicators with their monthly plan, milestones, status."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.campaigns.models import (
    Campaign,
    CampaignStatus,
    Indicator,
    Kind,
    Metric,
    Milestone,
    MonthlyTarget,
    Stage,
)
from jingzhi.campaigns.services.common import lock_campaign, may_create, record, require_manage
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Division, Role, Unit, User

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _decimal(value: object, field: str, errors: dict[str, str], *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = _("Enter a number.")
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors[field] = _("“%(value)s” is not a number.") % {"value": value}
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        errors[field] = _("“%(value)s” is not a number.") % {"value": value}
        return None
    return number


def _check_fields(
    *, title: str, lead_official: User | None, lead_unit: Unit | None, start: date | None, deadline: date | None,
    kind: str, stage: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > 120:
        errors["title"] = _("The title may have at most 120 characters.")
    if lead_official is None:
        errors["lead_official"] = _("Name the lead official (包保 leader).")
    elif lead_official.role not in (Role.LEADER, Role.ADMIN, Role.UNIT_HEAD, Role.SUPERVISOR):
        errors["lead_official"] = _("The lead official must be a leader, supervisor or unit head.")
    if lead_unit is None:
        errors["lead_unit"] = _("Choose the lead unit.")
    if start is None:
        errors["start"] = _("Enter the start date.")
    if deadline is None:
        errors["deadline"] = _("Enter the deadline.")
    elif start is not None and deadline < start:
        errors["deadline"] = _("The deadline cannot be before the start.")
    if kind not in Kind.values:
        errors["kind"] = _("Unknown campaign kind.")
    if stage and stage not in Stage.values:
        errors["stage"] = _("Unknown stage.")
    return errors


def campaign_create(
    *, actor: User, title: str, lead_official: User | None, lead_unit: Unit | None, division: Division, start: date | None,
    deadline: date | None, background: str = "", goal: str = "", kind: str = Kind.CAMPAIGN,
    assisting_units: Sequence[Unit] = (), members: Sequence[User] = (), investor: str = "",
    total_investment: object = None, stage: str = "", is_demo: bool = False, at: datetime | None = None,
    weekly_reports: bool | None = None,
) -> Campaign:
    """Start a campaign (or key project) with its lead official and lead unit.

    Weekly reports are required of campaigns by default; key projects report stages and investment instead.
    """
    if not may_create(actor):
        raise PermissionDenied(_("Only leaders and administrators start campaigns and key projects."))
    title = clean_text(title)
    errors = _check_fields(title=title, lead_official=lead_official, lead_unit=lead_unit, start=start, deadline=deadline,
                           kind=kind, stage=stage)
    total = _decimal(total_investment, "total_investment", errors, required=False)
    if kind == Kind.KEY_PROJECT and not clean_text(investor):
        errors["investor"] = _("Name the investor.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert lead_official is not None and lead_unit is not None and start is not None and deadline is not None
    at = at or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.create(
            kind=kind, title=title, background=clean_text(background, multiline=True), goal=clean_text(goal, multiline=True),
            lead_official=lead_official, lead_unit=lead_unit, division=division, start=start, deadline=deadline,
            investor=clean_text(investor), total_investment=total,
            stage=stage or (Stage.SIGNED if kind == Kind.KEY_PROJECT else ""), is_demo=is_demo, created_by=actor,
            weekly_reports=(kind == Kind.CAMPAIGN) if weekly_reports is None else weekly_reports,
            created_at=at,
        )
        campaign.assisting_units.set(assisting_units)
        campaign.members.set(members)
        record(campaign, action="create", actor=actor, at=at, data={"title": title, "kind": kind})
    return campaign


def campaign_update(
    *, campaign: Campaign, actor: User, title: str, lead_official: User | None, lead_unit: Unit | None,
    start: date | None, deadline: date | None, background: str = "", goal: str = "",
    assisting_units: Sequence[Unit] = (), members: Sequence[User] = (), investor: str = "", total_investment: object = None,
) -> Campaign:
    """Edit the campaign's description, people and dates."""
    require_manage(campaign, actor)
    title = clean_text(title)
    errors = _check_fields(title=title, lead_official=lead_official, lead_unit=lead_unit, start=start, deadline=deadline,
                           kind=campaign.kind, stage="")
    total = _decimal(total_investment, "total_investment", errors, required=False)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        locked = lock_campaign(campaign, actor=actor)
        changed = [name for name, value in (("title", title), ("start", start), ("deadline", deadline),
                                            ("lead_official_id", lead_official.pk if lead_official else None),
                                            ("lead_unit_id", lead_unit.pk if lead_unit else None))
                   if getattr(locked, name) != value]
        locked.title, locked.background, locked.goal = title, clean_text(background, multiline=True), clean_text(goal, multiline=True)
        locked.lead_official, locked.lead_unit = lead_official, lead_unit  # type: ignore[assignment]
        locked.start, locked.deadline = start, deadline  # type: ignore[assignment]
        locked.investor, locked.total_investment = clean_text(investor), total
        locked.save()
        locked.assisting_units.set(assisting_units)
        locked.members.set(members)
        record(locked, action="update", actor=actor, data={"changed": changed})
    return locked


def campaign_set_status(*, campaign: Campaign, actor: User, status: str, note: str = "") -> Campaign:
    """Mark a campaign completed, suspended or under way again."""
    require_manage(campaign, actor)
    if status not in CampaignStatus.values:
        raise ValidationFailed(_("Unknown status."), fields={"status": _("Unknown status.")})
    with transaction.atomic():
        locked = lock_campaign(campaign, actor=actor)
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        record(locked, action="status", actor=actor, data={"from": before, "to": status, "note": note})
    return locked


def metric_define(*, campaign: Campaign, actor: User, key: str, label: str, unit_of_measure: str = "",
                  order: int = 0) -> Metric:
    """Add or rename a figure kept per sub-item (its key stays: reports and imports refer to it)."""
    require_manage(campaign, actor)
    key, label = (key or "").strip(), clean_text(label)
    errors: dict[str, str] = {}
    if not _KEY.match(key):
        errors["key"] = _("A key has lower-case letters, digits and underscores and starts with a letter.")
    if not label:
        errors["label"] = _("Enter a label.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        lock_campaign(campaign, actor=actor)
        metric, created = Metric.objects.update_or_create(
            campaign=campaign, key=key, defaults={"label": label, "unit_of_measure": clean_text(unit_of_measure), "order": order}
        )
        record(campaign, action="metric", actor=actor, data={"key": key, "label": label, "created": created})
    return metric


def indicator_define(
    *, campaign: Campaign, actor: User, name: str, computation: str, target: object, numerator: Metric | None = None,
    denominator: Metric | None = None, unit_of_measure: str = "", direction: str = Indicator.Direction.UP,
    baseline: object = 0, monthly_targets: Mapping[date, object] | None = None, is_primary: bool = False,
    order: int = 0, indicator: Indicator | None = None,
) -> Indicator:
    """Create (or, given `indicator`, change) an indicator and replace its monthly plan."""
    require_manage(campaign, actor)
    name = clean_text(name)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the indicator's name.")
    if computation not in Indicator.Computation.values:
        errors["computation"] = _("Choose how the indicator is computed.")
    elif computation in ("sum", "ratio") and numerator is None:
        errors["numerator"] = _("Choose the figure to add up.")
    if computation == "ratio" and denominator is None:
        errors["denominator"] = _("A ratio needs a denominator.")
    for metric, field in ((numerator, "numerator"), (denominator, "denominator")):
        if metric is not None and metric.campaign_id != campaign.pk:
            errors[field] = _("That figure belongs to another campaign.")
    if direction not in Indicator.Direction.values:
        errors["direction"] = _("Choose a direction.")
    target_d = _decimal(target, "target", errors)
    baseline_d = _decimal(baseline, "baseline", errors) or Decimal(0)
    plan: dict[date, Decimal] = {}
    for month, value in (monthly_targets or {}).items():
        v = _decimal(value, "monthly_targets", errors)
        if v is not None:
            plan[month.replace(day=1)] = v
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    values: dict[str, Any] = {
        "name": name, "computation": computation, "numerator": numerator,
        "denominator": denominator if computation == "ratio" else None, "target": target_d, "direction": direction,
        "baseline": baseline_d, "unit_of_measure": "%" if computation == "ratio" else clean_text(unit_of_measure),
        "is_primary": is_primary, "order": order,
    }
    with transaction.atomic():
        lock_campaign(campaign, actor=actor)
        if indicator is None:
            indicator = Indicator.objects.create(campaign=campaign, **values)
        else:
            if indicator.campaign_id != campaign.pk:
                raise ValidationFailed(_("That indicator belongs to another campaign."))
            Indicator.objects.filter(pk=indicator.pk).update(**values)
            indicator.refresh_from_db()
        if is_primary:
            Indicator.objects.filter(campaign=campaign).exclude(pk=indicator.pk).update(is_primary=False)
        MonthlyTarget.objects.filter(indicator=indicator).delete()
        MonthlyTarget.objects.bulk_create([MonthlyTarget(indicator=indicator, month=m, value=v) for m, v in sorted(plan.items())])
        record(campaign, action="indicator", actor=actor,
               data={"name": name, "target": str(target_d), "months": len(plan)})
    return indicator


def milestone_add(*, campaign: Campaign, actor: User, title: str, due: date | None) -> Milestone:
    """Add a dated step."""
    require_manage(campaign, actor)
    title = clean_text(title)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Enter the milestone.")
    if due is None:
        errors["due"] = _("Enter the due date.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert due is not None
    with transaction.atomic():
        lock_campaign(campaign, actor=actor)
        milestone = Milestone.objects.create(campaign=campaign, title=title, due=due)
        record(campaign, action="milestone_add", actor=actor, data={"title": title, "due": str(due)})
    return milestone


def milestone_complete(*, milestone: Milestone, actor: User, done_on: date | None = None) -> Milestone:
    """Mark a milestone reached (once; a second call changes nothing)."""
    campaign = milestone.campaign
    require_manage(campaign, actor)
    with transaction.atomic():
        lock_campaign(campaign, actor=actor)
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.done_on is None:
            locked.done_on = done_on or timezone.localdate()
            locked.save(update_fields=["done_on"])
            record(campaign, action="milestone_done", actor=actor, data={"title": locked.title, "on": str(locked.done_on)})
    return locked
