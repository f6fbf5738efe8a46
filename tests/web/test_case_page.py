"""The case page: masked personal data with an audited reveal, attachments behind the visibility check, the timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhi.core.models import AuditLog
from tests.factories import CaseFactory
from tests.web.helpers import case_in, new_case

pytestmark = pytest.mark.django_db


def test_personal_data_is_masked_with_a_reveal_button(city: Any, client_for: Any) -> None:
    case = new_case(city, requester_name="欧阳修", requester_phone="13812345678")
    html = client_for(city.operator).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "13812345678" not in html and "欧阳修" not in html
    assert "138****5678" in html and "欧**" in html
    assert reverse("web:case_reveal", args=[case.number, "requester_phone"]) in html


def test_reveal_returns_the_clear_value_and_is_audited(city: Any, client_for: Any) -> None:
    case = new_case(city, requester_phone="13812345678")
    response = client_for(city.operator).post(
        reverse("web:case_reveal", args=[case.number, "requester_phone"]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    assert AuditLog.objects.filter(actor=city.operator, object_id=case.number, action="reveal").count() == 1


def test_no_reveal_for_those_who_may_not(city: Any, client_for: Any) -> None:
    case = new_case(city, requester_phone="13812345678")
    leader = client_for(city.leader)
    html = leader.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "/reveal/" not in html
    response = leader.post(reverse("web:case_reveal", args=[case.number, "requester_phone"]))
    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    assert not AuditLog.objects.exists()


def test_reveal_out_of_scope_is_404(city: Any, client_for: Any) -> None:
    case = case_in(city, "dispatched", unit=city.housing)
    response = client_for(city.env_handler).post(reverse("web:case_reveal", args=[case.number, "requester_phone"]))
    assert response.status_code == 404


def test_reveal_of_an_unknown_field_is_refused(city: Any, client_for: Any) -> None:
    case = new_case(city)
    response = client_for(city.operator).post(reverse("web:case_reveal", args=[case.number, "password"]))
    assert response.status_code == 400


def test_attachment_download_checks_visibility(city: Any, client_for: Any) -> None:
    upload = SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xffJPEGDATA", content_type="image/jpeg")
    case = CaseFactory(actor=city.operator, division_code=city.city.code, attachments=[upload])
    attachment = case.attachments.get()
    url = reverse("web:attachment", args=[case.number, attachment.pk])
    page = client_for(city.operator).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert url in page and "现场照片.jpg" in page
    response = client_for(city.operator).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xffJPEGDATA"
    assert "attachment" in response["Content-Disposition"]
    # Not dispatched to the environment bureau: its handler cannot see the case, nor the file.
    assert client_for(city.env_handler).get(url).status_code == 404
    # An attachment id under another case's number is not found either.
    other = new_case(city)
    assert client_for(city.operator).get(reverse("web:attachment", args=[other.number, attachment.pk])).status_code == 404


def test_timeline_lists_every_event_with_actor_and_statuses(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling", unit=city.housing)
    html = client_for(city.supervisor).get(reverse("web:case_detail", args=[case.number])).content.decode()
    for label in ("Received", "Dispatch", "Acknowledge"):
        assert f'<span class="ev-label">{label}</span>' in html
    assert str(city.handler) in html and city.housing.name in html
    assert "Dispatched, awaiting acknowledgement" in html and "In progress" in html


def test_deadlines_show_a_badge(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    html = client_for(city.handler).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert 'class="badge badge-on-time"' in html


def test_overdue_case_shows_red_in_the_unit_queue(city: Any, client_for: Any) -> None:
    from jingzhi.cases.models import Case

    case = case_in(city, "handling")
    Case.objects.filter(pk=case.pk).update(reply_due=case.created_at)
    html = client_for(city.handler).get(reverse("web:unit_queue")).content.decode()
    assert 'class="badge badge-overdue"' in html and "row-overdue" in html
