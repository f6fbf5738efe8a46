"""The API docs page in a real browser, with every request outside the server blocked: it must work offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_offline_and_try_a_call_with_the_session(browser: Any, live_server: Any, screenshot_dir: Path,
                                                                   city: Any) -> None:
    own = urlsplit(live_server.url).netloc
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).netloc != own:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "dispatcher")
    page.fill("input[name=password]", "test-pass-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/v1/cases/", timeout=15000)
    assert page.locator(".opblock").count() >= 20
    page.screenshot(path=str(screenshot_dir / "api-docs.png"), full_page=False)
    page.locator(".opblock-summary-path", has_text="/api/v1/units/").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=15000)
    assert status.inner_text().strip() == "200"
    assert "市住房和城乡建设局" in page.locator(".live-responses-table tbody .response-col_description").first.inner_text()
    status.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "api-docs-try-it.png"), full_page=False)
    assert outside == []
    context.close()
