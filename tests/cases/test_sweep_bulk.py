"""The set-based sweep writes exactly what the case-by-case sweep wrote: the same levels, events and notifications.

One mixed backlog (every running clock, kind and priority, three divisions with their 包保 leaders, suspended and
returned cases) is swept at a series of moments twice over, once by sweep_case_by_case (case_escalate per case,
notifications through the task queue) and once by sla_sweep (cases_escalate_bulk), each run rolled back to the
same starting point; everything both wrote is compared.
"""

from __future__ import annotations

import json
import random
import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, Kind, Priority, Supervision
from jingzhi.cases.services.supervision import Escalation, cases_escalate_bulk
from jingzhi.cases.sweep import SweepResult, sla_sweep, sweep_case_by_case
from jingzhi.core.models import Notification
from jingzhi.org.services import responsibility_assign
from tests.cases.helpers import suspend
from tests.factories import CaseFactory

SH = ZoneInfo("Asia/Shanghai")
MOMENTS = [datetime(2025, 10, d, h, 0, tzinfo=SH) for d, h in ((9, 11), (10, 16), (15, 14), (20, 9), (24, 9))] + [
    datetime(2025, 11, 10, 9, 0, tzinfo=SH)
]


def _backlog(city: Any) -> list[Case]:
    """Forty cases received between 09-22 and 10-10 (国庆 in between), left in every state a clock runs in."""
    responsibility_assign(actor=None, official=city.leader, division=city.city)
    responsibility_assign(actor=None, official=city.county_leader, division=city.county_b)
    rng = random.Random(20251009)
    units = [city.housing, city.env, city.county_gov]
    handlers = {city.housing.pk: city.handler, city.env.pk: city.env_handler, city.county_gov.pk: city.county_handler}
    cases = []
    for i in range(40):
        received = datetime(2025, 9, 22, 9, 0, tzinfo=SH) + timedelta(hours=rng.uniform(0, 18 * 24))
        priority = rng.choice([Priority.NORMAL] * 4 + [Priority.UTILITIES, Priority.EMERGENCY])
        case = CaseFactory(actor=city.operator, received_at=received, priority=priority,
                           kind=rng.choice([Kind.COMPLAINT, Kind.HELP, Kind.INQUIRY, Kind.SUGGESTION]),
                           division_code=rng.choice(["211200", "211223", "211282"]))
        fate = i % 8
        if fate == 0:  # left undispatched: the dispatch clock
            cases.append(case)
            continue
        unit = units[i % 3]
        at = received + timedelta(minutes=30)
        case = s.case_dispatch(case=case, unit=unit, actor=city.dispatcher, at=at)
        if fate == 1:  # dispatched, never acknowledged: the acknowledge and reply clocks
            cases.append(case)
            continue
        handler = handlers[unit.pk]
        case = s.case_acknowledge(case=case, actor=handler, at=at + timedelta(minutes=10))
        if fate == 2:
            case = s.case_return(case=case, actor=handler, reason="不属于本单位职责", at=at + timedelta(hours=2))
        elif fate == 3:
            case = s.case_reply(case=case, actor=handler, reply="已联系相关单位处理。", at=at + timedelta(hours=20))
        elif fate == 4:
            case = suspend(city, case, actor=handler, reason="等待群众补充材料", at=at + timedelta(hours=3))
        cases.append(case)
    return cases


def _written() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    events = sorted(
        (e.case_id, e.action, json.dumps(e.data, sort_keys=True), e.actor_id, e.actor_unit_id, e.from_status, e.to_status,
         e.note, e.created_at)
        for e in CaseEvent.objects.filter(action__in=["remind", "supervise", "flag"])
    )
    notes = sorted(Notification.objects.values_list("recipient_id", "kind", "subject_type", "subject_ref", "message"))
    levels = list(Case.objects.order_by("pk").values_list("pk", "supervision", "version", "status"))
    return events, notes, levels


def _run(sweep: Any, capture: Any) -> tuple[list[SweepResult], tuple[Any, ...]]:
    """Sweep at every moment, note what was written, and roll it all back."""
    with transaction.atomic():
        results = []
        for now in MOMENTS:
            with capture(execute=True):  # the case-by-case path delivers its notifications after commit
                results.append(sweep(now=now, batch_size=7))
        written = _written()
        transaction.set_rollback(True)
    return results, written


