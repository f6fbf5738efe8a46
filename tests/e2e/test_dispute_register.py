"""A police officer works the dispute register on a phone (390 px): the list, a new dispute, its page, a step;
the leader reads the figures. Nothing may be wider than the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.disputes.models import Dispute, Risk
from tests.disputes.conftest import police, register  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser: Any, url: str, username: str, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_an_officer_registers_and_works_a_dispute_on_a_phone(live_server: Any, browser: Any, screenshot_dir: Path,
                                                               city: Any, police: Any) -> None:  # noqa: F811
    earlier = register(police.officer_a, police.station_a, city.county_a, phone="13912345678", risk=Risk.HIGH,
                       summary="兄弟因老人赡养费分摊发生纠纷", type="family", place="西丰镇幸福小区3号楼")
    register(police.officer_a, police.station_a, city.county_a, phone="13700000001", other="13700000002",
             summary="工地拖欠农民工工资", type="labour")
    context, page = _login(browser, live_server.url, "officer_a", 390)
    page.goto(f"{live_server.url}/disputes/")
    assert earlier.number in page.inner_text("#dispute-list")
    _fits(page)
    page.screenshot(path=str(screenshot_dir / "disputes-register-phone.png"), full_page=True)

    page.click("text=登记纠纷")
    page.select_option("[name=type]", "family")
    page.fill("[name=summary]", "夫妻因子女抚养问题多次争吵")
    page.select_option("[name=risk]", "2")
    page.select_option("[name=division]", city.county_a.code)
    page.fill("[name=place]", "西丰镇幸福小区3号楼")
    page.select_option("[name=station]", str(police.station_a.pk))
    page.fill("[name=party_0_name]", "王大力")
    page.fill("[name=party_0_phone]", "139 1234 5678")
    page.fill("[name=party_1_name]", "赵小兰")
    _fits(page)
    page.screenshot(path=str(screenshot_dir / "disputes-new-phone.png"), full_page=True)
    page.click("#dispute-form button[type=submit]")
    page.wait_for_url("**/disputes/*/")
    new = Dispute.objects.get(summary="夫妻因子女抚养问题多次争吵")
    assert new.flagged and new.repeat_count == 1  # the same party as the open dispute registered first
    assert "139****5678" in page.inner_text("#dispute-parties") and "13912345678" not in page.content()
    assert earlier.number in page.inner_text("#dispute-matches")
    page.click("#action-step summary")
    page.select_option("#action-step [name=kind]", "mediation")
    page.fill("#action-step [name=note]", "组织双方在社区调解室调解")
    page.click("#action-step button[type=submit]")
    page.wait_for_load_state()
    assert "组织双方在社区调解室调解" in page.inner_text("#dispute-steps")
    _fits(page)
    page.screenshot(path=str(screenshot_dir / "disputes-detail-phone.png"), full_page=True)
    context.close()

    context, page = _login(browser, live_server.url, "leader", 1360)
    page.goto(f"{live_server.url}/disputes/figures/")
    assert police.station_a.name in page.inner_text("#dispute-ranking")
    page.screenshot(path=str(screenshot_dir / "disputes-figures.png"), full_page=True)
    context.close()
