"""case_escalate: 催办 / 督办 / 挂牌督办 raise the level once, never lower it, and reach the people who answer for the case."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, Status, Supervision
from jingzhi.cases.services.supervision import case_escalate, division_leaders, running_clocks
from jingzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.org.services import responsibility_assign
from tests import factories as f
from tests.cases.helpers import suspend
from tests.factories import CaseFactory

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 11, 4, 9, 0, tzinfo=SH)  # Monday of a plain working week
LATER = datetime(2024, 11, 6, 10, 0, tzinfo=SH)


def handling_case(city: Any, **kw: Any) -> Case:
    """A complaint about 西丰县, with the housing bureau, acknowledged."""
    case = CaseFactory(actor=city.operator, received_at=T0, division_code="211223", **kw)
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=T0.replace(minute=10))
    return s.case_acknowledge(case=case, actor=city.handler, at=T0.replace(minute=20))


def recipients(case: Case, kind: str) -> set[str]:
    return set(Notification.objects.filter(subject_type="case", subject_ref=case.number, kind=kind).values_list("recipient__username", flat=True))


def escalations(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, action__in=["remind", "supervise", "flag"]).order_by("id"))


@pytest.fixture
def leaders(city: Any) -> dict[str, Any]:
    """包保: the city leader answers for the whole city."""
    responsibility_assign(actor=None, official=city.leader, division=city.city)
    return {"city": city.leader}


def test_reminder_goes_to_the_units_handlers_and_heads(city: Any, leaders: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = handling_case(city)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER) is True
    case.refresh_from_db()
    assert case.supervision == Supervision.REMINDED
    [event] = escalations(case)
    assert event.action == "remind" and event.actor is None and event.created_at == LATER
    assert event.from_status == event.to_status == Status.HANDLING
    assert event.data == {"level": 1, "from_level": 0, "clock": "reply", "due": case.reply_due.isoformat()}
    assert recipients(case, "reminder") == {"handler", "unithead"}
    assert "催办" in Notification.objects.filter(subject_type="case", subject_ref=case.number).first().message  # type: ignore[union-attr]


def test_supervision_goes_to_the_unit_head_and_the_baobao_leader(
    city: Any, leaders: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = handling_case(city)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER)
    assert recipients(case, "supervision") == {"unithead", "leader"}  # not the handler, not the other county's leader
    assert [e.action for e in escalations(case)] == ["supervise"]


def test_flagged_also_goes_to_the_supervisors_of_the_division(
    city: Any, leaders: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = handling_case(city)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_escalate(case=case, level=Supervision.FLAGGED, actor=None, at=LATER)
    assert recipients(case, "flagged") == {"unithead", "leader", "supervisor"}
    assert Case.objects.get(pk=case.pk).supervision == Supervision.FLAGGED


def test_the_nearest_division_with_a_baobao_leader_answers(city: Any, leaders: Any) -> None:
    town = f.division("211223100", "西丰镇", "township", city.county_a)
    county_leader = f.user("leader", None, city.county_a, username="leader_xf")
    assert division_leaders(town) == [city.leader.pk]  # the township and county have none: the city's
    responsibility_assign(actor=None, official=county_leader, division=city.county_a)
    assert division_leaders(town) == [county_leader.pk]  # now the county's, the nearer one, and only it
    assert division_leaders(city.county_b) == [city.leader.pk]
    county_leader.is_active = False
    county_leader.save()
    assert division_leaders(town) == [city.leader.pk]


def test_the_same_level_twice_writes_and_sends_nothing(city: Any, leaders: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = handling_case(city)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER)
    version = Case.objects.get(pk=case.pk).version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER) is False
        assert case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER) is False  # never lowered
    assert callbacks == []
    assert len(escalations(case)) == 1
    assert Notification.objects.filter(subject_type="case", subject_ref=case.number).count() == 2
    assert Case.objects.get(pk=case.pk).version == version
    assert Case.objects.get(pk=case.pk).supervision == Supervision.SUPERVISED


def test_levels_climb_but_never_fall(city: Any, leaders: Any) -> None:
    case = handling_case(city)
    assert case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER)
    assert case_escalate(case=case, level=Supervision.FLAGGED, actor=None, at=LATER)
    assert not case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER)
    assert [(e.action, e.data["from_level"], e.data["level"]) for e in escalations(case)] == [("remind", 0, 1), ("flag", 1, 3)]


def test_a_supervisor_may_supervise_by_hand_with_a_note(city: Any, leaders: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = handling_case(city)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_escalate(case=case, level=Supervision.SUPERVISED, actor=city.supervisor, note="  群众多次来电，请加快办理  ",
                             at=LATER)
    [event] = escalations(case)
    assert event.actor == city.supervisor and event.actor_unit == city.hotline
    assert event.note == "群众多次来电，请加快办理"
    assert recipients(case, "supervision") == {"unithead", "leader"}


def test_who_may_escalate_by_hand(city: Any) -> None:
    case = handling_case(city)
    with pytest.raises(PermissionDenied):
        case_escalate(case=case, level=Supervision.SUPERVISED, actor=city.handler, at=LATER)
    with pytest.raises(PermissionDenied):  # reminders are the system's alone
        case_escalate(case=case, level=Supervision.REMINDED, actor=city.supervisor, at=LATER)
    assert case_escalate(case=case, level=Supervision.FLAGGED, actor=city.admin, at=LATER)
    assert [e.action for e in escalations(case)] == ["flag"]


def test_bad_level_and_closed_case_and_stale_version_change_nothing(city: Any) -> None:
    case = handling_case(city)
    with pytest.raises(ValidationFailed):
        case_escalate(case=case, level=Supervision.NONE, actor=None, at=LATER)
    with pytest.raises(ValidationFailed):
        case_escalate(case=case, level=7, actor=None, at=LATER)
    with pytest.raises(InvalidTransition):
        case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER, expected_version=case.version - 1)
    s.case_merge(case=case, into=CaseFactory(actor=city.operator, received_at=T0), actor=city.operator, at=LATER)
    with pytest.raises(InvalidTransition):
        case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER)
    assert escalations(case) == []
    assert Case.objects.get(pk=case.pk).supervision == Supervision.NONE


def test_an_undispatched_case_is_reminded_to_the_dispatchers_but_not_supervised(
    city: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = CaseFactory(actor=city.operator, received_at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER)
    assert recipients(case, "reminder") == {"dispatcher"}
    assert escalations(case)[0].data["clock"] == "dispatch"
    with pytest.raises(InvalidTransition):  # the table: no 督办 before a unit has the case
        case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER)


def test_a_new_clock_starts_a_new_climb(city: Any) -> None:
    """Services that start a new clock (reply, return, transfer, extension) reset the level; escalation starts over."""
    case = handling_case(city)
    assert case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER)
    case = s.case_reply(case=Case.objects.get(pk=case.pk), actor=city.handler, reply="已处理完毕。", at=LATER)
    assert case.supervision == Supervision.NONE
    assert case_escalate(case=case, level=Supervision.REMINDED, actor=None, at=LATER)
    assert escalations(case)[-1].data["clock"] == "follow_up"


def test_running_clocks_follow_the_status(city: Any) -> None:
    case = CaseFactory(actor=city.operator, received_at=T0)
    assert [c[0] for c in running_clocks(case)] == ["dispatch"]
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=T0.replace(minute=10))
    assert [c[0] for c in running_clocks(case)] == ["acknowledge", "reply"]
    case = s.case_acknowledge(case=case, actor=city.handler, at=T0.replace(minute=20))
    assert [c[0] for c in running_clocks(case)] == ["reply"]
    case = suspend(city, case, reason="等待群众提供材料", at=T0.replace(minute=30))
    assert running_clocks(case) == []
