"""What every campaign write shares: fetch-and-authorise, the permission rules, the row lock and the event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.campaigns.models import Campaign, CampaignEvent
from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.org.access import UNIT_ROLES, has_role, is_admin
from jingzhi.org.models import Role, Unit, User


def visible_campaigns(actor: User | None) -> QuerySet[Campaign]:
    """The campaigns `actor` may act on: the visibility rule, or every campaign for the system itself (None)."""
    return Campaign.objects.all() if actor is None else Campaign.objects.visible_to(actor)


# (actor id, campaign id) pairs already found visible in this bulk run (see visibility_memo); None outside one.
_seen: ContextVar[set[tuple[int | None, int]] | None] = ContextVar("jingzhi_campaign_visibility_memo", default=None)


@contextmanager
def visibility_memo() -> Iterator[None]:
    """Within one bulk run in one transaction (the demo's year of weekly reports), ask the visibility rule once per
    actor and campaign instead of twice per write. Only a "visible" answer is remembered, and only for the run: the
    rule is still asked for every new pair, and the row is still locked for every write."""
    token = _seen.set(set())
    try:
        yield
    finally:
        _seen.reset(token)


def _known_visible(campaign_pk: int, actor: User | None) -> bool:
    seen = _seen.get()
    return seen is not None and (actor.pk if actor else None, campaign_pk) in seen


def _remember_visible(campaign_pk: int, actor: User | None) -> None:
    seen = _seen.get()
    if seen is not None:
        seen.add((actor.pk if actor else None, campaign_pk))


def require_visible(campaign: Campaign, actor: User | None) -> None:
    """NotFound unless the actor may see the campaign; asked before any permission, so out of scope looks missing."""
    if _known_visible(campaign.pk, actor):
        return
    if not visible_campaigns(actor).filter(pk=campaign.pk).exists():
        raise NotFound(_("Campaign not found."))
    _remember_visible(campaign.pk, actor)


def access_campaign(*, pk: int, actor: User) -> Campaign:
    """The campaign if the actor may see it; missing and out of scope look the same (NotFound)."""
    campaign = Campaign.objects.visible_to(actor).select_related("lead_official", "lead_unit", "division").filter(pk=pk).first()
    if campaign is None:
        raise NotFound(_("Campaign not found."))
    return campaign


def may_create(actor: User | None) -> bool:
    """Leaders and administrators start campaigns and key projects."""
    return has_role(actor, {Role.LEADER})


def may_manage(campaign: Campaign, actor: User | None) -> bool:
    """The 包保 leader, the task force, the lead unit's staff and administrators run the campaign."""
    if actor is None:
        return False
    if is_admin(actor) or campaign.lead_official_id == actor.pk:
        return True
    if actor.unit_id is not None and actor.unit_id == campaign.lead_unit_id and actor.role in UNIT_ROLES:
        return True
    return campaign.members.filter(pk=actor.pk).exists()


def require_manage(campaign: Campaign, actor: User) -> None:
    """NotFound if the actor may not see the campaign, PermissionDenied if they may see but not run it."""
    require_visible(campaign, actor)
    if not may_manage(campaign, actor):
        raise PermissionDenied(_("Only the lead official, the task force and the lead unit may change this campaign."))


def reporting_units(campaign: Campaign, actor: User | None) -> list[Unit]:
    """Units this actor may report for: their own unit if it answers for a sub-item (or leads); admins any."""
    from jingzhi.campaigns.models import SubItem

    responsible = Unit.objects.filter(
        pk__in=SubItem.objects.filter(campaign=campaign).values("responsible_unit_id")
    ) | Unit.objects.filter(pk=campaign.lead_unit_id)
    if is_admin(actor):
        return list(responsible.distinct().order_by("code"))
    if actor is None or actor.unit_id is None or actor.role not in UNIT_ROLES:
        return []
    return list(responsible.filter(pk=actor.unit_id).distinct())


def may_report_for(campaign: Campaign, actor: User | None, unit: Unit) -> bool:
    """reporting_units(campaign, actor) contains `unit`, in at most one query."""
    from jingzhi.campaigns.models import SubItem

    if actor is None or not (is_admin(actor) or (actor.role in UNIT_ROLES and actor.unit_id == unit.pk)):
        return False
    return unit.pk == campaign.lead_unit_id or SubItem.objects.filter(campaign=campaign, responsible_unit=unit).exists()


def lock_campaign(campaign: Campaign, *, actor: User | None) -> Campaign:
    """Re-read the campaign through the visibility rule under a row lock (inside transaction.atomic), bump its version.

    A campaign the actor may not see raises the same NotFound as a missing one: every write to a campaign, its
    sub-items, reports, milestones, stages and obstacles passes here. Only the campaign's row is locked (`of`),
    not the division the visibility rule joins.
    """
    # Already found visible in this bulk run (visibility_memo): lock the row by its key alone.
    rows = Campaign.objects.all() if _known_visible(campaign.pk, actor) else visible_campaigns(actor)
    try:
        locked = rows.select_for_update(of=("self",)).get(pk=campaign.pk)
    except Campaign.DoesNotExist:
        raise NotFound(_("Campaign not found.")) from None
    _remember_visible(campaign.pk, actor)
    locked.version += 1
    Campaign.objects.filter(pk=locked.pk).update(version=locked.version)
    return locked


def record(campaign: Campaign, *, action: str, actor: User | None, data: dict[str, Any] | None = None,
           at: datetime | None = None) -> CampaignEvent:
    """Append one row to the campaign's history."""
    return CampaignEvent.objects.create(campaign=campaign, action=action, actor=actor, data=data or {},
                                        created_at=at or timezone.now())
