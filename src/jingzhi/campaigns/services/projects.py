"""Key projects: the stage reached (with dates) and the investment planned and completed each month."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.campaigns.models import STAGE_ORDER, Campaign, Kind, MonthlyInvestment, Stage, StageRecord
from jingzhi.campaigns.services.campaigns import _decimal
from jingzhi.campaigns.services.common import lock_campaign, record, require_manage
from jingzhi.core.errors import ValidationFailed
from jingzhi.org.models import User


def _require_project(campaign: Campaign) -> None:
    if campaign.kind != Kind.KEY_PROJECT:
        raise ValidationFailed(_("Only key projects have stages and investment."))


def project_stage_set(
    *, campaign: Campaign, actor: User, stage: str, reached_on: date | None = None, planned_on: date | None = None
) -> StageRecord:
    """Record the planned or reached date of a stage; reaching a later stage moves the project's stage forward."""
    require_manage(campaign, actor)
    _require_project(campaign)
    if stage not in Stage.values:
        raise ValidationFailed(_("Unknown stage."), fields={"stage": _("Unknown stage.")})
    if reached_on is None and planned_on is None:
        raise ValidationFailed(_("Enter a planned or a reached date."), fields={"reached_on": _("Enter a date.")})
    with transaction.atomic():
        locked = lock_campaign(campaign, actor=actor)
        rec, _created = StageRecord.objects.get_or_create(campaign=locked, stage=stage)
        if planned_on is not None:
            rec.planned_on = planned_on
        if reached_on is not None:
            rec.reached_on = reached_on
        rec.save()
        if reached_on is not None and STAGE_ORDER.index(stage) > STAGE_ORDER.index(locked.stage or Stage.SIGNED):
            locked.stage = stage
            locked.save(update_fields=["stage", "updated_at"])
        record(locked, action="stage", actor=actor,
               data={"stage": stage, "reached_on": str(reached_on or ""), "planned_on": str(planned_on or "")})
    return rec


def project_investment_set(
    *, campaign: Campaign, actor: User, month: date, planned: object = None, completed: object = None
) -> MonthlyInvestment:
    """Set a month's planned and completed investment (10k yuan); the month is its first day."""
    require_manage(campaign, actor)
    _require_project(campaign)
    errors: dict[str, str] = {}
    planned_d = _decimal(planned, "planned", errors, required=False)
    completed_d = _decimal(completed, "completed", errors, required=False)
    for value, field in ((planned_d, "planned"), (completed_d, "completed")):
        if value is not None and value < 0:
            errors[field] = _("Enter a number that is not negative.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        locked = lock_campaign(campaign, actor=actor)
        row, _created = MonthlyInvestment.objects.get_or_create(campaign=locked, month=month.replace(day=1))
        if planned_d is not None:
            row.planned = planned_d
        if completed_d is not None:
            row.completed = completed_d
        row.save()
        record(locked, action="investment", actor=actor,
               data={"month": str(row.month), "planned": str(row.planned), "completed": str(row.completed)})
    return row
