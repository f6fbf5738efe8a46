"""Every campaign service re-reads its campaign through the visibility rule: out of scope is NotFound, nothing written.

The campaign in this test belongs to 西丰县 alone (division, lead unit, sub-item), so a leader or supervisor of
开原市 and the staff of 开原市's government cannot see it. The test enumerates the services from the
package, so a new service without a row in TABLE fails.
"""

from __future__ import annotations

import inspect
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.apps import apps

import jingzhi.campaigns.services as campaign_services
from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import Campaign, Kind, Milestone, SubItem
from jingzhi.cases.models import Case, CaseEvent
from jingzhi.core.errors import NotFound
from jingzhi.core.models import AuditLog, Notification
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2022, 7, 1, 10, tzinfo=TZ)


@dataclass
class Xifeng:
    campaign: Campaign
    project: Campaign
    sub_item: SubItem
    milestone: Milestone


@pytest.fixture
def xifeng(city: Any) -> Xifeng:
    common = {"lead_official": city.leader, "lead_unit": city.county_gov, "division": city.county_a,
              "start": date(2022, 1, 1), "deadline": date(2022, 12, 31)}
    campaign = svc.campaign_create(actor=city.admin, title="西丰县老旧小区办证攻坚", **common)
    svc.metric_define(campaign=campaign, actor=city.admin, key="blocked", label="受阻户数")
    sub_item, _c = svc.sub_item_upsert(campaign=campaign, actor=city.admin, name="自来水公司家属楼", division=city.county_a,
                                       responsible_unit=city.county_gov, metrics={"blocked": 10})
    milestone = svc.milestone_add(campaign=campaign, actor=city.admin, title="完成摸底", due=date(2022, 3, 31))
    project = svc.campaign_create(actor=city.admin, title="西丰县鹿产品加工园", kind=Kind.KEY_PROJECT, investor="某农业公司",
                                  **common)
    return Xifeng(campaign, project, sub_item, milestone)


def _sheet() -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", "区划代码", "责任单位", "状态", "受阻户数"])
    sheet.append(["银州花园小区", "211223", "XFX", "进行中", 8])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "sub-items.xlsx"
    return out


Call = Callable[[Any, Xifeng, Any], object]
TABLE: dict[str, Call] = {
    "campaign_update": lambda c, x, a: svc.campaign_update(
        campaign=x.campaign, actor=a, title="改名", lead_official=c.leader, lead_unit=c.county_gov,
        start=date(2022, 1, 1), deadline=date(2022, 12, 31)),
    "campaign_set_status": lambda c, x, a: svc.campaign_set_status(campaign=x.campaign, actor=a, status="completed"),
    "metric_define": lambda c, x, a: svc.metric_define(campaign=x.campaign, actor=a, key="resolved", label="已化解户数"),
    "indicator_define": lambda c, x, a: svc.indicator_define(
        campaign=x.campaign, actor=a, name="完成小区数", computation="count", target=3),
    "milestone_add": lambda c, x, a: svc.milestone_add(campaign=x.campaign, actor=a, title="全部办证", due=date(2022, 12, 1)),
    "milestone_complete": lambda c, x, a: svc.milestone_complete(milestone=x.milestone, actor=a, done_on=date(2022, 3, 30)),
    "obstacle_raise": lambda c, x, a: svc.obstacle_raise(
        campaign=x.campaign, actor=a, title="开发商已注销", content="需法院协助", sub_item=x.sub_item, at=AT),
    "project_investment_set": lambda c, x, a: svc.project_investment_set(
        campaign=x.project, actor=a, month=date(2022, 3, 1), planned=100, completed=80),
    "project_stage_set": lambda c, x, a: svc.project_stage_set(
        campaign=x.project, actor=a, stage="land", reached_on=date(2022, 4, 1)),
    "report_submit": lambda c, x, a: svc.report_submit(
        campaign=x.campaign, actor=a, unit=a.unit or c.county_gov, week=date(2022, 6, 27), narrative="本周入户摸底",
        at=AT),
    "sub_item_upsert": lambda c, x, a: svc.sub_item_upsert(
        campaign=x.campaign, actor=a, name="铁岭变压器厂家属楼", division=c.county_a, responsible_unit=c.county_gov),
    "sub_items_import": lambda c, x, a: svc.sub_items_import(campaign=x.campaign, actor=a, rows_file=_sheet()),
}

# Functions with an `actor` that act on no existing campaign, and why they need no row above.
NO_CAMPAIGN_TO_SEE = {
    "campaign_create": "starts a new campaign; only leaders and administrators may (role check)",
}


