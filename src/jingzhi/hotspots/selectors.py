"""What a user sees of hotspots: only those with cases they may see, and only those cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from jingzhi.cases.models import OPEN_STATUSES, Case
from jingzhi.hotspots.models import Hotspot
from jingzhi.org.models import User


@dataclass
class HotspotRow:
    """One line of a hotspot list: the hotspot, the cases the user sees, today's and the previous period's."""

    hotspot: Hotspot
    visible: int
    open: int
    today: int
    previous: int

    @property
    def trend(self) -> str:
        return "↑" if self.today > self.previous else "↓" if self.today < self.previous else "→"


def hotspot_rows(user: User, *, limit: int = 50) -> list[HotspotRow]:
    """Live hotspots for the user, hottest first, with trend: cases today vs the day before. Two queries."""
    now = timezone.localtime()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = today - timedelta(days=1)
    visible = Case.objects.visible_to(user)
    rows = (Hotspot.objects.visible_to(user).select_related("division")
            .annotate(n_visible=Count("members", filter=Q(members__case__in=visible.values("pk"))),
                      n_open=Count("members", filter=Q(members__case__in=visible.filter(status__in=OPEN_STATUSES).values("pk"))),
                      n_today=Count("members", filter=Q(members__case__created_at__gte=today)),
                      n_previous=Count("members", filter=Q(members__case__created_at__gte=yesterday,
                                                           members__case__created_at__lt=today)))
            .order_by("-heat", "-last_at")[:limit])
    return [HotspotRow(h, h.n_visible, h.n_open, h.n_today, h.n_previous) for h in rows]  # type: ignore[attr-defined]


def hotspot_for(user: User, pk: int) -> Hotspot | None:
    return Hotspot.objects.visible_to(user).select_related("division").filter(pk=pk).first()


def hotspot_cases(user: User, hotspot: Hotspot) -> list[Case]:
    """The hotspot's cases the user may see, oldest first (the timeline)."""
    return list(Case.objects.visible_to(user).filter(hotspot_membership__hotspot=hotspot)
                .select_related("division", "lead_unit").order_by("created_at", "pk"))


@dataclass
class Outcomes:
    """Did acting help? Hotspots found in the period, how many were acted on, complaints before and after acting."""

    days: int
    found: int
    acted: int
    before: int  # cases of the acted-on hotspots received up to the first action
    after: int  # … and after it: what acting did not prevent
    proactive: int  # proactive cases (未诉先办) opened in the period


def hotspot_outcomes(user: User, *, days: int = 30) -> Outcomes:
    """hotspots found → acted on → complaints after, over the last `days` days, as this user sees them. Four queries."""
    from django.db.models import Min

    from jingzhi.cases.models import Channel

    since = timezone.now() - timedelta(days=days)
    found = (Hotspot.objects.visible_to(user).filter(created_at__gte=since)
             .annotate(first_action=Min("actions__at")).values_list("pk", "first_action"))
    rows = list(found)
    acted = {pk: at for pk, at in rows if at is not None}
    before = after = 0
    if acted:
        members = (Case.objects.visible_to(user).filter(hotspot_membership__hotspot_id__in=list(acted))
                   .values_list("hotspot_membership__hotspot_id", "created_at"))
        for hotspot_id, created_at in members:
            if created_at > acted[hotspot_id]:
                after += 1
            else:
                before += 1
    proactive = Case.objects.visible_to(user).filter(channel=Channel.PROACTIVE, created_at__gte=since).count()
    return Outcomes(days, len(rows), len(acted), before, after, proactive)
