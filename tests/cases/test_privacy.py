"""Personal data: masked by default, revealed only to those who need it, every reveal in the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.cases.models import Case, Status
from jingzhi.cases.services import case_reveal
from jingzhi.cases.services.privacy import may_reveal
from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.masking import mask_id_number, mask_name, mask_phone
from jingzhi.core.models import AuditLog
from tests.cases.helpers import case_in

pytestmark = pytest.mark.django_db

ID_NUMBER = "21120219900307123X"


@pytest.fixture
def case(city: Any) -> Case:
    return case_in(city, Status.HANDLING, requester_name="欧阳娜娜", requester_phone="13912345678",
                   requester_id_number=ID_NUMBER, assisting=(city.county_gov,))


def _audit() -> list[tuple[str, str, str, str, dict[str, str]]]:
    return list(AuditLog.objects.order_by("id").values_list("actor__username", "action", "object_type", "object_id", "detail"))


def test_the_stored_values_mask_as_lists_show_them(case: Case) -> None:
    assert mask_phone(case.requester_phone) == "139****5678"
    assert mask_id_number(case.requester_id_number) == "2112**********123X"
    assert mask_name(case.requester_name) == "欧***"


@pytest.mark.parametrize(
    ("field", "value"),
    [("requester_phone", "13912345678"), ("requester_id_number", ID_NUMBER), ("requester_name", "欧阳娜娜")],
)
@pytest.mark.parametrize("who", ["operator", "dispatcher", "supervisor", "admin", "handler", "unit_head"])
def test_a_reveal_returns_the_value_and_is_audited(city: Any, case: Case, who: str, field: str, value: str) -> None:
    actor = getattr(city, who)
    assert case_reveal(case=case, actor=actor, field=field) == value
    assert _audit() == [(actor.username, "reveal", "case", case.number, {"field": field})]


def test_every_reveal_is_a_new_audit_row(city: Any, case: Case) -> None:
    case_reveal(case=case, actor=city.handler, field="requester_phone")
    case_reveal(case=case, actor=city.handler, field="requester_phone")
    case_reveal(case=case, actor=city.operator, field="requester_name")
    assert [row[0] for row in _audit()] == ["handler", "handler", "operator"]


def test_a_handler_of_another_unit_is_refused_as_if_the_case_did_not_exist(city: Any, case: Case) -> None:
    with pytest.raises(NotFound):
        case_reveal(case=case, actor=city.env_handler, field="requester_phone")
    assert _audit() == []


def test_an_assisting_unit_sees_the_case_but_not_the_requester(city: Any, case: Case) -> None:
    assert Case.objects.visible_to(city.county_handler).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        case_reveal(case=case, actor=city.county_handler, field="requester_phone")
    assert _audit() == []


def test_a_leader_sees_the_case_but_not_the_requester(city: Any, case: Case) -> None:
    with pytest.raises(PermissionDenied):
        case_reveal(case=case, actor=city.leader, field="requester_id_number")
    assert _audit() == []


def test_a_leader_of_another_county_does_not_even_see_the_case(city: Any, case: Case) -> None:
    with pytest.raises(NotFound):
        case_reveal(case=case, actor=city.county_leader, field="requester_phone")
    assert _audit() == []


def test_a_unit_loses_access_when_the_case_is_transferred_away(city: Any, case: Case) -> None:
    from jingzhi.cases import services as s

    s.case_transfer(case=case, unit=city.env, actor=city.dispatcher, reason="转环保")
    case.refresh_from_db()
    with pytest.raises(NotFound):
        case_reveal(case=case, actor=city.handler, field="requester_phone")
    assert case_reveal(case=case, actor=city.env_handler, field="requester_phone") == "13912345678"
    assert [row[0] for row in _audit()] == ["h_env"]


@pytest.mark.parametrize("field", ["content", "password", "address", "", "requester_phone "])
def test_only_personal_fields_can_be_revealed(city: Any, case: Case, field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        case_reveal(case=case, actor=city.operator, field=field)
    assert set(exc.value.fields) == {"field"}
    assert _audit() == []


def test_a_deactivated_account_reveals_nothing(city: Any, case: Case) -> None:
    city.operator.is_active = False
    city.operator.save()
    with pytest.raises(NotFound):
        case_reveal(case=case, actor=city.operator, field="requester_phone")
    assert _audit() == []


def test_may_reveal_matches_the_roles_that_need_the_data(city: Any, case: Case) -> None:
    allowed = {who for who in ("operator", "dispatcher", "handler", "unit_head", "env_handler", "county_handler", "supervisor",
                               "leader", "county_leader", "admin") if may_reveal(case=case, actor=getattr(city, who))}
    assert allowed == {"operator", "dispatcher", "handler", "unit_head", "supervisor", "admin"}


def test_an_empty_field_reveals_an_empty_string(city: Any) -> None:
    case = case_in(city, Status.ACCEPTED, requester_id_number="")
    assert case_reveal(case=case, actor=city.operator, field="requester_id_number") == ""
    assert len(_audit()) == 1
