"""The enterprise's own door and the 专班 board in a browser: an enterprise user submits a need, follows every
step, rates the answer; another enterprise cannot open it; a 专班 member sees it on the board; a 包保 official records
a visit on a phone; the leader reads the figures (the enterprises not visited) and opens the 三率 ranking of needs.

Screenshots enterprise-door.png, enterprise-need.png, task-force-board.png, enterprise-visit-phone.png and
enterprise-figures.png go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases import services as cs
from jingzhi.enterprises.models import Need, Visit
from tests.enterprises.conftest import Firms, make_firms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Door-test-pass-2026"


@pytest.fixture
def firms(city: Any) -> Firms:
    return make_firms(city)


def _login(browser: Any, base: str, user: Any, *, width: int = 1360) -> Any:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url
    return page


def test_enterprise_door_and_task_force_board(browser: Any, live_server: Any, screenshot_dir: Path, firms: Any) -> None:
    page = _login(browser, live_server.url, firms.leni_user, width=420)  # a phone
    assert page.url.endswith("/enterprises/door/")
    page.fill("input[name=title]", "原料车被拦在高速出口")
    page.fill("textarea[name=content]", "原材料运输车辆到达高速出口后无法通行，生产线即将停工。")
    page.fill("input[name=contact_phone]", "13812345678")
    page.click("#need-form button[type=submit]")
    page.wait_for_load_state()
    need = Need.objects.get(enterprise=firms.leni)
    assert need.case.number in page.url and page.locator("#need-steps li").count() == 1
    page.goto(f"{live_server.url}/enterprises/door/")
    page.screenshot(path=str(screenshot_dir / "enterprise-door.png"), full_page=True)

    case = cs.case_dispatch(case=need.case, unit=firms.city.housing, actor=firms.city.dispatcher)
    case = cs.case_acknowledge(case=case, actor=firms.city.handler)
    cs.case_reply(case=case, actor=firms.city.handler, reply="开发区管委会已派专人到高速出口接车，护送原料车进厂。")
    page.goto(f"{live_server.url}/enterprises/needs/{need.case.number}/")
    assert page.locator("#need-steps li").count() == 4 and "护送原料车" in page.content()
    page.check("input[name=rating][value=satisfied]")
    page.click("#rate-form button[type=submit]")
    page.wait_for_load_state()
    need.refresh_from_db()
    assert need.rating == "satisfied"
    page.screenshot(path=str(screenshot_dir / "enterprise-need.png"), full_page=True)

    other = _login(browser, live_server.url, firms.other_user)
    response = other.goto(f"{live_server.url}/enterprises/needs/{need.case.number}/")
    assert response is not None and response.status == 404

    board = _login(browser, live_server.url, firms.member)
    board.goto(f"{live_server.url}/enterprises/task-forces/{firms.task_force.pk}/")
    assert "银州经济开发区专班" in board.content() and board.locator("#board-load tbody tr").count() == 1
    board.screenshot(path=str(screenshot_dir / "task-force-board.png"), full_page=True)

    # The 包保 official records a visit on a phone; its promise becomes a need with that day as its deadline.
    official = _login(browser, live_server.url, firms.official, width=390)
    official.goto(f"{live_server.url}/enterprises/{firms.leni.pk}/")
    form = official.locator("#visit-form")
    form.locator("input[name=visited_on]").fill(timezone.localdate().isoformat())
    form.locator("input[name=met]").fill("张经理")
    form.locator("textarea[name=asked]").fill("二期厂房用电增容")
    form.locator("textarea[name=promised]").fill("协调供电公司现场踏勘")
    form.locator("input[name=promise_due]").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    official.screenshot(path=str(screenshot_dir / "enterprise-visit-phone.png"), full_page=True)
    with official.expect_navigation():  # the POST done before the database is read (SQLite shares one connection)
        form.locator("button[type=submit]").click()
    visit = Visit.objects.get(enterprise=firms.leni)
    assert visit.asked == "二期厂房用电增容" and visit.needs.count() == 1
    assert timezone.localtime(visit.needs.get().close_due).date() == timezone.localdate() + timedelta(days=3)

    # The leader's figures: 开原某机械公司 has never been visited, and the 三率 ranking is one click away.
    leader = _login(browser, live_server.url, firms.city.leader)
    leader.goto(f"{live_server.url}/enterprises/metrics/")
    assert leader.locator("#not-visited tbody tr").count() == 1 and firms.other.name in leader.locator("#not-visited").inner_text()
    leader.screenshot(path=str(screenshot_dir / "enterprise-figures.png"), full_page=True)
    leader.click("a[href*='kind=enterprise']")
    leader.wait_for_load_state()
    assert leader.locator("select[name=kind]").input_value() == "enterprise"