def test_the_set_based_sweep_writes_exactly_what_the_case_by_case_sweep_wrote(
    city: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _backlog(city)
    before = _written()
    assert before[0] == [] and before[1] == []
    old_results, old = _run(sweep_case_by_case, django_capture_on_commit_callbacks)
    assert _written() == before  # rolled back: the second run starts from the same backlog
    new_results, new = _run(sla_sweep, django_capture_on_commit_callbacks)

    old_events, old_notes, old_levels = old
    new_events, new_notes, new_levels = new
    # The backlog exercises every level and most clocks, or the comparison would prove little.
    assert {e[1] for e in old_events} == {"remind", "supervise", "flag"}
    assert {json.loads(e[2])["clock"] for e in old_events} >= {"dispatch", "acknowledge", "reply", "follow_up"}
    assert {n[1] for n in old_notes} == {"reminder", "supervision", "flagged"}
    assert new_events == old_events
    assert new_notes == old_notes
    assert new_levels == old_levels
    assert [(r.examined, r.reminded, r.supervised, r.flagged, r.skipped, r.errors) for r in new_results] == [
        (r.examined, r.reminded, r.supervised, r.flagged, r.skipped, r.errors) for r in old_results
    ]


def test_a_batch_leaves_alone_a_case_that_changed_or_already_has_the_level(city: Any) -> None:
    cases = _backlog(city)[:3]
    at = datetime(2025, 11, 10, 9, 0, tzinfo=SH)
    stale = Case.objects.get(pk=cases[0].pk)
    Case.objects.filter(pk=stale.pk).update(version=stale.version + 1)  # someone acted after the sweep read it
    high = Case.objects.get(pk=cases[1].pk)
    Case.objects.filter(pk=high.pk).update(supervision=Supervision.REMINDED)  # another sweep got there first
    fresh = Case.objects.get(pk=cases[2].pk)
    applied = cases_escalate_bulk(escalations=[
        Escalation(case=stale, level=Supervision.REMINDED, clock="dispatch"),
        Escalation(case=high, level=Supervision.REMINDED, clock="dispatch"),
        Escalation(case=fresh, level=Supervision.REMINDED, clock="dispatch"),
    ], at=at)
    assert [e.case.pk for e in applied] == [fresh.pk]
    assert list(CaseEvent.objects.filter(action="remind").values_list("case_id", flat=True)) == [fresh.pk]
    assert Case.objects.get(pk=stale.pk).supervision == Supervision.NONE


def test_a_batch_costs_a_fixed_number_of_queries(city: Any, django_assert_max_num_queries: Any) -> None:
    """Lock, one update per level, the events and the notifications per batch; recipients once per unit and
    division; nothing per case."""
    _backlog(city)
    with django_assert_max_num_queries(32):
        result = sla_sweep(now=MOMENTS[-1])
    assert result.escalated >= 30


@pytest.mark.django_db(transaction=True)
def test_the_overlapped_sweep_writes_exactly_what_the_in_line_sweep_wrote(city: Any) -> None:
    """On PostgreSQL outside a transaction the batches are written by a second connection while the next is read
    (sweep._apply_overlapped); inside a transaction they are written in line. Both write the same rows."""
    if connection.vendor != "postgresql":
        pytest.skip("the overlapped path runs on PostgreSQL only (SQLite writes in line)")
    from jingzhi.cases import sweep as sweep_module

    _backlog(city)
    with transaction.atomic():
        assert not sweep_module._can_overlap()
        in_line = [sla_sweep(now=now, batch_size=4) for now in MOMENTS]
        reference = _written()
        transaction.set_rollback(True)
    assert sweep_module._can_overlap()
    writers: list[str] = []
    real_apply = sweep_module._apply

    def spy(due: Any, **kwargs: Any) -> None:
        writers.append(threading.current_thread().name)
        real_apply(due, **kwargs)

    sweep_module._apply = spy  # type: ignore[assignment]
    try:
        overlapped = [sla_sweep(now=now, batch_size=4) for now in MOMENTS]
    finally:
        sweep_module._apply = real_apply  # type: ignore[assignment]
    assert writers and set(writers) == {"sla-sweep-writer"}
    assert _written() == reference
    assert [r.as_dict() | {"seconds": 0} for r in overlapped] == [r.as_dict() | {"seconds": 0} for r in in_line]


@pytest.mark.django_db(transaction=True)
def test_a_failing_writer_stops_the_overlapped_sweep_with_its_error(city: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the overlapped path runs on PostgreSQL only")
    from jingzhi.cases import sweep as sweep_module

    _backlog(city)

    def broken(due: Any, **kwargs: Any) -> None:
        raise RuntimeError("the writer's connection went away")

    real_apply = sweep_module._apply
    sweep_module._apply = broken  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError, match="went away"):
            sla_sweep(now=MOMENTS[-1], batch_size=2)  # many batches: the reader must not block on the full queue
    finally:
        sweep_module._apply = real_apply  # type: ignore[assignment]
    assert Case.objects.exclude(supervision=Supervision.NONE).count() == 0
