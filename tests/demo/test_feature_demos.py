"""The demo's feature apps, checked on one build of the demo city (the same build each test here used to make).

Why one build: each of these tests built the whole demo (about a minute on the CI machine) to look at its own part;
the build is the same for all (same password, same moment, no cases). It is made once for this module inside a
transaction that is rolled back at the end, and each test runs in its own savepoint within it, so what one test
changes the next does not see, and nothing is left behind for the rest of the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from jingzhi.campaigns.indicators import Rag
from jingzhi.campaigns.models import Campaign, CampaignCase, Kind, ProgressReport, SubItem
from jingzhi.campaigns.selectors import summarise
from jingzhi.demo.loader import load_demo
from jingzhi.disputes import figures, selectors
from jingzhi.disputes.models import Dispute, DisputeCase, Status
from jingzhi.enterprises.models import Need, TaskForce
from jingzhi.enterprises.selectors import board, door_needs
from jingzhi.matching.access import grants_visible_to, policies_visible_to
from jingzhi.matching.models import Grant, Match, Policy
from jingzhi.matching.models_benefits import Application, GrantConfirmation, Payment
from jingzhi.matching.programmes.access import divisions_visible_to, efforts_visible_to
from jingzhi.matching.programmes.efforts import overdue
from jingzhi.matching.programmes.models import DivisionMatch, Effort
from jingzhi.org.models import Enterprise, EnterpriseTag, User

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo(password="demo-pass-123", now=NOW, cases=0)
            with django_db_blocker.block():
                yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_demo_enterprises(demo: None) -> None:
    """The demo's enterprise service: the report's enterprises and counts, the 专班, the truck story, the door user."""
    tags = EnterpriseTag.objects.all()  # the report's counts are the city's, the named enterprises included
    assert tags.filter(tag="tech_sme").count() == 305 and tags.filter(tag="high_tech").count() == 135
    assert tags.filter(tag="tech_sme", enterprise__is_demo=True).count() == 303  # two named ones are tech SMEs
    assert tags.filter(tag="eaglet").count() == 50 and tags.filter(tag="gazelle").count() == 27
    truck = Need.objects.get(enterprise__name="铁岭风景文具有限公司")
    assert "高速出口" in truck.case.title and "护送" in truck.case.reply
    tf = TaskForce.objects.get(name="银州经济开发区企业服务专班")
    b = board(User.objects.get(username="leader"), tf.pk, now=NOW)
    assert b is not None and b.enterprises >= 20 and sum(n for _, n in b.by_age) >= 1 and b.load
    door = User.objects.get(username="qiye_leni")
    assert {n.enterprise.name for n in door_needs(door)} == {"莱尼线束系统(铁岭)有限公司"}
    # 309 of this demo, and the six rubber producers and buyers of the supply ↔ demand demo (supplydemand/demo.py).
    assert Enterprise.objects.count() == 309 + 6



def test_demo_campaigns_and_projects(demo: None) -> None:
    """The demo's campaigns: the flagship with its named communities, four more problems, the key projects, a year of reports."""
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



def test_demo_policies(demo: None) -> None:
    """The demo's policy catalogue: policies published, matches and 免申即享 grants made, 莱尼 sees its own."""
    assert Policy.objects.filter(status="published").count() == 5
    assert Match.objects.filter(outcome="qualified").count() > 20 and Match.objects.filter(outcome="near").exists()
    near = Match.objects.filter(outcome="near", missing__field="dishonest")
    assert near.exists()  # the listed enterprise misses the R&D subsidy by its record alone
    leni = User.objects.get(username="qiye_leni")
    titles = {g.version.title for g in grants_visible_to(leni)}
    assert "规上工业企业稳岗补贴" in titles
    assert Grant.objects.filter(unit__code="KJJ").count() > 10
    # From a decision to money (ADR 027): an account confirmed, a grant paid, an application being worked.
    assert GrantConfirmation.objects.filter(grant__enterprise=leni.enterprise).exists()
    paid = Payment.objects.select_related("grant").get()
    assert paid.grant is not None and paid.grant.status == "approved" and paid.amount == paid.grant.amount
    assert Application.objects.filter(status="accepted", unit__code="KJJ").count() == 1
    draft = Policy.objects.get(status="draft")
    assert not policies_visible_to(User.objects.get(username="h_kjj")).filter(pk=draft.pk).exists()



def test_demo_programmes(demo: None) -> None:
    """The demo's programmes: the ones the 2022 report names, with the counties it names qualifying and winning."""

    def outcome(title: str, county: str) -> str:
        return DivisionMatch.objects.get(programme__versions__title=title, division__name=county).outcome

    assert outcome("国家农业现代化示范区", "开原市") == "qualified"
    assert outcome("水系连通及水美乡村建设试点县", "清河区") == "qualified"
    # 清河区 is the only county that qualifies for 水美乡村; 昌图县 misses the 示范区 by its mechanisation rate.
    assert DivisionMatch.objects.filter(programme__versions__title="水系连通及水美乡村建设试点县", outcome="qualified").count() == 1
    near = DivisionMatch.objects.get(programme__versions__title="国家农业现代化示范区", division__name="昌图县")
    assert near.outcome == "near" and near.missing["field"] == "mechanisation" and near.missing["gap"] == "short by 4"
    won = {(e.division.name, e.version.title) for e in Effort.objects.filter(stage="won")}
    assert {("开原市", "国家农业现代化示范区"), ("清河区", "水系连通及水美乡村建设试点县")} <= won
    leader = User.objects.get(username="leader")
    assert divisions_visible_to(leader).count() == 7 and overdue(efforts_visible_to(leader)).exists()
    county = User.objects.get(username="leader_xf")
    assert list(divisions_visible_to(county).values_list("name", flat=True)) == ["西丰县"]



def test_demo_register(demo: None) -> None:
    """The demo's register: police stations with screened disputes of the four types, flags, escalations, figures."""
    everyone = Dispute.objects.all()
    assert everyone.count() >= 40
    assert {"family", "neighbour", "medical", "labour"} <= set(everyone.values_list("type", flat=True))
    assert set(everyone.values_list("station__kind", flat=True)) == {"police_station"}
    assert set(everyone.values_list("status", flat=True)) >= {Status.OPEN, Status.RESOLVED}
    assert everyone.filter(repeat_count__gte=1).exists() and everyone.filter(recurred_at__isnull=False).exists()
    assert DisputeCase.objects.filter(relation="origin").count() == 1 and DisputeCase.objects.filter(relation="flagged").exists()
    zfw, xf = User.objects.get(username="zfw"), User.objects.get(username="pcs_xf")
    assert Dispute.objects.visible_to(zfw).count() == everyone.count()
    mine = Dispute.objects.visible_to(xf)
    assert 0 < mine.count() < everyone.count() and {d.division.path[:15] for d in mine} == {"/211200/211223/"}
    assert selectors.board_counts(User.objects.get(username="supervisor"))["overdue"] >= 1
    stations = figures.station_figures(zfw, start=date(2026, 5, 1), end=date(2026, 11, 25))
    assert len(stations) == 4 and [s.rank for s in stations] == [1, 2, 3, 4]
    assert sum(s.total.screened for s in stations) == everyone.count()
    assert all(s.total.first_mediation <= s.total.resolved <= s.total.screened for s in stations)
