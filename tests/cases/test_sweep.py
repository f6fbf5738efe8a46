"""The SLA sweep: 催办 at 80 % of the working time allowed, 督办 when overdue, 挂牌督办 five working days later.

Times are explicit. The main story is a complaint dispatched on 2025-09-30, the day before 国庆: 2025-10-01…08
are rest days and Saturday 2025-10-11 is a make-up working day, so the 7-working-day reply limit runs to
2025-10-16 17:30 and 80 % of it is reached on 2025-10-15, not (as the wall clock would have it) on 2025-10-13.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, Priority, Supervision
from jingzhi.cases.sweep import SweepResult, _sweep_one, sla_sweep
from jingzhi.cases.tasks import run_sla_sweep
from jingzhi.core.models import Notification
from jingzhi.org.services import responsibility_assign
from tests.cases.helpers import suspend
from tests.factories import CaseFactory

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


BEFORE_GUOQING = sh(2025, 9, 30, 8, 0)  # Tuesday, the last working day before the holiday
REPLY_DUE = sh(2025, 10, 16, 17, 30)  # 7 working days after 2025-09-30, holidays skipped, 10-11 counted


def handling(city: Any, at: datetime = BEFORE_GUOQING, **kw: Any) -> Case:
    """Received at `at`, dispatched to the housing bureau 30 min later, acknowledged 10 min after that."""
    case = CaseFactory(actor=city.operator, received_at=at, division_code="211223", **kw)
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=at + timedelta(minutes=30))
    return s.case_acknowledge(case=case, actor=city.handler, at=at + timedelta(minutes=40))


def escalations(case: Case | None = None) -> list[tuple[str, int]]:
    qs = CaseEvent.objects.filter(action__in=["remind", "supervise", "flag"])
    if case is not None:
        qs = qs.filter(case=case)
    return [(a, d["level"]) for a, d in qs.order_by("id").values_list("action", "data")]


def notified(case: Case, kind: str) -> list[str]:
    return sorted(Notification.objects.filter(subject_type="case", subject_ref=case.number, kind=kind).values_list("recipient__username", flat=True))


def counts(r: SweepResult) -> tuple[int, int, int]:
    return r.reminded, r.supervised, r.flagged


@pytest.fixture
def baobao(city: Any) -> None:
    responsibility_assign(actor=None, official=city.leader, division=city.city)


def test_guoqing_story_reminder_supervision_flag(city: Any, baobao: None, django_capture_on_commit_callbacks: Any) -> None:
    case = handling(city)
    assert case.reply_due == REPLY_DUE

    def sweep(now: datetime) -> SweepResult:
        with django_capture_on_commit_callbacks(execute=True):
            return sla_sweep(now=now)

    # 80 % of the wall-clock time has passed, but only 55 % of the working time: nothing yet.
    assert counts(sweep(sh(2025, 10, 13, 12, 0))) == (0, 0, 0)
    # 79 % of the 72 working hours (9 on 09-30, 9 on each of 7 working days) is 10-15 11:22:48.
    assert counts(sweep(sh(2025, 10, 15, 11, 22))) == (0, 0, 0)
    assert Case.objects.get(pk=case.pk).supervision == Supervision.NONE
    # 81 %: 10-15 12:49:12.
    assert counts(sweep(sh(2025, 10, 15, 12, 50))) == (1, 0, 0)
    assert escalations(case) == [("remind", 1)]
    assert notified(case, "reminder") == ["handler", "unithead"]
    # Overdue: 督办 to the unit's head and the 包保 leader of the division.
    assert counts(sweep(sh(2025, 10, 16, 17, 31))) == (0, 1, 0)
    assert notified(case, "supervision") == ["leader", "unithead"]
    event = CaseEvent.objects.get(case=case, action="supervise")
    assert event.actor is None and event.created_at == sh(2025, 10, 16, 17, 31)
    assert event.data == {"level": 2, "from_level": 1, "clock": "reply", "due": event.data["due"]}
    assert datetime.fromisoformat(event.data["due"]) == REPLY_DUE
    # Working days after 10-16: 17, 20, 21, 22, 23. Not yet five full ones at 10-23 17:00 ...
    assert counts(sweep(sh(2025, 10, 23, 17, 0))) == (0, 0, 0)
    # ... but by the next morning: 挂牌督办, also to the supervisors of the division.
    assert counts(sweep(sh(2025, 10, 24, 9, 0))) == (0, 0, 1)
    assert notified(case, "flagged") == ["leader", "supervisor", "unithead"]
    assert escalations(case) == [("remind", 1), ("supervise", 2), ("flag", 3)]
    assert Case.objects.get(pk=case.pk).supervision == Supervision.FLAGGED


def test_sweeping_twice_changes_nothing_the_second_time(city: Any, baobao: None, django_capture_on_commit_callbacks: Any) -> None:
    at_risk, overdue, long_overdue = handling(city), handling(city, sh(2025, 9, 26, 9, 0)), handling(city, sh(2025, 9, 1, 9, 0))
    now = sh(2025, 10, 15, 14, 0)
    with django_capture_on_commit_callbacks(execute=True):
        first = sla_sweep(now=now)
    assert counts(first) == (1, 1, 1)
    state = (escalations(), Notification.objects.count(), list(Case.objects.order_by("pk").values_list("supervision", "version")))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = sla_sweep(now=now)
    assert counts(second) == (0, 0, 0) and second.escalated == 0
    assert callbacks == []
    assert (escalations(), Notification.objects.count(),
            list(Case.objects.order_by("pk").values_list("supervision", "version"))) == state
    assert [Case.objects.get(pk=c.pk).supervision for c in (at_risk, overdue, long_overdue)] == [1, 2, 3]


def test_a_late_first_sweep_goes_straight_to_the_level_due(city: Any, baobao: None, django_capture_on_commit_callbacks: Any) -> None:
    """After downtime the sweep does not replay 催办 and 督办: one event at the level the case has reached."""
    case = handling(city)
    with django_capture_on_commit_callbacks(execute=True):
        assert counts(sla_sweep(now=sh(2025, 11, 3, 9, 0))) == (0, 0, 1)
    assert escalations(case) == [("flag", 3)]
    assert notified(case, "reminder") == [] and notified(case, "flagged") == ["leader", "supervisor", "unithead"]


def test_a_suspended_case_is_not_escalated(city: Any) -> None:
    case = handling(city)
    suspend(city, case, reason="等待群众提供房产证复印件", at=sh(2025, 10, 9, 9, 0))
    result = sla_sweep(now=sh(2025, 12, 1, 9, 0))
    assert result.examined == 0 and result.escalated == 0
    assert escalations(case) == [] and Case.objects.get(pk=case.pk).supervision == Supervision.NONE


def test_a_closed_case_is_not_touched(city: Any) -> None:
    case = handling(city)
    case = s.case_reply(case=case, actor=city.handler, reply="已联系供热公司检修，温度恢复。", at=sh(2025, 10, 9, 9, 0))
    case = s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved", satisfaction="satisfied",
                            at=sh(2025, 10, 9, 10, 0))
    case = s.case_close(case=case, actor=city.operator, at=sh(2025, 10, 9, 11, 0))
    before = Case.objects.filter(pk=case.pk).values().get()
    result = sla_sweep(now=sh(2026, 6, 1, 9, 0))
    assert result.examined == 0
    assert Case.objects.filter(pk=case.pk).values().get() == before
    assert escalations(case) == []


def test_emergency_hours_count_around_the_clock(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    """An emergency during the holiday: 2 hours to reply, wall clock, holiday or not."""
    case = handling(city, sh(2025, 10, 4, 19, 50), priority=Priority.EMERGENCY)  # dispatched 20:20, due 22:20
    assert case.reply_due == sh(2025, 10, 4, 22, 20)
    assert counts(sla_sweep(now=sh(2025, 10, 4, 21, 54))) == (0, 0, 0)  # 78 %
    with django_capture_on_commit_callbacks(execute=True):
        assert counts(sla_sweep(now=sh(2025, 10, 4, 21, 58))) == (1, 0, 0)  # 82 %
    assert notified(case, "reminder") == ["handler", "unithead"]
    assert counts(sla_sweep(now=sh(2025, 10, 4, 22, 21))) == (0, 1, 0)
    # Five working days overdue counts working days even for an hour-based limit: 10-09 … 10-14 (10-11 included).
    assert counts(sla_sweep(now=sh(2025, 10, 14, 17, 0))) == (0, 0, 0)
    assert counts(sla_sweep(now=sh(2025, 10, 15, 9, 0))) == (0, 0, 1)


def test_an_unacknowledged_case_is_supervised_on_the_acknowledge_clock(city: Any, baobao: None) -> None:
    case = CaseFactory(actor=city.operator, received_at=sh(2025, 10, 9, 9, 0))
    case = s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=sh(2025, 10, 9, 9, 30))
    assert case.acknowledge_due == sh(2025, 10, 9, 11, 30)  # 2 working hours
    assert counts(sla_sweep(now=sh(2025, 10, 9, 11, 10))) == (1, 0, 0)  # 83 % of the acknowledge clock
    assert counts(sla_sweep(now=sh(2025, 10, 9, 11, 31))) == (0, 1, 0)
    assert CaseEvent.objects.get(case=case, action="supervise").data["clock"] == "acknowledge"


def test_an_undispatched_case_is_reminded_but_never_supervised(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The dispatch clock is the hotline centre's own: its dispatchers are reminded; 督办 needs a unit (transition table)."""
    case = CaseFactory(actor=city.operator, received_at=sh(2025, 9, 30, 9, 0))  # dispatch due 10-09 17:30
    with django_capture_on_commit_callbacks(execute=True):
        assert counts(sla_sweep(now=sh(2025, 10, 20, 9, 0))) == (1, 0, 0)
    assert notified(case, "reminder") == ["dispatcher"]
    assert counts(sla_sweep(now=sh(2025, 10, 30, 9, 0))) == (0, 0, 0)
    assert escalations(case) == [("remind", 1)]


