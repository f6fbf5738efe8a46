"""免申即享 end to end in a browser: the science bureau's policy office writes a policy in the form (no code) and
publishes it; the enterprise finds it on its own door with the trace; the bureau approves it from its queue; the
enterprise sees the approval.

Screenshots policy-form.png, policy-door.png and policy-queue.png go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jingzhi.enterprises.services.registry import figures_set
from jingzhi.matching.models import Grant, Policy
from tests.e2e.test_enterprise_door import _login
from tests.enterprises.conftest import Firms, make_firms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def firms(city: Any) -> Firms:
    return make_firms(city)


def test_no_application_flow(browser: Any, live_server: Any, screenshot_dir: Path, firms: Any) -> None:
    city = firms.city
    figures_set(actor=None, enterprise=firms.leni, year=2025, output="10000", tax="500", rd_spend="400", employees="1200")
    office = _login(browser, live_server.url, city.env_handler)
    office.goto(f"{live_server.url}/policies/new/")
    office.fill("input[name=title]", "研发费用后补助")
    office.select_option("select[name=level]", "city")
    office.fill("input[name=document_number]", "铁政发〔2026〕12号")
    office.fill("input[name=valid_from]", "2026-01-01")
    office.fill("input[name=valid_to]", "2027-12-31")
    office.check("input[name=no_application]")
    office.select_option("select[name=benefit_kind]", "rate")
    office.fill("input[name=benefit_rate]", "10")
    office.select_option("select[name=benefit_base]", "rd_spend")
    office.fill("input[name=benefit_cap]", "50")
    office.select_option("select[name=cond-0-field]", "employees")
    office.select_option("select[name=cond-0-op]", "gte")
    office.fill("input[name=cond-0-value]", "很多")  # not a number: refused, the condition named
    office.click("#policy-form button[type=submit]")
    office.wait_for_load_state()
    assert "条件 1" in office.locator("#condition-errors").inner_text()
    office.fill("input[name=cond-0-value]", "100")
    office.select_option("select[name=cond-1-field]", "rd_ratio")
    office.select_option("select[name=cond-1-op]", "gte")
    office.fill("input[name=cond-1-value]", "3")
    office.screenshot(path=str(screenshot_dir / "policy-form.png"), full_page=True)
    office.click("#policy-form button[type=submit]")
    office.wait_for_load_state()
    policy = Policy.objects.get()
    assert office.url.endswith(f"/policies/{policy.pk}/")
    office.click("form[action$='/publish/'] button")
    office.wait_for_load_state()
    assert Policy.objects.get().status == "published"

    door = _login(browser, live_server.url, firms.leni_user, width=420)
    door.goto(f"{live_server.url}/policies/door/")
    assert "研发费用后补助" in door.content() and "2025 年度数据" in door.content()
    door.screenshot(path=str(screenshot_dir / "policy-door.png"), full_page=True)

    grant = Grant.objects.get(enterprise=firms.leni)
    office.goto(f"{live_server.url}/policies/queue/")
    assert firms.leni.name in office.locator("#queue").inner_text()
    office.screenshot(path=str(screenshot_dir / "policy-queue.png"), full_page=True)
    office.goto(f"{live_server.url}/policies/grants/{grant.pk}/")
    office.select_option("select[name=action]", "approve")
    office.click("#decide-form button[type=submit]")
    office.wait_for_load_state()
    assert Grant.objects.get(pk=grant.pk).status == "approved"

    door.goto(f"{live_server.url}/policies/grants/{grant.pk}/")
    assert door.locator("#grant-status").inner_text() in ("已批准", "已通过")  # "Approved" is shared with other apps
