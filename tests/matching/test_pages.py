"""The policy office's pages, the review queue and the enterprise's own page, and who may open them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jingzhi.matching.models import Grant, Policy
from jingzhi.matching.services.policies import policy_create
from tests.matching.conftest import RD_POLICY

pytestmark = pytest.mark.django_db(transaction=True)


def _form(**changes: Any) -> dict[str, Any]:
    data = {k: v for k, v in RD_POLICY.items() if k not in ("conditions", "no_application")}
    data["no_application"] = "on"
    for i, c in enumerate(RD_POLICY["conditions"]):
        value = c["value"]
        data[f"cond-{i}-field"], data[f"cond-{i}-op"] = c["field"], c["op"]
        data[f"cond-{i}-value"] = ", ".join(value) if isinstance(value, list) else ("false" if value is False else value)
    data["cond-4-field"] = ""
    data.update(changes)
    return data


def test_the_policy_office_makes_a_policy_in_a_form_and_a_retry_makes_no_second(city: Any, client_for: Any) -> None:
    c = client_for(city.env_handler)
    assert c.get("/policies/new/").status_code == 200
    r = c.post("/policies/new/", _form(token="abc"))
    assert r.status_code == 302
    again = c.post("/policies/new/", _form(token="abc"))
    assert again.status_code == 302 and again["Location"] == r["Location"]
    policy = Policy.objects.get()
    assert policy.issuer == city.env and policy.current.conditions[1] == {"field": "employees", "op": "gte", "value": "100"}
    assert c.post(f"/policies/{policy.pk}/publish/").status_code == 302
    assert Policy.objects.get().status == "published"


def test_a_bad_condition_is_named_in_the_form_and_nothing_is_saved(city: Any, client_for: Any) -> None:
    c = client_for(city.env_handler)
    r = c.post("/policies/new/", _form(**{"cond-1-value": "很多", "cond-2-field": "turnover"}))
    assert r.status_code == 200
    text = r.content.decode()
    assert "Condition 2:" in text and "Condition 3: unknown field" in text
    assert not Policy.objects.exists()


def test_the_enterprise_sees_its_policies_and_objects_on_its_own_door(world: Any, client_for: Any) -> None:
    c = client_for(world.firms.leni_user)
    r = c.get("/policies/door/")
    assert r.status_code == 200
    text = r.content.decode()
    assert "研发费用后补助" in text and "yearly figures 2025" in text
    grant = Grant.objects.get(enterprise=world.firms.leni)
    assert c.get(f"/policies/grants/{grant.pk}/").status_code == 200
    assert c.post(f"/policies/grants/{grant.pk}/object/", {"reason": "数据有误"}).status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == "objected"


def test_the_unit_approves_from_its_queue(world: Any, client_for: Any) -> None:
    c = client_for(world.city.env_handler)
    grant = Grant.objects.get(enterprise=world.firms.leni)
    assert world.firms.leni.name in c.get("/policies/queue/").content.decode()
    assert c.post(f"/policies/grants/{grant.pk}/decide/", {"action": "approve"}).status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == "approved"
    # A retried approval changes nothing (the grant is decided) and is no server error.
    assert c.post(f"/policies/grants/{grant.pk}/decide/", {"action": "approve"}).status_code == 302


# ------------------------------------------------------------------------------------------------ access matrix


def _pages(world: Any) -> dict[str, str]:
    grant = Grant.objects.get(enterprise=world.firms.leni)
    p = world.policy.pk
    return {"list": "/policies/", "detail": f"/policies/{p}/", "edit": f"/policies/{p}/edit/", "new": "/policies/new/",
            "queue": "/policies/queue/", "grant": f"/policies/grants/{grant.pk}/", "door": "/policies/door/",
            "enterprise": f"/policies/enterprises/{world.firms.leni.pk}/"}


def test_anonymous_is_sent_to_sign_in_everywhere(world: Any) -> None:
    for url in _pages(world).values():
        r = Client().get(url)
        assert r.status_code == 302 and "/login" in r["Location"] or "signin" in r["Location"], url


def test_access_matrix(world: Any, client_for: Any) -> None:
    city, firms = world.city, world.firms
    pages = _pages(world)
    other_county_leader = city.county_leader  # 开原市: 莱尼 is in 西丰县
    expect = {
        # the issuing unit's policy office: everything but the enterprise's door
        city.env_handler: {"list": 200, "detail": 200, "edit": 200, "new": 200, "queue": 200, "grant": 200, "door": 403,
                           "enterprise": 404},
        # another unit's office: the catalogue, not this policy's form nor its grants, not the enterprise
        city.handler: {"list": 200, "detail": 200, "edit": 404, "new": 200, "queue": 200, "grant": 404, "door": 403,
                       "enterprise": 404},
        # wrong role: the hotline operator reads, never edits
        city.operator: {"list": 200, "detail": 200, "edit": 403, "new": 403, "queue": 200, "grant": 200, "door": 403,
                        "enterprise": 200},
        # another county's leader: the catalogue, not the enterprise or its grant
        other_county_leader: {"list": 200, "detail": 200, "edit": 403, "new": 403, "grant": 404, "door": 403,
                              "enterprise": 404},
        # another enterprise: its own door only
        firms.other_user: {"list": 403, "detail": 403, "edit": 403, "new": 403, "queue": 403, "grant": 404, "door": 200,
                           "enterprise": 403},
        firms.leni_user: {"list": 403, "grant": 200, "door": 200, "enterprise": 403},
    }
    for user, codes in expect.items():
        c = client_for(user)
        for page, code in codes.items():
            assert c.get(pages[page]).status_code == code, (user.username, page)


def test_other_unit_and_other_enterprise_cannot_act_on_a_grant(world: Any, client_for: Any) -> None:
    grant = Grant.objects.get(enterprise=world.firms.leni)
    assert client_for(world.city.handler).post(f"/policies/grants/{grant.pk}/decide/", {"action": "approve"}).status_code == 404
    assert client_for(world.firms.other_user).post(f"/policies/grants/{grant.pk}/object/", {"reason": "x"}).status_code == 404
    assert client_for(world.city.operator).post(f"/policies/grants/{grant.pk}/decide/", {"action": "approve"}).status_code == 403
    assert client_for(world.firms.leni_user).post(f"/policies/grants/{grant.pk}/decide/", {"action": "approve"}).status_code == 403
    assert Grant.objects.get(pk=grant.pk).status == "pending"


def test_a_draft_is_seen_only_by_its_unit(city: Any, client_for: Any) -> None:
    draft, _ = policy_create(actor=city.env_handler, content=dict(RD_POLICY))
    assert client_for(city.env_handler).get(f"/policies/{draft.pk}/").status_code == 200
    assert client_for(city.handler).get(f"/policies/{draft.pk}/").status_code == 404
    assert client_for(city.operator).post(f"/policies/{draft.pk}/publish/").status_code == 403
    assert client_for(city.handler).post(f"/policies/{draft.pk}/publish/").status_code == 404


def test_coverage_by_county_within_the_users_scope(world: Any, client_for: Any) -> None:
    from jingzhi.matching.services.grants import grant_decide

    grant = Grant.objects.get(enterprise=world.firms.leni)
    grant_decide(actor=world.city.env_handler, grant=grant, action="approve")
    text = client_for(world.city.leader).get("/policies/").content.decode()
    assert "<td>西丰县</td><td>1</td><td>40.00</td><td>0</td><td>0</td>" in text  # reached, approved, paid, payments
    other = client_for(world.city.county_leader).get("/policies/").content.decode()
    assert "<td>西丰县" not in other  # 开原市's leader does not see 西丰县's money