def test_a_returned_case_is_escalated_on_the_dispatch_clock(city: Any) -> None:
    case = handling(city)
    case = s.case_return(case=case, actor=city.handler, reason="不属于本单位职责", at=sh(2025, 10, 9, 9, 0))
    assert case.dispatch_due == sh(2025, 10, 10, 17, 30)
    assert counts(sla_sweep(now=sh(2025, 10, 11, 9, 0))) == (0, 1, 0)
    assert CaseEvent.objects.get(case=case, action="supervise").data["clock"] == "dispatch"


def test_a_reopened_case_gets_its_share_of_the_new_reply_clock(city: Any) -> None:
    """Reopening restarts the reply clock; the 80 % is of the new clock, not counted from the first dispatch."""
    case = handling(city, sh(2025, 10, 9, 9, 0))
    case = s.case_reply(case=case, actor=city.handler, reply="已处理。", at=sh(2025, 10, 10, 9, 0))
    case = s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="unresolved",
                            satisfaction="unsatisfied", at=sh(2025, 10, 13, 9, 0))
    case = s.case_reopen(case=case, actor=city.operator, reason="问题仍未解决", at=sh(2025, 10, 13, 9, 30))
    assert case.reply_due == sh(2025, 10, 22, 17, 30)
    # 71.5 working hours from the follow-up; 53 of them by 10-20 17:00 is 74 % (counted from the first
    # dispatch it would be 81 %).
    assert counts(sla_sweep(now=sh(2025, 10, 20, 17, 0))) == (0, 0, 0)
    assert counts(sla_sweep(now=sh(2025, 10, 21, 13, 0))) == (1, 0, 0)


