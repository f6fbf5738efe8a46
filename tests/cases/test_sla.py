"""Time limits: the rule book (most specific rule wins, admins edit it), exact deadlines on the statutory calendar,
and properties checked with hypothesis (never on a holiday, 调休 days count, never earlier when time passes)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from chinese_calendar import constants as cc_constants
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhi.cases import services as s
from jingzhi.cases import sla
from jingzhi.cases.defaults import DEFAULT_RULES
from jingzhi.cases.models import SlaRule, Status
from jingzhi.core.models import CalendarDay, SlaPolicy
from jingzhi.core.workcalendar import WorkCalendar
from tests.cases.helpers import SH, case_in, fresh, make_case, sh

relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                   max_examples=150)

# docs/domain.md §4.3, written out by hand: (clock, kind, priority) -> (amount, unit). Empty kind/priority: any.
DOMAIN_DEFAULTS = {
    ("dispatch", "", "emergency"): (Decimal(1), "hours"),
    ("dispatch", "", "utilities"): (Decimal(2), "hours"),
    ("dispatch", "", ""): (Decimal(1), "working_days"),
    ("acknowledge", "", "emergency"): (Decimal("0.5"), "hours"),
    ("acknowledge", "", ""): (Decimal(2), "working_hours"),
    ("reply", "", "emergency"): (Decimal(2), "hours"),
    ("reply", "", "utilities"): (Decimal(24), "hours"),
    ("reply", "inquiry", ""): (Decimal(3), "working_days"),
    ("reply", "help", ""): (Decimal(3), "working_days"),
    ("reply", "complaint", ""): (Decimal(7), "working_days"),
    ("reply", "suggestion", ""): (Decimal(7), "working_days"),
    ("reply", "", "complex"): (Decimal(15), "working_days"),
    ("reply", "", ""): (Decimal(7), "working_days"),
    ("follow_up", "", ""): (Decimal(2), "working_days"),
}
DEFAULT_BOOK = sla.RuleBook(DEFAULT_RULES)
PLAIN = WorkCalendar()  # the statutory calendar, Asia/Shanghai, 08:30–17:30


# ---- the rule book ---------------------------------------------------------------------------------------------------------


def test_the_defaults_are_those_of_domain_md() -> None:
    assert {(c, k, p): (Decimal(a), u) for c, k, p, a, u in DEFAULT_RULES} == DOMAIN_DEFAULTS
    assert len(DEFAULT_RULES) == len(DOMAIN_DEFAULTS)


@pytest.mark.django_db
def test_the_database_is_seeded_with_the_defaults() -> None:
    rows = {(r.clock, r.kind, r.priority): (r.amount, r.time_unit) for r in SlaRule.objects.all()}
    assert rows == DOMAIN_DEFAULTS
    policy = SlaPolicy.objects.get()
    assert (policy.workday_start, policy.workday_end, policy.warn_ratio) == (time(8, 30), time(17, 30), 0.8)
    assert (policy.extension_max_working_days, policy.extensions_allowed, policy.flag_after_working_days) == (10, 1, 5)


MOST_SPECIFIC = [
    # clock, kind, priority, expected (amount, unit)
    ("reply", "inquiry", "emergency", (Decimal(2), "hours")),  # an emergency inquiry is an emergency
    ("reply", "inquiry", "normal", (Decimal(3), "working_days")),
    ("reply", "help", "normal", (Decimal(3), "working_days")),
    ("reply", "complaint", "normal", (Decimal(7), "working_days")),
    ("reply", "suggestion", "normal", (Decimal(7), "working_days")),
    ("reply", "dispute", "normal", (Decimal(7), "working_days")),  # no rule of its own: the catch-all
    ("reply", "inquiry", "complex", (Decimal(15), "working_days")),  # a priority outranks a kind
    ("reply", "complaint", "utilities", (Decimal(24), "hours")),
    ("dispatch", "inquiry", "emergency", (Decimal(1), "hours")),
    ("dispatch", "complaint", "utilities", (Decimal(2), "hours")),
    ("dispatch", "complaint", "complex", (Decimal(1), "working_days")),
    ("acknowledge", "help", "emergency", (Decimal("0.5"), "hours")),
    ("acknowledge", "complaint", "normal", (Decimal(2), "working_hours")),
    ("follow_up", "inquiry", "emergency", (Decimal(2), "working_days")),
]


@pytest.mark.parametrize(("clock", "kind", "priority", "expected"), MOST_SPECIFIC)
def test_the_most_specific_rule_wins(clock: str, kind: str, priority: str, expected: tuple[Decimal, str]) -> None:
    limit = DEFAULT_BOOK.limit(clock, kind=kind, priority=priority)
    assert (limit.amount, limit.unit) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("clock", "kind", "priority", "expected"), MOST_SPECIFIC)
def test_the_seeded_book_gives_the_same_answers(clock: str, kind: str, priority: str, expected: tuple[Decimal, str]) -> None:
    limit = sla.RuleBook().limit(clock, kind=kind, priority=priority)
    assert (limit.amount, limit.unit) == expected


@pytest.mark.django_db
def test_a_rule_for_kind_and_priority_beats_either_alone() -> None:
    SlaRule.objects.create(clock="reply", kind="inquiry", priority="emergency", amount=Decimal(1), time_unit="hours")
    book = sla.RuleBook()
    assert (book.limit("reply", kind="inquiry", priority="emergency").amount,
            book.limit("reply", kind="help", priority="emergency").amount) == (Decimal(1), Decimal(2))


@pytest.mark.django_db
def test_an_edited_rule_changes_the_deadlines_of_new_dispatches(city: Any) -> None:
    before = case_in(city, Status.DISPATCHED, kind="inquiry")
    assert fresh(before).reply_due == sh(2024, 11, 7, 17, 30)  # 3 working days from Monday 4 November
    SlaRule.objects.filter(clock="reply", kind="inquiry", priority="").update(amount=Decimal(5))
    after = case_in(city, Status.DISPATCHED, kind="inquiry")
    assert fresh(after).reply_due == sh(2024, 11, 11, 17, 30)  # 5, 6, 7, 8, 11 November
    assert fresh(before).reply_due == sh(2024, 11, 7, 17, 30)  # a rule change does not rewrite running clocks


@pytest.mark.django_db
def test_an_added_rule_gives_a_kind_its_own_limit(city: Any) -> None:
    SlaRule.objects.create(clock="reply", kind="dispute", priority="", amount=Decimal(10), time_unit="working_days")
    case = case_in(city, Status.DISPATCHED, kind="dispute")
    assert fresh(case).reply_due == sh(2024, 11, 18, 17, 30)


@pytest.mark.django_db
def test_an_edited_dispatch_rule_changes_intake(city: Any) -> None:
    SlaRule.objects.filter(clock="dispatch", kind="", priority="").update(amount=Decimal(4), time_unit="working_hours")
    assert fresh(make_case(city, at=sh(2024, 11, 4, 15, 0))).dispatch_due == sh(2024, 11, 5, 10, 0)


@pytest.mark.django_db
def test_a_clock_without_rules_falls_back_to_the_defaults(city: Any) -> None:
    SlaRule.objects.filter(clock="follow_up").delete()
    case = case_in(city, Status.REPLIED)
    assert fresh(case).follow_up_due == sh(2024, 11, 6, 17, 30)


@pytest.mark.django_db
def test_a_clock_whose_rules_do_not_match_falls_back_to_the_defaults() -> None:
    SlaRule.objects.filter(clock="reply", kind="", priority="").delete()
    limit = sla.RuleBook().limit("reply", kind="dispute", priority="normal")
    assert (limit.amount, limit.unit) == (Decimal(7), "working_days")


@pytest.mark.django_db
def test_an_empty_rule_table_means_the_defaults() -> None:
    SlaRule.objects.all().delete()
    for (clock, kind, priority), expected in DOMAIN_DEFAULTS.items():
        limit = sla.RuleBook().limit(clock, kind=kind or "report", priority=priority or "normal")
        assert (limit.amount, limit.unit) == expected


# ---- exact deadlines ----------------------------------------------------------------------------------------------------------


def _due(clock: str, start: datetime, kind: str = "complaint", priority: str = "normal", cal: WorkCalendar = PLAIN) -> datetime:
    return sla.due(clock, kind=kind, priority=priority, start=start, calendar=cal, rules=DEFAULT_BOOK)


@pytest.mark.parametrize(
    ("clock", "kind", "priority", "start", "expected"),
    [
        # Seven working days from Friday 27 Sep 2024: 29 (调休 Sunday), 30 Sep, then after the holiday 8–11 Oct and
        # Saturday 12 Oct, another 调休 day.
        ("reply", "complaint", "normal", sh(2024, 9, 27, 10), sh(2024, 10, 12, 17, 30)),
        ("reply", "inquiry", "normal", sh(2024, 9, 27, 10), sh(2024, 10, 8, 17, 30)),
        # Spring Festival 2025 (28 Jan – 4 Feb) with make-up days Sunday 26 Jan and Saturday 8 Feb.
        ("reply", "complaint", "complex", sh(2025, 1, 24, 10), sh(2025, 2, 20, 17, 30)),
        ("dispatch", "complaint", "normal", sh(2025, 1, 27, 16), sh(2025, 2, 5, 17, 30)),
        ("follow_up", "complaint", "normal", sh(2025, 9, 26, 11), sh(2025, 9, 29, 17, 30)),  # 28 Sep 2025 is 调休
        # Working hours: one hour on Friday, one on the 调休 Sunday morning.
        ("acknowledge", "complaint", "normal", sh(2024, 9, 27, 16, 30), sh(2024, 9, 29, 9, 30)),
        ("acknowledge", "complaint", "normal", sh(2024, 11, 4, 7, 0), sh(2024, 11, 4, 10, 30)),  # counted from opening
        ("acknowledge", "complaint", "normal", sh(2024, 11, 4, 15, 30), sh(2024, 11, 4, 17, 30)),  # exactly at closing
        # Hours run around the clock, holidays included.
        ("reply", "complaint", "emergency", sh(2024, 10, 1, 23, 0), sh(2024, 10, 2, 1, 0)),
        ("reply", "inquiry", "utilities", sh(2024, 11, 9, 12, 0), sh(2024, 11, 10, 12, 0)),
        ("acknowledge", "complaint", "emergency", sh(2024, 10, 3, 3, 50), sh(2024, 10, 3, 4, 20)),
        # A working-day clock started after hours or on a rest day still gives the whole next working day.
        ("dispatch", "complaint", "normal", sh(2024, 11, 4, 20, 0), sh(2024, 11, 5, 17, 30)),
        ("dispatch", "complaint", "normal", sh(2024, 11, 9, 10, 0), sh(2024, 11, 11, 17, 30)),
    ],
)
def test_exact_deadlines(clock: str, kind: str, priority: str, start: datetime, expected: datetime) -> None:
    assert _due(clock, start, kind, priority) == expected


def test_deadlines_are_the_same_instant_whatever_zone_the_start_is_in() -> None:
    start = sh(2024, 9, 27, 10)
    assert _due("reply", start.astimezone(ZoneInfo("UTC"))) == _due("reply", start) == sh(2024, 10, 12, 17, 30)


@pytest.mark.django_db
def test_a_day_the_city_closes_is_skipped(city: Any) -> None:
    CalendarDay.objects.create(date=date(2024, 11, 6), is_workday=False, note="暴雪停工")
    case = case_in(city, Status.DISPATCHED, kind="inquiry")
    assert fresh(case).reply_due == sh(2024, 11, 8, 17, 30)  # 5, 7, 8 November


@pytest.mark.django_db
def test_a_saturday_the_city_works_is_counted(city: Any) -> None:
    CalendarDay.objects.create(date=date(2024, 11, 9), is_workday=True, note="市里调休上班")
    case = case_in(city, Status.DISPATCHED)
    assert fresh(case).reply_due == sh(2024, 11, 12, 17, 30)  # 5, 6, 7, 8, 9 (Saturday), 11, 12 November


@pytest.mark.django_db
def test_the_citys_working_hours_set_the_hour_of_the_deadline(city: Any) -> None:
    SlaPolicy.objects.update(workday_start=time(9, 0), workday_end=time(18, 0))
    case = case_in(city, Status.DISPATCHED, kind="inquiry")
    row = fresh(case)
    assert row.reply_due == sh(2024, 11, 7, 18, 0)
    assert row.acknowledge_due == sh(2024, 11, 4, 11, 10)


@pytest.mark.django_db
def test_preview_shows_the_deadlines_a_new_case_would_get() -> None:
    assert sla.preview(kind="inquiry", priority="normal", start=sh(2024, 9, 27, 10)) == {
        "dispatch": sh(2024, 9, 29, 17, 30), "reply": sh(2024, 10, 8, 17, 30),
    }


# ---- on time, at risk, overdue ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (sh(2024, 11, 4, 9, 0), sla.SlaState.ON_TIME),
        (sh(2024, 11, 4, 16, 59), sla.SlaState.ON_TIME),  # 79.9 % of ten hours
        (sh(2024, 11, 4, 17, 0), sla.SlaState.AT_RISK),  # 80 %
        (sh(2024, 11, 4, 18, 59), sla.SlaState.AT_RISK),
        (sh(2024, 11, 4, 19, 0), sla.SlaState.OVERDUE),  # due now
        (sh(2024, 11, 5, 9, 0), sla.SlaState.OVERDUE),
    ],
)
def test_state_of_a_running_clock(now: datetime, expected: sla.SlaState) -> None:
    assert sla.state_of(due_at=sh(2024, 11, 4, 19), started_at=sh(2024, 11, 4, 9), now=now) == expected


def test_state_without_a_deadline_or_start() -> None:
    assert sla.state_of(due_at=None, started_at=sh(2024, 11, 4, 9), now=sh(2024, 11, 5)) == sla.SlaState.NONE
    assert sla.state_of(due_at=sh(2024, 11, 4, 19), started_at=None, now=sh(2024, 11, 4, 18, 59)) == sla.SlaState.ON_TIME
    assert sla.state_of(due_at=sh(2024, 11, 4, 19), started_at=None, now=sh(2024, 11, 4, 19)) == sla.SlaState.OVERDUE


# ---- properties ---------------------------------------------------------------------------------------------------------------

# Starts within the years the statutory calendar knows, leaving room for the longest limit (15 working days).
# (hypothesis takes naive bounds and attaches the zone itself)
STARTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 11, 30), timezones=st.just(SH))  # noqa: DTZ001
WORKING_DAY_CLOCKS = [
    ("reply", "complaint", "normal", 7), ("reply", "inquiry", "normal", 3), ("reply", "help", "normal", 3),
    ("reply", "dispute", "normal", 7), ("reply", "complaint", "complex", 15), ("dispatch", "report", "normal", 1),
    ("follow_up", "suggestion", "normal", 2),
]
ALL_CLOCKS = [*[c[:3] for c in WORKING_DAY_CLOCKS], ("reply", "complaint", "emergency"), ("reply", "help", "utilities"),
              ("acknowledge", "complaint", "normal"), ("acknowledge", "complaint", "emergency"),
              ("dispatch", "complaint", "utilities")]


def _statutory_workdays_between(after: date, until: date) -> int:
    """Working days d with after < d <= until, by the chinesecalendar package itself (调休 days are working days)."""
    d, n = after + timedelta(days=1), 0
    while d <= until:
        n += chinese_calendar.is_workday(d)
        d += timedelta(days=1)
    return n


@relaxed
@given(start=STARTS, rule=st.sampled_from(WORKING_DAY_CLOCKS))
def test_a_working_day_deadline_never_falls_on_a_holiday(start: datetime, rule: tuple[str, str, str, int]) -> None:
    clock, kind, priority, _n = rule
    due = _due(clock, start, kind, priority)
    assert chinese_calendar.is_workday(due.date())
    assert not chinese_calendar.is_holiday(due.date())
    assert due.timetz().replace(tzinfo=None) == time(17, 30) and due.utcoffset() == timedelta(hours=8)


@relaxed
@given(start=STARTS, rule=st.sampled_from(WORKING_DAY_CLOCKS))
def test_a_working_day_deadline_counts_exactly_its_working_days_make_up_days_included(
    start: datetime, rule: tuple[str, str, str, int]
) -> None:
    clock, kind, priority, n = rule
    due = _due(clock, start, kind, priority)
    assert _statutory_workdays_between(start.date(), due.date()) == n
    assert chinese_calendar.is_workday(due.date())  # so the N-th working day, not a rest day after it


@pytest.mark.parametrize("make_up_day", sorted(d for d in cc_constants.workdays if d.weekday() >= 5 and d.year >= 2004))
def test_every_make_up_weekend_day_is_a_working_day_for_deadlines(make_up_day: date) -> None:
    # One working day from the working day before a 调休 Saturday or Sunday falls due on that weekend day.
    before = make_up_day - timedelta(days=1)
    while not chinese_calendar.is_workday(before):
        before -= timedelta(days=1)
    start = datetime.combine(before, time(10, 0), tzinfo=SH)
    assert _due("dispatch", start) == datetime.combine(make_up_day, time(17, 30), tzinfo=SH)


@relaxed
@given(start=STARTS)
def test_a_working_hours_deadline_lies_inside_working_time(start: datetime) -> None:
    due = _due("acknowledge", start)
    assert chinese_calendar.is_workday(due.date())
    assert time(8, 30) < due.timetz().replace(tzinfo=None) <= time(17, 30)
    assert PLAIN.working_seconds_between(start, due) == 2 * 3600


@relaxed
@given(start=STARTS, later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)), rule=st.sampled_from(ALL_CLOCKS))
def test_a_deadline_never_moves_earlier_when_the_clock_starts_later(start: datetime, later: timedelta,
                                                                     rule: tuple[str, str, str]) -> None:
    clock, kind, priority = rule
    first, second = _due(clock, start, kind, priority), _due(clock, start + later, kind, priority)
    assert start < first
    assert first <= second


@pytest.mark.django_db
def test_a_resumed_clock_never_has_an_earlier_deadline() -> None:
    with sla.frozen_policy():

        @relaxed
        @given(
            start=STARTS,
            pause_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
            paused_for=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
            extra=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
            rule=st.sampled_from([("complaint", "normal"), ("inquiry", "normal"), ("help", "emergency"), ("help", "utilities"),
                                  ("suggestion", "complex")]),
        )
        def check(start: datetime, pause_after: timedelta, paused_for: timedelta, extra: timedelta, rule: tuple[str, str]) -> None:
            kind, priority = rule
            case = SimpleNamespace(kind=kind, priority=priority, reply_due=sla.due("reply", kind=kind, priority=priority, start=start))
            paused_at = start + pause_after
            resumed = sla.resumed_due(case=case, paused_at=paused_at, resumed_at=paused_at + paused_for)
            assert resumed is not None and resumed >= case.reply_due
            later = sla.resumed_due(case=case, paused_at=paused_at, resumed_at=paused_at + paused_for + extra)
            assert later is not None and later >= resumed
            if sla.work_calendar().working_seconds_between(paused_at, paused_at + paused_for) == 0 and priority in ("normal", "complex"):
                assert resumed == case.reply_due  # a pause with no working time in it costs nothing

        check()


@pytest.mark.django_db
def test_an_approved_extension_only_ever_moves_the_deadline_later(city: Any) -> None:
    case = case_in(city, Status.HANDLING, kind="inquiry")
    before = fresh(case).reply_due
    request = s.case_request_extension(case=case, actor=city.handler, working_days=1, reason="需要现场核实", at=sh(2024, 11, 5, 9))
    s.extension_approve(request=request, actor=city.supervisor, at=sh(2024, 11, 5, 10))
    assert before == sh(2024, 11, 7, 17, 30)
    assert fresh(case).reply_due == sh(2024, 11, 8, 17, 30)
