"""Intake (case_create): what a new case looks like, its number, idempotent retries, and bad input refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from jingzhi.cases.models import Attachment, Case, CaseEvent, CaseNumberSequence, Status
from jingzhi.cases.numbers import is_well_formed, running_part
from jingzhi.cases.services import case_create
from jingzhi.cases.services.intake import next_case_number
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from tests.cases.helpers import MONDAY, events, make_case, sh

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"  # the GB 11643 worked example: check character X


def _submit(city: Any, **overrides: Any) -> tuple[Case, bool]:
    data: dict[str, Any] = {
        "actor": city.operator,
        "channel": "hotline",
        "kind": "complaint",
        "title": "小区供暖温度不达标",
        "content": "家里暖气温度只有十五度，已经反映多次，请尽快处理。",
        "division_code": "211223",
        "requester_name": "张三",
        "requester_phone": "13812345678",
        "received_at": MONDAY,
    }
    data.update(overrides)
    return case_create(**data)


def _nothing_saved() -> None:
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    assert Attachment.objects.count() == 0
    # No number was used up either: the next case still gets -000001.
    assert list(CaseNumberSequence.objects.filter(last__gt=0)) == []


def test_a_new_case_is_accepted_with_its_dispatch_clock_running(city: Any) -> None:
    case, created = _submit(city, address="西丰县城郊乡  ", requester_id_number=VALID_ID.lower(), lat="42.73", lng="124.72")
    assert created is True
    case = Case.objects.get(pk=case.pk)
    assert running_part(case.number) == "TL20241104-000001" and is_well_formed(case.number)
    assert (case.status, case.channel, case.kind, case.priority) == (Status.ACCEPTED, "hotline", "complaint", "normal")
    assert case.division == city.county_a
    assert case.created_at == MONDAY
    assert case.created_by == city.operator
    assert case.dispatch_due == sh(2024, 11, 5, 17, 30)  # one working day
    assert case.reply_due is None and case.lead_unit is None
    assert case.requester_id_number == VALID_ID  # stored upper-case
    assert case.address == "西丰县城郊乡"
    assert (str(case.lat), str(case.lng)) == ("42.730000", "124.720000")
    assert case.version == 1
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.from_status, event.to_status) == ("create", "", "accepted")
    assert (event.actor, event.actor_unit, event.created_at, event.data) == (city.operator, city.hotline, MONDAY, {"channel": "hotline"})


def test_an_emergency_must_be_dispatched_within_the_hour_even_at_night(city: Any) -> None:
    case, _ = _submit(city, priority="emergency", received_at=sh(2024, 10, 1, 23, 30))  # National Day, at night
    assert Case.objects.get(pk=case.pk).dispatch_due == sh(2024, 10, 2, 0, 30)


def test_utilities_must_be_dispatched_within_two_hours(city: Any) -> None:
    case, _ = _submit(city, priority="utilities", received_at=sh(2024, 11, 9, 20, 0))  # Saturday evening
    assert Case.objects.get(pk=case.pk).dispatch_due == sh(2024, 11, 9, 22, 0)


def test_a_case_received_on_a_holiday_waits_for_the_next_working_day(city: Any) -> None:
    case, _ = _submit(city, received_at=sh(2024, 10, 3, 10, 0))
    assert Case.objects.get(pk=case.pk).dispatch_due == sh(2024, 10, 8, 17, 30)


def test_the_public_channels_may_be_anonymous_systems(city: Any) -> None:
    case, created = _submit(city, actor=None, channel="open311", requester_phone="")
    assert created
    assert (case.created_by, CaseEvent.objects.get(case=case).actor_unit) == (None, None)


# ---- numbers -----------------------------------------------------------------------------------------------------------


def test_numbers_are_unique_and_sequential_per_day(city: Any) -> None:
    numbers = [running_part(make_case(city, at=sh(2024, 11, 4, 8 + i)).number) for i in range(3)]
    numbers.append(running_part(make_case(city, at=sh(2024, 11, 5, 0, 0)).number))
    numbers.append(running_part(make_case(city, at=sh(2024, 11, 4, 23, 0)).number))
    assert numbers == [
        "TL20241104-000001", "TL20241104-000002", "TL20241104-000003", "TL20241105-000001", "TL20241104-000004",
    ]
    assert dict(CaseNumberSequence.objects.values_list("day", "last")) == {
        sh(2024, 11, 4).date(): 4, sh(2024, 11, 5).date(): 1,
    }


def test_the_day_of_the_number_is_the_local_day_not_utc(city: Any) -> None:
    # 00:30 in Shenyang is 16:30 of the previous day in UTC.
    assert running_part(make_case(city, at=sh(2024, 11, 5, 0, 30)).number) == "TL20241105-000001"
    assert running_part(make_case(city, at=sh(2024, 11, 4, 23, 59)).number) == "TL20241104-000001"


def test_next_case_number_counts_on(db: None) -> None:
    assert [running_part(next_case_number(sh(2025, 1, 2, 9))) for _ in range(2)] == ["TL20250102-000001", "TL20250102-000002"]


def test_the_prefix_is_the_citys(city: Any, settings: Any) -> None:
    settings.JINGZHI = {**settings.JINGZHI, "CASE_PREFIX": "KY"}
    assert running_part(make_case(city).number) == "KY20241104-000001"


# ---- idempotency -------------------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_case(city: Any) -> None:
    first, created_1 = _submit(city, idempotency_key="web-5f2c")
    again, created_2 = _submit(city, idempotency_key="web-5f2c", received_at=sh(2024, 11, 4, 9, 5))
    assert (created_1, created_2) == (True, False)
    assert again.pk == first.pk and again.number == first.number and running_part(first.number) == "TL20241104-000001"
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1
    # The retry used no number: the next case is -000002.
    assert running_part(make_case(city).number) == "TL20241104-000002"


def test_the_key_wins_even_if_the_retry_differs(city: Any) -> None:
    first, _ = _submit(city, idempotency_key="k-1")
    again, created = _submit(city, idempotency_key=" k-1 ", title="另一个标题")
    assert (created, again.pk, Case.objects.get(pk=first.pk).title) == (False, first.pk, "小区供暖温度不达标")


def test_a_retry_of_a_rejected_submission_is_still_validated(city: Any) -> None:
    with pytest.raises(ValidationFailed):
        _submit(city, idempotency_key="k-2", content="")
    case, created = _submit(city, idempotency_key="k-2")
    assert created and Case.objects.count() == 1


def test_different_or_blank_keys_create_different_cases(city: Any) -> None:
    _submit(city, idempotency_key="a")
    _submit(city, idempotency_key="b")
    _submit(city, idempotency_key="   ")
    _submit(city, idempotency_key=None)
    _submit(city, idempotency_key="")
    assert Case.objects.count() == 5
    assert sorted(k for k in Case.objects.values_list("idempotency_key", flat=True) if k) == ["a", "b"]


# ---- who may register --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role_user", ["handler", "unit_head", "supervisor", "leader"])
def test_only_the_hotline_registers_cases(city: Any, role_user: str) -> None:
    with pytest.raises(PermissionDenied):
        _submit(city, actor=getattr(city, role_user))
    _nothing_saved()


@pytest.mark.parametrize("role_user", ["operator", "dispatcher", "admin"])
def test_hotline_roles_register_cases(city: Any, role_user: str) -> None:
    _case, created = _submit(city, actor=getattr(city, role_user))
    assert created


# ---- bad input: a clear error on the right field, and nothing saved ---------------------------------------------------------

BAD_INPUT = {
    "empty content": ({"content": ""}, "content"),
    "blank content": ({"content": " \n\t "}, "content"),
    "10,000-character content": ({"content": "很" * 10_000}, "content"),
    "content one over the limit": ({"content": "很" * 5001}, "content"),
    "empty title": ({"title": ""}, "title"),
    "title too long": ({"title": "题" * 201}, "title"),
    "phone too short": ({"requester_phone": "12345"}, "requester_phone"),
    "phone not a mobile prefix": ({"requester_phone": "12812345678"}, "requester_phone"),
    "phone with letters": ({"requester_phone": "1381234567a"}, "requester_phone"),
    "phone missing on the hotline": ({"requester_phone": ""}, "requester_phone"),
    "ID number wrong check digit": ({"requester_id_number": "110105194912310021"}, "requester_id_number"),
    "ID number impossible birth date": ({"requester_id_number": "110105194902300027"}, "requester_id_number"),
    "ID number too short": ({"requester_id_number": "11010519491231002"}, "requester_id_number"),
    "ID number 15-digit old style": ({"requester_id_number": "110105491231002"}, "requester_id_number"),
    "ID number in other digits": ({"requester_id_number": "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"}, "requester_id_number"),
    "phone in other digits": ({"requester_phone": "138١٢٣٤٥٦٧٨"}, "requester_phone"),
    "unknown division code": ({"division_code": "999999"}, "division"),
    "missing division": ({"division_code": ""}, "division"),
    "unknown kind": ({"kind": "rumour"}, "kind"),
    "unknown channel": ({"channel": "fax"}, "channel"),
    "unknown priority": ({"priority": "urgent!!"}, "priority"),
    "latitude out of range": ({"lat": "91", "lng": "120"}, "location"),
    "latitude not a number": ({"lat": "north", "lng": "120"}, "location"),
    "only one coordinate": ({"lat": "42.1", "lng": ""}, "location"),
    "script in the content": ({"content": "暖气不热<script>alert('x')</script>"}, "content"),
    "script in the title": ({"title": "<script>document.location='http://evil'</script>"}, "title"),
    "html image with handler": ({"content": "看图 <img src=x onerror=alert(1)>"}, "content"),
    "markup in the address": ({"address": "<a href='javascript:alert(1)'>点我</a>"}, "address"),
    "markup in the name": ({"requester_name": "<b>张三</b>"}, "requester_name"),
    "attachment of a forbidden type": (
        {"attachments": [SimpleUploadedFile("run.exe", b"MZ")]}, "attachments"
    ),
    "attachment too large": (
        {"attachments": [SimpleUploadedFile("photo.jpg", b"0" * (10 * 1024 * 1024 + 1))]}, "attachments"
    ),
}


@pytest.mark.parametrize(("overrides", "field"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_is_refused_on_its_field_and_saves_nothing(city: Any, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _submit(city, **overrides)
    assert set(exc.value.fields) == {field}
    message = str(exc.value.fields[field])
    assert len(message) >= 5 and "_" not in message  # a sentence for a person, not a code
    _nothing_saved()


def test_all_errors_are_reported_at_once(city: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _submit(city, title="", content="", division_code="000000", requester_phone="110", requester_id_number="123")
    assert set(exc.value.fields) == {"title", "content", "division", "requester_phone", "requester_id_number"}
    _nothing_saved()


def test_the_division_error_names_the_code(city: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _submit(city, division_code="999999")
    assert "999999" in str(exc.value.fields["division"])


def test_the_length_error_says_how_long(city: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        _submit(city, content="很" * 10_000)
    assert "5000" in str(exc.value.fields["content"]) and "10000" in str(exc.value.fields["content"])


def test_a_rejected_submission_leaves_the_sequence_alone(city: Any) -> None:
    with pytest.raises(ValidationFailed):
        _submit(city, requester_phone="1")
    assert running_part(_submit(city)[0].number) == "TL20241104-000001"


# ---- accepted shapes of the same data ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("(024)12345678", "02412345678"),
        ("024-12345678", "024-12345678"),
        ("0410-1234567", "0410-1234567"),
        ("7654321", "7654321"),
        ("１３８１２３４５６７８", "13812345678"),  # typed with a Chinese input method
    ],
)
def test_phone_numbers_as_people_type_them(city: Any, typed: str, stored: str) -> None:
    case, _ = _submit(city, requester_phone=typed)
    assert Case.objects.get(pk=case.pk).requester_phone == stored


@pytest.mark.parametrize("channel", ["letter", "open311", "import", "proactive"])
def test_a_phone_is_optional_where_we_do_not_call_back_by_phone(city: Any, channel: str) -> None:
    _case, created = _submit(city, channel=channel, requester_phone="")
    assert created


def test_control_characters_from_copy_paste_are_removed(city: Any) -> None:
    case, _ = _submit(city, title="\x00暖气\x07不热\x1b", content="第一行\n第二行\t\x0b完")
    case = Case.objects.get(pk=case.pk)
    assert (case.title, case.content) == ("暖气不热", "第一行\n第二行\t完")


def test_content_of_exactly_the_limit_is_accepted(city: Any) -> None:
    case, _ = _submit(city, content="很" * 5000, title="题" * 200)
    assert len(Case.objects.get(pk=case.pk).content) == 5000


@pytest.mark.parametrize(
    "text",
    [
        "室内温度<15度，标准是>18度",
        "A<B 栋之间的路灯坏了",
        "<A4区捞刀河镇白霞村梦之旅KTV噪音严重扰民",  # from the real TipDM messages
        "价格 3 < 5 元，收费 > 10 元",
    ],
)
def test_angle_brackets_in_plain_text_are_not_markup(city: Any, text: str) -> None:
    case, created = _submit(city, content=text)
    assert created and Case.objects.get(pk=case.pk).content == text


def test_text_is_stored_as_typed_and_escaped_when_shown(city: Any) -> None:
    case, _ = _submit(city, content="温度<15度 & 没人管 \"急\"")
    shown = Template("{{ case.content }}").render(Context({"case": case}))
    assert shown == "温度&lt;15度 &amp; 没人管 &quot;急&quot;"


def test_attachments_are_kept(city: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("现场.JPG", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    case, _ = _submit(city, attachments=[photo])
    att = Attachment.objects.get(case=case)
    assert (att.name, att.size, att.uploaded_by) == ("现场.JPG", 103, city.operator)
    assert events(case) == [("create", "", "accepted")]
