"""Registry, needs, visits and escalation services: real database, frozen clocks where deadlines matter."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jingzhi.cases.models import Case, Kind
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog, Notification
from jingzhi.enterprises.models import Escalation, Need, NeedChannel, NeedTimeLimit, Visit
from jingzhi.enterprises.services.needs import need_escalate, need_rate, need_submit, need_sweep
from jingzhi.enterprises.services.registry import enterprise_save, enterprise_user_invite, figures_set
from jingzhi.enterprises.services.visits import visit_record
from tests.enterprises.conftest import code

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db(transaction=False)


def test_wrong_check_character_names_the_check(firms: Any) -> None:
    good = code("91211202791583627")
    bad = good[:17] + ("A" if good[17] != "A" else "B")
    with pytest.raises(ValidationFailed) as e:
        enterprise_save(actor=firms.city.dispatcher, enterprise=None, name="新企业", credit_code=bad, division=firms.city.city)
    assert good[17] in str(e.value.fields["credit_code"]) and "18" in str(e.value.fields["credit_code"])


def test_short_and_malformed_codes_name_their_check(firms: Any) -> None:
    for raw, word in (("9121120266", "10"), ("ABCDEFGH1234567890", "8")):
        with pytest.raises(ValidationFailed) as e:
            enterprise_save(actor=None, enterprise=None, name="新企业", credit_code=raw, division=firms.city.city)
        assert word in str(e.value.fields["credit_code"])


def test_duplicate_credit_code_names_the_existing_enterprise(firms: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        enterprise_save(actor=firms.city.dispatcher, enterprise=None, name="另一个名字",
                        credit_code=firms.leni.credit_code.lower(), division=firms.city.city)
    assert firms.leni.name in str(e.value.fields["credit_code"])


def test_registry_is_kept_by_the_office_only(firms: Any) -> None:
    with pytest.raises(PermissionDenied):
        enterprise_save(actor=firms.city.handler, enterprise=firms.leni, name="x", credit_code=firms.leni.credit_code,
                        division=firms.city.city)
    changed = enterprise_save(actor=firms.city.dispatcher, enterprise=firms.leni, name=firms.leni.name,
                              credit_code=firms.leni.credit_code, division=firms.city.county_a, industry="c367",
                              tags=["high_tech"])
    assert changed.industry == "C367" and list(changed.tags.values_list("tag", flat=True)) == ["high_tech"]
    assert AuditLog.objects.filter(action="enterprise_update", object_id=firms.leni.credit_code).exists()


def test_figures_by_year_replace_and_check(firms: Any) -> None:
    figures_set(actor=firms.city.dispatcher, enterprise=firms.leni, year=2025, output="1,200.5", tax=80, rd_spend=30)
    figures_set(actor=firms.city.dispatcher, enterprise=firms.leni, year=2025, output=1300)
    assert firms.leni.figures.get(year=2025).output == 1300
    with pytest.raises(ValidationFailed) as e:
        figures_set(actor=firms.city.dispatcher, enterprise=firms.leni, year=1800, tax="abc")
    assert set(e.value.fields) == {"year", "tax"}


def test_enterprise_user_submits_for_own_enterprise_only(firms: Any) -> None:
    need, created = need_submit(actor=firms.leni_user, enterprise=firms.leni, title="原料车进不来", content="高速口封闭",
                                channel=NeedChannel.DESK, contact_phone="13812345678", idempotency_key="k1")
    assert created and need.channel == NeedChannel.PORTAL and need.case.kind == Kind.ENTERPRISE
    again, created = need_submit(actor=firms.leni_user, enterprise=firms.leni, title="原料车进不来", content="高速口封闭",
                                 channel=NeedChannel.PORTAL, contact_phone="13812345678", idempotency_key="k1")
    assert not created and again.pk == need.pk and Case.objects.count() == 1
    with pytest.raises(NotFound):
        need_submit(actor=firms.leni_user, enterprise=firms.other, title="t", content="c", channel=NeedChannel.PORTAL,
                    contact_phone="13812345678")
    assert set(Case.objects.visible_to(firms.other_user)) == set()
    assert list(Case.objects.visible_to(firms.leni_user)) == [need.case]


def test_need_clocks_follow_the_policy_rows(firms: Any) -> None:
    NeedTimeLimit.objects.filter(clock="close").update(amount=2)
    start = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)  # a Monday
    need, _ = need_submit(actor=firms.city.operator, enterprise=firms.leni, title="用电", content="增容",
                          channel=NeedChannel.DESK, contact_phone="13812345678", received_at=start)
    assert need.contact_due == datetime(2026, 12, 7, 10, 0, tzinfo=TZ)
    assert need.progress_due.date() == date(2026, 12, 10)
    assert need.close_due.date() == date(2026, 12, 9)


def test_escalation_goes_to_the_official_then_the_city_leader(firms: Any) -> None:
    start = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    need, _ = need_submit(actor=firms.city.operator, enterprise=firms.leni, title="用电", content="增容",
                          channel=NeedChannel.DIRECT, contact_phone="13812345678", received_at=start)
    assert need_sweep(now=start + timedelta(minutes=30)) == 0
    with pytest.raises(PermissionDenied):
        need_escalate(actor=firms.city.admin, need=need)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert need_sweep(now=start + timedelta(hours=3)) == 1
    need.refresh_from_db()
    assert need.escalation == Escalation.OFFICIAL
    assert need_sweep(now=start + timedelta(hours=4)) == 0  # no second step until the close clock is missed
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert need_sweep(now=start + timedelta(days=10)) == 1
    need.refresh_from_db()
    assert need.escalation == Escalation.LEADER


def test_escalation_notifies_official_and_leader(firms: Any, django_capture_on_commit_callbacks: Any) -> None:
    start = datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    need, _ = need_submit(actor=firms.city.operator, enterprise=firms.leni, title="用电", content="增容",
                          channel=NeedChannel.DIRECT, contact_phone="13812345678", received_at=start)
    with django_capture_on_commit_callbacks(execute=True):
        need_escalate(actor=None, need=need, now=start + timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        need_escalate(actor=None, need=need, now=start + timedelta(days=10))
    recipients = set(Notification.objects.filter(subject_ref=need.case.number).values_list("recipient__username", flat=True))
    assert recipients == {"baobao", "leader"}


def test_rating_only_by_the_enterprise_after_the_answer(firms: Any) -> None:
    need, _ = need_submit(actor=firms.leni_user, enterprise=firms.leni, title="t", content="c",
                          channel=NeedChannel.PORTAL, contact_phone="13812345678")
    with pytest.raises(InvalidTransition):
        need_rate(actor=firms.leni_user, number=need.case.number, rating="satisfied")
    with pytest.raises(PermissionDenied):
        need_rate(actor=firms.city.operator, number=need.case.number, rating="satisfied")
    with pytest.raises(NotFound):
        need_rate(actor=firms.other_user, number=need.case.number, rating="satisfied")
    Case.objects.filter(pk=need.case.pk).update(status="replied")
    need_rate(actor=firms.leni_user, number=need.case.number, rating="satisfied", note="很快")
    with pytest.raises(InvalidTransition):
        need_rate(actor=firms.leni_user, number=need.case.number, rating="unsatisfied")


def test_visit_promise_becomes_a_need_with_its_deadline(firms: Any) -> None:
    today = timezone.localdate()
    visit = visit_record(actor=firms.official, enterprise=firms.leni, visited_on=today, met="张经理", asked="用工",
                         promised="一周内组织专场招聘", promise_due=today + timedelta(days=7), idempotency_key="v1")
    again = visit_record(actor=firms.official, enterprise=firms.leni, visited_on=today, asked="用工",
                         promised="一周内组织专场招聘", promise_due=today + timedelta(days=7), idempotency_key="v1")
    assert again.pk == visit.pk and Visit.objects.count() == 1
    need = Need.objects.get(visit=visit)
    assert need.channel == NeedChannel.VISIT and need.close_due.astimezone(TZ).date() == today + timedelta(days=7)
    with pytest.raises(NotFound):
        visit_record(actor=firms.official, enterprise=firms.other, visited_on=today, asked="x")
    with pytest.raises(ValidationFailed) as e:
        visit_record(actor=firms.member, enterprise=firms.leni, visited_on=today + timedelta(days=1), asked="")
    assert set(e.value.fields) == {"visited_on", "asked"}


def test_invite_binds_the_user_to_the_enterprise(firms: Any) -> None:
    user = enterprise_user_invite(actor=firms.city.dispatcher, enterprise=firms.leni, username="leni2",
                                  display_name="李四", password="Leni-invite-2026")
    assert user.enterprise == firms.leni and user.must_change_password
    assert AuditLog.objects.filter(action="enterprise_user_invite", object_id="leni2", actor=firms.city.dispatcher).exists()
    with pytest.raises(ValidationFailed):
        enterprise_user_invite(actor=firms.city.dispatcher, enterprise=firms.leni, username="leni2",
                               display_name="李四", password="short")
