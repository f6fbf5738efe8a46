"""The public site: submit without signing in, then look the request up with its number and four digits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.cases import services as s
from jingzhi.cases.models import Case
from tests.web.helpers import case_in, fresh

pytestmark = pytest.mark.django_db


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)  # type: ignore[union-attr]


def submission(city: Any, token: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "help",
        "requester_name": "王五",
        "requester_phone": "13700002468",
        "division": city.county_b.code,
        "address": "开原市新华街3号",
        "title": "楼道灯坏了",
        "content": "三单元楼道灯坏了两周。",
        "token": token,
    }
    data.update(overrides)
    return data


def lookup(client: Client, number: str, digits: str) -> str:
    response = client.post(reverse("web:public_lookup"), {"number": number, "phone_last4": digits})
    assert response.status_code == 200
    return response.content.decode()


NOT_FOUND = "No request matches this number and these digits."


def test_submit_then_look_up(city: Any) -> None:
    client = Client()
    token = token_of(client.get(reverse("web:public_submit")).content.decode())
    response = client.post(reverse("web:public_submit"), submission(city, token))
    assert response.status_code == 302
    confirmation = client.get(response["Location"]).content.decode()
    case = Case.objects.get()
    assert case.channel == "web" and case.created_by is None and case.kind == "help"
    assert case.number in confirmation
    assert "last four digits" in confirmation

    html = lookup(Client(), case.number, "2468")
    assert "Received" in html and NOT_FOUND not in html
    assert "13700002468" not in html and "王五" not in html


def test_double_submit_creates_one_case(city: Any) -> None:
    client = Client()
    token = token_of(client.get(reverse("web:public_submit")).content.decode())
    client.post(reverse("web:public_submit"), submission(city, token))
    client.post(reverse("web:public_submit"), submission(city, token))
    assert Case.objects.count() == 1


def test_the_public_may_not_file_internal_kinds(city: Any) -> None:
    client = Client()
    token = token_of(client.get(reverse("web:public_submit")).content.decode())
    response = client.post(reverse("web:public_submit"), submission(city, token, kind="enterprise"))
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_bad_phone_is_shown_and_nothing_created(city: Any) -> None:
    client = Client()
    token = token_of(client.get(reverse("web:public_submit")).content.decode())
    response = client.post(reverse("web:public_submit"), submission(city, token, requester_phone="abc"))
    assert response.status_code == 400
    assert 'id="id_requester_phone_error"' in response.content.decode()
    assert Case.objects.count() == 0


def test_confirmation_page_needs_a_submission_in_this_session(db: None) -> None:
    response = Client().get(reverse("web:public_submitted"))
    assert response.status_code == 302 and response["Location"] == reverse("web:public_submit")


def test_wrong_digits_and_wrong_number_read_the_same(city: Any) -> None:
    case = case_in(city, "accepted", requester_phone="13812345678")
    wrong_digits = lookup(Client(), case.number, "0000")
    wrong_number = lookup(Client(), "TL19990101-000001", "5678")
    assert NOT_FOUND in wrong_digits and NOT_FOUND in wrong_number
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"', "", html)  # noqa: E731
    assert strip(wrong_digits) == strip(wrong_number)
    assert NOT_FOUND in lookup(Client(), case.number, "56a8")


def test_stages_follow_the_case_without_internal_notes(city: Any) -> None:
    case = case_in(city, "handling", requester_phone="13812345678", unit=city.housing)
    s.case_add_note(case=fresh(case), actor=city.handler, note="内部记录：联系了物业经理")
    html = lookup(Client(), case.number, "5678")
    assert f"Dispatched to {city.housing.name}" in html
    assert "In progress" in html
    assert "内部记录" not in html
    assert 'data-stage="replied" data-done="no"' in html  # still ahead, greyed out

    s.case_reply(case=fresh(case), actor=city.handler, reply="已修好路灯，感谢反映。")
    html = lookup(Client(), case.number, "5678")
    assert 'data-stage="replied" data-done="yes"' in html
    assert "已修好路灯，感谢反映。" in html

    closed = case_in(city, "closed", requester_phone="13812345678")
    html = lookup(Client(), closed.number, "5678")
    assert "Closed" in html


def test_lookup_needs_no_login_and_is_a_post(db: None) -> None:
    response = Client().get(reverse("web:public_lookup"))
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
