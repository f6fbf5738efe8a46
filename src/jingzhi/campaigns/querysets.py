"""Who may see which campaigns and sub-items: the one place that decides it, for pages, exports and jobs.

A city-level user sees the whole city's campaigns. A county user sees the sub-items in their county (division
path prefix) and those their unit answers for, and the campaigns those belong to. The people who run a
campaign (包保 leader, task force, lead and assisting units) see all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from jingzhi.org.access import division_scope, in_division, is_signed_in, sees_every_campaign, unit_scope

if TYPE_CHECKING:
    from jingzhi.org.models import User


def _runs(user: Any, prefix: str = "") -> models.Q:
    """Campaigns this user runs: 包保 leader, task force member, lead or assisting unit."""
    units = unit_scope(user)
    return (
        models.Q(**{f"{prefix}lead_official": user})
        | models.Q(**{f"{prefix}members": user})
        | models.Q(**{f"{prefix}lead_unit_id__in": units})
        | models.Q(**{f"{prefix}assisting_units__in": units})
    )


class SubItemQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> SubItemQuerySet:
        """Sub-items this user may see; the rest behave as if they did not exist."""
        if not is_signed_in(user):
            return self.none()
        if sees_every_campaign(user):
            return self.all()
        from jingzhi.campaigns.models import Campaign

        run = Campaign.objects.filter(_runs(user)).values("pk")
        q = models.Q(campaign_id__in=run) | models.Q(responsible_unit_id__in=unit_scope(user))
        division = division_scope(user)
        if division is not None:
            q |= in_division(division)
        return self.filter(q)


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> CampaignQuerySet:
        """Campaigns this user may see: within their division, run by them, or with a sub-item they may see."""
        if not is_signed_in(user):
            return self.none()
        if sees_every_campaign(user):
            return self.all()
        from jingzhi.campaigns.models import Campaign, SubItem

        q = models.Q(pk__in=Campaign.objects.filter(_runs(user)).values("pk"))
        q |= models.Q(pk__in=SubItem.objects.visible_to(user).values("campaign_id"))
        division = division_scope(user)
        if division is not None:
            q |= in_division(division)
        return self.filter(q)
