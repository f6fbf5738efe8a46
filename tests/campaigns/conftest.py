"""A property-certificate campaign on the test city: figures, indicators with a monthly plan, three sub-items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from jingzhi.campaigns import services as svc
from jingzhi.campaigns.models import Campaign, Indicator, SubItem
from tests import factories as f


@dataclass
class Flagship:
    campaign: Campaign
    rate: Indicator
    certs: Indicator
    done: Indicator
    a1: SubItem
    a2: SubItem
    b1: SubItem
    registry: Any
    registry_head: Any
    registry_handler: Any
    county_b_gov: Any
    county_b_handler: Any


@pytest.fixture
def flagship(city: Any) -> Flagship:
    registry = f.unit("BDC", "市不动产登记中心", city.city)
    registry_head = f.user("unit_head", registry, username="bdc_head")
    registry_handler = f.user("handler", registry, username="bdc")
    county_b_gov = f.unit("KYX", "开原市人民政府", city.county_b, kind="county_government")
    county_b_handler = f.user("handler", county_b_gov, username="h_ky")
    campaign = svc.campaign_create(
        actor=city.leader, title="已售商品房办证难专项攻坚", lead_official=city.leader, lead_unit=registry,
        division=city.city, start=date(2022, 1, 1), deadline=date(2022, 12, 31), goal="首次登记化解率 100%",
    )
    blocked = svc.metric_define(campaign=campaign, actor=city.leader, key="blocked", label="受阻户数", unit_of_measure="户")
    resolved = svc.metric_define(campaign=campaign, actor=city.leader, key="resolved", label="已化解户数", unit_of_measure="户")
    certs = svc.metric_define(campaign=campaign, actor=city.leader, key="certs", label="已办证户数", unit_of_measure="户")
    rate = svc.indicator_define(
        campaign=campaign, actor=city.leader, name="首次登记化解率", computation="ratio", numerator=resolved,
        denominator=blocked, target=100, is_primary=True,
        monthly_targets={date(2022, m, 1): v for m, v in ((1, 10), (2, 20), (3, 30), (4, 40), (5, 50), (6, 60),
                                                          (7, 70), (8, 80), (9, 90), (10, 100))},
    )
    certs_ind = svc.indicator_define(campaign=campaign, actor=city.leader, name="已办证户数", computation="sum",
                                     numerator=certs, target=600, unit_of_measure="户")
    done = svc.indicator_define(campaign=campaign, actor=city.leader, name="完成小区数", computation="count", target=3,
                                unit_of_measure="个")
    a1, _c = svc.sub_item_upsert(campaign=campaign, actor=city.leader, name="自来水公司家属楼", division=city.county_a,
                                 responsible_unit=city.county_gov, metrics={"blocked": 100, "resolved": 0, "certs": 0})
    a2, _c = svc.sub_item_upsert(campaign=campaign, actor=city.leader, name="铁岭变压器厂家属楼", division=city.county_a,
                                 responsible_unit=city.county_gov, metrics={"blocked": 0, "resolved": 0, "certs": 0})
    b1, _c = svc.sub_item_upsert(campaign=campaign, actor=city.leader, name="高新家园小区", division=city.county_b,
                                 responsible_unit=county_b_gov, metrics={"blocked": 100, "resolved": 0, "certs": 0})
    return Flagship(campaign, rate, certs_ind, done, a1, a2, b1, registry, registry_head, registry_handler,
                    county_b_gov, county_b_handler)
