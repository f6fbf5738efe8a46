"""Issue 11 point 9 in the browser: every staff page at a phone's 390 px, and the cascading 区划 picker.

The pages must not scroll sideways (wide tables become cards, static/jingzhi/app.css "phone" section) and a queue's
title must not be squeezed into one character per line. Screenshots: docs/screenshots/phone-*.png."""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases.models import Case
from jingzhi.org.models import Division
from tests import factories as f
from tests.campaigns.conftest import flagship  # noqa: F401 — a fixture, found by pytest by name
from tests.disputes.conftest import register
from tests.e2e.test_case_lifecycle import PASSWORD
from tests.enterprises.conftest import make_firms
from tests.web.helpers import case_in, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LONG_TITLE = "小区北门外人行道井盖缺失夜间有行人跌落危险请尽快处理"

# (user, path, screenshot name): the pages each role works from every day.
PAGES = [
    ("handler", "/queue/unit/", "handler-queue"),
    ("handler", "/", "handler-home"),
    ("handler", "{case}", "case-page"),
    ("unithead", "/queue/unit/", "unithead-queue"),
    ("unithead", "/metrics/unit/", "unit-dashboard"),
    ("dispatcher", "/queue/dispatch/", "dispatch-queue"),
    ("dispatcher", "/cases/", "case-list"),
    ("dispatcher", "{new_case}", "dispatch-case-page"),
    ("operator", "/intake/", "intake"),
    ("supervisor", "/supervision/", "supervision"),
    ("supervisor", "/queue/follow-up/", "follow-up-queue"),
    ("leader", "/metrics/dashboard/", "leader-dashboard"),
    ("leader", "/metrics/", "metrics"),
    ("leader", "/metrics/brief/", "brief"),
    ("leader", "/campaigns/", "campaigns"),
    ("leader", "/campaigns/ranking/", "campaign-ranking"),
    ("leader", "{campaign}", "campaign-detail"),
    ("leader", "/hotspots/", "hotspots"),
    ("admin", "/enterprises/", "enterprises"),
    ("admin", "/disputes/", "disputes"),
    ("admin", "/knowledge/", "knowledge"),
    ("admin", "/warnings/", "earlywarning"),
    ("handler", "/notifications/", "notifications"),
    # Pages merged after the phone work (issue 11.9 asks for every staff page).
    ("unithead", "/queue/unit/reviews/", "unithead-reviews"),
    ("leader", "/knowledge/replies/", "reply-board"),
    ("leader", "/enterprises/metrics/", "enterprise-figures"),
    ("leader", "/policies/", "policies"),
    ("unithead", "/policies/queue/", "policy-queue"),
    ("admin", "/policies/new/", "policy-form"),
    ("leader", "/metrics/rankings/?kind=enterprise", "enterprise-ranking"),
]


def _phone_page(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not sign in"
    return page


def _shot(page: Any, screenshot_dir: Path, name: str) -> None:
    path = screenshot_dir / f"phone-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOCS / path.name)


def test_staff_pages_fit_a_phone(live_server: Any, browser: Any, screenshot_dir: Path, city: Any,
                                 flagship: Any) -> None:  # noqa: F811
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=300).read()
    case = case_in(city, "handling", title=LONG_TITLE)
    case_in(city, "dispatched", title="楼道灯不亮已经一个星期了")
    fresh = new_case(city, title="供暖温度不达标，家中室温只有十四度")
    make_firms(city)  # two enterprises for the enterprise list
    station = f.unit("PCS_A", "西丰镇派出所", city.county_a, kind="police_station")
    register(f.user("handler", station, username="officer_a"), station, city.county_a,
             summary="邻居装修噪音引发争吵，双方多次报警，物业调解未果")
    urls = {"{case}": f"/cases/{case.number}/", "{new_case}": f"/cases/{fresh.number}/",
            "{campaign}": f"/campaigns/{flagship.campaign.pk}/"}
    pages: dict[str, Any] = {}
    too_wide: list[str] = []
    for username, path, name in PAGES:
        page = pages.get(username) or pages.setdefault(username, _phone_page(browser, live_server.url, username))
        response = page.goto(live_server.url + urls.get(path, path))
        assert response is not None and response.status == 200, f"{username} {path}: {response and response.status}"
        _shot(page, screenshot_dir, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{name} ({username} {path}): {width}px")
    # The case page with every action form open: the forms fit too.
    handler = pages["handler"]
    handler.goto(f"{live_server.url}/cases/{case.number}/")
    for summary in handler.locator("details > summary").all():
        summary.click()
    _shot(handler, screenshot_dir, "case-actions-open")
    width = handler.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        too_wide.append(f"case-actions-open: {width}px")
    assert not too_wide, "pages wider than the phone: " + "; ".join(too_wide)

    # The handler's queue: the long title reads in lines of words, not one character per line.
    queue = pages["handler"]
    queue.goto(f"{live_server.url}/queue/unit/")
    title = queue.locator("td.title", has_text=LONG_TITLE[:6]).first
    box = title.bounding_box()
    assert box is not None and box["width"] > 120, f"the title is squeezed to {box}"
    assert Case.objects.filter(pk=case.pk).exists()


def test_cascading_division_picker(live_server: Any, browser: Any, screenshot_dir: Path, city: Any) -> None:
    township = f.division("211223001", "西丰镇", "township", city.county_a)
    f.division("211223002", "平岗镇", "township", city.county_a)
    community = f.division("211223001001", "城东社区", "community", township)
    f.division("211223001002", "城西社区", "community", township)
    f.division("211282001", "新城街道", "township", city.county_b)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    page.goto(f"{live_server.url}/public/submit/")
    levels = page.locator("select.cascade-level")
    levels.nth(0).wait_for()
    assert page.locator("#id_division").is_hidden()
    assert levels.nth(1).is_disabled() and levels.nth(2).is_disabled()
    levels.nth(0).select_option(city.county_a.code)
    # Only the chosen county's townships are offered.
    assert levels.nth(1).locator("option").all_inner_texts()[1:] == ["西丰镇", "平岗镇"]
    levels.nth(1).select_option(township.code)
    levels.nth(2).select_option(community.code)
    assert page.locator("#id_division").input_value() == community.code
    page.select_option("#id_kind", index=1)
    page.fill("#id_requester_phone", "13800001234")
    page.fill("#id_title", "路灯不亮")
    page.fill("#id_content", "城东社区主街路灯连续三晚不亮。")
    _shot(page, screenshot_dir, "public-division-cascade")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/public/submit/done/" in page.url
    created = Case.objects.get(title="路灯不亮")
    assert created.division == Division.objects.get(code=community.code)