def test_cases_far_from_their_deadline_are_not_even_read(city: Any) -> None:
    handling(city, sh(2025, 10, 9, 9, 0))  # reply due 10-20; 80 % on 10-17
    result = sla_sweep(now=sh(2025, 10, 10, 9, 0))
    assert result.examined == 0


def test_batches_cover_every_candidate_in_a_fixed_number_of_queries(
    city: Any, django_assert_max_num_queries: Any
) -> None:
    # Emergencies received 40 minutes ago, due in 20: near enough to be candidates, not yet at 80 % of their hour.
    for _ in range(7):
        CaseFactory(actor=city.operator, received_at=sh(2025, 10, 20, 9, 0), priority=Priority.EMERGENCY)
    with django_assert_max_num_queries(10):  # policy, calendar days, rules, the candidate ids, 3 batches
        result = sla_sweep(now=sh(2025, 10, 20, 9, 40), batch_size=3)
    assert result.examined == 7 and result.escalated == 0


def test_a_case_at_the_highest_level_its_status_allows_is_no_candidate(city: Any) -> None:
    # Reminded, overdue, undispatched: capped at 催办 until it is dispatched, so the sweep stops reading it.
    cases = [CaseFactory(actor=city.operator, received_at=sh(2025, 9, 30, 9, 0)) for _ in range(3)]
    assert counts(sla_sweep(now=sh(2025, 10, 20, 9, 0))) == (3, 0, 0)
    assert all(Case.objects.get(pk=c.pk).supervision == Supervision.REMINDED for c in cases)
    assert sla_sweep(now=sh(2025, 10, 21, 9, 0)).examined == 0
    # Dispatched, its clocks may take it higher again: a candidate once more.
    s.case_dispatch(case=Case.objects.get(pk=cases[0].pk), unit=city.housing, actor=city.dispatcher,
                    at=sh(2025, 10, 21, 9, 0))
    assert sla_sweep(now=sh(2025, 11, 10, 9, 0)).examined == 1

