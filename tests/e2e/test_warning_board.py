"""The duty board and an official's task in a real browser: usable at 390 px (no sideways scrolling), refreshing
itself when an official answers, and the phone flow 叫应 → on site → report. Screenshots in
test-artifacts/screenshots/: warning-board-phone.png, warning-board-bigscreen.png, warning-task-phone.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.earlywarning.models import InspectionTask
from jingzhi.earlywarning.services import warning_import_cap
from jingzhi.earlywarning.taskflow import task_acknowledge
from tests.earlywarning.conftest import area, cap_xml, land  # noqa: F401 — the `land` fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-pass-123"


def _sign_in(browser: Any, live_server: Any, username: str, width: int, height: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def test_duty_board_on_a_phone_and_a_big_screen_and_the_official_reports(
        land: Any, city: Any, live_server: Any, browser: Any, screenshot_dir: Path) -> None:  # noqa: F811
    sent = (timezone.now() - timedelta(minutes=12)).isoformat(timespec="seconds")
    warning = warning_import_cap(actor=None, data=cap_xml(areas=area("西丰县", "211223") + area("清河区", "211204"),
                                                          sent=sent), now=timezone.now() - timedelta(minutes=12)).warning
    errors: list[str] = []
    page = _sign_in(browser, live_server, "dispatcher", 390, 844)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/warnings/{warning.pk}/")
    page.wait_for_selector("#ew-board .ew-stats")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # no sideways scrolling on a phone
    assert page.locator(".ew-stat-acknowledged b").inner_text() == "0"
    page.screenshot(path=str(screenshot_dir / "warning-board-phone.png"), full_page=True)
    # An official answers: the board shows it at its next refresh, without a reload.
    task = InspectionTask.objects.get(warning=warning, official=land.third_official)
    task_acknowledge(actor=land.third_official, task_id=task.pk)
    from playwright.sync_api import expect

    expect(page.locator(".ew-stat-acknowledged b")).to_have_text("1", timeout=40000)
    page.context.close()
    big = _sign_in(browser, live_server, "dispatcher", 1920, 1080)
    big.goto(f"{live_server.url}/warnings/{warning.pk}/")
    big.wait_for_selector("#ew-board .ew-stats")
    big.screenshot(path=str(screenshot_dir / "warning-board-bigscreen.png"))
    big.context.close()
    phone = _sign_in(browser, live_server, "xf_town", 390, 844)
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"{live_server.url}/warnings/")
    phone.click("text=寇河西丰段")
    phone.click("button:has-text('叫应')")
    phone.click("button:has-text('已到岗')")
    phone.fill("textarea[name=situation]", "河道水位上涨约半米，堤防无渗漏。")
    phone.fill("input[name=people_moved]", "6")
    phone.screenshot(path=str(screenshot_dir / "warning-task-phone.png"), full_page=True)
    phone.click("button:has-text('提交报告')")
    phone.wait_for_selector("text=河道水位上涨约半米")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    phone.context.close()
    assert not errors, errors
    mine = InspectionTask.objects.get(warning=warning, official=land.town_official, site__code="XF1")
    assert mine.status == "reported" and mine.people_moved == 6
