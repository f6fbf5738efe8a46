"""Every action of the case page, posted as a browser would, through the whole life of a case."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from jingzhi.cases.models import ExtensionRequest, Status, SuspensionRequest
from tests.web.helpers import a_category, case_in, fresh, new_case

pytestmark = pytest.mark.django_db


def post(client: Any, case: Any, action: str, **data: Any) -> Any:
    case = fresh(case)
    response = client.post(reverse("web:case_action", args=[case.number, action]), {"version": case.version, **data})
    assert response.status_code == 302, response.content.decode()[:3000]
    return fresh(case)


def test_the_whole_life_of_a_case(city: Any, client_for: Any) -> None:
    dispatcher, handler = client_for(city.dispatcher), client_for(city.handler)
    operator, supervisor = client_for(city.operator), client_for(city.supervisor)
    env = client_for(city.env_handler)
    case = new_case(city)

    case = post(dispatcher, case, "dispatch", unit=city.housing.code, assisting=[city.env.code], category=a_category().pk)
    assert case.status == Status.DISPATCHED and case.category == a_category()
    case = post(handler, case, "acknowledge")
    assert case.status == Status.HANDLING
    case = post(env, case, "note", note="协办单位已到现场查看")  # an assisting unit may write notes
    case = post(handler, case, "request_suspension", reason="等待群众提供材料", resume_by=str(timezone.localdate() + timedelta(days=5)))
    assert case.status == Status.HANDLING  # the clock runs until a supervisor approves
    suspension = SuspensionRequest.objects.get(case=case)
    case = post(supervisor, case, "approve_suspension", request=suspension.pk, note="")
    assert case.status == Status.SUSPENDED
    case = post(handler, case, "resume", note="材料已收到")
    assert case.status == Status.HANDLING
    case = post(handler, case, "request_extension", working_days=3, reason="需要协调供热公司")
    request = ExtensionRequest.objects.get(case=case)
    due_before = case.reply_due
    case = post(supervisor, case, "approve_extension", request=request.pk, note="同意")
    assert case.reply_due > due_before and case.extensions_granted == 1
    case = post(handler, case, "reply", reply="已修复暖气管道。", outcome="resolved")
    assert case.status == Status.REPLIED
    case = post(operator, case, "follow_up", contacted="yes", resolution="unresolved", satisfaction="unsatisfied", note="")
    assert case.status == Status.FOLLOWED_UP
    case = post(operator, case, "reopen", reason="群众反映温度仍不达标")
    assert case.status == Status.HANDLING and case.reopen_count == 1
    case = post(handler, case, "reply", reply="再次检修，室温已达18度。", outcome="resolved")
    case = post(operator, case, "follow_up", contacted="yes", resolution="resolved", satisfaction="satisfied")
    case = post(operator, case, "close")
    assert case.status == Status.CLOSED

    page = operator.get(reverse("web:case_detail", args=[case.number])).content.decode()
    for text in ("协办单位已到现场查看", "等待群众提供材料", "需要协调供热公司", "再次检修，室温已达18度。"):
        assert text in page


def test_return_then_overrule_and_return_then_redispatch(city: Any, client_for: Any) -> None:
    dispatcher, handler = client_for(city.dispatcher), client_for(city.handler)
    case = case_in(city, "dispatched")
    case = post(handler, case, "return", reason="不属于本单位")
    assert case.status == Status.RETURNED
    case = post(dispatcher, case, "overrule_return", reason="属于住建局职责")
    assert case.status == Status.DISPATCHED and case.lead_unit == city.housing
    case = post(handler, case, "return", reason="仍不属于本单位")
    case = post(dispatcher, case, "redispatch", unit=city.env.code, category=a_category().pk)
    assert case.status == Status.DISPATCHED and case.lead_unit == city.env


def test_transfer(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    case = post(client_for(city.dispatcher), case, "transfer", unit=city.env.code, reason="环保问题")
    assert case.lead_unit == city.env and case.status == Status.DISPATCHED


def test_transfer_to_the_same_unit_shows_the_field_error(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    response = client_for(city.dispatcher).post(
        reverse("web:case_action", args=[case.number, "transfer"]),
        {"version": case.version, "unit": city.housing.code, "reason": "x"},
    )
    assert response.status_code == 400
    assert 'id="id_transfer_unit_error"' in response.content.decode()


def test_reject_extension_needs_a_note_and_then_rejects(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    case = post(client_for(city.handler), case, "request_extension", working_days=2, reason="需要时间")
    request = ExtensionRequest.objects.get(case=case)
    supervisor = client_for(city.supervisor)
    response = supervisor.post(
        reverse("web:case_action", args=[case.number, "reject_extension"]), {"version": case.version, "request": request.pk}
    )
    assert response.status_code == 400
    assert "Say why the extension is rejected." in response.content.decode()
    board = reverse("web:supervision") + "?tab=extensions"
    response = supervisor.post(
        reverse("web:case_action", args=[case.number, "reject_extension"]),
        {"version": case.version, "request": request.pk, "note": "理由不充分", "next": board},
    )
    assert response.status_code == 302 and response["Location"] == board
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.REJECTED


def test_a_decided_extension_cannot_be_decided_again(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    case = post(client_for(city.handler), case, "request_extension", working_days=2, reason="需要时间")
    request = ExtensionRequest.objects.get(case=case)
    supervisor = client_for(city.supervisor)
    post(supervisor, case, "approve_extension", request=request.pk)
    response = supervisor.post(
        reverse("web:case_action", args=[case.number, "reject_extension"]),
        {"version": fresh(case).version, "request": request.pk, "note": "x"},
    )
    assert response.status_code in (403, 409)
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.APPROVED


def test_answer_directly(city: Any, client_for: Any) -> None:
    case = new_case(city, kind="inquiry")
    case = post(client_for(city.operator), case, "answer_directly", reply="办理时间为工作日 8:30-17:00。")
    assert case.status == Status.CLOSED


def test_merge_into_another_case(city: Any, client_for: Any) -> None:
    original, duplicate = new_case(city), new_case(city)
    client = client_for(city.operator)
    case = post(client, duplicate, "merge", into=original.number, note="重复件")
    assert case.status == Status.MERGED and case.merged_into == original
    page = client.get(reverse("web:case_detail", args=[duplicate.number])).content.decode()
    assert original.number in page


def test_merge_into_an_unknown_case_is_a_field_error(city: Any, client_for: Any) -> None:
    case = new_case(city)
    response = client_for(city.operator).post(
        reverse("web:case_action", args=[case.number, "merge"]), {"version": case.version, "into": "TL19990101-000009"}
    )
    assert response.status_code == 400
    assert 'id="id_merge_into_error"' in response.content.decode()
    assert fresh(case).status == Status.ACCEPTED


def test_merge_into_a_case_out_of_sight_is_the_same_field_error(city: Any, client_for: Any) -> None:
    # A unit head may not merge, but even the message must not reveal a case outside one's scope.
    case = case_in(city, "dispatched")
    hidden = case_in(city, "dispatched", unit=city.env)
    response = client_for(city.supervisor).post(
        reverse("web:case_action", args=[case.number, "merge"]), {"version": case.version, "into": hidden.number}
    )
    assert response.status_code == 302  # the city supervisor sees both
    other = new_case(city, division=city.county_a)
    response = client_for(city.county_leader).post(
        reverse("web:case_action", args=[other.number, "merge"]), {"version": other.version, "into": hidden.number}
    )
    assert response.status_code == 404  # the case itself is out of the county leader's sight


def test_case_page_shows_only_the_allowed_action_forms(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    html = client_for(city.handler).get(reverse("web:case_detail", args=[case.number])).content.decode()
    for action in ("reply", "request_suspension", "note", "request_extension", "return"):
        assert reverse("web:case_action", args=[case.number, action]) in html
    for action in ("dispatch", "close", "follow_up", "acknowledge"):
        assert reverse("web:case_action", args=[case.number, action]) not in html
    leader_html = client_for(city.leader).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "/reply/" not in leader_html


def test_dispatch_form_suggests_the_routed_unit(city: Any, client_for: Any) -> None:
    # Without a routing rule the case falls back to the local government of its county.
    case = new_case(city, division=city.county_a)
    html = client_for(city.dispatcher).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert f'<option value="{city.county_gov.code}" selected>' in html
