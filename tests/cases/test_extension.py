"""延期: asked before the deadline, at most once, 1–10 working days; a supervisor approves (the deadline moves by
working days, over holidays) or rejects (it stays)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, ExtensionRequest, Status, Supervision
from jingzhi.cases.selectors import pending_extension, supervision_board
from jingzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification, SlaPolicy
from tests.cases.helpers import case_in, events, fresh, last_event, refused_with, sh, suspend

pytestmark = pytest.mark.django_db

# A complaint dispatched on Friday 2024-09-20 at 10:00: seven working days are 23–27, 29 (调休 Sunday) and 30 September.
INTAKE = sh(2024, 9, 20, 9, 50)
DUE = sh(2024, 9, 30, 17, 30)
ASKED = sh(2024, 9, 27, 10, 0)
DECIDED = sh(2024, 9, 27, 11, 0)


@pytest.fixture
def case(city: Any) -> Case:
    c = case_in(city, Status.HANDLING, at=INTAKE)
    assert fresh(c).reply_due == DUE
    return c


def _ask(city: Any, case: Case, days: int = 3, *, at: datetime = ASKED, actor: Any = None) -> ExtensionRequest:
    return s.case_request_extension(case=case, actor=actor or city.handler, working_days=days, reason=" 需要协调供热公司更换主管道 ",
                                    at=at)


def _state(case: Case) -> tuple[Any, ...]:
    row = fresh(case)
    return (row.status, row.reply_due, row.extensions_granted, row.version, CaseEvent.objects.filter(case=case).count(),
            sorted(ExtensionRequest.objects.filter(case=case).values_list("state", flat=True)))


def test_a_request_waits_for_a_decision_and_moves_nothing(city: Any, case: Case) -> None:
    request = _ask(city, case)
    request.refresh_from_db()
    assert (request.state, request.unit, request.requested_by, request.working_days) == ("pending", city.housing, city.handler, 3)
    assert (request.reason, request.created_at) == ("需要协调供热公司更换主管道", ASKED)
    row = fresh(case)
    assert (row.status, row.reply_due, row.extensions_granted, row.version) == (Status.HANDLING, DUE, 0, 4)
    event = last_event(case)
    assert (event.action, event.from_status, event.to_status, event.actor, event.actor_unit) == (
        "request_extension", "handling", "handling", city.handler, city.housing,
    )
    assert (event.note, event.data) == ("需要协调供热公司更换主管道", {"working_days": 3, "request": request.pk})
    assert pending_extension(case=row) == request


def test_approval_moves_the_deadline_by_working_days_over_the_national_day_holiday(city: Any, case: Case) -> None:
    request = _ask(city, case)
    Case.objects.filter(pk=case.pk).update(supervision=Supervision.SUPERVISED)
    s.extension_approve(request=request, actor=city.supervisor, note="同意", at=DECIDED)
    row = fresh(case)
    # Three working days after 30 September: 1–7 October are the holiday, so 8, 9 and 10 October.
    assert row.reply_due == sh(2024, 10, 10, 17, 30)
    assert (row.status, row.extensions_granted, row.supervision) == (Status.HANDLING, 1, Supervision.NONE)
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decided_at, request.decision_note) == ("approved", city.supervisor, DECIDED, "同意")
    event = last_event(case)
    assert (event.action, event.from_status, event.to_status, event.actor) == ("approve_extension", "handling", "handling", city.supervisor)
    assert datetime.fromisoformat(event.data["reply_due_before"]) == DUE
    assert datetime.fromisoformat(event.data["reply_due"]) == sh(2024, 10, 10, 17, 30)
    assert (event.data["request"], event.data["working_days"]) == (request.pk, 3)


def test_an_extension_can_end_on_a_make_up_saturday(city: Any) -> None:
    case = case_in(city, Status.HANDLING, at=sh(2024, 9, 23, 9, 0))
    assert fresh(case).reply_due == sh(2024, 10, 8, 17, 30)
    request = _ask(city, case, 4, at=sh(2024, 9, 30, 9, 0))
    s.extension_approve(request=request, actor=city.supervisor, at=sh(2024, 9, 30, 10, 0))
    # 9, 10, 11 October, then Saturday 12 October, a 调休 working day.
    assert fresh(case).reply_due == sh(2024, 10, 12, 17, 30)


def test_a_late_approval_counts_from_the_approval(city: Any, case: Case) -> None:
    request = _ask(city, case, at=sh(2024, 9, 30, 10, 0))
    s.extension_approve(request=request, actor=city.supervisor, at=sh(2024, 10, 8, 10, 0))
    # The deadline had passed while the request waited; the unit still gets its three working days: 9, 10, 11 October.
    assert fresh(case).reply_due == sh(2024, 10, 11, 17, 30)


def test_rejection_keeps_the_deadline(city: Any, case: Case) -> None:
    request = _ask(city, case)
    s.extension_reject(request=request, actor=city.supervisor, note=" 理由不充分 ", at=DECIDED)
    row = fresh(case)
    assert (row.reply_due, row.extensions_granted, row.version) == (DUE, 0, 5)
    request.refresh_from_db()
    assert (request.state, request.decided_by, request.decision_note) == ("rejected", city.supervisor, "理由不充分")
    event = last_event(case)
    assert (event.action, event.note, event.data) == ("reject_extension", "理由不充分", {"request": request.pk, "working_days": 3})


def test_rejection_needs_a_reason(city: Any, case: Case) -> None:
    request = _ask(city, case)
    before = _state(case)
    with pytest.raises(ValidationFailed) as exc:
        s.extension_reject(request=request, actor=city.supervisor, note="  ", at=DECIDED)
    assert set(exc.value.fields) == {"note"}
    assert _state(case) == before


def test_a_second_request_while_one_is_pending_is_refused(city: Any, case: Case) -> None:
    _ask(city, case)
    before = _state(case)
    with pytest.raises(InvalidTransition):
        _ask(city, case, 5, actor=city.unit_head)
    assert _state(case) == before
    assert before[-1] == ["pending"]


def test_only_one_extension_is_granted(city: Any, case: Case) -> None:
    s.extension_approve(request=_ask(city, case), actor=city.supervisor, at=DECIDED)
    before = _state(case)
    with pytest.raises(InvalidTransition):
        _ask(city, case, 2, at=sh(2024, 10, 8, 9, 0))
    assert _state(case) == before


def test_after_a_rejection_the_unit_may_ask_again(city: Any, case: Case) -> None:
    # "At most once" counts granted extensions (SlaPolicy.extensions_allowed), not refused requests.
    s.extension_reject(request=_ask(city, case), actor=city.supervisor, note="先说明原因", at=DECIDED)
    second = _ask(city, case, 2, at=sh(2024, 9, 27, 14, 0))
    assert second.state == "pending"


def test_a_city_may_allow_two_extensions(city: Any, case: Case) -> None:
    SlaPolicy.objects.all().delete()
    SlaPolicy.objects.create(extensions_allowed=2)
    s.extension_approve(request=_ask(city, case, 1), actor=city.supervisor, at=DECIDED)
    assert fresh(case).reply_due == sh(2024, 10, 8, 17, 30)
    s.extension_approve(request=_ask(city, case, 1, at=sh(2024, 10, 8, 9, 0)), actor=city.supervisor, at=sh(2024, 10, 8, 10, 0))
    assert (fresh(case).reply_due, fresh(case).extensions_granted) == (sh(2024, 10, 9, 17, 30), 2)


@pytest.mark.parametrize("at", [DUE, sh(2024, 9, 30, 17, 31), sh(2024, 10, 8, 9, 0)], ids=["at-deadline", "a-minute-late", "days-late"])
def test_an_extension_must_be_asked_before_the_deadline(city: Any, case: Case, at: datetime) -> None:
    before = _state(case)
    with pytest.raises(InvalidTransition):
        _ask(city, case, at=at)
    assert _state(case) == before


def test_a_minute_before_the_deadline_is_in_time(city: Any, case: Case) -> None:
    assert _ask(city, case, at=sh(2024, 9, 30, 17, 29)).state == "pending"


@pytest.mark.parametrize("days", [0, -1, 11, 100, "3", 2.5, None])
def test_one_to_ten_working_days(city: Any, case: Case, days: Any) -> None:
    before = _state(case)
    with pytest.raises(ValidationFailed) as exc:
        _ask(city, case, days)
    assert set(exc.value.fields) == {"working_days"}
    assert _state(case) == before


@pytest.mark.parametrize("days", [1, 10])
def test_the_bounds_are_allowed(city: Any, case: Case, days: int) -> None:
    assert _ask(city, case, days).working_days == days


def test_the_longest_extension_is_the_citys_policy(city: Any, case: Case) -> None:
    SlaPolicy.objects.all().delete()
    SlaPolicy.objects.create(extension_max_working_days=5)
    with pytest.raises(ValidationFailed) as exc:
        _ask(city, case, 6)
    assert "5" in str(exc.value.fields["working_days"])
    assert _ask(city, case, 5).working_days == 5


def test_a_request_needs_a_reason(city: Any, case: Case) -> None:
    with pytest.raises(ValidationFailed) as exc:
        s.case_request_extension(case=case, actor=city.handler, working_days=3, reason=" ", at=ASKED)
    assert set(exc.value.fields) == {"reason"}
    assert ExtensionRequest.objects.count() == 0


@pytest.mark.parametrize("who", ["env_handler", "operator", "dispatcher", "supervisor", "leader"])
def test_only_the_lead_unit_asks(city: Any, case: Case, who: str) -> None:
    before = _state(case)
    actor = getattr(city, who)
    with pytest.raises(refused_with(actor, case)):
        _ask(city, case, actor=actor)
    assert _state(case) == before


@pytest.mark.parametrize("who", ["handler", "unit_head", "operator", "dispatcher", "leader"])
@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_only_a_supervisor_decides(city: Any, case: Case, who: str, approve: bool) -> None:
    request = _ask(city, case)
    before = _state(case)
    with pytest.raises(PermissionDenied):
        if approve:
            s.extension_approve(request=request, actor=getattr(city, who), at=DECIDED)
        else:
            s.extension_reject(request=request, actor=getattr(city, who), note="不同意", at=DECIDED)
    assert _state(case) == before


def test_a_request_is_decided_once(city: Any, case: Case) -> None:
    request = _ask(city, case)
    s.extension_approve(request=request, actor=city.supervisor, at=DECIDED)
    before = _state(case)
    with pytest.raises(InvalidTransition):
        s.extension_reject(request=request, actor=city.admin, note="改为不同意", at=DECIDED)
    with pytest.raises(InvalidTransition):
        s.extension_approve(request=request, actor=city.admin, at=DECIDED)
    assert _state(case) == before


def test_a_suspended_case_may_ask_and_the_pause_still_counts(city: Any, case: Case) -> None:
    suspend(city, case, reason="等待业主开门", at=sh(2024, 9, 27, 9, 0))
    request = _ask(city, case, 2)
    s.extension_approve(request=request, actor=city.supervisor, at=DECIDED)
    assert fresh(case).reply_due == sh(2024, 10, 9, 17, 30)  # 30 Sep + 2 working days: 8, 9 October
    s.case_resume(case=case, actor=city.handler, at=sh(2024, 9, 29, 8, 30))  # the 调休 Sunday, at opening time
    # Paused from Friday 09:00 to Sunday 08:30: 8 h 30 min of working time, so 8 h 30 min later.
    assert fresh(case).reply_due == sh(2024, 10, 10, 17, 0)
    assert events(case)[-3:] == [
        ("request_extension", "suspended", "suspended"),
        ("approve_extension", "suspended", "suspended"),
        ("resume", "suspended", "handling"),
    ]


def test_supervisors_hear_of_a_request_and_the_unit_of_the_decision(city: Any, case: Case,
                                                                   django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = _ask(city, case)
    assert list(Notification.objects.filter(kind="extension").values_list("recipient__username", flat=True)) == ["supervisor"]
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        s.extension_approve(request=request, actor=city.supervisor, at=DECIDED)
    assert sorted(Notification.objects.filter(kind="extension").values_list("recipient__username", flat=True)) == [
        "handler", "unithead",
    ]


def test_a_refused_request_notifies_nobody(city: Any, case: Case, django_capture_on_commit_callbacks: Any) -> None:
    _ask(city, case)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidTransition):
        _ask(city, case)
    assert callbacks == []


def test_a_decision_after_the_reply_is_a_conflict(city: Any, case: Case) -> None:
    request = _ask(city, case)
    s.case_reply(case=case, actor=city.handler, reply="已处理完毕", at=DECIDED)
    with pytest.raises(InvalidTransition):
        s.extension_approve(request=request, actor=city.supervisor, at=DECIDED)
    assert fresh(case).reply_due == DUE


def test_a_reply_settles_the_pending_request(city: Any, case: Case) -> None:
    _ask(city, case)
    s.case_reply(case=case, actor=city.handler, reply="已处理完毕", at=DECIDED)
    assert list(supervision_board(user=city.supervisor, now=DECIDED)["extensions"]) == []
    assert ExtensionRequest.objects.get(case=case).state == ExtensionRequest.State.LAPSED


def test_after_a_reopen_the_unit_can_ask_again(city: Any, case: Case) -> None:
    _ask(city, case)
    s.case_reply(case=case, actor=city.handler, reply="已处理完毕", at=DECIDED)
    s.case_follow_up(case=fresh(case), actor=city.operator, contacted=True, resolution="unresolved",
                     satisfaction="unsatisfied", at=sh(2024, 9, 30, 10, 0))
    s.case_reopen(case=fresh(case), actor=city.operator, reason="群众反映问题依旧", at=sh(2024, 9, 30, 11, 0))
    again = _ask(city, fresh(case), at=sh(2024, 10, 8, 9, 0))
    assert again.state == ExtensionRequest.State.PENDING
    assert list(ExtensionRequest.objects.filter(case=case).order_by("pk").values_list("state", flat=True)) == [
        "lapsed", "pending"]
