"""Campaign services: roll-ups on the real database, permissions, reports, obstacles raised as cases, scoping."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jingzhi.campaigns import services as svc
from jingzhi.campaigns.indicators import Rag
from jingzhi.campaigns.models import Campaign, CampaignEvent, SubItem
from jingzhi.campaigns.selectors import summarise
from jingzhi.campaigns.services.common import access_campaign
from jingzhi.cases.models import Case, Status, Supervision
from jingzhi.cases.services import case_acknowledge, case_dispatch
from jingzhi.cases.sweep import sla_sweep
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def test_roll_up_plan_and_status_with_reason(flagship: Any, city: Any) -> None:
    svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov, week=date(2022, 6, 27),
                      narrative="本周化解 82 户", figures={flagship.a1.pk: {"resolved": 82, "certs": 60}},
                      at=at(2022, 7, 1))
    svc.report_submit(campaign=flagship.campaign, actor=flagship.county_b_handler, unit=flagship.county_b_gov,
                      week=date(2022, 6, 27), narrative="本周化解 82 户", figures={flagship.b1.pk: {"resolved": 82}},
                      at=at(2022, 7, 1))
    [s] = summarise([flagship.campaign], user=city.leader, today=date(2022, 6, 30))
    rate = s.indicators[0]
    assert rate.actual == Decimal(82)  # 164 of 200 blocked households
    assert rate.plan == Decimal(60)  # the June target, at the end of June
    assert rate.verdict.rag is Rag.GREEN
    [s] = summarise([flagship.campaign], user=city.leader, today=date(2022, 9, 30))
    assert s.indicators[0].plan == Decimal(90)
    assert s.rag is Rag.RED  # the 已办证户数 indicator is far behind its linear plan
    assert s.reasons[0].rag is Rag.RED
    assert "首次登记化解率 82% vs plan 90%, behind by 8 percentage points" in [v.reason for v in s.reasons]
    assert s.indicators[2].actual == 0  # no community done yet


def test_ratio_with_no_blocked_households_shows_dash_not_error(flagship: Any, city: Any) -> None:
    # 西丰县 alone: one community with nothing blocked would give 0/0 if it were the only one.
    SubItem.objects.filter(pk=flagship.a1.pk).update(metrics={"blocked": 0, "resolved": 0})
    [s] = summarise([flagship.campaign], user=city.county_handler, today=date(2022, 6, 30))
    assert s.sub_items_seen == 2 and s.scoped
    assert s.indicators[0].actual is None and s.indicators[0].actual_text == "—"
    assert s.indicators[0].verdict.rag is Rag.GREY


def test_county_user_sees_only_its_own_sub_items(flagship: Any, city: Any) -> None:
    assert set(SubItem.objects.visible_to(city.county_handler)) == {flagship.a1, flagship.a2}
    assert set(SubItem.objects.visible_to(city.county_leader)) == {flagship.b1}
    assert set(SubItem.objects.visible_to(city.leader)) == {flagship.a1, flagship.a2, flagship.b1}
    assert set(SubItem.objects.visible_to(flagship.registry_handler)) == {flagship.a1, flagship.a2, flagship.b1}
    assert list(Campaign.objects.visible_to(city.county_leader)) == [flagship.campaign]
    # A county with no sub-item in the campaign does not see it at all.
    other = SubItem.objects.get(pk=flagship.b1.pk)
    other.division = city.county_a
    other.save()
    with pytest.raises(NotFound):
        access_campaign(pk=flagship.campaign.pk, actor=city.county_leader)


def test_only_leaders_create_and_only_the_campaign_people_change(flagship: Any, city: Any) -> None:
    with pytest.raises(PermissionDenied):
        svc.campaign_create(actor=city.handler, title="x", lead_official=city.leader, lead_unit=city.housing,
                            division=city.city, start=date(2022, 1, 1), deadline=date(2022, 2, 1))
    with pytest.raises(PermissionDenied):
        svc.milestone_add(campaign=flagship.campaign, actor=city.county_handler, title="x", due=date(2022, 3, 1))
    with pytest.raises(ValidationFailed) as e:
        svc.campaign_create(actor=city.leader, title="", lead_official=None, lead_unit=city.housing, division=city.city,
                            start=date(2022, 3, 1), deadline=date(2022, 2, 1))
    assert set(e.value.fields) == {"title", "lead_official", "deadline"}
    milestone = svc.milestone_add(campaign=flagship.campaign, actor=flagship.registry_head, title="摸底完成",
                                  due=date(2022, 3, 1))
    svc.milestone_complete(milestone=milestone, actor=flagship.registry_head, done_on=date(2022, 2, 20))
    actions = list(CampaignEvent.objects.filter(campaign=flagship.campaign).values_list("action", flat=True))
    assert actions.count("milestone_add") == 1 and actions.count("milestone_done") == 1 and "create" in actions


def test_report_checks_unit_and_moves_figures_once_per_week(flagship: Any, city: Any) -> None:
    with pytest.raises(PermissionDenied):  # 开原 cannot report for 西丰's unit
        svc.report_submit(campaign=flagship.campaign, actor=flagship.county_b_handler, unit=city.county_gov,
                          week=date(2022, 3, 7), narrative="x", at=at(2022, 3, 11))
    with pytest.raises(ValidationFailed) as e:  # nor for a sub-item of another unit
        svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                          week=date(2022, 3, 7), narrative="x", figures={flagship.b1.pk: {"resolved": 1}},
                          at=at(2022, 3, 11))
    assert "figures" in e.value.fields
    with pytest.raises(ValidationFailed) as e:
        svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                          week=date(2022, 3, 7), narrative="x", figures={flagship.a1.pk: {"resolved": "-3"}},
                          at=at(2022, 3, 11))
    assert f"f_{flagship.a1.pk}_resolved" in e.value.fields
    report = svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                               week=date(2022, 3, 9), narrative="完成入户摸底", figures={flagship.a1.pk: {"resolved": 30}},
                               statuses={flagship.a2.pk: "done"}, at=at(2022, 3, 14))
    assert report.week == date(2022, 3, 7) and report.on_time is False  # due Friday the 11th
    flagship.a1.refresh_from_db()
    assert flagship.a1.metrics["resolved"] == "30"
    assert SubItem.objects.get(pk=flagship.a2.pk).status == "done"
    with pytest.raises(InvalidTransition) as again:  # once a week; a second filing is a correction with its reason
        svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                          week=date(2022, 3, 7), narrative="again", at=at(2022, 3, 14))
    assert "correction_reason" in again.value.fields
    # A late report for an earlier week keeps the newer figures.
    svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov,
                      week=date(2022, 2, 28), narrative="补报", figures={flagship.a1.pk: {"resolved": 10}},
                      at=at(2022, 3, 15))
    flagship.a1.refresh_from_db()
    assert flagship.a1.metrics["resolved"] == "30"


def test_trend_replays_weekly_reports(flagship: Any, city: Any) -> None:
    for n, resolved in enumerate((10, 20, 40)):
        week = date(2022, 3, 7 + 7 * n)
        svc.report_submit(campaign=flagship.campaign, actor=city.county_handler, unit=city.county_gov, week=week,
                          narrative="进展", figures={flagship.a1.pk: {"resolved": resolved}}, at=at(2022, 3, 11 + 7 * n))
    [s] = summarise([flagship.campaign], user=city.leader, today=date(2022, 3, 25))
    assert s.trend[-3:] == [Decimal(5), Decimal(10), Decimal(20)]  # of 200 blocked
    assert s.trend_points


def test_obstacle_becomes_a_supervised_case_linked_to_the_sub_item(flagship: Any, city: Any) -> None:
    court = __import__("tests.factories", fromlist=["unit"]).unit("ZY", "市中级人民法院", city.city, kind="court")
    with pytest.raises(PermissionDenied):
        svc.obstacle_raise(campaign=flagship.campaign, actor=flagship.county_b_handler, sub_item=flagship.a1,
                           title="查封房产需法院协助", content="12 户房产被查封")
    link, created = svc.obstacle_raise(campaign=flagship.campaign, actor=city.county_handler, sub_item=flagship.a1,
                              title="查封房产需法院协助解封", content="12 户房产因开发商债务被查封，无法首次登记。",
                              suggested_unit=court, at=at(2022, 3, 1, 9))
    case = Case.objects.get(pk=link.case.pk)
    assert case.status == Status.ACCEPTED and case.channel == "proactive" and case.priority == "complex"
    assert created is True
    assert case.division == city.county_a and "市中级人民法院" in case.content
    assert case.campaign_link.sub_item == flagship.a1
    assert Case.objects.visible_to(city.dispatcher).filter(pk=case.pk).exists()
    # The normal lifecycle and its clocks apply: dispatched, acknowledged, then left too long → supervised.
    case_dispatch(case=case, unit=court, actor=city.dispatcher, at=at(2022, 3, 1, 10))
    handler = __import__("tests.factories", fromlist=["user"]).user("handler", court, username="h_court")
    case = case_acknowledge(case=Case.objects.get(pk=case.pk), actor=handler, at=at(2022, 3, 1, 11))
    sla_sweep(now=at(2022, 5, 1))
    case.refresh_from_db()
    assert case.supervision >= Supervision.SUPERVISED
    [s] = summarise([flagship.campaign], user=city.leader, today=date(2022, 5, 1))
    assert s.open_cases == 1


def test_an_obstacle_retried_with_its_idempotency_key_raises_one_case(flagship: Any, city: Any) -> None:
    first, created = svc.obstacle_raise(campaign=flagship.campaign, actor=city.county_handler, sub_item=flagship.a1,
                                        title="查封房产需法院协助解封", content="12 户房产被查封", idempotency_key="k1")
    retry, created_retry = svc.obstacle_raise(campaign=flagship.campaign, actor=city.county_handler, sub_item=flagship.a1,
                                              title="查封房产需法院协助解封", content="12 户房产被查封", idempotency_key="k1")
    other, created_other = svc.obstacle_raise(campaign=flagship.campaign, actor=city.county_handler, sub_item=flagship.a1,
                                              title="查封房产需法院协助解封", content="12 户房产被查封", idempotency_key="k2")
    assert (created, created_retry, created_other) == (True, False, True)
    assert retry.pk == first.pk != other.pk
    assert Case.objects.filter(channel="proactive").count() == 2


def test_a_county_count_is_judged_against_its_own_share_of_the_plan(flagship: Any, city: Any) -> None:
    """Issue 11 #7: a county's 已销号小区 bars compare its own plan, not the city's."""
    [whole] = summarise([flagship.campaign], user=city.leader, today=date(2022, 9, 30))
    [county] = summarise([flagship.campaign], user=city.county_leader, today=date(2022, 9, 30))
    assert whole.indicators[2].verdict.rag is Rag.RED  # 0 of 3 communities done against a plan of 2.2
    share = Decimal(county.sub_items_seen) / Decimal(county.sub_items_total)
    assert 0 < share < 1
    mine, city_wide = county.indicators[2], whole.indicators[2]
    assert abs(mine.target - city_wide.target * share) < Decimal("1e-9")
    assert abs(mine.plan - city_wide.plan * share) < Decimal("1e-9")
    for m, w in zip(mine.months, city_wide.months, strict=True):
        assert abs((m.plan or 0) - (w.plan or 0) * share) < Decimal("1e-9")
    assert "share of the plan" in mine.verdict.reason
    assert county.indicators[0].verdict.rag is not Rag.GREY or county.indicators[0].actual is None


def test_the_board_costs_the_same_queries_for_one_campaign_or_many(flagship: Any, city: Any,
                                                                   django_assert_max_num_queries: Any) -> None:
    for n in range(4):
        other = svc.campaign_create(actor=city.leader, title=f"专项 {n}", lead_official=city.leader,
                                    lead_unit=city.housing, division=city.city, start=date(2022, 1, 1),
                                    deadline=date(2022, 12, 31))
        metric = svc.metric_define(campaign=other, actor=city.leader, key="n", label="数", unit_of_measure="个")
        svc.indicator_define(campaign=other, actor=city.leader, name="合计", computation="sum", numerator=metric, target=9)
        svc.sub_item_upsert(campaign=other, actor=city.leader, name="甲", division=city.county_a,
                            responsible_unit=city.county_gov, metrics={"n": 3})
    one = [flagship.campaign]
    many = list(Campaign.objects.all())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q1:
        summarise(one, user=city.county_handler, today=date(2022, 6, 1))
    with django_assert_max_num_queries(len(q1.captured_queries)):
        summaries = summarise(many, user=city.county_handler, today=date(2022, 6, 1))
    assert len(summaries) == 5
