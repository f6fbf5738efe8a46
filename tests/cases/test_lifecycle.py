"""The lifecycle services: every transition allowed, forbidden, by the wrong role and the wrong unit; what each writes.

The matrix tests drive every service from every status against the transition table, so a service that forgets
to consult the table, or a table entry that drifts from the lifecycle of docs/domain.md §3, fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, Status
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.org.models import Role
from tests import factories as f
from tests.cases.helpers import (
    MINUTE,
    MONDAY,
    case_in,
    events,
    fresh,
    last_event,
    make_case,
    refused_with,
    sh,
    suspend,
)

pytestmark = pytest.mark.django_db

ALL_STATUSES = list(Status.values)
# After every step case_in() takes (the last is at +55 min).
LATER = MONDAY + timedelta(hours=2)

Performer = Callable[[Any, Case, Any, datetime], Any]


def _merge(city: Any, case: Case, actor: Any, at: datetime) -> Any:
    return s.case_merge(case=case, into=make_case(city, at=MONDAY), actor=actor, note="重复件", at=at)


# action -> (attribute of the City fixture that may perform it on a housing case, the call)
PERFORMERS: dict[Action, tuple[str, Performer]] = {
    Action.ANSWER_DIRECTLY: ("operator", lambda c, case, a, at: s.case_answer_directly(case=case, actor=a, reply="已电话解答", at=at)),
    Action.DISPATCH: ("dispatcher", lambda c, case, a, at: s.case_dispatch(case=case, unit=c.housing, actor=a, at=at)),
    Action.ACKNOWLEDGE: ("handler", lambda c, case, a, at: s.case_acknowledge(case=case, actor=a, at=at)),
    Action.RETURN: ("handler", lambda c, case, a, at: s.case_return(case=case, actor=a, reason="非本单位职责", at=at)),
    Action.REDISPATCH: ("dispatcher", lambda c, case, a, at: s.case_redispatch(case=case, unit=c.env, actor=a, at=at)),
    Action.OVERRULE_RETURN: ("dispatcher", lambda c, case, a, at: s.case_overrule_return(case=case, actor=a, reason="属于住建职责", at=at)),
    Action.TRANSFER: ("dispatcher", lambda c, case, a, at: s.case_transfer(case=case, unit=c.env, actor=a, reason="涉及环保", at=at)),
    Action.NOTE: ("handler", lambda c, case, a, at: s.case_add_note(case=case, actor=a, note="已现场查看")),
    Action.REQUEST_SUSPENSION: ("handler", lambda c, case, a, at: s.case_request_suspension(
        case=case, actor=a, reason="等待群众补充材料", resume_by=at.date() + timedelta(days=7), at=at)),
    Action.RESUME: ("handler", lambda c, case, a, at: s.case_resume(case=case, actor=a, at=at)),
    Action.REQUEST_EXTENSION: (
        "handler", lambda c, case, a, at: s.case_request_extension(case=case, actor=a, working_days=3, reason="需协调供热公司", at=at)
    ),
    Action.REPLY: ("handler", lambda c, case, a, at: s.case_reply(case=case, actor=a, reply="已处理完毕", at=at)),
    Action.FOLLOW_UP: (
        "operator",
        lambda c, case, a, at: s.case_follow_up(case=case, actor=a, contacted=True, resolution="resolved", satisfaction="satisfied", at=at),
    ),
    Action.REOPEN: ("operator", lambda c, case, a, at: s.case_reopen(case=case, actor=a, reason="群众不满意", at=at)),
    Action.CLOSE: ("operator", lambda c, case, a, at: s.case_close(case=case, actor=a, at=at)),
    Action.MERGE: ("operator", _merge),
    Action.FOLLOW_UP_CLOSE: (
        "operator",
        lambda c, case, a, at: s.case_follow_up_and_close(case=case, actor=a, resolution="resolved", satisfaction="satisfied", at=at),
    ),
    Action.ASSIGN: ("unit_head", lambda c, case, a, at: s.case_assign(case=case, actor=a, assignee=c.handler)),
    Action.INSTRUCT: ("leader", lambda c, case, a, at: s.case_instruct(case=case, actor=a, instruction="请抓紧办理")),
}
# Not in the matrix: approve/reject need a pending request (tests/cases/test_extension.py, test_reply_review.py for
# suspensions and reviewed replies, which also need the unit's review policy); remind, supervise and flag belong to
# the SLA sweep.
ROLE_USERS = {
    Role.OPERATOR: "operator", Role.DISPATCHER: "dispatcher", Role.HANDLER: "handler", Role.UNIT_HEAD: "unit_head",
    Role.SUPERVISOR: "supervisor", Role.LEADER: "leader",
}


def _snapshot(case: Case) -> tuple[str, int, int]:
    row = fresh(case)
    return row.status, row.version, CaseEvent.objects.filter(case=case).count()


def test_every_transition_of_the_table_has_a_service_under_test() -> None:
    system_or_extension = {Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION, Action.REMIND, Action.SUPERVISE, Action.FLAG,
                           Action.APPROVE_SUSPENSION, Action.REJECT_SUSPENSION, Action.SUBMIT_REPLY, Action.APPROVE_REPLY,
                           Action.RETURN_REPLY}
    assert set(TRANSITIONS) - system_or_extension == set(PERFORMERS)


def test_the_table_follows_the_lifecycle_of_domain_md() -> None:
    """docs/domain.md §3, written out by hand: where each action may start and where it leads."""
    expected = {
        Action.ANSWER_DIRECTLY: ({"accepted"}, "closed"),
        Action.DISPATCH: ({"accepted"}, "dispatched"),
        Action.ACKNOWLEDGE: ({"dispatched"}, "handling"),
        Action.RETURN: ({"dispatched", "handling"}, "returned"),
        Action.REDISPATCH: ({"returned"}, "dispatched"),
        Action.OVERRULE_RETURN: ({"returned"}, "dispatched"),
        Action.TRANSFER: ({"dispatched", "handling"}, "dispatched"),
        Action.NOTE: ({"handling", "suspended"}, None),
        Action.REQUEST_SUSPENSION: ({"handling"}, None),
        Action.APPROVE_SUSPENSION: ({"handling"}, "suspended"),
        Action.REJECT_SUSPENSION: ({"handling"}, None),
        Action.RESUME: ({"suspended"}, "handling"),
        Action.REQUEST_EXTENSION: ({"handling", "suspended"}, None),
        Action.REPLY: ({"handling"}, "replied"),
        Action.FOLLOW_UP: ({"replied"}, "followed_up"),
        Action.REOPEN: ({"followed_up"}, "handling"),
        Action.CLOSE: ({"followed_up"}, "closed"),
        Action.MERGE: ({"accepted", "dispatched", "returned", "handling", "suspended", "replied", "followed_up"}, "merged"),
    }
    for action, (sources, target) in expected.items():
        t = TRANSITIONS[action]
        assert (set(t.sources), t.target) == (sources, target), action


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", list(PERFORMERS), ids=str)
def test_transition_from_every_status(city: Any, action: Action, status: str) -> None:
    """Allowed from a source status: the right target, one event, version + 1. Otherwise: InvalidTransition, nothing changes."""
    attr, perform = PERFORMERS[action]
    actor = getattr(city, attr)
    case = case_in(city, status)
    status_before, version_before, events_before = _snapshot(case)
    transition = TRANSITIONS[action]

    if status in transition.sources:
        perform(city, case, actor, LATER)
        after = fresh(case)
        expected_status = transition.target or status
        assert after.status == expected_status
        new_events = list(CaseEvent.objects.filter(case=case).order_by("id"))[events_before:]
        if action == Action.FOLLOW_UP_CLOSE:
            # 回访并办结 writes the two events the two steps would (the metrics count follow-ups and closes).
            assert [e.action for e in new_events] == ["follow_up", "close"] and after.version == version_before + 2
            return
        assert after.version == version_before + 1
        assert len(new_events) == 1
        event = new_events[0]
        assert (event.action, event.from_status, event.to_status) == (action.value, status, expected_status)
        assert event.actor == actor
        assert event.actor_unit == actor.unit
    else:
        # A case that has no lead unit yet is not the unit's to see: a handler learns nothing about it, not even
        # its status (NotFound, before the table is looked at).
        with pytest.raises(InvalidTransition if Case.objects.visible_to(actor).filter(pk=case.pk).exists() else NotFound):
            perform(city, case, actor, LATER)
        assert _snapshot(case) == (status_before, version_before, events_before)


def _first_source(action: Action) -> str:
    order = [Status.ACCEPTED, Status.DISPATCHED, Status.HANDLING, Status.RETURNED, Status.SUSPENDED, Status.REPLIED,
             Status.FOLLOWED_UP]
    return next(st for st in order if st in TRANSITIONS[action].sources)


WRONG_ROLE_CASES = [
    (action, role) for action in PERFORMERS for role in ROLE_USERS if role not in TRANSITIONS[action].roles
]


@pytest.mark.parametrize(("action", "role"), WRONG_ROLE_CASES, ids=[f"{a}-{r}" for a, r in WRONG_ROLE_CASES])
def test_wrong_role_is_refused_and_nothing_changes(city: Any, action: Action, role: str) -> None:
    _attr, perform = PERFORMERS[action]
    case = case_in(city, _first_source(action))
    before = _snapshot(case)
    actor = getattr(city, ROLE_USERS[role])
    with pytest.raises(refused_with(actor, case)):  # a unit that cannot see the case is told it does not exist
        perform(city, case, actor, LATER)
    assert _snapshot(case) == before


def test_wrong_role_matrix_is_not_empty() -> None:
    # Guards the parametrisation above: every action is refused to at least one role.
    assert {a for a, _r in WRONG_ROLE_CASES} == set(PERFORMERS)


UNIT_SCOPED = [a for a in PERFORMERS if TRANSITIONS[a].unit_scope != "any"]


@pytest.mark.parametrize("action", UNIT_SCOPED, ids=str)
def test_a_handler_of_another_unit_is_refused(city: Any, action: Action) -> None:
    _attr, perform = PERFORMERS[action]
    case = case_in(city, _first_source(action))
    before = _snapshot(case)
    with pytest.raises(NotFound):  # another unit's case does not exist for this handler
        perform(city, case, city.env_handler, LATER)
    assert _snapshot(case) == before


def test_unit_scoped_actions_are_those_a_unit_does() -> None:
    assert set(UNIT_SCOPED) == {Action.ACKNOWLEDGE, Action.RETURN, Action.NOTE, Action.REQUEST_SUSPENSION, Action.RESUME,
                                Action.REQUEST_EXTENSION, Action.REPLY, Action.ASSIGN}


@pytest.mark.parametrize("action", [Action.ACKNOWLEDGE, Action.RETURN, Action.REQUEST_SUSPENSION, Action.REPLY, Action.REQUEST_EXTENSION],
                         ids=str)
def test_an_assisting_unit_may_not_do_what_only_the_lead_unit_does(city: Any, action: Action) -> None:
    _attr, perform = PERFORMERS[action]
    case = case_in(city, _first_source(action), assisting=(city.env,))
    before = _snapshot(case)
    with pytest.raises(PermissionDenied):
        perform(city, case, city.env_handler, LATER)
    assert _snapshot(case) == before


def test_an_assisting_unit_may_write_a_handling_note(city: Any) -> None:
    case = case_in(city, Status.HANDLING, assisting=(city.env,))
    s.case_add_note(case=case, actor=city.env_handler, note="已配合现场检测空气质量")
    event = last_event(case)
    assert (event.action, event.from_status, event.to_status, event.note) == ("note", "handling", "handling", "已配合现场检测空气质量")
    assert event.actor_unit == city.env


def test_admin_may_act_for_any_unit(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    s.case_acknowledge(case=case, actor=city.admin, at=LATER)
    event = last_event(case)
    assert (event.action, event.actor, event.actor_unit) == ("acknowledge", city.admin, None)


def test_the_system_actor_none_is_not_a_loophole_for_users(city: Any) -> None:
    # actor=None is the SLA sweep; every service signature requires a User, so a page cannot pass None by accident.
    import inspect

    for name in s.__all__:
        fn = getattr(s, name)
        param = inspect.signature(fn).parameters.get("actor")
        assert param is not None and param.default is inspect.Parameter.empty, name


# ---- what each transition records --------------------------------------------------------------------------------------


def test_intake_then_full_happy_path_writes_one_event_per_step(city: Any) -> None:
    case = case_in(city, Status.CLOSED, satisfaction="satisfied", resolution="resolved")
    assert events(case) == [
        ("create", "", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("acknowledge", "dispatched", "handling"),
        ("reply", "handling", "replied"),
        ("follow_up", "replied", "followed_up"),
        ("close", "followed_up", "closed"),
    ]
    case = fresh(case)
    assert case.version == 6  # 1 at intake + 5 transitions
    actors = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("actor__username", "actor_unit__code"))
    assert actors == [
        ("operator", "SZX"), ("dispatcher", "SZX"), ("handler", "ZJJ"), ("handler", "ZJJ"), ("operator", "SZX"), ("operator", "SZX"),
    ]
    times = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("created_at", flat=True))
    assert times == [MONDAY + m * MINUTE for m in (0, 10, 20, 40, 50, 55)]
    assert case.closed_at == MONDAY + 55 * MINUTE


def test_dispatch_assigns_units_and_starts_the_clocks(city: Any) -> None:
    case = make_case(city, at=MONDAY)
    at = MONDAY + 10 * MINUTE
    s.case_dispatch(case=case, unit=city.housing, assisting=[city.env, city.housing], actor=city.dispatcher, note="请尽快", at=at)
    case = fresh(case)
    assert case.status == Status.DISPATCHED
    assert case.lead_unit == city.housing
    assert list(case.assisting_units.all()) == [city.env]  # the lead unit is never also assisting
    assert case.dispatched_at == at
    # 2 working hours from 09:10 on a Monday; 7 working days for a complaint: the 7th working day after, at 17:30.
    assert case.acknowledge_due == sh(2024, 11, 4, 11, 10)
    assert case.reply_due == sh(2024, 11, 13, 17, 30)
    event = last_event(case)
    assert event.note == "请尽快"
    assert event.data == {"unit": "ZJJ", "unit_name": "市住房和城乡建设局", "assisting": ["STHJ", "ZJJ"], "previous_unit": None}


def test_dispatch_to_an_inactive_unit_is_refused(city: Any) -> None:
    closed = f.unit("OLD", "已撤销单位", city.city, is_active=False)
    case = make_case(city)
    with pytest.raises(ValidationFailed) as exc:
        s.case_dispatch(case=case, unit=closed, actor=city.dispatcher, at=LATER)
    assert set(exc.value.fields) == {"unit"}
    row = fresh(case)
    assert (row.status, row.lead_unit, row.version) == (Status.ACCEPTED, None, 1)
    assert events(case) == [("create", "", "accepted")]


def test_acknowledge_records_the_time(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    s.case_acknowledge(case=case, actor=city.unit_head, at=LATER)
    row = fresh(case)
    assert (row.status, row.acknowledged_at) == (Status.HANDLING, LATER)


def test_return_counts_and_restarts_the_dispatch_clock(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    s.case_return(case=case, actor=city.handler, reason="  属于物业公司管理范围  ", at=LATER)
    row = fresh(case)
    assert (row.status, row.return_count, row.lead_unit) == (Status.RETURNED, 1, city.housing)
    assert row.dispatch_due == sh(2024, 11, 5, 17, 30)  # one working day
    event = last_event(case)
    assert (event.note, event.data) == ("属于物业公司管理范围", {"unit": "ZJJ"})


@pytest.mark.parametrize("reason", ["", "   ", "长" * 5001])
def test_return_needs_a_reason_of_sensible_length(city: Any, reason: str) -> None:
    case = case_in(city, Status.DISPATCHED)
    before = _snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        s.case_return(case=case, actor=city.handler, reason=reason, at=LATER)
    assert set(exc.value.fields) == {"reason"}
    assert _snapshot(case) == before


def test_redispatch_after_a_return_goes_to_the_new_unit_with_fresh_clocks(city: Any) -> None:
    case = case_in(city, Status.RETURNED, assisting=(city.county_gov,))
    at = sh(2024, 11, 5, 14, 0)
    s.case_redispatch(case=case, unit=city.env, actor=city.dispatcher, at=at)
    row = fresh(case)
    assert (row.status, row.lead_unit, row.return_count, row.dispatched_at) == (Status.DISPATCHED, city.env, 1, at)
    assert list(row.assisting_units.all()) == []
    assert row.acknowledge_due == sh(2024, 11, 5, 16, 0)
    assert row.reply_due == sh(2024, 11, 14, 17, 30)
    assert last_event(case).data["previous_unit"] == "ZJJ"


def test_overrule_return_sends_the_case_back_to_the_same_unit(city: Any) -> None:
    case = case_in(city, Status.RETURNED, assisting=(city.env,))
    at = sh(2024, 11, 5, 16, 30)
    s.case_overrule_return(case=case, actor=city.dispatcher, reason="小区供暖由住建局监管", at=at)
    row = fresh(case)
    assert (row.status, row.lead_unit) == (Status.DISPATCHED, city.housing)
    assert list(row.assisting_units.all()) == [city.env]
    # 2 working hours from 16:30: one hour today, one tomorrow morning from 08:30.
    assert row.acknowledge_due == sh(2024, 11, 6, 9, 30)
    assert last_event(case).note == "小区供暖由住建局监管"


def test_overrule_return_needs_a_reason(city: Any) -> None:
    case = case_in(city, Status.RETURNED)
    with pytest.raises(ValidationFailed) as exc:
        s.case_overrule_return(case=case, actor=city.dispatcher, reason=" ", at=LATER)
    assert set(exc.value.fields) == {"reason"}
    assert fresh(case).status == Status.RETURNED


def test_transfer_from_handling_resets_acknowledgement(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    s.case_transfer(case=case, unit=city.env, actor=city.dispatcher, reason="属于大气污染问题", at=LATER)
    row = fresh(case)
    assert (row.status, row.lead_unit, row.acknowledged_at) == (Status.DISPATCHED, city.env, None)
    assert events(case)[-1] == ("transfer", "handling", "dispatched")


def test_transfer_to_the_same_unit_is_refused(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    before = _snapshot(case)
    with pytest.raises(ValidationFailed) as exc:
        s.case_transfer(case=case, unit=city.housing, actor=city.dispatcher, reason="重新派单", at=LATER)
    assert set(exc.value.fields) == {"unit"}
    assert _snapshot(case) == before


def test_transfer_needs_a_reason(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    with pytest.raises(ValidationFailed) as exc:
        s.case_transfer(case=case, unit=city.env, actor=city.dispatcher, reason="", at=LATER)
    assert set(exc.value.fields) == {"reason"}


def test_note_must_have_text(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(ValidationFailed) as exc:
        s.case_add_note(case=case, actor=city.handler, note="\n ")
    assert set(exc.value.fields) == {"note"}
    assert fresh(case).version == 3


def test_reply_starts_the_follow_up_clock(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    s.case_reply(case=case, actor=city.handler, reply="  已修复管道  ", at=MONDAY + 40 * MINUTE)
    row = fresh(case)
    assert (row.status, row.reply, row.replied_at) == (Status.REPLIED, "已修复管道", MONDAY + 40 * MINUTE)
    assert row.follow_up_due == sh(2024, 11, 6, 17, 30)  # 2 working days
    assert last_event(case).data == {"on_time": True}


def test_a_late_reply_is_recorded_as_late(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    assert fresh(case).reply_due == sh(2024, 11, 13, 17, 30)
    s.case_reply(case=case, actor=city.handler, reply="已处理", at=sh(2024, 11, 13, 17, 31))
    assert last_event(case).data == {"on_time": False}


def test_reply_must_have_text(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(ValidationFailed) as exc:
        s.case_reply(case=case, actor=city.handler, reply="", at=LATER)
    assert set(exc.value.fields) == {"reply"}
    assert fresh(case).status == Status.HANDLING


# ---- suspend and resume: the reply clock stops and resumes with the time it had left -------------------------------------


def test_resume_moves_the_deadline_by_the_working_time_that_was_left(city: Any) -> None:
    case = case_in(city, Status.HANDLING)  # complaint dispatched Mon 09:10: due Wed 2024-11-13 17:30
    suspend(city, case, reason="等待提供材料", at=sh(2024, 11, 8, 9, 0))  # Friday
    row = fresh(case)
    assert (row.status, row.paused_at, row.reply_due) == (Status.SUSPENDED, sh(2024, 11, 8, 9, 0), sh(2024, 11, 13, 17, 30))
    s.case_resume(case=case, actor=city.handler, note="材料已收到", at=sh(2024, 11, 11, 9, 0))  # Monday
    row = fresh(case)
    # Friday 09:00–17:30 and Monday 08:30–09:00 were paused: exactly one working day.
    assert (row.status, row.paused_at, row.reply_due) == (Status.HANDLING, None, sh(2024, 11, 14, 17, 30))
    data = last_event(case).data
    assert datetime.fromisoformat(data["reply_due_before"]) == sh(2024, 11, 13, 17, 30)
    assert datetime.fromisoformat(data["reply_due"]) == sh(2024, 11, 14, 17, 30)


def test_a_pause_over_the_national_day_holiday_costs_only_the_working_time_paused(city: Any) -> None:
    case = case_in(city, Status.HANDLING, at=sh(2024, 9, 23, 9, 0))  # dispatched Mon 2024-09-23 09:10
    assert fresh(case).reply_due == sh(2024, 10, 8, 17, 30)  # 24,25,26,27,29 (调休 Sunday),30, Oct 8
    suspend(city, case, reason="等待现场勘验", at=sh(2024, 9, 30, 17, 0))
    s.case_resume(case=case, actor=city.handler, at=sh(2024, 10, 8, 8, 30))
    # Paused: half an hour on Sep 30; the holiday cost nothing. 9 h 30 min were left, so 9 h 30 min from Oct 8 08:30.
    assert fresh(case).reply_due == sh(2024, 10, 9, 9, 0)


def test_a_pause_outside_working_time_moves_nothing(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    suspend(city, case, reason="等待回电", at=sh(2024, 11, 8, 18, 0))  # Friday evening
    s.case_resume(case=case, actor=city.handler, at=sh(2024, 11, 11, 8, 0))  # Monday before opening
    assert fresh(case).reply_due == sh(2024, 11, 13, 17, 30)


def test_an_emergency_pauses_around_the_clock(city: Any) -> None:
    case = case_in(city, Status.HANDLING, priority="emergency")
    assert fresh(case).reply_due == MONDAY + 10 * MINUTE + timedelta(hours=2)
    suspend(city, case, reason="等待群众开门", at=MONDAY + 30 * MINUTE)
    s.case_resume(case=case, actor=city.handler, at=MONDAY + timedelta(hours=3, minutes=30))
    assert fresh(case).reply_due == MONDAY + 10 * MINUTE + timedelta(hours=5)


def test_suspend_needs_a_reason(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(ValidationFailed) as exc:
        s.case_request_suspension(case=case, actor=city.handler, reason="", resume_by=LATER.date(), at=LATER)
    assert set(exc.value.fields) == {"reason"}
    assert fresh(case).status == Status.HANDLING


# ---- answer directly and merge -----------------------------------------------------------------------------------------


def test_answer_directly_closes_an_inquiry_at_once(city: Any) -> None:
    case = make_case(city, kind="inquiry", title="公积金提取需要什么材料")
    s.case_answer_directly(case=case, actor=city.operator, reply="需携带身份证和购房合同到公积金中心办理。", at=MONDAY + 3 * MINUTE)
    row = fresh(case)
    assert (row.status, row.reply) == (Status.CLOSED, "需携带身份证和购房合同到公积金中心办理。")
    assert row.replied_at == row.closed_at == MONDAY + 3 * MINUTE
    assert row.lead_unit is None
    assert events(case) == [("create", "", "accepted"), ("answer_directly", "accepted", "closed")]


def test_answer_directly_needs_the_answer(city: Any) -> None:
    case = make_case(city, kind="inquiry")
    with pytest.raises(ValidationFailed) as exc:
        s.case_answer_directly(case=case, actor=city.operator, reply="  ", at=LATER)
    assert set(exc.value.fields) == {"reply"}
    assert fresh(case).status == Status.ACCEPTED


def test_merge_points_the_duplicate_at_its_original(city: Any) -> None:
    original = case_in(city, Status.HANDLING)
    duplicate = make_case(city, at=MONDAY + 30 * MINUTE)
    s.case_merge(case=duplicate, into=original, actor=city.dispatcher, note="同一楼栋", at=LATER)
    row = fresh(duplicate)
    assert (row.status, row.merged_into, row.closed_at) == (Status.MERGED, original, LATER)
    event = last_event(duplicate)
    assert (event.action, event.from_status, event.to_status, event.data) == ("merge", "accepted", "merged", {"into": original.number})
    assert fresh(original).status == Status.HANDLING  # the original is untouched
    assert list(fresh(original).duplicates.all()) == [row]


def test_a_case_cannot_be_merged_into_itself(city: Any) -> None:
    case = make_case(city)
    with pytest.raises(ValidationFailed) as exc:
        s.case_merge(case=case, into=case, actor=city.operator, at=LATER)
    assert set(exc.value.fields) == {"into"}
    assert _snapshot(case) == (Status.ACCEPTED, 1, 1)


def test_a_case_cannot_be_merged_into_a_merged_case(city: Any) -> None:
    merged = case_in(city, Status.MERGED)
    case = make_case(city)
    with pytest.raises(ValidationFailed) as exc:
        s.case_merge(case=case, into=merged, actor=city.operator, at=LATER)
    assert set(exc.value.fields) == {"into"}
    assert _snapshot(case) == (Status.ACCEPTED, 1, 1)


def test_merge_checks_the_target_as_it_is_now_not_as_the_caller_loaded_it(city: Any) -> None:
    a, b = make_case(city), make_case(city)
    stale_a = Case.objects.get(pk=a.pk)
    s.case_merge(case=a, into=b, actor=city.operator, at=LATER)
    # The page still shows A as open; merging B into it would make B → A → B.
    with pytest.raises(ValidationFailed) as exc:
        s.case_merge(case=b, into=stale_a, actor=city.operator, at=LATER)
    assert set(exc.value.fields) == {"into"}
    assert fresh(b).status == Status.ACCEPTED


def test_a_merged_case_cannot_be_merged_again(city: Any) -> None:
    merged = case_in(city, Status.MERGED)
    other = make_case(city)
    with pytest.raises(InvalidTransition):
        s.case_merge(case=merged, into=other, actor=city.operator, at=LATER)
    assert fresh(merged).merged_into != other


# ---- optimistic versions ----------------------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    shown = fresh(case).version
    s.case_transfer(case=case, unit=city.env, actor=city.dispatcher, reason="转环保", at=LATER)
    before = _snapshot(case)
    with pytest.raises(InvalidTransition):
        s.case_return(case=case, actor=city.env_handler, reason="不是我们的", expected_version=shown, at=LATER)
    assert _snapshot(case) == before


def test_the_current_version_is_accepted_and_bumped(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    shown = fresh(case).version
    result = s.case_acknowledge(case=case, actor=city.handler, expected_version=shown, at=LATER)
    assert result.version == fresh(case).version == shown + 1
    with pytest.raises(InvalidTransition):
        s.case_reply(case=case, actor=city.handler, reply="已处理", expected_version=shown, at=LATER)


def test_acting_on_an_old_object_still_reads_the_current_row(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    s.case_acknowledge(case=case, actor=city.handler, at=LATER)
    with pytest.raises(InvalidTransition):
        s.case_acknowledge(case=case, actor=city.unit_head, at=LATER)  # `case` still says "dispatched"
    assert [e[0] for e in events(case)].count("acknowledge") == 1


# ---- notifications leave after commit, and never on rollback ----------------------------------------------------------------


def _notified(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "subject_ref"))


def test_dispatch_notifies_the_unit_after_commit(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = make_case(city)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=LATER)
    assert len(callbacks) == 1
    assert Notification.objects.count() == 0  # not before the commit
    for callback in callbacks:
        callback()
    assert _notified("assigned") == [("handler", case.number), ("unithead", case.number)]
    assert case.number in Notification.objects.get(recipient=city.handler).message


def test_return_notifies_the_dispatchers(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    with django_capture_on_commit_callbacks(execute=True):
        s.case_return(case=case, actor=city.handler, reason="非本单位", at=LATER)
    assert _notified("returned") == [("dispatcher", case.number)]


def test_transfer_notifies_the_new_unit_only(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.HANDLING)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        s.case_transfer(case=case, unit=city.env, actor=city.dispatcher, reason="转环保", at=LATER)
    assert _notified("assigned") == [("h_env", case.number)]


def test_no_notification_when_the_transaction_rolls_back(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = make_case(city)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=LATER)
        raise RuntimeError("the caller fails after the service")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert _snapshot(case) == (Status.ACCEPTED, 1, 1)


def test_no_notification_when_the_service_refuses(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidTransition):
        s.case_dispatch(case=case, unit=city.env, actor=city.dispatcher, at=LATER)
    assert callbacks == []
    assert Notification.objects.filter(recipient=city.env_handler).count() == 0
