"""The operator types a request and sees the suggested category and route; a sure case is dispatched by itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases.models import Case, Status
from tests.dispatch.conftest import active_model, model_copy, model_file, routed_city  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_intake_shows_the_suggestion_and_dispatches_a_sure_case(
    live_server: Any, browser: Any, screenshot_dir: Path, active_model: Any, routed_city: Any  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/intake/")
    page.fill("[name=requester_phone]", "13812345678")
    page.select_option("[name=kind]", "complaint")
    page.select_option("[name=division]", "211200")
    page.fill("[name=title]", "工厂夜间排放废水")
    page.fill("[name=content]", "臭气和噪音严重影响居民，请尽快处理")
    page.locator("#dispatch-suggestion .dispatch-suggestion").wait_for()
    panel = page.locator("#dispatch-suggestion")
    assert "环境保护" in panel.inner_text() and routed_city.env.name in panel.inner_text()
    assert panel.locator("ol.ranked li").count() == 3
    page.screenshot(path=str(screenshot_dir / "dispatch-intake-suggestion.png"), full_page=True)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/cases/**")
    case = Case.objects.get(title="工厂夜间排放废水")
    assert (case.status, case.lead_unit) == (Status.DISPATCHED, routed_city.env)
    assert "自动派" in page.inner_text("body")
    page.screenshot(path=str(screenshot_dir / "dispatch-case-auto.png"), full_page=True)
    context.close()

    # The dispatcher's page: the model, the threshold at the target precision, accuracy per version; the dry run.
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/dispatch/")
    assert active_model.version in page.inner_text("#active-model")
    assert "100%" in page.inner_text("#dispatch-accuracy")  # one case, dispatched, not returned
    page.screenshot(path=str(screenshot_dir / "dispatch-overview.png"), full_page=True)
    page.goto(f"{live_server.url}/dispatch/dry-run/")
    page.fill("[name=text]", "学校老师违规补课收取学费")
    page.select_option("[name=division]", "211223")
    page.click("#dry-run-form button[type=submit]")
    page.wait_for_load_state()
    result = page.inner_text("#dry-run-result")
    assert "教育文体" in result and routed_city.county_gov.name in result and "兜底" in result
    page.screenshot(path=str(screenshot_dir / "dispatch-dry-run.png"), full_page=True)
    context.close()
