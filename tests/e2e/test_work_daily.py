"""Issue 11 in the browser: a day's new moves for the dispatcher, the unit head, the leader, the supervisor, the
handler and the operator. Screenshots go to test-artifacts/screenshots/ (copied to docs/screenshots/)."""

from __future__ import annotations

import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.cases.models import Case
from jingzhi.taxonomy.models import Category
from tests.e2e.test_case_lifecycle import Site
from tests.web.helpers import case_in, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_day_of_the_new_moves(live_server: Any, browser: Any, screenshot_dir: Path, city: Any) -> None:
    site = Site(browser, live_server.url, screenshot_dir)
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=300).read()
    top = Category.objects.create(name="城乡建设", level=1)
    Category.objects.create(name="冬季采暖", level=2, parent=top)
    Category.objects.create(name="环境卫生", level=2, parent=top)
    now = timezone.now()
    # The unit's queue: a case replying in two days, and one whose acknowledgement is days overdue.
    later = case_in(city, "handling", title="楼道灯不亮")
    Case.objects.filter(pk=later.pk).update(reply_due=now + timedelta(days=2))
    overdue = case_in(city, "dispatched", title="暖气不热已一周")
    Case.objects.filter(pk=overdue.pk).update(acknowledge_due=now - timedelta(days=6), reply_due=now + timedelta(days=8))
    fresh = case_in(city, "dispatched", title="小区垃圾清运不及时")

    # The dispatcher finds the unit and the category by typing, and dispatches.
    new = new_case(city, title="供暖温度不达标", content="家中室温只有14度。")
    dispatcher = site.page_for("dispatcher")
    dispatcher.goto(f"{live_server.url}/cases/{new.number}/")
    panel = dispatcher.locator("#action-dispatch")
    panel.locator("summary").click()
    panel.locator("input.picker-search").nth(0).fill("采暖")
    assert panel.locator("[name=category]").input_value() == str(Category.objects.get(name="冬季采暖").pk)
    panel.locator("input.picker-search").nth(1).fill("住房")
    assert panel.locator("[name=unit]").input_value() == city.housing.code
    panel.locator("input.picker-search").nth(2).fill("生态")
    assert panel.locator("label", has_text="市住房和城乡建设局").count() == 0 or not panel.locator(
        "label", has_text="市住房和城乡建设局").last.is_visible()
    panel.locator("label", has_text="市生态环境局").last.locator("input").check()
    site.shot(dispatcher, "dispatch-category-picker")
    with dispatcher.expect_navigation():
        panel.locator("button[type=submit]").click()
    new.refresh_from_db()
    assert new.category is not None and new.category.name == "冬季采暖" and new.lead_unit == city.housing
    assert list(new.assisting_units.all()) == [city.env]

    # The unit head's queue: the overdue acknowledgement comes first, with that deadline shown.
    head = site.page_for("unithead")
    head.goto(f"{live_server.url}/queue/unit/")
    rows = head.locator("table.data tbody tr")
    assert overdue.number in rows.nth(0).inner_text()
    assert "签收" in rows.nth(0).inner_text()
    # Tick the two waiting cases, acknowledge them at once, then assign them to the handler.
    for number in (overdue.number, fresh.number):
        head.locator(f"input[name=cases][value='{number}']").check()
    site.shot(head, "unit-queue-bulk")
    with head.expect_navigation():
        head.locator("button[data-bulk=acknowledge]").click()
    assert Case.objects.get(pk=overdue.pk).status == "handling" and Case.objects.get(pk=fresh.pk).status == "handling"
    for number in (overdue.number, fresh.number):
        head.locator(f"input[name=cases][value='{number}']").check()
    head.select_option("#id_bulk_assign_assignee", str(city.handler.pk))
    with head.expect_navigation():
        head.locator("button[data-bulk=assign]").click()
    assert Case.objects.get(pk=overdue.pk).assignee == city.handler
    # Sorting by a column: the case numbers, newest first.
    for _ in range(2):
        with head.expect_navigation():
            head.locator("a.sort-link", has_text="案件编号").click()
    assert "sort=-number" in head.url

    # A leader's 批示 and a supervisor's 督办 reach the case; the handler replies with an outcome.
    site.act("leader", overdue.number, "instruct", {"instruction": "群众冬季取暖无小事，请住建局三日内解决。"})
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    site.act("supervisor", overdue.number, "supervise", {"instruction": "请三日内上门解决并答复。", "deadline": due})
    site.act("handler", overdue.number, "reply",
             {"outcome": "resolved", "reply": "已更换单元供暖阀门，室温恢复至20度。"}, shot="case-instructions")
    assert Case.objects.get(pk=overdue.pk).outcome == "resolved"

    # The operator's call-back finds the requester satisfied: follow up and close in one step.
    site.act("operator", overdue.number, "follow_up_close", {"satisfaction": "satisfied", "note": "群众满意"})
    assert Case.objects.get(pk=overdue.pk).status == "closed"

    # 打印工单: an A4 sheet without buttons when printed.
    s.case_merge(case=new_case(city, title="暖气不热（重复来电）"), into=Case.objects.get(pk=overdue.pk), actor=city.operator)
    operator = site.page_for("operator")
    operator.goto(f"{live_server.url}/cases/{overdue.number}/print/")
    assert "群众冬季取暖无小事" in operator.locator(".work-order").inner_text()
    operator.emulate_media(media="print")
    assert not operator.locator(".print-toolbar").is_visible()
    site.shot(operator, "case-print")
    operator.emulate_media(media="screen")
