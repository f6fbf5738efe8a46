"""Issue 13 in the browser: the caller's history and the duplicate panel at intake, one click to register a
duplicate, back + resubmit making no second case, and the hotspot pages with their actions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases.models import Case, Status
from jingzhi.hotspots.models import Hotspot
from tests.hotspots.test_product import plant_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _login(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _shot(page: Any, screenshot_dir: Path, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / name), full_page=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot_dir / name, DOCS / name)


def test_intake_panels_duplicate_click_back_resubmit_and_hotspot_page(
    live_server: Any, browser: Any, screenshot_dir: Path, city: Any
) -> None:
    cases = plant_cases(city, city.county_a)
    original = cases[0]
    page = _login(browser, live_server.url, "operator")
    page.goto(f"{live_server.url}/intake/")
    page.fill("[name=requester_name]", "王五")
    page.fill("[name=requester_phone]", original.requester_phone)
    page.locator("#caller-history .history-list").wait_for()
    history = page.inner_text("#caller-history")
    assert original.number in history and "张*" in history and "张三" not in history
    page.select_option("[name=kind]", "complaint")
    page.select_option("[name=division]", city.county_a.code)
    page.fill("[name=address]", "丽发新城小区3栋")
    page.fill("[name=title]", "丽发新城小区旁搅拌站噪音太大")
    page.fill("[name=content]", "搅拌站晚上施工，噪音扰民，粉尘也大")
    page.locator("#duplicate-suggestions .duplicate-list li").first.wait_for()
    first = page.locator("#duplicate-suggestions .duplicate-list li").first
    assert first.get_attribute("class") == "likely" and any(c.number in first.inner_text() for c in cases)
    target = next(c for c in cases if c.number in first.inner_text())
    _shot(page, screenshot_dir, "intake-history-and-duplicates.png")

    first.locator("button[name=duplicate_of]").click()
    page.wait_for_url(f"**/cases/{target.number}/")
    assert target.number in page.inner_text(".messages, body")
    assert Case.objects.filter(title="丽发新城小区旁搅拌站噪音太大").count() == 1
    dup = Case.objects.get(title="丽发新城小区旁搅拌站噪音太大")
    assert dup.status == Status.MERGED and dup.merged_into == target
    _shot(page, screenshot_dir, "intake-registered-as-duplicate.png")

    # The back button, then "register" again (the fields as the browser kept them, or typed again).
    page.go_back()
    page.wait_for_selector("[name=title]")
    page.fill("[name=requester_phone]", original.requester_phone)
    page.fill("[name=requester_name]", "王五")
    page.select_option("[name=kind]", "complaint")
    page.select_option("[name=division]", city.county_a.code)
    page.fill("[name=address]", "丽发新城小区3栋")
    page.fill("[name=title]", "丽发新城小区旁搅拌站噪音太大")
    page.fill("[name=content]", "搅拌站晚上施工，噪音扰民，粉尘也大")
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/cases/**")
    assert Case.objects.filter(title="丽发新城小区旁搅拌站噪音太大").count() == 1
    page.context.close()

    hot = Hotspot.objects.get(merged_into=None)
    page = _login(browser, live_server.url, "leader")
    page.goto(f"{live_server.url}/hotspots/{hot.pk}/")
    assert page.locator("#hotspot-timeline li").count() == 3
    _shot(page, screenshot_dir, "hotspot-detail-actions.png")
    page.goto(f"{live_server.url}/hotspots/")
    assert "hotspot-outcomes" in page.content()
    _shot(page, screenshot_dir, "hotspot-list-outcomes.png")
    page.context.close()
