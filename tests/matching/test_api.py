"""Policy matching over REST: the catalogue, matches with traces, grants and applications end to end, and who may
call what (anonymous 401, outside the scope 404, the wrong role 403), bad input 400 with the field named, retries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.matching.models import Grant
from jingzhi.matching.models_benefits import Application, Payment
from jingzhi.matching.services.accounts import AccountInput
from jingzhi.matching.services.applications import application_submit
from jingzhi.matching.services.policies import policy_create
from tests.matching.benefits import LENI_ACCOUNT, apply_policy, approved_grant
from tests.matching.conftest import RD_POLICY

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = {"account_name": LENI_ACCOUNT.account_name, "bank": LENI_ACCOUNT.bank,
           "account_number": LENI_ACCOUNT.account_number, "contact_name": "王经理", "contact_phone": "13800138000"}


def post(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_catalogue_scoped_drafts_only_for_their_unit(world: Any, api: Any) -> None:
    draft, _ = policy_create(actor=world.city.env_handler, content=dict(RD_POLICY))
    own = api(world.city.env_handler).get("/api/v1/policies/").json()
    assert {p["id"] for p in own["results"]} == {world.policy.pk, draft.pk}
    other = api(world.city.handler)
    assert {p["id"] for p in other.get("/api/v1/policies/").json()["results"]} == {world.policy.pk}
    assert other.get(f"/api/v1/policies/{draft.pk}/").status_code == 404
    detail = other.get(f"/api/v1/policies/{world.policy.pk}/").json()
    assert detail["current"]["no_application"] is True and len(detail["current"]["conditions_text"]) == 4
    assert api(world.firms.leni_user).get("/api/v1/policies/").status_code == 403
    assert Client().get("/api/v1/policies/").status_code == 401


def test_an_enterprises_matches_carry_their_trace(world: Any, api: Any) -> None:
    url = f"/api/v1/enterprises/{world.firms.leni.pk}/matches/"
    rows = api(world.firms.leni_user).get(url).json()
    row = next(r for r in rows if r["policy"] == world.policy.pk)
    assert row["outcome"] == "qualified" and [t["field"] for t in row["trace"]] == ["industry", "employees", "rd_ratio",
                                                                                   "dishonest"]
    assert row["trace"][1]["actual"] == 1200 and row["trace"][2]["source"] == "figures:2025"
    assert api(world.firms.other_user).get(url).status_code == 404
    assert api(world.city.county_leader).get(url).status_code == 404
    assert api(world.city.operator).get(url).status_code == 200


def test_grants_decide_confirm_and_pay_over_the_api_and_a_retry_pays_once(world: Any, api: Any) -> None:
    grant = Grant.objects.get(enterprise=world.firms.leni)
    office, leni = api(world.city.env_handler), api(world.firms.leni_user)
    assert [g["id"] for g in office.get("/api/v1/grants/").json()["results"]] == [grant.pk]
    r = post(leni, f"/api/v1/grants/{grant.pk}/account/", {**ACCOUNT, "account_number": "12ab"})
    assert r.status_code == 400 and "8 to 32 digits" in r.content.decode()
    assert post(leni, f"/api/v1/grants/{grant.pk}/account/", ACCOUNT).json()["account"]["account_number"] \
        == "0716001209200123456"
    assert office.get(f"/api/v1/grants/{grant.pk}/").json()["account"]["account_number"] == "**** 3456"
    r = post(office, f"/api/v1/grants/{grant.pk}/decide/", {"action": "reject"})
    assert r.status_code == 400 and "reason" in r.content.decode()
    assert post(office, f"/api/v1/grants/{grant.pk}/decide/", {"action": "approve"}).json()["status"] == "approved"
    assert post(office, f"/api/v1/grants/{grant.pk}/decide/", {"action": "approve"}).status_code == 409
    body = {"amount": "40", "paid_on": timezone.localdate().isoformat(), "reference": "PZ-1"}
    assert post(office, f"/api/v1/grants/{grant.pk}/pay/", body, HTTP_IDEMPOTENCY_KEY="pay-1").status_code == 201
    assert post(office, f"/api/v1/grants/{grant.pk}/pay/", body, HTTP_IDEMPOTENCY_KEY="pay-1").status_code == 200
    r = post(office, f"/api/v1/grants/{grant.pk}/pay/", {**body, "reference": "PZ-2"})
    assert r.status_code == 409 and "Nothing is paid twice" in r.content.decode()
    assert Payment.objects.count() == 1
    assert office.get(f"/api/v1/grants/{grant.pk}/").json()["payment"]["reference"] == "PZ-1"


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "x", "paid_on": "2026-01-01", "reference": "a"}, "amount"),
    ({"amount": "40", "paid_on": "01/02/2026", "reference": "a"}, "paid_on"),
    ({"amount": "40", "paid_on": "2026-01-01"}, "reference"),
    ({"amount": "40", "paid_on": "2999-01-01", "reference": "a"}, "paid_on"),
])
def test_bad_payment_input_is_a_400_naming_the_field(world: Any, api: Any, body: dict[str, Any], field: str) -> None:
    grant = approved_grant(world)
    r = post(api(world.city.env_handler), f"/api/v1/grants/{grant.pk}/pay/", body)
    assert r.status_code == 400 and field in r.content.decode(), r.content
    assert not Payment.objects.exists()


def test_an_application_over_the_api_from_submission_to_payment(world: Any, api: Any) -> None:
    policy = apply_policy(world.city.env)
    leni, office = api(world.firms.leni_user), api(world.city.env_handler)
    body = {"policy": policy.pk, "statement": "申请", "account": ACCOUNT}
    r = post(leni, "/api/v1/applications/", body, HTTP_IDEMPOTENCY_KEY="apply-1")
    assert r.status_code == 201, r.content
    app = r.json()
    assert app["status"] == "submitted" and app["outcome"] == "qualified" and app["overdue"] is False
    assert post(leni, "/api/v1/applications/", body).status_code == 200  # a retry: the first, not a second
    assert Application.objects.count() == 1
    url = f"/api/v1/applications/{app['id']}"
    assert post(office, f"{url}/decide/", {"action": "approve"}).status_code == 409  # not accepted yet
    assert post(office, f"{url}/decide/", {"action": "accept"}).json()["status"] == "accepted"
    assert post(office, f"{url}/decide/", {"action": "approve", "amount": "28.5"}).json()["approved_amount"] == "28.50"
    pay = {"amount": "28.5", "paid_on": timezone.localdate().isoformat(), "reference": "PZ-8"}
    assert post(office, f"{url}/pay/", {**pay, "amount": "30"}).status_code == 400  # more than approved
    assert post(office, f"{url}/pay/", pay).status_code == 201
    got = leni.get(f"{url}/").json()
    assert got["status"] == "paid" and got["payment"]["reference"] == "PZ-8"
    assert got["account"]["account_number"] == "0716001209200123456"
    assert office.get(f"{url}/").json()["account"]["account_number"] == "**** 3456"
    assert [a["id"] for a in office.get("/api/v1/applications/?status=paid").json()["results"]] == [app["id"]]


@pytest.mark.parametrize(("body", "field"), [
    ({"statement": "x", "account": ACCOUNT}, "policy"),
    ({"policy": "abc", "account": ACCOUNT}, "policy"),
    ({"policy": 1}, "account"),
    ({"policy": 1, "account": {**ACCOUNT, "contact_phone": "12"}}, "contact_phone"),
    ({"policy": 1, "account": {**ACCOUNT, "account_name": "张三"}}, "account_name"),
])
def test_bad_application_input_is_a_400_naming_the_field(world: Any, api: Any, body: dict[str, Any], field: str) -> None:
    policy = apply_policy(world.city.env)
    if body.get("policy") == 1:
        body = {**body, "policy": policy.pk}
    r = post(api(world.firms.leni_user), "/api/v1/applications/", body)
    assert r.status_code == 400 and field in r.content.decode(), r.content
    assert not Application.objects.exists()


def test_access_matrix(world: Any, api: Any) -> None:
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    grant = Grant.objects.get(enterprise=world.firms.leni)
    city, firms = world.city, world.firms
    accept = ("post", f"/api/v1/applications/{app.pk}/decide/", {"action": "accept"})
    approve = ("post", f"/api/v1/grants/{grant.pk}/decide/", {"action": "approve"})
    create = ("post", "/api/v1/applications/", {"policy": policy.pk, "account": ACCOUNT})
    read_app = ("get", f"/api/v1/applications/{app.pk}/", None)
    read_grant = ("get", f"/api/v1/grants/{grant.pk}/", None)
    expect = [
        (city.handler, accept, 404), (city.handler, approve, 404), (city.handler, read_app, 404),   # another unit
        (city.county_leader, read_app, 404), (city.county_leader, read_grant, 404),                  # another county
        (city.operator, accept, 403), (city.operator, approve, 403), (city.operator, create, 403),   # wrong role
        (city.operator, read_app, 200),
        (firms.other_user, read_app, 404), (firms.other_user, read_grant, 404),                     # another enterprise
        (firms.leni_user, accept, 403), (firms.leni_user, approve, 403),                            # its own: no deciding
    ]
    for user, (method, url, body), code in expect:
        client = api(user)
        r = post(client, url, body) if method == "post" else client.get(url)
        assert r.status_code == code, (user.username, url, r.status_code, r.content)
    for method, url, body in (accept, approve, create, read_app, read_grant, ("get", "/api/v1/grants/", None),
                              ("get", "/api/v1/applications/", None)):
        r = post(Client(), url, body) if method == "post" else Client().get(url)
        assert r.status_code == 401, url
    assert Application.objects.get().status == "submitted" and Grant.objects.get().status == "pending"


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_grant_and_application_lists_do_not_grow_with_their_rows(world: Any, api: Any) -> None:
    from jingzhi.enterprises.services.registry import figures_set
    from jingzhi.matching.services.matching import rematch

    office = api(world.city.env_handler)
    policy = apply_policy(world.city.env)
    application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    approved_grant(world)
    _queries(office, "/api/v1/grants/")  # the key's first use stamps last_used_at once
    few = {url: _queries(office, url) for url in ("/api/v1/grants/", "/api/v1/applications/")}
    # 开原某机械 now qualifies too: a second grant, with no account and no payment, and a second application.
    figures_set(actor=None, enterprise=world.firms.other, year=2025, output="1000", tax="50", rd_spend="40",
                employees="300")
    rematch(enterprise_ids=[world.firms.other.pk])
    other = AccountInput("开原某机械公司", "农行开原支行", "6228480000000000", "李", "13900139000")
    application_submit(actor=world.firms.other_user, policy=policy, statement="", account=other)
    assert Grant.objects.count() == 2 and Application.objects.count() == 2
    for url, n in few.items():
        assert _queries(office, url) == n, url
