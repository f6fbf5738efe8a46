"""The operator types an inquiry; the knowledge base suggests the article with the passage marked; one click
answers the inquiry with it and closes the case. "Insert as a note" puts the citation into the description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases.models import Case, Status
from jingzhi.knowledge.models import ArticleUse, Use
from tests.knowledge.conftest import kb  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_intake_suggests_the_article_and_answers_the_inquiry_with_it(
    live_server: Any, browser: Any, screenshot_dir: Path, city: Any, kb: Any  # noqa: F811
) -> None:
    context, page = _signed_in(browser, live_server.url, "operator")
    page.goto(f"{live_server.url}/intake/")
    page.fill("[name=requester_phone]", "13812345678")
    page.select_option("[name=kind]", "inquiry")
    page.select_option("[name=division]", "211200")
    page.fill("[name=title]", "租房提取公基金")  # with a typo
    page.fill("[name=content]", "我在外面租房子住，请问能不能把住房公积金取出来交房租？")
    first = page.locator("#kb-suggestions .kb-hit").first
    first.wait_for()
    assert kb.fund.title in first.inner_text()
    assert "公积金" in " ".join(page.locator("#kb-suggestions mark").all_inner_texts())
    page.screenshot(path=str(screenshot_dir / "knowledge-intake-suggestion.png"), full_page=True)

    # Insert as a note: the citation lands in the description (recorded on the case when it is registered).
    first.locator("[data-kb-note]").click()
    assert kb.fund.ref in page.input_value("[name=content]")

    first.locator("button[name=kb_article]").click()
    page.wait_for_url("**/cases/**")
    case = Case.objects.get()
    assert case.status == Status.CLOSED and kb.fund.ref in case.reply
    assert set(ArticleUse.objects.filter(case=case).values_list("use", flat=True)) == {Use.ANSWERED, Use.NOTE}
    page.screenshot(path=str(screenshot_dir / "knowledge-case-answered.png"), full_page=True)
    context.close()

    context, page = _signed_in(browser, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/knowledge/?q=租房提取公积金")
    assert kb.fund.title in page.inner_text("#kb-results")
    page.screenshot(path=str(screenshot_dir / "knowledge-list.png"), full_page=True)
    page.goto(f"{live_server.url}/knowledge/{kb.fund.pk}/")
    assert case.number in page.inner_text("body")
    page.screenshot(path=str(screenshot_dir / "knowledge-article.png"), full_page=True)
    context.close()

    context = browser.new_context(viewport={"width": 420, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/public/knowledge/?q=公积金 租房")
    assert kb.fund.title in page.inner_text("#public-kb-results")
    page.screenshot(path=str(screenshot_dir / "knowledge-public.png"), full_page=True)
    context.close()
