"""Supply ↔ demand fixtures: a Shenyang buyer, a Tieling seal producer, a belt producer, a starch mill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.core.validators import credit_code_check_char
from jingzhi.enterprises.services.registry import enterprise_save
from jingzhi.org.models import Role
from jingzhi.org.services import user_upsert
from jingzhi.supplydemand.services import listing_create
from tests.api.conftest import api, key_for  # noqa: F401 — fixtures, found by pytest by name
from tests.web.conftest import _media_root, client_for  # noqa: F401 — fixtures, found by pytest by name


def code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


@dataclass
class Market:
    city: Any
    buyer: Any
    seals: Any
    belts: Any
    starch: Any
    buyer_user: Any
    seals_user: Any
    starch_user: Any
    need: Any = None
    seal_cap: Any = None
    belt_cap: Any = None
    starch_cap: Any = None


def make_market(city: Any, *, listings: bool = True) -> Market:
    """Enterprises in two counties and a Shenyang buyer (kept on the city, its listing placed in 铁西区)."""
    buyer = enterprise_save(actor=None, enterprise=None, name="沈阳华晨汽车零部件采购中心", credit_code=code("91210106MA0XK3Q1P"),
                            division=city.city, industry="C3670", size="large", address="沈阳市铁西区")
    seals = enterprise_save(actor=None, enterprise=None, name="铁岭恒信橡胶制品有限公司", credit_code=code("91211223MA0U1R2T3"),
                            division=city.county_a, industry="C2913", size="small")
    belts = enterprise_save(actor=None, enterprise=None, name="开原北方输送带有限公司", credit_code=code("91211282MA0U4K5L6"),
                            division=city.county_b, industry="C2912", size="medium")
    starch = enterprise_save(actor=None, enterprise=None, name="开原玉米淀粉有限公司", credit_code=code("91211282MA0U7M8N9"),
                             division=city.county_b, industry="C1391", size="medium")
    m = Market(city, buyer, seals, belts, starch,
               user_upsert(actor=None, username="buyer", role=Role.ENTERPRISE, enterprise=buyer, password="Buyer-door-2026"),
               user_upsert(actor=None, username="seals", role=Role.ENTERPRISE, enterprise=seals, password="Seals-door-2026"),
               user_upsert(actor=None, username="starch", role=Role.ENTERPRISE, enterprise=starch, password="Starch-door-2026"))
    if listings:
        today = timezone.localdate()
        op = city.operator
        m.need, _ = listing_create(actor=m.buyer_user, enterprise=buyer, kind="need", fields={
            "title": "汽车用橡胶密封圈", "description": "发动机及变速箱用丁腈橡胶O型密封圈、油封，需通过IATF16949。",
            "quantity": "50000", "unit": "piece", "wanted_by": today + timedelta(days=60), "place_code": "210106"})
        m.seal_cap, _ = listing_create(actor=m.seals_user, enterprise=seals, kind="capability", fields={
            "title": "丁腈橡胶O型密封圈", "description": "汽车、液压设备用O型密封圈和油封，月产能三万件。",
            "quantity": "30000", "unit": "piece"})
        m.belt_cap, _ = listing_create(actor=op, enterprise=belts, kind="capability", fields={
            "title": "钢丝绳芯橡胶输送带", "description": "矿山、港口用耐磨输送带。", "quantity": "5000", "unit": "m"})
        m.starch_cap, _ = listing_create(actor=m.starch_user, enterprise=starch, kind="capability", fields={
            "title": "食品级玉米淀粉", "description": "玉米深加工，食品级、工业级淀粉。", "quantity": "800", "unit": "t"})
    return m


@pytest.fixture
def market(city: Any) -> Market:
    return make_market(city)
