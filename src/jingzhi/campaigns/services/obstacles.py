"""Obstacles that need another unit become cases: raised through intake, then the normal lifecycle and SLA."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.campaigns.models import Campaign, CampaignCase, SubItem
from jingzhi.campaigns.services.common import (
    lock_campaign,
    may_manage,
    record,
    reporting_units,
    require_visible,
)
from jingzhi.cases.models import Channel, Kind, Priority
from jingzhi.cases.services import case_create
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Unit, User


def obstacle_raise(
    *, campaign: Campaign, actor: User, title: str, content: str, sub_item: SubItem | None = None,
    suggested_unit: Unit | None = None, priority: str = Priority.COMPLEX, at: datetime | None = None,
    idempotency_key: str | None = None,
) -> tuple[CampaignCase, bool]:
    """Raise an obstacle (e.g. a court's help with a sealed property) as a case linked to the campaign.

    The case is created by intake on the system's authority (channel 未诉先办/proactive) and waits in the
    hotline dispatcher's queue like any other, so dispatch accuracy, deadlines and supervision all apply.
    Returns (link, created): a retry with the same `idempotency_key` returns the first link and raises no
    second case.
    """
    if sub_item is not None and sub_item.campaign_id != campaign.pk:
        raise ValidationFailed(_("That sub-item belongs to another campaign."), fields={"sub_item": _("Choose a sub-item of this campaign.")})
    require_visible(campaign, actor)
    allowed = may_manage(campaign, actor)
    if not allowed and sub_item is not None:
        allowed = any(u.pk in (sub_item.responsible_unit_id, campaign.lead_unit_id) for u in reporting_units(campaign, actor))
    if not allowed and sub_item is None and reporting_units(campaign, actor):
        # A responsible unit raises obstacles for its own sub-items: what is missing is the sub-item, not a right.
        msg = _("Choose the sub-item the obstacle blocks.")
        raise ValidationFailed(msg, fields={"sub_item": msg})
    if not allowed:
        raise PermissionDenied(_("Only the campaign's people and the sub-item's unit may raise obstacles."))
    title = clean_text(title)
    lines = [clean_text(content, multiline=True), "", _("Campaign: %(title)s") % {"title": campaign.title}]
    if sub_item is not None:
        lines.append(_("Sub-item: %(name)s") % {"name": sub_item.name})
    if suggested_unit is not None:
        lines.append(_("Suggested unit: %(unit)s") % {"unit": suggested_unit.name})
    lines.append(_("Raised by: %(who)s") % {"who": str(actor)})
    division = sub_item.division if sub_item is not None else campaign.division
    at = at or timezone.now()
    with transaction.atomic():
        lock_campaign(campaign, actor=actor)
        case, created = case_create(
            actor=None, channel=Channel.PROACTIVE, kind=Kind.HELP, priority=priority, title=title,
            content="\n".join(lines) if clean_text(content, multiline=True) else "", division_code=division.code,
            requester_name=str(actor)[:50], requester_phone=actor.phone, received_at=at,
            idempotency_key=f"obstacle:{campaign.pk}:{actor.pk}:{idempotency_key}" if idempotency_key else None,
        )
        if not created:
            existing = CampaignCase.objects.filter(case=case, campaign=campaign).first()
            if existing is not None:
                return existing, False
        link = CampaignCase.objects.create(campaign=campaign, sub_item=sub_item, case=case, raised_by=actor, created_at=at)
        record(campaign, action="obstacle", actor=actor, at=at,
               data={"case": case.number, "sub_item": sub_item.name if sub_item else None})
    return link, True
