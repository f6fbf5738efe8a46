"""Issue 11, the daily work around a case: next-deadline order, category at dispatch, assign, manual 督办,
批示, the reply's outcome, follow-up-and-close, bulk actions. Real services on a real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases import selectors
from jingzhi.cases import services as s
from jingzhi.cases.actions import BY_ACTION, perform, perform_bulk
from jingzhi.cases.models import Case, CaseEvent, Status, Supervision
from jingzhi.cases.sla import policy
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.taxonomy.models import Category
from tests import factories as f
from tests.cases.helpers import case_in

pytestmark = pytest.mark.django_db


def _set(case: Case, **fields: Any) -> Case:
    Case.objects.filter(pk=case.pk).update(**fields)
    return Case.objects.get(pk=case.pk)


def test_the_unit_queue_puts_an_overdue_acknowledgement_before_a_later_reply(city: Any) -> None:
    now = timezone.now()
    handling = _set(case_in(city, Status.HANDLING), reply_due=now + timedelta(days=1))
    # Dispatched long ago and never acknowledged: its reply deadline is later, its acknowledgement overdue.
    waiting = _set(case_in(city, Status.DISPATCHED), acknowledge_due=now - timedelta(days=6), reply_due=now + timedelta(days=5))
    queue = list(selectors.unit_queue(user=city.handler))
    assert [c.pk for c in queue[:2]] == [waiting.pk, handling.pk]
    assert queue[0].next_due == waiting.acknowledge_due


def test_the_overdue_tab_lists_the_longest_overdue_first(city: Any) -> None:
    now = timezone.now()
    a = _set(case_in(city, Status.HANDLING), reply_due=now - timedelta(days=1))
    b = _set(case_in(city, Status.DISPATCHED), acknowledge_due=now - timedelta(days=7), reply_due=now + timedelta(days=3))
    c = _set(case_in(city, Status.HANDLING), reply_due=now - timedelta(days=3))
    overdue = list(selectors.supervision_board(user=city.supervisor)["overdue"])
    assert [x.pk for x in overdue] == [b.pk, c.pk, a.pk]


def test_dispatch_through_the_table_records_the_category(city: Any) -> None:
    heating = Category.objects.create(name="冬季采暖", level=1)
    case = case_in(city, Status.ACCEPTED)
    perform(BY_ACTION["dispatch"], case=case, actor=city.dispatcher, expected_version=None,
            values={"unit": city.housing, "assisting": [], "note": "", "category": heating})
    case.refresh_from_db()
    assert case.category == heating and case.status == Status.DISPATCHED
    assert CaseEvent.objects.get(case=case, action="dispatch").data["category_name"] == "冬季采暖"


def test_the_unit_head_assigns_a_handler_who_is_told(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with django_capture_on_commit_callbacks(execute=True):
        s.case_assign(case=case, actor=city.unit_head, assignee=city.handler, note="请今天上门")
    case.refresh_from_db()
    assert case.assignee == city.handler
    assert CaseEvent.objects.get(case=case, action="assign").data["assignee"] == city.handler.username
    assert Notification.objects.filter(recipient=city.handler, subject_ref=case.number, kind="assigned").exists()


def test_assigning_is_for_the_lead_units_head_and_its_own_staff(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(PermissionDenied):
        s.case_assign(case=case, actor=city.handler, assignee=city.handler)
    with pytest.raises(ValidationFailed) as e:
        s.case_assign(case=case, actor=city.unit_head, assignee=city.env_handler)  # another unit's handler
    assert "assignee" in e.value.fields
    other_head = f.user("unit_head", city.env)
    with pytest.raises(NotFound):
        s.case_assign(case=case, actor=other_head, assignee=city.env_handler)
    assert Case.objects.get(pk=case.pk).assignee is None


def test_a_manual_supervision_records_instruction_and_deadline(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.HANDLING)
    due = timezone.localdate() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        s.case_supervise(case=case, actor=city.supervisor, instruction="两日内上门核实并答复", deadline=due)
    case.refresh_from_db()
    assert case.supervision == Supervision.SUPERVISED and case.supervision_due == due
    event = CaseEvent.objects.get(case=case, action="supervise")
    assert event.note == "两日内上门核实并答复" and event.data["manual"] and event.data["deadline"] == due.isoformat()
    assert Notification.objects.filter(recipient=city.handler, subject_ref=case.number, kind="supervision").exists()
    # A second instruction is news too (the sweep's escalation would write nothing at the same level).
    s.case_supervise(case=case, actor=city.supervisor, instruction="请加快", deadline=due)
    assert CaseEvent.objects.filter(case=case, action="supervise").count() == 2


def test_a_manual_supervision_needs_an_instruction_a_sensible_date_and_a_supervisor(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as e:
        s.case_supervise(case=case, actor=city.supervisor, instruction="  ", deadline=today)
    assert "instruction" in e.value.fields
    with pytest.raises(ValidationFailed) as e:
        s.case_supervise(case=case, actor=city.supervisor, instruction="请办理", deadline=today - timedelta(days=1))
    assert "deadline" in e.value.fields
    with pytest.raises(PermissionDenied):
        s.case_supervise(case=case, actor=city.handler, instruction="请办理", deadline=today)
    county_supervisor = f.user("supervisor", city.hotline, city.county_b)
    with pytest.raises(NotFound):
        s.case_supervise(case=case, actor=county_supervisor, instruction="请办理", deadline=today)
    assert not CaseEvent.objects.filter(case=case, action="supervise").exists()


def test_a_leaders_instruction_is_recorded_told_and_in_scope_only(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with django_capture_on_commit_callbacks(execute=True):
        s.case_instruct(case=case, actor=city.leader, instruction="请住建局主要负责同志亲自督办")
    event = CaseEvent.objects.get(case=case, action="instruct")
    assert event.actor == city.leader and event.note == "请住建局主要负责同志亲自督办"
    assert Notification.objects.filter(recipient=city.unit_head, subject_ref=case.number).exists()
    with pytest.raises(NotFound):  # a county's leader does not see a case of the city proper
        s.case_instruct(case=case, actor=city.county_leader, instruction="阅")
    with pytest.raises(PermissionDenied):
        s.case_instruct(case=case, actor=city.supervisor, instruction="阅")
    with pytest.raises(ValidationFailed):
        s.case_instruct(case=case, actor=city.leader, instruction="")


def test_the_reply_keeps_its_outcome_and_refuses_an_unknown_one(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(ValidationFailed) as e:
        s.case_reply(case=case, actor=city.handler, reply="已核实", outcome="maybe")
    assert "outcome" in e.value.fields
    s.case_reply(case=case, actor=city.handler, reply="经核实，反映情况不属实。", outcome="unfounded")
    case.refresh_from_db()
    assert case.outcome == "unfounded" and case.status == Status.REPLIED


def test_follow_up_and_close_in_one_step_when_the_rule_allows(city: Any) -> None:
    case = case_in(city, Status.REPLIED)
    s.case_follow_up_and_close(case=case, actor=city.operator, resolution="resolved", satisfaction="satisfied", note="满意")
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.satisfaction == "satisfied"
    assert list(case.events.values_list("action", flat=True))[-2:] == ["follow_up", "close"]


def test_follow_up_and_close_is_refused_when_unsatisfied_or_the_rule_is_off(city: Any) -> None:
    case = case_in(city, Status.REPLIED)
    with pytest.raises(ValidationFailed) as e:
        s.case_follow_up_and_close(case=case, actor=city.operator, resolution="resolved", satisfaction="unsatisfied")
    assert "satisfaction" in e.value.fields
    with pytest.raises(PermissionDenied):
        s.case_follow_up_and_close(case=case, actor=city.handler, resolution="resolved", satisfaction="satisfied")
    row = policy()
    row.close_with_follow_up = False
    row.save()
    with pytest.raises(InvalidTransition):
        s.case_follow_up_and_close(case=case, actor=city.operator, resolution="resolved", satisfaction="satisfied")
    assert "follow_up_close" not in selectors.allowed_actions(case=case, user=city.operator)
    assert Case.objects.get(pk=case.pk).status == Status.REPLIED


def test_bulk_acknowledge_does_what_it_may_and_says_why_not_for_the_rest(city: Any) -> None:
    mine = [case_in(city, Status.DISPATCHED) for _ in range(2)]
    theirs = case_in(city, Status.DISPATCHED, unit=city.env)
    outcome = perform_bulk(BY_ACTION["acknowledge"], numbers=[c.number for c in [*mine, theirs]] + ["nonsense"],
                           actor=city.handler, values={})
    assert outcome.done == [c.number for c in mine]
    assert [n for n, _reason in outcome.failed] == [theirs.number, "nonsense"]
    assert all(Case.objects.get(pk=c.pk).status == Status.HANDLING for c in mine)
    assert Case.objects.get(pk=theirs.pk).status == Status.DISPATCHED


def test_bulk_refuses_actions_outside_its_list_and_empty_selections(city: Any) -> None:
    with pytest.raises(InvalidTransition):
        perform_bulk(BY_ACTION["close"], numbers=["x"], actor=city.operator, values={})
    with pytest.raises(ValidationFailed):
        perform_bulk(BY_ACTION["acknowledge"], numbers=[" "], actor=city.handler, values={})


def test_the_city_rule_is_an_audited_policy_setting(city: Any) -> None:
    from jingzhi.cases.services.policy import sla_policy_set
    from jingzhi.core.models import AuditLog

    row = policy()
    sla_policy_set(actor=city.admin, workday_start=row.workday_start, workday_end=row.workday_end, warn_ratio=row.warn_ratio,
                   flag_after_working_days=row.flag_after_working_days,
                   extension_max_working_days=row.extension_max_working_days, extensions_allowed=row.extensions_allowed,
                   close_with_follow_up=False)
    assert policy().close_with_follow_up is False
    entry = AuditLog.objects.filter(action="sla_policy_update").latest("pk")
    assert "close_with_follow_up" in str(entry.detail)
    with pytest.raises(PermissionDenied):
        sla_policy_set(actor=city.supervisor, workday_start=row.workday_start, workday_end=row.workday_end,
                       warn_ratio=row.warn_ratio, flag_after_working_days=row.flag_after_working_days,
                       extension_max_working_days=row.extension_max_working_days,
                       extensions_allowed=row.extensions_allowed, close_with_follow_up=True)
