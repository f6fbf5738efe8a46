"""A campaign in a browser: a leader creates it and sets it up, a county files a weekly report, the board shows it.

Screenshots campaign-page.png and campaign-board.png are saved to test-artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.campaigns.models import Campaign, ProgressReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "test-pass-123"


def _login(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url
    return page


def _no_errors(page: Any) -> None:
    errors = page.locator(".form-error, .errorlist, .msg-error")
    assert errors.count() == 0, errors.all_inner_texts()


def _panel(page: Any, name: str, fields: dict[str, str]) -> None:
    panel = page.locator(f"#action-{name}")
    panel.locator("summary").click()
    for field, value in fields.items():
        control = panel.locator(f"[name={field}]")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        elif control.get_attribute("type") == "checkbox":
            control.check()
        else:
            control.fill(value)
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    _no_errors(page)


def test_campaign_from_creation_to_weekly_report_to_board(live_server: Any, browser: Any, screenshot_dir: Path,
                                                          city: Any) -> None:
    today = timezone.localdate()
    leader = _login(browser, live_server.url, "leader")
    leader.goto(f"{live_server.url}/campaigns/")
    leader.click("text=新建攻坚项目")
    leader.fill("[name=title]", "老旧小区供暖改造攻坚")
    leader.select_option("[name=lead_official]", str(city.leader.pk))
    leader.select_option("[name=lead_unit]", str(city.housing.pk))
    leader.fill("[name=start]", (today - timedelta(days=70)).isoformat())
    leader.fill("[name=deadline]", (today + timedelta(days=300)).isoformat())
    leader.fill("[name=goal]", "供暖达标率 100%")
    leader.click("main form button[type=submit]")
    leader.wait_for_load_state()
    _no_errors(leader)
    campaign = Campaign.objects.get(title="老旧小区供暖改造攻坚")
    assert f"/campaigns/{campaign.pk}/" in leader.url

    _panel(leader, "metric", {"key": "homes", "label": "户数", "unit_of_measure": "户"})
    _panel(leader, "metric", {"key": "warm", "label": "达标户数", "unit_of_measure": "户"})
    homes, warm = campaign.metrics.order_by("order")
    month = today.replace(day=1)
    _panel(leader, "indicator", {"name": "供暖达标率", "computation": "ratio", "numerator": str(warm.pk),
                                 "denominator": str(homes.pk), "target": "100", "direction": "up",
                                 "monthly": f"{month:%Y-%m} = 50", "is_primary": "on"})
    _panel(leader, "sub-item", {"name": "城东小区", "division": str(city.county_a.pk),
                                "responsible_unit": str(city.county_gov.pk), "status": "in_progress",
                                "m_homes": "400", "m_warm": "120"})
    _panel(leader, "sub-item", {"name": "光荣小区", "division": str(city.county_a.pk),
                                "responsible_unit": str(city.county_gov.pk), "status": "in_progress",
                                "m_homes": "200", "m_warm": "40"})

    county = _login(browser, live_server.url, "h_xf")
    county.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    county.click("text=报送周报")
    county.wait_for_load_state()
    items = {s.name: s.pk for s in campaign.sub_items.all()}
    county.fill(f"[name=f_{items['城东小区']}_warm]", "260")
    county.fill(f"[name=f_{items['光荣小区']}_warm]", "70")
    county.fill("[name=narrative]", "完成城东小区管网改造，入户测温 140 户达标。")
    county.fill("[name=obstacles]", "光荣小区换热站产权不清，需住建局协调。")
    county.click("#report-form button[type=submit]")
    county.wait_for_load_state()
    _no_errors(county)
    assert ProgressReport.objects.filter(campaign=campaign).count() == 1

    leader.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    assert "55%" in leader.locator(f"#indicator-{campaign.indicators.get().pk}").inner_text()  # 330 of 600
    assert "完成城东小区管网改造" in leader.locator("#reports").inner_text()
    leader.screenshot(path=str(screenshot_dir / "campaign-page.png"), full_page=True)

    leader.goto(f"{live_server.url}/campaigns/")
    row = leader.locator("#campaign-board tr", has_text="老旧小区供暖改造攻坚")
    assert row.count() == 1
    assert "供暖达标率" in row.inner_text() and "55%" in row.inner_text()
    assert row.locator(".rag").count() == 1
    leader.screenshot(path=str(screenshot_dir / "campaign-board.png"), full_page=True)
