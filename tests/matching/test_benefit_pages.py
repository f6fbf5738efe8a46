"""The pages from a decision to money: the enterprise confirms its account and applies from its door; the unit
works its application queue, decides and pays; who may open and post to each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.core.models import AuditLog
from jingzhi.matching.models import Grant
from jingzhi.matching.models_benefits import Application, GrantConfirmation, Payment
from jingzhi.matching.services.applications import application_submit
from tests.matching.benefits import LENI_ACCOUNT, apply_policy, approved_grant

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT_POST = {"account_name": LENI_ACCOUNT.account_name, "bank": LENI_ACCOUNT.bank,
                "account_number": LENI_ACCOUNT.account_number, "contact_name": "王经理", "contact_phone": "13800138000"}


def test_the_enterprise_confirms_its_account_on_the_grant_page_and_the_unit_sees_it_confirmed(world: Any,
                                                                                                client_for: Any) -> None:
    grant = Grant.objects.get(enterprise=world.firms.leni)
    door = client_for(world.firms.leni_user)
    assert 'id="account-form"' in door.get(f"/policies/grants/{grant.pk}/").content.decode()
    bad = door.post(f"/policies/grants/{grant.pk}/account/", {**ACCOUNT_POST, "account_number": "12ab"}, follow=True)
    assert "8 to 32 digits" in bad.content.decode() and not GrantConfirmation.objects.exists()
    assert door.post(f"/policies/grants/{grant.pk}/account/", ACCOUNT_POST).status_code == 302
    assert GrantConfirmation.objects.filter(grant=grant).exists()
    own = door.get(f"/policies/grants/{grant.pk}/").content.decode()
    assert "0716001209200123456" in own  # the enterprise sees its own number whole
    office = client_for(world.city.env_handler)
    queue = office.get("/policies/queue/").content.decode()
    assert '<td class="account-state">confirmed</td>' in queue
    page = office.get(f"/policies/grants/{grant.pk}/").content.decode()
    assert "**** 3456" in page and "0716001209200123456" not in page  # masked for the unit until revealed
    revealed = office.post(f"/policies/grants/{grant.pk}/reveal/")
    assert revealed.status_code == 200 and "0716001209200123456" in revealed.content.decode()
    assert AuditLog.objects.filter(action="payee_account_reveal", actor_id=world.city.env_handler.pk).count() == 1
    # The operator sees the grant (莱尼 is in its registry view) but never the whole number.
    assert client_for(world.city.operator).post(f"/policies/grants/{grant.pk}/reveal/").status_code == 403


def test_the_unit_pays_an_approved_grant_from_its_page_and_a_repost_pays_nothing_more(world: Any, client_for: Any) -> None:
    grant = approved_grant(world)
    office = client_for(world.city.env_handler)
    assert 'id="pay-form"' in office.get(f"/policies/grants/{grant.pk}/").content.decode()
    data = {"amount": "40", "paid_on": timezone.localdate().isoformat(), "reference": "PZ-1"}
    assert office.post(f"/policies/grants/{grant.pk}/pay/", data).status_code == 302
    again = office.post(f"/policies/grants/{grant.pk}/pay/", data, follow=True)
    assert "already recorded" in again.content.decode()
    assert Payment.objects.count() == 1
    bad = office.post(f"/policies/grants/{grant.pk}/pay/", {**data, "reference": "PZ-2"}, follow=True)
    assert "Nothing is paid twice" in bad.content.decode() and Payment.objects.count() == 1


def test_the_enterprise_applies_from_its_door_and_the_unit_decides_and_pays(world: Any, client_for: Any) -> None:
    policy = apply_policy(world.city.env)
    door = client_for(world.firms.leni_user)
    text = door.get("/policies/door/").content.decode()
    assert f'href="/policies/{policy.pk}/apply/"' in text
    assert f'href="/policies/{world.policy.pk}/apply/"' not in text  # 免申即享: nothing to apply for
    bad = door.post(f"/policies/{policy.pk}/apply/", {**ACCOUNT_POST, "contact_phone": "12"})
    assert bad.status_code == 200 and "valid phone" in bad.content.decode() and not Application.objects.exists()
    r = door.post(f"/policies/{policy.pk}/apply/", {**ACCOUNT_POST, "statement": "申请"})
    app = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/policies/applications/{app.pk}/"
    retry = door.post(f"/policies/{policy.pk}/apply/", {**ACCOUNT_POST, "statement": "申请"})
    assert retry["Location"] == r["Location"] and Application.objects.count() == 1
    assert door.get(f"/policies/{policy.pk}/apply/")["Location"] == r["Location"]

    office = client_for(world.city.env_handler)
    assert world.firms.leni.name in office.get("/policies/applications/").content.decode()
    assert office.post(f"/policies/applications/{app.pk}/decide/", {"action": "approve"}, follow=True).status_code == 200
    assert Application.objects.get().status == "submitted"  # approve before accept: refused, a message
    office.post(f"/policies/applications/{app.pk}/decide/", {"action": "accept"})
    office.post(f"/policies/applications/{app.pk}/decide/", {"action": "approve", "amount": "30"})
    office.post(f"/policies/applications/{app.pk}/pay/",
                {"amount": "30", "paid_on": timezone.localdate().isoformat(), "reference": "PZ-7"})
    assert Application.objects.get().status == "paid" and Payment.objects.get().reference == "PZ-7"
    page = door.get(f"/policies/applications/{app.pk}/").content.decode()
    assert 'id="application-status">Paid<' in page and "PZ-7" in page


def test_an_overdue_application_is_flagged_in_the_queue(world: Any, client_for: Any) -> None:
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    Application.objects.filter(pk=app.pk).update(decide_due=timezone.now() - timedelta(hours=1))
    text = client_for(world.city.env_handler).get("/policies/applications/").content.decode()
    assert '<tr class="overdue">' in text
    # Other staff see the applications in their scope: the city's leader does, 开原市's leader and another unit not.
    assert world.firms.leni.name in client_for(world.city.leader).get("/policies/applications/").content.decode()
    for other in (world.city.county_leader, world.city.handler):
        assert world.firms.leni.name not in client_for(other).get("/policies/applications/").content.decode()


def test_coverage_on_the_catalogue_says_what_it_counts(world: Any, client_for: Any) -> None:
    grant = approved_grant(world)
    from jingzhi.matching.services.payments import grant_pay

    grant_pay(actor=world.city.env_handler, grant=grant, amount="40", paid_on=timezone.localdate(), reference="PZ-1")
    text = client_for(world.city.leader).get("/policies/").content.decode()
    assert "<td>西丰县</td><td>1</td><td>40.00</td><td>40.00</td><td>1</td>" in text
    assert "from the policy&#x27;s first publication" in text or "from the policy's first publication" in text


# ------------------------------------------------------------------------------------------------ access matrix


def _pages(world: Any) -> dict[str, str]:
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    return {"queue": "/policies/applications/", "application": f"/policies/applications/{app.pk}/",
            "apply": f"/policies/{policy.pk}/apply/"}


def test_anonymous_is_sent_to_sign_in(world: Any) -> None:
    for url in _pages(world).values():
        r = Client().get(url)
        assert r.status_code == 302 and ("/login" in r["Location"] or "signin" in r["Location"]), url


def test_access_matrix(world: Any, client_for: Any) -> None:
    city, firms = world.city, world.firms
    pages = _pages(world)
    expect = {
        city.env_handler: {"queue": 200, "application": 200, "apply": 403},      # the deciding unit
        city.handler: {"queue": 200, "application": 404, "apply": 403},          # another unit
        city.operator: {"queue": 200, "application": 200, "apply": 403},         # sees 莱尼 in the registry
        city.county_leader: {"queue": 200, "application": 404, "apply": 403},    # another county
        firms.other_user: {"queue": 403, "application": 404, "apply": 200},      # another enterprise
        firms.leni_user: {"queue": 403, "application": 200, "apply": 302},       # its own (already applied)
    }
    for user, codes in expect.items():
        c = client_for(user)
        for page, code in codes.items():
            assert c.get(pages[page]).status_code == code, (user.username, page)


def test_posts_by_the_wrong_people_change_nothing(world: Any, client_for: Any) -> None:
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    grant = approved_grant(world)
    city, firms = world.city, world.firms
    assert client_for(city.handler).post(f"/policies/applications/{app.pk}/decide/", {"action": "accept"}).status_code == 404
    assert client_for(city.operator).post(f"/policies/applications/{app.pk}/decide/", {"action": "accept"}).status_code == 403
    assert client_for(firms.leni_user).post(f"/policies/applications/{app.pk}/decide/", {"action": "accept"}).status_code == 403
    pay = {"amount": "40", "paid_on": timezone.localdate().isoformat(), "reference": "X"}
    assert client_for(city.handler).post(f"/policies/grants/{grant.pk}/pay/", pay).status_code == 404
    assert client_for(city.county_leader).post(f"/policies/grants/{grant.pk}/pay/", pay).status_code == 403
    assert client_for(firms.other_user).post(f"/policies/grants/{grant.pk}/account/", ACCOUNT_POST).status_code == 404
    assert client_for(city.env_handler).post(f"/policies/grants/{grant.pk}/account/", ACCOUNT_POST).status_code == 403
    assert client_for(city.handler).post(f"/policies/applications/{app.pk}/reveal/").status_code == 404
    assert Application.objects.get().status == "submitted" and not Payment.objects.exists()


def test_an_approved_grant_unpaid_after_sixty_days_is_flagged_in_the_queue(world: Any, client_for: Any) -> None:
    grant = approved_grant(world)
    office = client_for(world.city.env_handler)
    assert '<tr class="overdue">' not in office.get("/policies/queue/").content.decode()
    Grant.objects.filter(pk=grant.pk).update(decided_at=timezone.now() - timedelta(days=61))
    assert '<tr class="overdue">' in office.get("/policies/queue/").content.decode()


def test_the_application_queue_does_not_grow_with_its_rows(world: Any, client_for: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jingzhi.matching.services.policies import policy_create, policy_publish
    from tests.matching.benefits import APPLY_POLICY

    office = client_for(world.city.env_handler)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office.get("/policies/applications/").status_code == 200
        return len(ctx.captured_queries)

    application_submit(actor=world.firms.leni_user, policy=apply_policy(world.city.env), statement="", account=LENI_ACCOUNT)
    few = count()
    for n in range(3):
        p, _ = policy_create(actor=None, issuer=world.city.env, content={**APPLY_POLICY, "title": f"奖励{n}"})
        policy_publish(actor=None, policy=p)
        application_submit(actor=world.firms.leni_user, policy=p, statement="", account=LENI_ACCOUNT)
    assert Application.objects.count() == 4 and count() == few


def test_the_enterprise_confirms_its_account_on_its_door_for_every_grant_not_yet_paid(world: Any,
                                                                                        client_for: Any) -> None:
    grant = Grant.objects.get(enterprise=world.firms.leni)
    door = client_for(world.firms.leni_user)
    text = door.get("/policies/door/").content.decode()
    assert 'id="door-account-form"' in text and '<td class="account-state">not confirmed</td>' in text
    bad = door.post("/policies/door/account/", {**ACCOUNT_POST, "account_name": "张三"}, follow=True)
    assert "enterprise&#x27;s own name" in bad.content.decode() and not GrantConfirmation.objects.exists()
    r = door.post("/policies/door/account/", ACCOUNT_POST, follow=True)
    assert "Account confirmed for 1 benefit" in r.content.decode()
    assert GrantConfirmation.objects.get().grant_id == grant.pk
    assert '<td class="account-state">confirmed</td>' in door.get("/policies/door/").content.decode()
    again = door.post("/policies/door/account/", ACCOUNT_POST, follow=True)  # a retry: no second event
    assert "Account confirmed for 1 benefit" in again.content.decode()
    assert grant.events.filter(action="account_confirmed").count() == 1
    assert client_for(world.city.env_handler).post("/policies/door/account/", ACCOUNT_POST).status_code == 403
    assert Client().post("/policies/door/account/", ACCOUNT_POST).status_code == 302
