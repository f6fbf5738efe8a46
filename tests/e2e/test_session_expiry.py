"""Issue 10, finding #7 in a real browser: the session ends while a form is half typed; nothing typed is lost."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from django.contrib.sessions.models import Session

from jingzhi.cases.models import Case, Status
from tests.web.helpers import case_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-pass-123"


def sign_in(page: Any, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not sign in"


def test_a_return_and_an_intake_typed_into_an_ended_session_survive_the_sign_in(live_server: Any, browser: Any,
                                                                                city: Any) -> None:
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=300).read()
    case = case_in(city, Status.DISPATCHED)
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)

    # The unit's handler starts to return the case, then the session ends (as the idle limit would end it).
    page.goto(f"{live_server.url}/login/")
    sign_in(page, "handler")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    panel = page.locator("#action-return")
    panel.locator("summary").click()
    reason = "该路段由公路段养护，不属于住建局职责，请改派公路段。"
    panel.locator("[name=reason]").fill(reason)
    Session.objects.all().delete()
    panel.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login/" in page.url and f"next=%2Fcases%2F{case.number}%2F" in page.url
    sign_in(page, "handler")
    assert page.url.endswith(f"/cases/{case.number}/")
    assert page.locator("#action-return [name=reason]").input_value() == reason
    assert page.locator("#action-return").get_attribute("open") is not None
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED  # shown again, not sent
    page.locator("#action-return button[type=submit]").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).status == Status.RETURNED
    context.close()

    # The operator is typing a long intake when the session ends.
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server.url}/login/")
    sign_in(page, "operator")
    page.goto(f"{live_server.url}/intake/")
    text = "幸福小区3号楼门前路灯连续两周不亮，老人晚上出门不便，请尽快修复。"
    page.fill("[name=requester_name]", "王秀兰")
    page.fill("[name=title]", "路灯不亮")
    page.fill("[name=content]", text)
    count = Case.objects.count()
    Session.objects.all().delete()
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login/" in page.url
    sign_in(page, "operator")
    assert page.url.endswith("/intake/")
    assert page.locator("[name=content]").input_value() == text
    assert page.locator("[name=requester_name]").input_value() == "王秀兰"
    assert Case.objects.count() == count
    context.close()


def test_any_other_form_typed_into_an_ended_session_comes_back_filled_in(live_server: Any, browser: Any, city: Any) -> None:
    """Issue 11.4: not only intake and the case actions — here a knowledge article, refilled by kept_form.js."""
    from jingzhi.knowledge.models import Article

    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server.url}/login/")
    sign_in(page, "operator")
    page.goto(f"{live_server.url}/knowledge/new/")
    answer = "居民可携带身份证到社区服务中心办理居住证明，当场出具，无需预约。"
    page.fill("[name=title]", "如何办理居住证明")
    page.fill("[name=questions]", "居住证明在哪里开\n开居住证明要带什么")
    page.fill("[name=answer]", answer)
    page.select_option("[name=unit]", str(city.housing.pk))
    count = Article.objects.count()
    Session.objects.all().delete()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    assert "/login/" in page.url
    sign_in(page, "operator")
    assert page.url.endswith("/knowledge/new/")
    page.wait_for_selector("form[data-kept='1']")
    assert page.locator("[name=answer]").input_value() == answer
    assert page.locator("[name=questions]").input_value() == "居住证明在哪里开\n开居住证明要带什么"
    assert page.locator("[name=unit]").input_value() == str(city.housing.pk)
    assert Article.objects.count() == count  # shown again, not sent
    assert page.locator(".msg-warning").first.is_visible()  # "check it and send it again"
    with page.expect_navigation():  # the POST done before the database is read (SQLite shares one connection)
        page.locator("main form button[type=submit]").last.click()
    assert Article.objects.count() == count + 1
    context.close()