def _services() -> set[str]:
    """Every public function of the campaign service modules that takes an actor (and everything in __all__)."""
    names = {n for n in campaign_services.__all__ if "actor" in inspect.signature(getattr(svc, n)).parameters}
    for info in pkgutil.iter_modules(campaign_services.__path__):
        if info.name == "common":  # the shared helpers (lock_campaign, require_manage) every service goes through
            continue
        module = __import__(f"{campaign_services.__name__}.{info.name}", fromlist=["_"])
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and "actor" in inspect.signature(fn).parameters:
                names.add(name)
    return names


def test_every_campaign_service_has_a_visibility_row() -> None:
    services = _services()
    assert {"report_submit", "project_stage_set", "obstacle_raise"} <= services
    missing = services - TABLE.keys() - NO_CAMPAIGN_TO_SEE.keys()
    assert not missing, f"add a row to TABLE (or NO_CAMPAIGN_TO_SEE, with a reason) for: {sorted(missing)}"
    assert not (TABLE.keys() - services), "TABLE names a service that no longer exists"


def _kaiyuan_gov(c: Any) -> Any:
    # A unit of the other county: staff of a city department see the whole city's campaigns (their division).
    return f.unit("KYX", "开原市人民政府", c.county_b, kind="county_government")


OUTSIDERS: dict[str, Callable[[Any], Any]] = {
    "other county supervisor": lambda c: f.user("supervisor", c.hotline, c.county_b, username="supervisor_ky"),
    "other county leader": lambda c: c.county_leader,
    "other unit handler": lambda c: f.user("handler", _kaiyuan_gov(c), username="h_ky"),
    "other unit head": lambda c: f.user("unit_head", _kaiyuan_gov(c), username="ky_head"),
}


def _written() -> dict[str, object]:
    """Every row a campaign service may write: the campaigns app's tables, cases (obstacles), notices, audit."""
    models = [*apps.get_app_config("campaigns").get_models(), Case, CaseEvent, Notification, AuditLog]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("service", sorted(TABLE))
def test_outsider_gets_not_found_and_nothing_is_written(
    city: Any, xifeng: Xifeng, service: str, outsider: str, django_capture_on_commit_callbacks: Any
) -> None:
    actor = OUTSIDERS[outsider](city)
    for campaign in (xifeng.campaign, xifeng.project):  # the premise: the actor cannot see either
        assert not Campaign.objects.visible_to(actor).filter(pk=campaign.pk).exists()
    before = _written()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(NotFound, match="not found"):
        TABLE[service](city, xifeng, actor)
    assert callbacks == []
    assert _written() == before


@pytest.mark.parametrize("service", sorted(TABLE))
def test_the_same_call_succeeds_for_those_who_run_it(city: Any, xifeng: Xifeng, service: str) -> None:
    """The control: the rows above fail for the outsider's scope, not because the call itself is wrong."""
    actor = city.county_handler if service == "report_submit" else city.admin  # reports come from a unit
    before = _written()["CampaignEvent"]
    TABLE[service](city, xifeng, actor)
    assert _written()["CampaignEvent"] != before


def test_the_system_may_act_on_any_campaign(city: Any, xifeng: Xifeng) -> None:
    from django.db import transaction

    from jingzhi.campaigns.services.common import lock_campaign

    version = Campaign.objects.get(pk=xifeng.campaign.pk).version
    with transaction.atomic():
        locked = lock_campaign(xifeng.campaign, actor=None)
    assert locked.version == version + 1
    with transaction.atomic(), pytest.raises(NotFound):
        lock_campaign(xifeng.campaign, actor=city.county_leader)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_the_bulk_memo_still_asks_the_rule_for_each_new_actor(city: Any, xifeng: Xifeng, outsider: str) -> None:
    """visibility_memo (the demo's year of reports) remembers only "visible" answers: after someone who runs the
    campaign has filed twice, an outsider is still refused and writes nothing."""
    from jingzhi.campaigns.services.common import visibility_memo

    actor = OUTSIDERS[outsider](city)
    with visibility_memo():
        for week in (date(2022, 6, 20), date(2022, 6, 27)):
            svc.report_submit(campaign=xifeng.campaign, actor=city.county_handler, unit=city.county_gov, week=week,
                              narrative="本周入户摸底", at=AT)
        before = _written()
        with pytest.raises(NotFound, match="not found"):
            svc.report_submit(campaign=xifeng.campaign, actor=actor, unit=actor.unit or city.county_gov,
                              week=date(2022, 6, 27), narrative="越权填报", at=AT)
        assert _written() == before
    assert Campaign.objects.get(pk=xifeng.campaign.pk).version >= 2
