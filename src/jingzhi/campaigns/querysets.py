"""Who may see which campaigns and sub-items: the one place that decides it, for pages, exports and jobs.

A city-level user sees the whole city's campaigns. A county user sees the sub-items in their county (division
path prefix) and those their unit answers for, and the campaigns those belong to. The people who run a
campaign (包保 leader, task force, lead and assisting units) see all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from jingzhi.org.models import User


def _unit_ids(user: Any) -> models.QuerySet[Any] | list[int]:
    from jingzhi.org.models import Unit

    if user.unit_id is None:
        return []
    units = models.Q(pk=user.unit_id)
    if user.role == "unit_head":
        units |= models.Q(parent_id=user.unit_id)
    return Unit.objects.filter(units).values("pk")


def _is_all_seeing(user: Any) -> bool:
    return bool(user.is_superuser or user.role == "admin")


def _runs(user: Any, prefix: str = "") -> models.Q:
    """Campaigns this user runs: 包保 leader, task force member, lead or assisting unit."""
    units = _unit_ids(user)
    return (
        models.Q(**{f"{prefix}lead_official": user})
        | models.Q(**{f"{prefix}members": user})
        | models.Q(**{f"{prefix}lead_unit_id__in": units})
        | models.Q(**{f"{prefix}assisting_units__in": units})
    )


def _active(user: Any) -> bool:
    return user is not None and bool(user.is_authenticated) and bool(user.is_active)


class SubItemQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> SubItemQuerySet:
        """Sub-items this user may see; the rest behave as if they did not exist."""
        if not _active(user):
            return self.none()
        if _is_all_seeing(user):
            return self.all()
        from jingzhi.campaigns.models import Campaign

        run = Campaign.objects.filter(_runs(user)).values("pk")
        q = models.Q(campaign_id__in=run) | models.Q(responsible_unit_id__in=_unit_ids(user))
        if user.division is not None:
            q |= models.Q(division__path__startswith=user.division.path)
        return self.filter(q)


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> CampaignQuerySet:
        """Campaigns this user may see: within their division, run by them, or with a sub-item they may see."""
        if not _active(user):
            return self.none()
        if _is_all_seeing(user):
            return self.all()
        from jingzhi.campaigns.models import Campaign, SubItem

        q = models.Q(pk__in=Campaign.objects.filter(_runs(user)).values("pk"))
        q |= models.Q(pk__in=SubItem.objects.visible_to(user).values("campaign_id"))
        if user.division is not None:
            q |= models.Q(division__path__startswith=user.division.path)
        return self.filter(q)
