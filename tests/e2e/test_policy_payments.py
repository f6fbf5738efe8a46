"""From a decision to money in a browser (ADR 027): the enterprise confirms the account for its 免申即享 grant and
applies for a policy that needs an application; the issuing unit approves and pays both.

Screenshots policy-account.png, policy-application.png and policy-paid.png go to test-artifacts/screenshots/ and
are copied to docs/screenshots/.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.enterprises.services.registry import figures_set
from jingzhi.matching.models import Grant
from jingzhi.matching.models_benefits import Application, GrantConfirmation, Payment
from jingzhi.matching.services.policies import policy_create, policy_publish
from tests.e2e.test_enterprise_door import _login
from tests.enterprises.conftest import Firms, make_firms
from tests.matching.benefits import APPLY_POLICY
from tests.matching.conftest import RD_POLICY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def firms(city: Any) -> Firms:
    return make_firms(city)


def _shot(page: Any, screenshot_dir: Path, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / name), full_page=True)
    shutil.copy(screenshot_dir / name, DOCS / name)


def _fill_account(page: Any, form: str) -> None:
    page.fill(f"{form} input[name=bank]", "中国工商银行铁岭分行营业部")
    page.fill(f"{form} input[name=account_number]", "0716 0012 0920 0123 456")
    page.fill(f"{form} input[name=contact_name]", "王经理")
    page.fill(f"{form} input[name=contact_phone]", "13800138000")


def test_confirm_apply_approve_and_pay(browser: Any, live_server: Any, screenshot_dir: Path, firms: Any) -> None:
    city = firms.city
    figures_set(actor=None, enterprise=firms.leni, year=2025, output="10000", tax="500", rd_spend="400", employees="1200")
    for content in (RD_POLICY, APPLY_POLICY):
        policy, _ = policy_create(actor=None, issuer=city.env, content=dict(content))
        policy_publish(actor=None, policy=policy)
    grant = Grant.objects.get(enterprise=firms.leni)

    # The enterprise confirms the account for its 免申即享 grant: a wrong number first, refused with the reason.
    door = _login(browser, live_server.url, firms.leni_user, width=420)
    door.goto(f"{live_server.url}/policies/grants/{grant.pk}/")
    _fill_account(door, "#account-form")
    door.fill("#account-form input[name=account_number]", "6222-abc")
    door.click("#account-form button[type=submit]")
    door.wait_for_load_state()
    assert "8 至 32 位数字" in door.content() and not GrantConfirmation.objects.exists()
    _fill_account(door, "#account-form")
    door.click("#account-form button[type=submit]")
    door.wait_for_load_state()
    assert GrantConfirmation.objects.filter(grant=grant).exists()
    assert "0716001209200123456" in door.locator("#account").inner_text()
    _shot(door, screenshot_dir, "policy-account.png")

    # …and applies for the award from its door.
    door.goto(f"{live_server.url}/policies/door/")
    door.click("a.apply")
    door.wait_for_load_state()
    door.fill("textarea[name=statement]", "我公司为省级专精特新中小企业，申请奖励。")
    door.click("#apply-form button[type=submit]")
    door.wait_for_load_state()
    app = Application.objects.get()
    assert door.url.endswith(f"/policies/applications/{app.pk}/")
    assert door.locator("#application-status").inner_text() == "已提交"

    # The unit: the grant's account is confirmed in its queue; it approves and pays the grant.
    office = _login(browser, live_server.url, city.env_handler)
    office.goto(f"{live_server.url}/policies/queue/")
    assert "已确认" in office.locator("#queue").inner_text()
    office.goto(f"{live_server.url}/policies/grants/{grant.pk}/")
    assert "**** 3456" in office.locator("#account").inner_text()
    office.select_option("#decide-form select[name=action]", "approve")
    office.click("#decide-form button[type=submit]")
    office.wait_for_load_state()
    office.fill("#pay-form input[name=reference]", "铁财国库〔2026〕0001")
    office.click("#pay-form button[type=submit]")
    office.wait_for_load_state()
    assert Payment.objects.filter(grant=grant).exists() and "铁财国库〔2026〕0001" in office.locator("#payment").inner_text()
    _shot(office, screenshot_dir, "policy-paid.png")

    # It accepts, approves and pays the application from its application queue.
    office.goto(f"{live_server.url}/policies/applications/")
    assert firms.leni.name in office.locator("#application-queue").inner_text()
    _shot(office, screenshot_dir, "policy-application.png")
    office.click(f"#application-queue a[href='/policies/applications/{app.pk}/']")
    office.wait_for_load_state()
    for action in ("accept", "approve"):
        office.select_option("#application-decide-form select[name=action]", action)
        office.click("#application-decide-form button[type=submit]")
        office.wait_for_load_state()
    office.fill("#pay-form input[name=paid_on]", timezone.localdate().isoformat())
    office.fill("#pay-form input[name=reference]", "铁财国库〔2026〕0002")
    office.click("#pay-form button[type=submit]")
    office.wait_for_load_state()
    assert Application.objects.get().status == "paid" and Payment.objects.count() == 2

    door.goto(f"{live_server.url}/policies/applications/{app.pk}/")
    assert door.locator("#application-status").inner_text() == "已拨付"
