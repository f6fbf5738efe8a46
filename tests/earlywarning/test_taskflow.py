"""叫应, on site, report (a hazard becomes a case for the emergency unit), escalation after the window with a
controlled clock, and the seasonal preparation tasks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jingzhi.cases.models import Case
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.earlywarning.models import InspectionTask, PreparationTask, SeasonalRule, TaskEvent, TaskStatus
from jingzhi.earlywarning.selectors import after_event_report, duty_board
from jingzhi.earlywarning.services import warning_import_cap
from jingzhi.earlywarning.taskflow import (
    Report,
    escalate_overdue,
    raise_seasonal,
    task_acknowledge,
    task_progress,
    task_report,
)
from tests.earlywarning.conftest import area, at, cap_xml

NOW = at("2026-07-30T06:00:00+08:00")


@pytest.fixture
def warned(land: Any) -> Any:
    return warning_import_cap(actor=None, data=cap_xml(areas=area("西丰县", "211223")), now=NOW).warning


def task_of(warning: Any, username: str, code: str = "XF1") -> InspectionTask:
    return InspectionTask.objects.get(warning=warning, official__username=username, site__code=code)


def test_acknowledge_go_on_site_and_report_a_hazard(land: Any, warned: Any) -> None:
    task = task_of(warned, "xf_town")
    task_acknowledge(actor=land.town_official, task_id=task.pk, now=NOW + timedelta(minutes=4))
    task_acknowledge(actor=land.town_official, task_id=task.pk, now=NOW + timedelta(minutes=6))  # twice: the first counts
    with pytest.raises(InvalidTransition):
        task_report(actor=land.town_official, task_id=task.pk, report=Report(situation="ok"))
    task_progress(actor=land.town_official, task_id=task.pk, to="on_site", now=NOW + timedelta(minutes=50))
    with pytest.raises(ValidationFailed):
        task_report(actor=land.town_official, task_id=task.pk, report=Report(situation="  "))
    task = task_report(actor=land.town_official, task_id=task.pk, now=NOW + timedelta(minutes=70),
                       report=Report(situation="水位上涨", people_moved=12, hazard="堤脚冲刷"))
    assert task.status == TaskStatus.REPORTED and task.people_moved == 12
    assert task.acknowledged_at == NOW + timedelta(minutes=4)
    case = Case.objects.get(pk=task.hazard_case_id)
    assert case.lead_unit == land.water and "堤脚冲刷" in case.content
    kinds = list(task.events.values_list("kind", flat=True))
    assert kinds == ["delivered", "acknowledged", "on_site", "reported"]
    # a retried report is harmless; no second case
    task_report(actor=land.town_official, task_id=task.pk, report=Report(situation="水位上涨", hazard="堤脚冲刷"))
    assert Case.objects.count() == 1


def test_only_the_addressee_answers_and_others_see_nothing(land: Any, warned: Any, city: Any) -> None:
    task = task_of(warned, "xf_town")
    with pytest.raises(PermissionDenied):  # sees the task (city-wide), but it is not theirs
        task_acknowledge(actor=city.dispatcher, task_id=task.pk)
    with pytest.raises(NotFound):  # another county's official does not even see it
        task_acknowledge(actor=land.ky_official, task_id=task.pk)


def test_escalation_after_the_window_goes_to_the_next_level_and_the_duty_office(land: Any, warned: Any, city: Any) -> None:
    task_acknowledge(actor=land.county_official, task_id=task_of(warned, "xf_county").pk, now=NOW + timedelta(minutes=2))
    assert escalate_overdue(now=NOW + timedelta(minutes=9)) == 0  # within the 10 minutes
    # 11 minutes: the township official (two sites) and the city official have not answered
    assert escalate_overdue(now=NOW + timedelta(minutes=11)) == 3
    assert escalate_overdue(now=NOW + timedelta(minutes=20)) == 0  # once per task
    town = task_of(warned, "xf_town")
    assert town.escalated_at == NOW + timedelta(minutes=11)
    event = town.events.get(kind=TaskEvent.Kind.ESCALATED)
    assert "xf_county" in event.note or str(land.county_official) in event.note
    alerted = set(Notification.objects.filter(kind="warning_escalation").values_list("recipient__username", flat=True))
    assert {"xf_county", "dispatcher", "supervisor"} <= alerted
    assert "xf_town" not in alerted and "ky_town" not in alerted
    assert task_of(warned, "xf_county").escalated_at is None


def test_duty_board_and_after_event_report(land: Any, warned: Any, city: Any) -> None:
    task_acknowledge(actor=land.town_official, task_id=task_of(warned, "xf_town").pk, now=NOW + timedelta(minutes=3))
    task_progress(actor=land.town_official, task_id=task_of(warned, "xf_town").pk, to="on_site", now=NOW + timedelta(minutes=30))
    board = duty_board(city.dispatcher, warned, now=NOW + timedelta(minutes=15))
    assert board.minutes_since == 15 and board.tasks == 4
    assert board.counts == {"on_site": 1, "pending": 1}
    assert {name for name, _s, _m in board.not_reached} == {str(land.county_official), str(land.city_official),
                                                             str(land.town_official)}
    assert [r.name for r in board.rows] == ["永安村低洼地", "寇河西丰段"]  # least advanced first
    assert duty_board(land.ky_official, warned).tasks == 0  # another county's leader sees none of it
    lines = {(x.official, x.site): x for x in after_event_report(city.dispatcher, warned)}
    on_time = lines[(str(land.town_official), "寇河西丰段")]
    assert (on_time.ack_minutes, on_time.onsite_minutes, on_time.late_ack) == (3, 30, False)
    assert lines[(str(land.city_official), "寇河西丰段")].late_ack


def test_seasonal_expectation_raises_one_preparation_task_ahead_of_the_season(city: Any) -> None:
    SeasonalRule.objects.create(name="供暖季", start_month=11, start_day=1, lead_days=30, unit=city.housing,
                                instructions="检修管网")
    assert raise_seasonal(now=at("2026-09-20T09:00:00+08:00")) == 0
    assert raise_seasonal(now=at("2026-10-05T09:00:00+08:00")) == 1
    assert raise_seasonal(now=at("2026-10-06T09:00:00+08:00")) == 0
    task = PreparationTask.objects.get()
    assert (task.year, str(task.season_starts), task.unit) == (2026, "2026-11-01", city.housing)


def test_warnings_and_escalations_leave_through_the_one_outbound_gateway(
        land: Any, city: Any, django_capture_on_commit_callbacks: Any) -> None:
    """叫应 SMS with the warning, voice calls with an escalation: recorded in core.OutboundMessage with the change
    and sent by the task queue after the commit (ADR 026); an official without a phone is recorded as skipped."""
    from jingzhi.core.models import OutboundMessage

    land.town_official.phone = "13800000001"
    land.town_official.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        warning = warning_import_cap(actor=None, data=cap_xml(areas=area("西丰县", "211223")), now=NOW).warning
    sms = {m.user_id: m for m in OutboundMessage.objects.filter(kind="warning", channel="sms")}
    assert sms[land.town_official.pk].status == OutboundMessage.Status.SENT
    assert sms[land.town_official.pk].recipient == "13800000001" and sms[land.town_official.pk].related_ref == warning.identifier
    assert sms[land.county_official.pk].status == OutboundMessage.Status.SKIPPED  # no phone on the account
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(now=NOW + timedelta(minutes=11)) == 4  # nobody acknowledged: all four tasks
    calls = OutboundMessage.objects.filter(kind="warning_escalation")
    assert calls.exists() and set(calls.values_list("channel", flat=True)) == {"voice"}
    assert set(calls.values_list("related_ref", flat=True)) == {warning.identifier}
