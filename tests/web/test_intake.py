"""The operator's intake form: bad input is shown next to its field and creates nothing; a double submit creates one case."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingzhi.cases.models import Attachment, Case

pytestmark = pytest.mark.django_db

URL = "/intake/"


def token_of(html: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert match, "the form must carry a one-time token"
    return match.group(1)


@pytest.fixture
def operator(city: Any, client_for: Any) -> Any:
    return client_for(city.operator)


def valid(city: Any, token: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "requester_name": "李四",
        "requester_phone": "13900001111",
        "requester_id_number": "",
        "channel": "hotline",
        "division": city.county_a.code,
        "address": "西丰县人民路1号",
        "kind": "complaint",
        "priority": "normal",
        "title": "路灯不亮",
        "content": "人民路路灯已经一周不亮了。",
        "token": token,
    }
    data.update(overrides)
    return data


def test_intake_url_is_where_we_said() -> None:
    assert reverse("web:intake") == URL


def test_the_form_shows_the_division_tree_indented(city: Any, operator: Any) -> None:
    html = operator.get(URL).content.decode()
    assert f'<option value="{city.city.code}">铁岭市</option>' in html
    assert f'<option value="{city.county_a.code}">\u3000西丰县</option>' in html


def test_a_valid_submission_creates_the_case_and_shows_its_number_and_deadlines(city: Any, operator: Any) -> None:
    token = token_of(operator.get(URL).content.decode())
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    memo = SimpleUploadedFile("memo.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    response = operator.post(URL, {**valid(city, token), "attachments": [photo, memo]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("web:case_detail", args=[case.number])
    assert case.channel == "hotline" and case.division == city.county_a and case.created_by == city.operator
    assert sorted(Attachment.objects.filter(case=case).values_list("name", flat=True)) == ["memo.pdf", "photo.jpg"]
    page = operator.get(response["Location"]).content.decode()
    assert case.number in page
    assert "Dispatch by" in page and "registered" in page


def test_double_submit_with_the_same_token_creates_one_case(city: Any, operator: Any) -> None:
    token = token_of(operator.get(URL).content.decode())
    first = operator.post(URL, valid(city, token))
    second = operator.post(URL, valid(city, token))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    # A new form gets a new token, and a new request in it a new case.
    operator.post(URL, valid(city, token_of(operator.get(URL).content.decode()), title="路灯又坏了"))
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "", "Please describe the request."),
        ("content", "长" * 10_000, "at most 5000 characters (it has 10000)"),
        ("requester_phone", "12345", "Enter a valid phone number"),
        ("requester_id_number", "11010519491231002Y", "An ID number has 18 characters"),
        ("requester_id_number", "110105194912310020", "check digit is wrong"),
        ("division", "999999", "There is no division with the code"),
        ("title", "", "Please enter a title."),
        ("kind", "", "Choose the kind of request."),
    ],
)
def test_bad_input_shows_the_field_error_and_creates_nothing(
    city: Any, operator: Any, field: str, value: str, message: str
) -> None:
    token = token_of(operator.get(URL).content.decode())
    response = operator.post(URL, valid(city, token, **{field: value}))
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert error, f"no error shown next to {field}"
    assert message in error.group(1).replace("&#x27;", "'")
    assert Case.objects.count() == 0
    # The same token survives the error, so fixing and resubmitting still creates exactly one case.
    assert token_of(html) == token


def test_script_in_the_title_is_shown_escaped(city: Any, operator: Any) -> None:
    token = token_of(operator.get(URL).content.decode())
    evil = "<script>alert(1)</script>"
    response = operator.post(URL, valid(city, token, title=evil, content=""))  # an error: the title is echoed back
    html = response.content.decode()
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Whether the service accepts markup as text or refuses it, the page never carries it live.
    response = operator.post(URL, valid(city, token, title=evil))
    page = operator.get(response["Location"]).content.decode() if response.status_code == 302 else response.content.decode()
    assert evil not in page and "&lt;script&gt;" in page


def test_missing_or_forged_token_is_refused(city: Any, operator: Any) -> None:
    for token in ("", "not-a-token"):
        response = operator.post(URL, valid(city, token))
        assert response.status_code == 400
        assert "This form has expired" in response.content.decode()
    assert Case.objects.count() == 0


def test_intake_is_only_for_the_hotline(city: Any, client_for: Any) -> None:
    response = client_for(city.handler).post(URL, valid(city, "a" * 32))
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_deadline_preview(city: Any, operator: Any) -> None:
    html = operator.get(reverse("web:intake_preview"), {"kind": "complaint", "priority": "emergency"}).content.decode()
    assert "Dispatch by" in html and "Reply by" in html
    html = operator.get(reverse("web:intake_preview"), {"kind": "", "priority": "normal"}).content.decode()
    assert "Dispatch by" not in html
