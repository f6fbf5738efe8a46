"""The demo's supply ↔ demand: the rubber institute's introductions, one signed; the buyer sees the producer first."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from jingzhi.core import notify
from jingzhi.demo.loader import DemoSummary, _load_organisation, city_facts
from jingzhi.enterprises.demo import load_enterprise_demo
from jingzhi.org.models import User
from jingzhi.supplydemand.access import introductions_visible_to, listings_visible_to
from jingzhi.supplydemand.demo import load_supply_demo
from jingzhi.supplydemand.models import Introduction, Listing
from jingzhi.supplydemand.suggest import suggestions_for

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_supply_and_demand() -> None:
    with transaction.atomic(), notify.suppressed():
        _load_organisation(city_facts(), "demo-pass-123", DemoSummary())
        load_enterprise_demo(now=NOW)
        result = load_supply_demo(now=NOW)
        again = load_supply_demo(now=NOW)  # named rows are found again, not doubled
    assert result["introductions"] == 3 and result["generated"] == 300
    assert Listing.objects.filter(is_demo=True, title="汽车发动机用橡胶密封圈").count() == 1
    assert again["introductions"] == 3
    signed = Introduction.objects.get(status="signed")
    assert signed.via.name == "铁岭橡胶工业研究设计院" and signed.contract_value == 186
    assert signed.capability.enterprise.name == "铁岭恒信橡胶制品有限公司"
    assert signed.need.place_name == "沈阳市铁西区"
    assert set(Introduction.objects.values_list("status", flat=True)) == {"signed", "negotiating", "not_concluded"}
    buyer = User.objects.get(username="qiye_tiexi")
    need = listings_visible_to(buyer).get(title="汽车发动机用橡胶密封圈")
    assert suggestions_for(need)[0].listing == signed.capability
    assert list(introductions_visible_to(buyer)) == [signed]
    assert listings_visible_to(User.objects.get(username="operator")).count() >= 307
