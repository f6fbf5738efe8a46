"""Applications for policies that are not 免申即享: submit (once per period), the clocks on the working calendar,
the transition table, the unit's decisions, and the account the enterprise confirms."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog
from jingzhi.core.services import calendar_day_set
from jingzhi.matching.models import Grant
from jingzhi.matching.models_benefits import Application, GrantConfirmation, PayeeAccount
from jingzhi.matching.services.accounts import AccountInput, grant_confirm_account
from jingzhi.matching.services.applications import (
    application_decide,
    application_submit,
    decide_due,
    is_overdue,
    pay_due,
)
from tests.matching.benefits import LENI_ACCOUNT, apply_policy

pytestmark = pytest.mark.django_db(transaction=True)
SH = ZoneInfo("Asia/Shanghai")


def test_the_decision_is_due_on_the_seventh_working_day_holidays_and_make_up_days_counted(db: None) -> None:
    # Friday 2025-09-26; the National Day holiday runs 1–8 October; Sunday 28 Sept and Saturday 11 Oct are worked.
    due = decide_due(datetime(2025, 9, 26, 10, 0, tzinfo=SH))
    assert due.astimezone(SH) == datetime(2025, 10, 13, 17, 30, tzinfo=SH)
    # The city's own calendar is the one used: a local rest day on the 13th moves the limit to the 14th.
    calendar_day_set(date=date(2025, 10, 13), is_workday=False, note="本市调整", actor=None)
    assert decide_due(datetime(2025, 9, 26, 10, 0, tzinfo=SH)).astimezone(SH).date() == date(2025, 10, 14)
    assert pay_due(datetime(2025, 10, 13, 9, 0, tzinfo=SH)) == datetime(2025, 12, 12, 9, 0, tzinfo=SH)


def test_the_enterprise_applies_once_per_period_and_a_retry_returns_the_first(world: Any) -> None:
    policy = apply_policy(world.city.env)
    leni = world.firms.leni_user
    app, created = application_submit(actor=leni, policy=policy, statement="申请奖励", account=LENI_ACCOUNT)
    assert created and app.status == "submitted" and app.outcome == "qualified" and app.amount == 30
    assert app.decide_due == decide_due(app.submitted_at)
    assert app.account.account_number == "0716001209200123456"  # spaces taken out
    again, created_again = application_submit(actor=leni, policy=policy, statement="再次", account=LENI_ACCOUNT)
    assert again.pk == app.pk and not created_again
    assert Application.objects.count() == 1 and PayeeAccount.objects.count() == 1
    assert list(app.events.values_list("action", flat=True)) == ["submitted"]
    assert AuditLog.objects.filter(action="application_submit", object_id=str(app.pk)).exists()


def test_who_may_apply_and_for_what(world: Any) -> None:
    policy = apply_policy(world.city.env)
    with pytest.raises(PermissionDenied):
        application_submit(actor=world.city.env_handler, policy=policy, statement="", account=LENI_ACCOUNT)
    # 开原某机械 does not qualify (no employees on file, R&D 2 %): two conditions fail, so it may not apply.
    other = AccountInput("开原某机械公司", "农行开原支行", "6228480000000000", "李", "13900139000")
    with pytest.raises(ValidationFailed, match="does not meet"):
        application_submit(actor=world.firms.other_user, policy=policy, statement="", account=other)
    # A 免申即享 policy is not applied for.
    with pytest.raises(ValidationFailed, match="免申即享"):
        application_submit(actor=world.firms.leni_user, policy=world.policy, statement="", account=LENI_ACCOUNT)
    assert not Application.objects.exists() and not PayeeAccount.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("account_number", "6222-abc", "8 to 32 digits"),
    ("account_number", "", "Enter the account number"),
    ("account_name", "王某某", "enterprise's own name"),
    ("bank", "  ", "Enter the bank"),
    ("contact_phone", "12345", "valid phone"),
    ("contact_name", "", "Name a contact"),
])
def test_a_bad_account_is_refused_with_the_field_named_and_nothing_saved(world: Any, field: str, value: str,
                                                                         message: str) -> None:
    policy = apply_policy(world.city.env)
    bad = AccountInput(**{**LENI_ACCOUNT.__dict__, field: value})
    with pytest.raises(ValidationFailed) as e:
        application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=bad)
    assert message in str(e.value.fields[field])
    assert not Application.objects.exists() and not PayeeAccount.objects.exists()


def test_the_transition_table_and_the_unit_that_decides(world: Any) -> None:
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    city = world.city
    with pytest.raises(NotFound):  # another unit's office does not see it (莱尼 is not in its registry view)
        application_decide(actor=city.handler, application=app, action="accept")
    with pytest.raises(PermissionDenied):  # the enterprise cannot decide its own application
        application_decide(actor=world.firms.leni_user, application=app, action="accept")
    with pytest.raises(InvalidTransition):  # not accepted yet
        application_decide(actor=city.env_handler, application=app, action="approve")
    with pytest.raises(ValidationFailed, match="reason"):
        application_decide(actor=city.env_handler, application=app, action="reject")
    app = application_decide(actor=city.env_handler, application=app, action="accept")
    assert app.status == "accepted" and app.accepted_at is not None
    with pytest.raises(ValidationFailed, match="amount"):
        application_decide(actor=city.env_handler, application=app, action="approve", amount="-3")
    app = application_decide(actor=city.env_handler, application=app, action="approve", amount="25")
    assert app.status == "approved" and app.approved_amount == 25 and app.pay_due == pay_due(app.decided_at)
    with pytest.raises(InvalidTransition):
        application_decide(actor=city.env_handler, application=app, action="reject", reason="晚了")
    assert list(app.events.values_list("action", flat=True)) == ["submitted", "accept", "approve"]


def test_a_rejection_keeps_its_reason_and_an_application_is_overdue_after_its_limits(world: Any) -> None:
    policy = apply_policy(world.city.env)
    app, _ = application_submit(actor=world.firms.leni_user, policy=policy, statement="", account=LENI_ACCOUNT)
    assert not is_overdue(app, app.submitted_at)
    assert is_overdue(app, app.decide_due + timedelta(seconds=1))
    app = application_decide(actor=world.city.env_handler, application=app, action="reject", reason="材料不全")
    assert app.status == "rejected" and app.reason == "材料不全" and not is_overdue(app, app.decide_due + timedelta(days=9))


def test_the_enterprise_confirms_and_corrects_the_grant_account(world: Any) -> None:
    grant = Grant.objects.get(enterprise=world.firms.leni)
    leni = world.firms.leni_user
    with pytest.raises(PermissionDenied):
        grant_confirm_account(actor=world.city.env_handler, grant=grant, data=LENI_ACCOUNT)
    with pytest.raises(NotFound):
        grant_confirm_account(actor=world.firms.other_user, grant=grant, data=LENI_ACCOUNT)
    first = grant_confirm_account(actor=leni, grant=grant, data=LENI_ACCOUNT)
    assert grant_confirm_account(actor=leni, grant=grant, data=LENI_ACCOUNT).account_id == first.account_id  # a retry
    corrected = grant_confirm_account(actor=leni, grant=grant, data=AccountInput(
        **{**LENI_ACCOUNT.__dict__, "account_number": "0716001209200999999"}))
    assert corrected.account.account_number.endswith("9999")
    # The old row stays, no longer current; one current row per enterprise.
    assert PayeeAccount.objects.filter(enterprise=world.firms.leni).count() == 2
    assert PayeeAccount.objects.filter(enterprise=world.firms.leni, is_current=True).get().pk == corrected.account_id
    assert GrantConfirmation.objects.count() == 1
    assert AuditLog.objects.filter(action="grant_account_confirm").count() == 2
    assert list(grant.events.filter(action="account_confirmed").values_list("actor", flat=True)) == [leni.pk, leni.pk]
    # Approval may come before or after the confirmation; a rejected grant is no longer confirmed.
    from jingzhi.matching.services.grants import grant_decide

    grant_decide(actor=world.city.env_handler, grant=grant, action="reject", reason="不符合")
    with pytest.raises(InvalidTransition):
        grant_confirm_account(actor=leni, grant=grant, data=LENI_ACCOUNT)
