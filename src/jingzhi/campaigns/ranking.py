"""Ranking of units by campaign performance: how far their sub-items are towards target, and reporting on time.

score = 60 % × target achievement (each sub-item's headline indicator against the campaign's target, capped at
100 %, averaged) + 40 % × share of weekly reports filed on time over the last REPORT_WEEKS weeks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from jingzhi.campaigns.indicators import HUNDRED, compute
from jingzhi.campaigns.models import (
    Campaign,
    CampaignCase,
    CampaignStatus,
    Indicator,
    Kind,
    ProgressReport,
    SubItem,
)
from jingzhi.campaigns.schedule import report_due_date
from jingzhi.campaigns.selectors import spec_of
from jingzhi.cases.models import OPEN_STATUSES
from jingzhi.org.models import Unit

REPORT_WEEKS = 12
WEIGHT_ACHIEVEMENT = Decimal("0.6")
WEIGHT_PUNCTUALITY = Decimal("0.4")


@dataclass
class UnitRow:
    unit: Unit
    sub_items: int = 0
    done: int = 0
    achievement: Decimal | None = None
    reports_due: int = 0
    reports_on_time: int = 0
    open_cases: int = 0
    score: Decimal = Decimal(0)
    rank: int = 0

    @property
    def punctuality(self) -> Decimal | None:
        return Decimal(self.reports_on_time) / self.reports_due * HUNDRED if self.reports_due else None


def unit_ranking(*, user: Any, today: date) -> list[UnitRow]:
    """Units that answer for sub-items the user may see, best first."""
    from jingzhi.cases.sla import work_calendar

    campaigns = {c.pk: c for c in Campaign.objects.visible_to(user).filter(
        kind=Kind.CAMPAIGN, status__in=[CampaignStatus.ACTIVE, CampaignStatus.COMPLETED])}
    primary: dict[int, Indicator] = {}
    for ind in Indicator.objects.filter(campaign_id__in=campaigns).select_related("numerator", "denominator").order_by(
            "campaign_id", "-is_primary", "order", "pk"):
        primary.setdefault(ind.campaign_id, ind)
    rows: dict[int, UnitRow] = {}
    shares: dict[int, list[Decimal]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    items = SubItem.objects.visible_to(user).filter(campaign_id__in=campaigns).select_related("responsible_unit")
    for item in items:
        row = rows.setdefault(item.responsible_unit_id, UnitRow(unit=item.responsible_unit))
        row.sub_items += 1
        row.done += item.status == SubItem.Status.DONE
        pairs.add((item.campaign_id, item.responsible_unit_id))
        headline = primary.get(item.campaign_id)
        if headline is not None and headline.target:
            value = compute(spec_of(headline), [(item.metrics or {}, item.status == SubItem.Status.DONE)])
            if value is not None:
                target = headline.target
                share = value / target if headline.direction == "up" else (target / value if value else Decimal(1))
                shares[item.responsible_unit_id].append(min(Decimal(1), max(Decimal(0), share)))
    calendar = work_calendar()
    first_week = today - timedelta(days=today.weekday()) - timedelta(weeks=REPORT_WEEKS)
    filed = set(ProgressReport.objects.filter(campaign_id__in=campaigns, week__gte=first_week, on_time=True)
                .values_list("campaign_id", "unit_id", "week"))
    for cid, uid in pairs:
        c: Campaign = campaigns[cid]
        for n in range(REPORT_WEEKS + 1):
            week = first_week + timedelta(weeks=n)
            if week + timedelta(days=6) < c.start or week > c.deadline or report_due_date(c, week, calendar=calendar) >= today:
                continue
            rows[uid].reports_due += 1
            rows[uid].reports_on_time += (cid, uid, week) in filed
    for uid, n in _open_cases(campaigns.keys()).items():
        if uid in rows:
            rows[uid].open_cases = n
    for uid, row in rows.items():
        if shares[uid]:
            row.achievement = sum(shares[uid], Decimal(0)) / len(shares[uid]) * HUNDRED
        punctual = row.punctuality
        row.score = (WEIGHT_ACHIEVEMENT * (row.achievement or 0) + WEIGHT_PUNCTUALITY * (punctual if punctual is not None
                                                                                         else HUNDRED))
    ranked = sorted(rows.values(), key=lambda r: (-r.score, -r.sub_items, r.unit.code))
    for i, row in enumerate(ranked, start=1):
        row.rank = i
    return ranked


def _open_cases(campaign_ids: Any) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for uid in CampaignCase.objects.filter(campaign_id__in=list(campaign_ids), case__status__in=OPEN_STATUSES,
                                           sub_item__isnull=False).values_list("sub_item__responsible_unit_id", flat=True):
        counts[uid] += 1
    return counts
