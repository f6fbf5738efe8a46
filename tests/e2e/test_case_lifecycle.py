"""The whole life of a citizen's request, as the people involved would click through it in a browser.

A citizen submits on the public page; the dispatcher dispatches; the unit returns it; it is
re-dispatched; the unit acknowledges, asks for an extension, gets it, replies; the follow-up is
unsatisfied so it reopens; a second reply; a satisfied follow-up; closed. After each stage the
citizen's lookup shows it. Screenshots of the main pages are saved to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from jingzhi.cases.models import Case, CaseEvent
from jingzhi.cases.sweep import sla_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-pass-123"


class Site:
    def __init__(self, browser: Any, base: str, shots: Path) -> None:
        self.browser, self.base, self.shots = browser, base, shots
        self.pages: dict[str, Any] = {}

    def page_for(self, username: str | None) -> Any:
        """A signed-in page per user (its own browser context), or an anonymous citizen's phone."""
        key = username or "citizen"
        if key not in self.pages:
            if username is None:
                context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
            else:
                context = self.browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(60000)  # a loaded CI machine can be slow; nothing here waits on purpose
            if username is not None:
                page.goto(f"{self.base}/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                assert "/login/" not in page.url, f"{username} could not sign in"
            self.pages[key] = page
        return self.pages[key]

    def shot(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def act(self, username: str, number: str, action: str, fields: dict[str, Any] | None = None,
            shot: str | None = None) -> Any:
        """Open the case page, open one action's panel, fill it, submit; expect no error."""
        print(f"{time.strftime('%H:%M:%S')} {username}: {action}", flush=True)
        page = self.page_for(username)
        page.goto(f"{self.base}/cases/{number}/")
        panel = page.locator(f"#action-{action}")
        assert panel.count() == 1, f"{username} is not offered '{action}' on {number}"
        panel.locator("summary").click()
        for name, value in (fields or {}).items():
            control = panel.locator(f"[name={name}]")
            if isinstance(value, tuple):  # ("label", text): pick the option whose text contains it
                option_value = control.locator("option", has_text=value[1]).first.get_attribute("value")
                control.select_option(option_value)
            elif control.first.get_attribute("type") == "radio":
                panel.locator(f"[name={name}][value={value}]").check()
            elif control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(str(value))
        if shot:
            self.shot(page, shot)
        # The action's own button is the form's last; the reply form also has 检查答复 before it.
        panel.locator("form > button[type=submit]").last.click()
        page.wait_for_load_state()
        errors = page.locator(".form-error, .errorlist")
        assert errors.count() == 0, f"{action} failed: {errors.all_inner_texts()}"
        return page

    def lookup(self, number: str, phone_last4: str) -> dict[str, bool]:
        page = self.page_for(None)
        page.goto(f"{self.base}/public/lookup/")
        page.fill("input[name=number]", number)
        page.fill("input[name=phone_last4]", phone_last4)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return {
            li.get_attribute("data-stage"): li.get_attribute("data-done") == "yes"
            for li in page.locator("li[data-stage]").all()
        }


def done(stages: dict[str, bool]) -> set[str]:
    """The stages the lookup shows as reached (steps still ahead are listed, greyed out)."""
    return {key for key, reached in stages.items() if reached}


def test_citizen_request_from_submission_to_close(live_server: Any, browser: Any, screenshot_dir: Path, city: Any) -> None:
    site = Site(browser, live_server.url, screenshot_dir)
    # The first request builds the static-file index; wait for it here rather than inside a page load.
    urllib.request.urlopen(f"{live_server.url}/public/submit/", timeout=300).read()

    # A citizen submits from their phone.
    citizen = site.page_for(None)
    citizen.goto(f"{live_server.url}/public/submit/")
    citizen.fill("[name=requester_name]", "李秀英")
    citizen.fill("[name=requester_phone]", "13904105678")
    citizen.select_option("[name=kind]", "complaint")
    # The public form's 区划 picker cascades (county → township → community); the county is enough here.
    citizen.locator("select.cascade-level").nth(0).select_option("211223")
    citizen.fill("[name=address]", "西丰县西丰镇安民小区3号楼")
    citizen.fill("[name=title]", "小区楼道污水外溢无人处理")
    citizen.fill("[name=content]", "安民小区3号楼一单元楼道污水管道堵塞外溢一周，气味很大，物业不处理，请尽快解决。")
    site.shot(citizen, "public-submit")
    citizen.click("button[type=submit]")
    citizen.wait_for_load_state()
    text = citizen.locator("main").inner_text()
    number = re.search(r"TL\d{8}-\d{6}(?:-\d{3}[0-9X])?", text)
    assert number, text
    number = number.group(0)
    site.shot(citizen, "public-submitted")
    assert Case.objects.filter(number=number, channel="web").count() == 1
    assert done(site.lookup(number, "5678")) == {"received"}
    assert site.lookup(number, "1234") == {}, "wrong digits must not reveal the case"

    # The dispatcher sends it to the environment bureau — the wrong unit.
    dispatcher = site.page_for("dispatcher")
    dispatcher.goto(f"{live_server.url}/queue/dispatch/")
    assert number in dispatcher.locator("main").inner_text()
    site.shot(dispatcher, "dispatch-queue")
    from jingzhi.taxonomy.models import Category

    Category.objects.create(name="排水管网", level=1)
    site.act("dispatcher", number, "dispatch", {"unit": ("label", "市生态环境局"), "category": ("label", "排水管网")})
    stages = site.lookup(number, "5678")
    assert stages["dispatched"] is True

    # The environment bureau returns it; the dispatcher re-dispatches to housing.
    site.act("h_env", number, "return", {"reason": "污水管道属住建部门职责，请改派。"})
    assert Case.objects.get(number=number).status == "returned"
    assert site.lookup(number, "5678")["dispatched"] is False
    site.act("dispatcher", number, "redispatch", {"unit": ("label", "市住房和城乡建设局"), "category": ("label", "排水管网")})

    # Housing acknowledges, asks for an extension, the supervisor approves, housing replies.
    handler = site.page_for("handler")
    handler.goto(f"{live_server.url}/queue/unit/")
    assert number in handler.locator("main").inner_text()
    site.shot(handler, "unit-queue")
    site.act("handler", number, "acknowledge")
    assert site.lookup(number, "5678")["handling"] is True
    due_before = Case.objects.get(number=number).reply_due
    site.act("handler", number, "request_extension", {"working_days": 5, "reason": "需协调物业公司更换主管道。"})
    supervisor = site.page_for("supervisor")
    supervisor.goto(f"{live_server.url}/supervision/")
    supervisor.click("nav.tabs a[href='?tab=extensions']")
    supervisor.wait_for_load_state()
    assert number in supervisor.locator("main").inner_text()
    site.shot(supervisor, "supervision")
    site.act("supervisor", number, "approve_extension")
    assert Case.objects.get(number=number).reply_due > due_before
    site.act("handler", number, "reply", {"outcome": "resolved", "reply": "已协调物业疏通管道，并更换破损管段。"}, shot="case-detail")
    assert done(site.lookup(number, "5678")) == {"received", "dispatched", "handling", "replied"}
    site.shot(site.page_for(None), "public-lookup")

    # The follow-up finds the citizen unsatisfied: reopen, reply again, satisfied, close.
    site.act("operator", number, "follow_up",
             {"contacted": "yes", "resolution": "unresolved", "satisfaction": "unsatisfied", "note": "仍有异味"})
    site.act("operator", number, "reopen", {"reason": "诉求人反映仍有异味。"})
    assert Case.objects.get(number=number).status == "handling"
    assert done(site.lookup(number, "5678")) == {"received", "dispatched", "handling"}
    site.act("handler", number, "reply", {"outcome": "resolved", "reply": "已对楼道消毒并加装防臭地漏，复查无异味。"})
    site.act("operator", number, "follow_up", {"contacted": "yes", "resolution": "resolved", "satisfaction": "satisfied"})
    site.act("operator", number, "close")
    assert site.lookup(number, "5678") == {"received": True, "dispatched": True, "handling": True, "replied": True,
                                           "closed": True}

    case = Case.objects.get(number=number)
    assert (case.status, case.reopen_count, case.return_count, case.extensions_granted) == ("closed", 1, 1, 1)
    actions = list(CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("action", flat=True))
    assert actions == ["create", "dispatch", "return", "redispatch", "acknowledge", "request_extension",
                       "approve_extension", "reply", "follow_up", "reopen", "reply", "follow_up", "close"]
    page = site.page_for("operator")
    page.goto(f"{live_server.url}/cases/{number}/")
    assert page.locator("details.action").count() == 0

    # The operator's intake form and the leader's list, for the README tour.
    operator = site.page_for("operator")
    operator.goto(f"{live_server.url}/intake/")
    operator.select_option("[name=kind]", "inquiry")
    operator.wait_for_timeout(500)
    site.shot(operator, "intake")
    leader = site.page_for("leader")
    leader.goto(f"{live_server.url}/cases/")
    site.shot(leader, "case-list")
    sla_sweep()
