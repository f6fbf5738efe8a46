"""The demo's campaigns: the flagship with its named communities, four more problems, the key projects, a year of reports."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jingzhi.campaigns.indicators import Rag
from jingzhi.campaigns.models import Campaign, CampaignCase, Kind, ProgressReport, SubItem
from jingzhi.campaigns.selectors import summarise
from jingzhi.demo.loader import load_demo
from jingzhi.org.models import User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_campaigns_and_projects() -> None:
    load_demo(password="demo-pass-123", now=NOW, cases=0)
    flagship = Campaign.objects.get(title="已售商品房“办证难”专项攻坚")
    assert flagship.lead_unit.name == "市不动产登记中心" and flagship.is_demo
    names = set(SubItem.objects.filter(campaign=flagship).values_list("name", flat=True))
    assert {"自来水公司家属楼", "铁岭变压器厂家属楼", "高新家园小区"} <= names and len(names) >= 10
    campaigns = list(Campaign.objects.filter(kind=Kind.CAMPAIGN))
    assert len(campaigns) == 5
    assert Campaign.objects.filter(kind=Kind.KEY_PROJECT).count() == 7
    weeks = ProgressReport.objects.filter(campaign=flagship).values("week").distinct().count()
    assert weeks >= 50  # a year of weekly reports
    assert CampaignCase.objects.filter(campaign=flagship).count() == 3
    leader = User.objects.get(username="leader")
    summaries = summarise(campaigns, user=leader, today=NOW.date())
    statuses = {s.campaign.title: s.rag for s in summaries}
    assert statuses["已售商品房“办证难”专项攻坚"] is Rag.GREEN
    assert len(set(statuses.values())) >= 2  # the board shows a real spread, not one colour
    assert all(len([v for v in s.trend if v is not None]) >= 20 for s in summaries)
    county = User.objects.get(username="h_xf")
    assert {s.division.path[:15] for s in SubItem.objects.visible_to(county)} == {"/211200/211223/"}
