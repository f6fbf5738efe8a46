"""Payment: only an approved benefit to a confirmed account, nothing twice for the same enterprise, policy and
period (a retry returns the first; a second payment by another path, or at the same moment, is refused), and the
coverage figures on /policies/ that count it."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from jingzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog
from jingzhi.matching.coverage import coverage
from jingzhi.matching.models import Grant
from jingzhi.matching.models_benefits import Application, Payment
from jingzhi.matching.services.applications import application_decide, application_submit
from jingzhi.matching.services.payments import application_pay, grant_pay
from jingzhi.matching.services.policies import policy_revise
from tests.matching.benefits import APPLY_POLICY, LENI_ACCOUNT, approved_grant

pytestmark = pytest.mark.django_db(transaction=True)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _today() -> str:
    return timezone.localdate().isoformat()


def test_a_grant_is_paid_only_when_approved_and_its_account_confirmed(world: Any) -> None:
    unit = world.city.env_handler
    grant = Grant.objects.get(enterprise=world.firms.leni)
    with pytest.raises(InvalidTransition, match="approved"):
        grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    grant = approved_grant(world, confirm=False)  # approval may come before the confirmation (ADR 027)
    with pytest.raises(InvalidTransition, match="not confirmed the account"):
        grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    from jingzhi.matching.services.accounts import grant_confirm_account

    grant_confirm_account(actor=world.firms.leni_user, grant=grant, data=LENI_ACCOUNT)  # after the approval
    pay, created = grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    assert created and pay.amount == Decimal("40.00") and pay.account.account_number.endswith("3456")
    assert grant.events.filter(action="paid").count() == 1
    assert AuditLog.objects.filter(action="grant_pay", object_id=str(grant.pk)).count() == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"amount": "abc"}, "as a number"),
    ({"amount": "0"}, "more than 0"),
    ({"amount": "41"}, "cannot exceed the approved 40"),
    ({"paid_on": "2026-13-01"}, "YYYY-MM-DD"),
    ({"paid_on": "2999-01-01"}, "future"),
    ({"paid_on": "2020-01-01"}, "before the approval"),
    ({"reference": "  "}, "payment reference"),
])
def test_bad_payment_input_is_refused_with_the_field_named(world: Any, fields: dict[str, str], message: str) -> None:
    grant = approved_grant(world)
    data = {"amount": "40", "paid_on": _today(), "reference": "PZ-1", **fields}
    with pytest.raises(ValidationFailed) as e:
        grant_pay(actor=world.city.env_handler, grant=grant, **data)
    assert any(message in str(m) for m in e.value.fields.values()), e.value.fields
    assert not Payment.objects.exists()


def test_a_retried_payment_returns_the_first_and_a_different_one_is_refused(world: Any) -> None:
    grant = approved_grant(world)
    unit = world.city.env_handler
    first, _ = grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    again, created = grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    assert again.pk == first.pk and not created
    with pytest.raises(InvalidTransition, match="Nothing is paid twice"):
        grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-2")
    assert Payment.objects.count() == 1


def test_only_the_issuing_unit_pays(world: Any) -> None:
    grant = approved_grant(world)
    with pytest.raises(PermissionDenied):
        grant_pay(actor=world.city.operator, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    assert not Payment.objects.exists()


def test_the_database_refuses_a_second_payment_for_the_pair_and_period(world: Any) -> None:
    grant = approved_grant(world)
    first, _ = grant_pay(actor=world.city.env_handler, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(enterprise=first.enterprise, policy=first.policy, period=first.period, grant=None,
                               application=None, account=first.account, amount=1, paid_on=first.paid_on, reference="x")


def test_a_grant_paid_then_an_application_for_the_same_policy_and_year_is_not_paid_again(world: Any) -> None:
    """The policy stops being 免申即享 after its grant was paid; the enterprise applies; the second payment is refused."""
    unit = world.city.env_handler
    grant = approved_grant(world)
    grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    policy_revise(actor=unit, policy=world.policy, content={**APPLY_POLICY, "benefit_amount": "40"})
    app, _ = application_submit(actor=world.firms.leni_user, policy=world.policy, statement="", account=LENI_ACCOUNT)
    application_decide(actor=unit, application=app, action="accept")
    application_decide(actor=unit, application=app, action="approve")
    with pytest.raises(InvalidTransition, match="Nothing is paid twice"):
        application_pay(actor=unit, application=app, amount="40", paid_on=_today(), reference="PZ-9")
    assert Payment.objects.count() == 1 and Application.objects.get().status == "approved"


def test_an_application_is_paid_to_its_account_and_becomes_paid(world: Any) -> None:
    from tests.matching.benefits import apply_policy

    unit = world.city.env_handler
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    with pytest.raises(InvalidTransition, match="approved"):
        application_pay(actor=unit, application=app, amount="30", paid_on=_today(), reference="PZ-3")
    application_decide(actor=unit, application=app, action="accept")
    application_decide(actor=unit, application=app, action="approve")
    pay, created = application_pay(actor=unit, application=app, amount="30", paid_on=_today(), reference="PZ-3")
    app.refresh_from_db()
    assert created and app.status == "paid" and pay.account_id == app.account_id
    assert list(app.events.values_list("action", flat=True)) == ["submitted", "accept", "approve", "pay"]
    # A retry after the status moved on returns the same payment, not an error.
    assert application_pay(actor=unit, application=app, amount="30", paid_on=_today(), reference="PZ-3")[0].pk == pay.pk


@pytest.mark.skipif(not ON_POSTGRES, reason="real row locks and concurrent connections need PostgreSQL")
def test_two_payments_at_the_same_moment_make_one_row(world: Any) -> None:
    grant = approved_grant(world)
    unit = world.city.env_handler
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int, reference: str) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = grant_pay(actor=unit, grant=grant, amount="40", paid_on=_today(), reference=reference)
        except Exception as e:  # noqa: BLE001 — the loser's error is the result
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, ref)) for i, ref in enumerate(("PZ-A", "PZ-B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert Payment.objects.count() == 1
    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["InvalidTransition", "tuple"], results


def test_coverage_counts_reached_approved_paid_and_days_within_the_users_scope(world: Any) -> None:
    grant = approved_grant(world)
    Grant.objects.filter(pk=grant.pk).update(created_at=timezone.now() - timedelta(days=10))
    grant_pay(actor=world.city.env_handler, grant=grant, amount="40", paid_on=_today(), reference="PZ-1")
    rows = {r.county: r for r in coverage(world.city.leader)}
    xf = rows["西丰县"]
    assert (xf.reached, xf.approved, xf.paid, xf.payments) == (1, Decimal("40.00"), Decimal("40.00"), 1)
    assert xf.median_from_policy == 0 and xf.median_from_start == 10
    assert "西丰县" not in {r.county for r in coverage(world.city.county_leader)}


def test_a_benefit_without_money_is_not_paid(world: Any) -> None:
    grant = approved_grant(world)
    Grant.objects.filter(pk=grant.pk).update(amount=None)
    with pytest.raises(InvalidTransition, match="no money"):
        grant_pay(actor=world.city.env_handler, grant=grant, amount="1", paid_on=_today(), reference="PZ-1")
    assert not Payment.objects.exists()
