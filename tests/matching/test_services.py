"""Matching end to end through the services: qualification, near misses, replay, incremental re-match, 免申."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.enterprises.services.registry import enterprise_save, figures_set
from jingzhi.matching.models import Grant, Match, Policy
from jingzhi.matching.services.grants import grant_decide, grant_object
from jingzhi.matching.services.matching import decision_trace, explain, rematch, replay
from jingzhi.matching.services.policies import policy_create, policy_publish, policy_revise, policy_withdraw
from jingzhi.matching.services.records import dishonesty_record_save
from tests.matching.conftest import RD_POLICY

pytestmark = pytest.mark.django_db(transaction=True)
ON = date(2026, 6, 1)


def _content(**changes: Any) -> dict[str, Any]:
    c = dict(RD_POLICY)
    c.update(changes)
    return c


def test_publishing_matches_and_puts_the_benefit_in_the_units_queue(world: Any) -> None:
    leni, other = world.firms.leni, world.firms.other
    m = Match.objects.get(enterprise=leni, policy=world.policy)
    assert m.outcome == "qualified" and m.version == world.policy.current
    rd = next(row for row in decision_trace(m.version, m.snapshot) if row["field"] == "rd_ratio")
    assert rd["actual"] == "4.00" and rd["source"] == "figures:2025" and rd["as_of"] == "2025"
    assert not Match.objects.filter(enterprise=other).exists()  # two conditions fail: no row, explained live
    grant = Grant.objects.get(enterprise=leni, policy=world.policy)
    assert grant.status == "pending" and grant.unit == world.city.env and grant.amount == Decimal("40.00")
    assert Notification.objects.filter(recipient=world.firms.leni_user, kind="policy_grant").exists()
    assert Notification.objects.filter(recipient=world.city.env_handler, kind="policy_grant_review").exists()


def test_near_miss_names_the_one_condition_and_by_how_much(world: Any) -> None:
    other = world.firms.other
    enterprise_save(actor=None, enterprise=other, name=other.name, credit_code=other.credit_code, division=other.division,
                    industry="C34", size="small", employees=150, tags=["tech_sme"])
    m = Match.objects.get(enterprise=other, policy=world.policy)
    assert m.outcome == "near"
    assert m.missing["field"] == "rd_ratio" and m.missing["actual"] == "2.00" and m.missing["gap"] == "short by 1"
    assert not Grant.objects.filter(enterprise=other).exists()


def test_why_not_is_explained_for_a_pair_without_a_row(world: Any) -> None:
    result = explain(world.firms.other, world.policy.current)
    assert result.outcome == "not"
    failing = {row["field"]: row["gap"] for row in result.trace if not row["ok"]}
    assert failing == {"employees": "no data", "rd_ratio": "short by 1"}


def test_an_old_decision_replays_with_the_rules_of_its_version(world: Any) -> None:
    leni = world.firms.leni
    old = Match.objects.get(enterprise=leni, policy=world.policy)
    old_version, old_snapshot = old.version, old.snapshot
    policy_revise(actor=None, policy=world.policy, content=_content(conditions=[
        *RD_POLICY["conditions"][:2], {"field": "rd_ratio", "op": "gte", "value": 5}]))
    new = Match.objects.get(enterprise=leni, policy=world.policy)
    assert new.version.number == 2 and new.outcome == "near"
    assert replay(old_version, old_snapshot).outcome == "qualified"  # the rules in force then, the facts of then
    assert replay(new.version, new.snapshot).outcome == "near"
    assert new.snapshot == old_snapshot  # the facts did not change: one snapshot serves both decisions
    assert world.policy.versions.count() == 2


def test_a_registry_change_rematches_only_that_enterprise(world: Any) -> None:
    leni, other = world.firms.leni, world.firms.other
    before = Match.objects.get(enterprise=leni).evaluated_at
    figures_set(actor=None, enterprise=other, year=2025, output="1000", tax="50", rd_spend="40", employees="")
    assert Match.objects.get(enterprise=leni).evaluated_at == before
    assert Match.objects.get(enterprise=other).outcome == "near"  # employees still missing


def test_nothing_is_granted_twice_for_the_same_period(world: Any) -> None:
    rematch(on=ON)
    rematch(on=ON)
    assert Grant.objects.filter(enterprise=world.firms.leni, period=2026).count() == 1


def test_withdrawing_removes_the_matches_but_keeps_the_grants(world: Any) -> None:
    policy_withdraw(actor=world.city.env_handler, policy=world.policy, reason="到期")
    assert not Match.objects.filter(policy=world.policy).exists()
    assert Grant.objects.filter(policy=world.policy).count() == 1


def test_the_unit_decides_and_the_enterprise_may_object(world: Any) -> None:
    city, grant = world.city, Grant.objects.get(enterprise=world.firms.leni)
    with pytest.raises(NotFound):
        grant_decide(actor=city.handler, grant=grant, action="approve")  # another unit: not even visible
    with pytest.raises(PermissionDenied):
        grant_decide(actor=city.supervisor, grant=grant, action="approve")  # sees the enterprise, is not the unit
    grant_object(actor=world.firms.leni_user, grant=grant, reason="研发费用数据有误")
    grant.refresh_from_db()
    assert grant.status == "objected"
    with pytest.raises(InvalidTransition):
        grant_decide(actor=city.env_handler, grant=grant, action="approve")
    with pytest.raises(ValidationFailed):
        grant_decide(actor=city.env_handler, grant=grant, action="reject")
    grant_decide(actor=city.env_handler, grant=grant, action="reject", reason="企业异议，核实后另行处理")
    grant.refresh_from_db()
    assert grant.status == "rejected" and grant.decided_by == city.env_handler


def test_bad_rules_are_refused_with_the_condition_named(city: Any) -> None:
    bad = [{"field": "turnover", "op": "gte", "value": 1}, {"field": "employees", "op": "gte", "value": "many"},
           {"field": "rd_ratio", "op": "gte", "value": 250}, {"field": "tags", "op": "has_all", "value": ["unicorn"]}]
    with pytest.raises(ValidationFailed) as e:
        policy_create(actor=city.env_handler, content=_content(conditions=bad))
    text = e.value.fields["conditions"]
    assert "Condition 1: unknown field" in text and "Condition 2:" in text and "Condition 3:" in text
    assert "Condition 4:" in text
    assert not Policy.objects.exists()


def test_no_validity_period_no_publication(city: Any) -> None:
    policy, _ = policy_create(actor=city.env_handler, content=_content(valid_to=""))
    with pytest.raises(ValidationFailed):
        policy_publish(actor=city.env_handler, policy=policy)
    assert Policy.objects.get().status == "draft"


def test_only_the_issuing_units_office_keeps_a_policy(world: Any) -> None:
    city = world.city
    with pytest.raises(PermissionDenied):
        policy_create(actor=city.operator, content=_content())
    with pytest.raises(PermissionDenied):
        policy_revise(actor=city.handler, policy=world.policy, content=_content(title="改"))
    policy, created = policy_create(actor=city.handler, content=_content(), idempotency_key="k1")
    again, created_again = policy_create(actor=city.handler, content=_content(), idempotency_key="k1")
    assert created and not created_again and again == policy and policy.issuer == city.housing


def test_a_dishonesty_listing_turns_a_qualifier_into_a_near_miss(world: Any) -> None:
    city, leni = world.city, world.firms.leni
    with pytest.raises(PermissionDenied):
        dishonesty_record_save(actor=city.env_handler, row=None, enterprise=leni, authority="市场监管局", listed_on=ON)
    with pytest.raises(ValidationFailed):
        dishonesty_record_save(actor=city.admin, row=None, enterprise=leni, authority="市场监管局", listed_on=ON,
                               removed_on=date(2026, 1, 1))
    dishonesty_record_save(actor=city.admin, row=None, enterprise=leni, authority="市场监管局", listed_on=date(2026, 1, 1))
    m = Match.objects.get(enterprise=leni, policy=world.policy)
    assert m.outcome == "near" and m.missing["field"] == "dishonest" and m.missing["gap"] == "a dishonesty record stands"
