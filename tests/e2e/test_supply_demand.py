"""Supply ↔ demand in a browser: a Shenyang buyer publishes a need on its door (a bad quantity is named first) and
sees the Tieling seal producer suggested first with the reasons; the office introduces them and records the signed
contract; the figures show it.

Screenshots supply-door.png, supply-suggestions.png and supply-introduction.png go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.supplydemand.models import Introduction, Listing
from tests.e2e.test_enterprise_door import _login
from tests.supplydemand.conftest import Market, make_market

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def market(city: Any) -> Market:
    return make_market(city)


def test_need_suggestion_introduction_contract(browser: Any, live_server: Any, screenshot_dir: Path, market: Market) -> None:
    buyer = _login(browser, live_server.url, market.buyer_user)
    buyer.goto(f"{live_server.url}/supply/door/")
    buyer.check("input[name=kind][value=need]")
    buyer.fill("input[name=title]", "变速箱用氟橡胶密封圈")
    buyer.fill("textarea[name=description]", "变速箱、液压系统用氟橡胶O型密封圈，耐高温。")
    buyer.fill("input[name=quantity]", "很多")
    buyer.select_option("select[name=unit]", "piece")
    buyer.fill("input[name=wanted_by]", (timezone.localdate() + timedelta(days=50)).isoformat())
    buyer.select_option("select[name=place_code]", "210106")
    buyer.click("#listing-form button[type=submit]")
    buyer.wait_for_load_state()
    assert "数量请填写数字" in buyer.locator("#listing-form").inner_text()
    buyer.fill("input[name=quantity]", "40000")
    buyer.screenshot(path=str(screenshot_dir / "supply-door.png"), full_page=True)
    buyer.click("#listing-form button[type=submit]")
    buyer.wait_for_load_state()
    need = Listing.objects.get(title="变速箱用氟橡胶密封圈")
    assert buyer.url.endswith(f"/supply/{need.pk}/")
    first = buyer.locator("#suggestions tbody tr").first
    assert "铁岭恒信橡胶制品有限公司" in first.inner_text() and "相同的词" in first.inner_text()
    assert buyer.locator("#suggestions form").count() == 0  # the enterprise cannot introduce
    buyer.screenshot(path=str(screenshot_dir / "supply-suggestions.png"), full_page=True)

    office = _login(browser, live_server.url, market.city.operator)
    office.goto(f"{live_server.url}/supply/{need.pk}/")
    office.locator("#suggestions tbody tr").first.locator("button[type=submit]").click()
    office.wait_for_load_state()
    intro = Introduction.objects.get()
    assert intro.capability == market.seal_cap and office.url.endswith(f"/supply/introductions/{intro.pk}/")
    for action in ("contact", "negotiate"):
        office.select_option("select[name=action]", action)
        office.click("#advance button[type=submit]")
        office.wait_for_load_state()
    office.select_option("select[name=action]", "sign")
    office.fill("input[name=value]", "150")
    office.fill("input[name=signed_on]", timezone.localdate().isoformat())
    office.click("#advance button[type=submit]")
    office.wait_for_load_state()
    assert "150" in office.locator("#contract").inner_text()
    office.screenshot(path=str(screenshot_dir / "supply-introduction.png"), full_page=True)
    office.goto(f"{live_server.url}/supply/figures/")
    assert "西丰县" in office.locator("#figures").inner_text()
    buyer.goto(f"{live_server.url}/supply/door/")
    assert "已签约" in buyer.locator("#door-introductions").inner_text()
