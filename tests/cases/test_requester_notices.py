"""What leaves the system about a case (issue 11): the requester's case number and reply by SMS, as they prefer,
and the SLA sweep's deadline notices by SMS / e-mail to the staff who chose so."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.cases import notices
from jingzhi.cases import services as s
from jingzhi.cases.models import Case, ContactPreference, Review
from jingzhi.cases.services.review import case_review_release
from jingzhi.cases.sweep import sla_sweep
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.models import NotificationPreference, OutboundMessage
from tests.api.conftest import api, key_for  # noqa: F401  (the API tests' key fixtures)
from tests.cases.test_sweep import handling, sh
from tests.factories import CaseFactory
from tests.web.test_intake import token_of, valid
from tests.web.test_public import submission

pytestmark = pytest.mark.django_db

SENT, SKIPPED = OutboundMessage.Status.SENT, OutboundMessage.Status.SKIPPED


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _messages(case: Case, kind: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(related_type="case", related_ref=case.number, kind=kind))


def _intake(city: Any, **fields: Any) -> Case:
    client = Client()
    client.force_login(city.operator)
    url = reverse("web:intake")
    assert client.post(url, valid(city, token_of(client.get(url).content.decode()), **fields)).status_code == 302
    return Case.objects.order_by("-pk").first()  # type: ignore[return-value]


@pytest.mark.django_db(transaction=True)
def test_the_operator_form_records_the_preference_and_the_requester_gets_the_number(city: Any) -> None:
    case = _intake(city)
    assert case.contact_preference == ContactPreference.SMS  # the default
    (message,) = _messages(case, notices.REGISTERED)
    assert message.status == SENT and message.channel == "sms" and message.recipient == "13900001111"
    assert case.number in message.body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("preference", "reason"), [("none", "not to be contacted"), ("phone", "phone call")])
def test_a_requester_who_does_not_want_texts_gets_none_and_the_record_says_why(city: Any, preference: str, reason: str) -> None:
    case = _intake(city, contact_preference=preference, title=f"路灯不亮 {preference}")
    assert case.contact_preference == preference
    (message,) = _messages(case, notices.REGISTERED)
    assert message.status == SKIPPED and reason in message.detail and message.sent_at is None


@pytest.mark.django_db(transaction=True)
def test_the_public_form_records_the_preference(city: Any) -> None:
    client = Client()
    url = reverse("web:public_submit")
    assert client.post(url, submission(city, token_of(client.get(url).content.decode()), contact_preference="none")).status_code == 302
    case = Case.objects.get()
    assert case.contact_preference == ContactPreference.NONE
    assert [m.status for m in _messages(case, notices.REGISTERED)] == [SKIPPED]
    assert "contact_preference" in client.get(url).content.decode()  # the field is on the page


def test_an_unknown_preference_is_refused_by_the_service(city: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        CaseFactory(actor=city.operator, contact_preference="carrier-pigeon")
    assert "contact_preference" in e.value.fields
    assert not Case.objects.exists()


def test_the_number_is_sent_once_even_if_the_hooks_task_runs_twice(city: Any) -> None:
    from jingzhi.cases.tasks import run_case_created_hooks

    case = CaseFactory(actor=city.operator, requester_phone="13900001111")
    run_case_created_hooks.call(case.pk)
    run_case_created_hooks.call(case.pk)
    assert len(_messages(case, notices.REGISTERED)) == 1


def test_a_held_submission_is_told_its_number_only_when_released(
        city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = CaseFactory(actor=None, channel="web", requester_phone="13700002468", screen=["captcha"])
    assert case.review == Review.HELD and _messages(case, notices.REGISTERED) == []
    with django_capture_on_commit_callbacks(execute=True):
        case_review_release(case=case, actor=city.dispatcher)
    assert [m.status for m in _messages(case, notices.REGISTERED)] == [SENT]


def test_the_reply_is_texted_to_the_requester(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = handling(city, requester_phone="13900001111")
    with django_capture_on_commit_callbacks(execute=True):
        s.case_reply(case=case, actor=city.handler, reply="已维修，路灯恢复正常。", at=case.acknowledged_at + timedelta(hours=1))
    (message,) = _messages(case, notices.REPLIED)
    assert message.status == SENT and "已维修，路灯恢复正常。" in message.body and case.number in message.body


def test_a_requester_who_asked_not_to_be_contacted_gets_no_reply_text(city: Any) -> None:
    case = handling(city, requester_phone="13900001111", contact_preference="none")
    s.case_reply(case=case, actor=city.handler, reply="已处理。", at=case.acknowledged_at + timedelta(hours=1))
    assert [m.status for m in _messages(case, notices.REPLIED)] == [SKIPPED]


def test_a_long_reply_is_cut_for_the_sms(city: Any) -> None:
    case = handling(city, requester_phone="13900001111")
    s.case_reply(case=case, actor=city.handler, reply="长" * 1000, at=case.acknowledged_at + timedelta(hours=1))
    (message,) = _messages(case, notices.REPLIED)
    assert len(message.body) < 400 and message.body.endswith("…")


def test_a_rolled_back_reply_texts_nothing(city: Any) -> None:
    case = handling(city, requester_phone="13900001111")
    with pytest.raises(ValidationFailed):
        s.case_reply(case=case, actor=city.handler, reply="已处理。", outcome="no-such-outcome")
    assert _messages(case, notices.REPLIED) == []


def test_the_sweeps_deadline_notices_reach_the_handler_by_sms_as_they_chose(
        city: Any, django_capture_on_commit_callbacks: Any) -> None:
    city.handler.phone = "13800138001"
    city.handler.save(update_fields=["phone"])
    NotificationPreference.objects.create(user=city.handler, channel="sms")
    case = handling(city)
    now: datetime = sh(2025, 10, 15, 12, 50)  # 81 % of the reply time: 催办 to the unit's handlers and heads
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep(now=now).reminded == 1
    (message,) = OutboundMessage.objects.filter(kind="reminder")
    assert (message.user_id, message.channel, message.recipient, message.status) == (city.handler.pk, "sms", "13800138001", SENT)
    assert case.number in message.body and message.related_ref == case.number
    # The unit head chose nothing: the bell only.
    assert not OutboundMessage.objects.filter(user=city.unit_head).exists()


def test_the_case_page_shows_how_the_requester_wants_to_be_contacted(city: Any) -> None:
    case = CaseFactory(actor=city.operator, contact_preference="phone")
    client = Client()
    client.force_login(city.operator)
    html = client.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "Contact preference" in html and "By phone call only" in html


def test_an_api_client_may_pass_the_preference_and_an_unknown_one_is_a_400(city: Any, api: Any) -> None:  # noqa: F811
    import json

    from tests.api.test_rest_cases import NEW

    client = api(city.operator)
    response = client.post("/api/v1/cases/", json.dumps({**NEW, "contact_preference": "none"}), content_type="application/json")
    assert response.status_code == 201
    assert Case.objects.get(number=response.json()["number"]).contact_preference == ContactPreference.NONE
    bad = client.post("/api/v1/cases/", json.dumps({**NEW, "contact_preference": "fax"}), content_type="application/json")
    assert bad.status_code == 400 and "contact_preference" in bad.content.decode()
    assert Case.objects.count() == 1


def test_a_proactive_case_has_no_requester_to_tell(city: Any) -> None:
    from jingzhi.cases.tasks import run_case_created_hooks

    case = CaseFactory(actor=city.leader, channel="proactive", requester_phone="")
    run_case_created_hooks.call(case.pk)
    assert _messages(case, notices.REGISTERED) == []