def test_escalations_cost_a_fixed_number_of_queries_each(
    city: Any, baobao: None, django_capture_on_commit_callbacks: Any
) -> None:
    """Recipients are looked up once per unit and division in a sweep, not once per case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def sweep_queries(n: int, now: datetime) -> int:
        for _ in range(n):
            handling(city, now - timedelta(days=30))
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            assert sla_sweep(now=now).flagged == n
        return len(ctx.captured_queries)

    few, many = sweep_queries(2, sh(2025, 11, 3, 9, 0)), sweep_queries(8, sh(2025, 12, 3, 9, 0))
    per_case = (many - few) / 6
    assert per_case <= 6  # lock, save, version, event, and (here, run at once) the notification rows
    assert Notification.objects.filter(kind="flagged").count() == 10 * 3


def test_a_case_that_moved_on_since_it_was_read_is_skipped(city: Any) -> None:
    case = handling(city)
    stale = Case.objects.get(pk=case.pk)
    s.case_reply(case=case, actor=city.handler, reply="已处理完毕。", at=sh(2025, 10, 20, 9, 0))  # replied late
    from jingzhi.cases.sweep import load_policy

    result = SweepResult()
    _sweep_one(stale, now=sh(2025, 10, 20, 9, 5), policy=load_policy(), result=result)
    assert result.skipped == 1 and result.escalated == 0
    assert escalations(case) == []


def test_the_task_runs_the_sweep_and_returns_its_counts(city: Any) -> None:
    case = handling(city)
    result = run_sla_sweep.enqueue()
    assert set(result.return_value) == {"examined", "reminded", "supervised", "flagged", "skipped", "errors", "seconds"}
    assert result.return_value["flagged"] == 1  # it is long past 2025-10-16 by the real clock
    assert Case.objects.get(pk=case.pk).supervision == Supervision.FLAGGED


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_escalate_each_case_once(city: Any, baobao: None) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory (shared-cache) test database fails at once with 'table is locked' instead of waiting; CI runs this on PostgreSQL")
    cases = [handling(city, sh(2025, 9, 1, 9, 0)) for _ in range(3)]
    cases += [handling(city, sh(2025, 9, 26, 9, 0)) for _ in range(3)]
    cases += [handling(city) for _ in range(3)]
    now = sh(2025, 10, 15, 14, 0)
    barrier = threading.Barrier(2)
    results: list[SweepResult] = []
    failures: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(sla_sweep(now=now, batch_size=2))
        except BaseException as e:  # pragma: no cover - reported below
            failures.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures and len(results) == 2
    assert sum(r.escalated for r in results) == 9
    # The other sweep either found the case already at its level under the lock, or no longer a candidate.
    assert sum(r.skipped for r in results) <= 9
    assert sum(r.errors for r in results) == 0
    assert sorted(escalations()) == sorted([("flag", 3)] * 3 + [("supervise", 2)] * 3 + [("remind", 1)] * 3)
    for case in cases:
        assert CaseEvent.objects.filter(case=case, action__in=["remind", "supervise", "flag"]).count() == 1
    # One notification per recipient per escalation: reminder 2, supervision 2, flagged 3.
    assert Notification.objects.filter(kind="reminder").count() == 3 * 2
    assert Notification.objects.filter(kind="supervision").count() == 3 * 2
    assert Notification.objects.filter(kind="flagged").count() == 3 * 3
