"""The roll-ups equal a direct computation from the case tables, stay right as new events arrive, and are idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, FollowUp
from jingzhi.core.scheduler import PERIODIC_JOBS
from jingzhi.metrics import engine, rollup
from jingzhi.metrics.engine import Scope
from jingzhi.metrics.models import DailyRollup
from jingzhi.metrics.periods import Period
from tests.cases.helpers import sh
from tests.metrics.conftest import PERIOD

pytestmark = pytest.mark.django_db


def direct(unit: Any, period: Period) -> Counter[str]:
    """The same counters straight from cases, events and follow-ups, with plain Python over every row."""
    start, _ = rollup.day_window(period.start)
    _, end = rollup.day_window(period.end)
    c: Counter[str] = Counter()
    for case in Case.objects.all():
        if start <= case.created_at < end and case.status != "merged" and case.lead_unit_id == unit.pk:
            c["received"] += 1
    for e in CaseEvent.objects.select_related("case"):
        if not (start <= e.created_at < end):
            continue
        attributed = (e.actor_unit_id or e.case.lead_unit_id) if e.action in ("acknowledge", "return") else e.case.lead_unit_id
        if attributed != unit.pk:
            continue
        name = {"acknowledge": "acknowledged", "reply": "replied", "return": "returned", "reopen": "reopened",
                "approve_extension": "extended"}.get(e.action)
        if name:
            c[name] += 1
    for f in FollowUp.objects.all():
        if start <= f.created_at < end and f.unit_id == unit.pk:
            c["followed_up"] += 1
            c["contacted"] += bool(f.contacted)
            c["satisfied"] += f.satisfaction == "satisfied"
            c["basically"] += f.satisfaction == "basically"
    return c


KEYS = ("received", "acknowledged", "replied", "returned", "reopened", "extended", "followed_up", "contacted", "satisfied", "basically")


def test_rollups_equal_direct_computation(data: Any) -> None:
    for unit in (data.city.housing, data.city.env, data.city.county_gov):
        counts = engine.summary(Scope(unit_ids=(unit.pk,)), PERIOD, with_durations=False).counts
        expected = direct(unit, PERIOD)
        assert {k: counts[k] for k in KEYS} == {k: expected[k] for k in KEYS}, unit.code


def test_rebuilding_a_day_is_idempotent(data: Any) -> None:
    day = PERIOD.end
    before = sorted(DailyRollup.objects.filter(day=day).values_list("division_id", "unit_id", "category_id", "received", "replied",
                                                                     "followed_up", "reply_seconds"))
    rollup.rollup_day(day)
    rollup.rollup_day(day)
    after = sorted(DailyRollup.objects.filter(day=day).values_list("division_id", "unit_id", "category_id", "received", "replied",
                                                                    "followed_up", "reply_seconds"))
    assert before == after and before


def test_refresh_picks_up_new_events_including_a_merge_of_an_old_case(data: Any) -> None:
    city = data.city
    housing = Scope(unit_ids=(city.housing.pk,))
    assert engine.summary(housing, PERIOD, with_durations=False).counts["received"] == 3
    # Case 3 (received 30 Sep) is closed on 9 Oct; a new case of 30 Sep… is merged on 9 Oct: 30 Sep must be rebuilt.
    late = s.case_close(case=data.cases[3], actor=city.operator, at=sh(2024, 10, 9, 9))
    assert late.status == "closed"
    extra = Case.objects.get(pk=data.cases[1].pk)
    s.case_close(case=extra, actor=city.operator, at=sh(2024, 10, 9, 9, 30))
    result = rollup.refresh()
    assert "2024-10-09" in result.days
    # A duplicate received on 30 Sep and merged on 9 Oct leaves 30 Sep's received count.
    from tests.factories import CaseFactory

    dup = CaseFactory(actor=city.operator, received_at=sh(2024, 9, 30, 16), division_code=city.county_a.code)
    dup = s.case_dispatch(case=dup, unit=city.housing, actor=city.dispatcher, at=sh(2024, 9, 30, 16, 10))
    rollup.refresh()
    assert engine.summary(housing, PERIOD, with_durations=False).counts["received"] == 4
    s.case_merge(case=dup, into=data.cases[2], actor=city.operator, at=sh(2024, 10, 9, 10))
    result = rollup.refresh()
    assert "2024-09-30" in result.days
    assert engine.summary(housing, PERIOD, with_durations=False).counts["received"] == 3
    # Nothing new: only today and yesterday (always rebuilt, for late commits) are.
    from django.utils import timezone

    today = timezone.localdate()
    assert rollup.refresh().days == [(today - timedelta(days=1)).isoformat(), today.isoformat()]


def test_the_worker_runs_the_rollup_periodically() -> None:
    job = next(j for j in PERIODIC_JOBS if j.name == "metrics_rollup")
    assert job.task_path == "jingzhi.metrics.tasks.refresh_rollups"
    assert job.every_seconds <= 600


def test_task_refreshes(data: Any) -> None:
    from jingzhi.metrics.tasks import refresh_rollups

    DailyRollup.objects.all().delete()
    from jingzhi.metrics.models import RollupState

    RollupState.objects.update(last_event_id=0)
    refresh_rollups.call()
    assert engine.summary(Scope(everything=True), PERIOD, with_durations=False).volume == 5
    assert PERIOD.end - PERIOD.start == timedelta(days=8)


def test_per_unit_table_equals_the_fine_table_and_deep_divisions_are_scoped(data: Any) -> None:
    from django.db.models import Sum

    from jingzhi.metrics.models import DailyUnitRollup
    from tests.factories import CaseFactory, division, user

    city = data.city
    township = division("211223100", "西丰镇", "township", city.county_a)
    community = division("211223100001", "幸福社区", "community", township)
    k = CaseFactory(actor=city.operator, received_at=sh(2024, 10, 8, 9), division_code=community.code)
    s.case_dispatch(case=k, unit=city.housing, actor=city.dispatcher, at=sh(2024, 10, 8, 9, 5))
    rollup.refresh()
    sums = {name: Sum(name) for name in ("received", "acknowledged", "replied", "followed_up", "returned", "satisfied")}
    fine = DailyRollup.objects.aggregate(**sums)
    per_unit = DailyUnitRollup.objects.aggregate(**sums)
    assert fine == per_unit
    from jingzhi.metrics.models import DailyCategoryRollup

    assert DailyCategoryRollup.objects.aggregate(**sums) == fine
    assert not DailyUnitRollup.objects.filter(division__level__in=["township", "community"]).exists()
    # The community's case is summed into its county in the per-unit table, and found through the fine table for
    # a leader of the township or of the community.
    assert engine.summary(Scope(division=community), PERIOD).volume == 1
    assert engine.summary(Scope(division=township), PERIOD).volume == 1
    assert engine.summary(Scope(division=city.county_a), PERIOD).volume == 4
    leader = user("leader", None, township, username="leader_town")
    scope = engine.scope_for(leader)
    from jingzhi.metrics import selectors

    rows = selectors.division_rows(scope, PERIOD)
    assert [(r.obj.code, r.metrics.volume) for r in rows] == [("211223100001", 1)]
