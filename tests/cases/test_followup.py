"""回访, 重办 and 办结: the call-back is validated, a case is reopened only when the requester is unsatisfied or the
problem unresolved, and closing ends it."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, FollowUp, Status, Supervision
from jingzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from tests.cases.helpers import MINUTE, case_in, events, fresh, last_event, refused_with, sh

pytestmark = pytest.mark.django_db

CALLED = sh(2024, 11, 5, 10, 0)  # Tuesday, the day after the reply


@pytest.fixture
def replied(city: Any) -> Case:
    case = case_in(city, Status.REPLIED)
    assert fresh(case).follow_up_due == sh(2024, 11, 6, 17, 30)  # replied Monday 09:40: two working days
    return case


def _state(case: Case) -> tuple[Any, ...]:
    row = fresh(case)
    return (row.status, row.version, row.contacted, row.resolution, row.satisfaction, row.followed_up_at,
            CaseEvent.objects.filter(case=case).count(), FollowUp.objects.filter(case=case).count())


def test_a_follow_up_is_kept_and_the_case_holds_its_result(city: Any, replied: Case) -> None:
    s.case_follow_up(case=replied, actor=city.operator, contacted=True, resolution="partly", satisfaction="basically",
                     note=" 群众表示基本满意 ", at=CALLED)
    row = fresh(replied)
    assert (row.status, row.contacted, row.resolution, row.satisfaction, row.followed_up_at) == (
        Status.FOLLOWED_UP, True, "partly", "basically", CALLED,
    )
    fu = FollowUp.objects.get(case=replied)
    assert (fu.actor, fu.contacted, fu.resolution, fu.satisfaction, fu.note, fu.unit, fu.created_at) == (
        city.operator, True, "partly", "basically", "群众表示基本满意", city.housing, CALLED,
    )
    event = last_event(replied)
    assert (event.action, event.from_status, event.to_status, event.actor, event.actor_unit) == (
        "follow_up", "replied", "followed_up", city.operator, city.hotline,
    )
    assert event.data == {"contacted": True, "resolution": "partly", "satisfaction": "basically"}


def test_a_supervisor_may_follow_up(city: Any, replied: Case) -> None:
    s.case_follow_up(case=replied, actor=city.supervisor, contacted=True, resolution="resolved", satisfaction="satisfied", at=CALLED)
    assert fresh(replied).status == Status.FOLLOWED_UP


def test_an_unreachable_requester_is_recorded_without_a_verdict(city: Any, replied: Case) -> None:
    s.case_follow_up(case=replied, actor=city.operator, contacted=False, resolution="resolved", satisfaction="satisfied",
                     note="三次拨打无人接听", at=CALLED)
    row = fresh(replied)
    assert (row.contacted, row.resolution, row.satisfaction) == (False, "", "")
    assert FollowUp.objects.get(case=replied).note == "三次拨打无人接听"


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"contacted": True, "resolution": "", "satisfaction": "satisfied"}, {"resolution"}),
        ({"contacted": True, "resolution": "resolved", "satisfaction": ""}, {"satisfaction"}),
        ({"contacted": True}, {"resolution", "satisfaction"}),
        ({"contacted": True, "resolution": "fixed", "satisfaction": "happy"}, {"resolution", "satisfaction"}),
        ({"contacted": True, "resolution": "RESOLVED", "satisfaction": "satisfied"}, {"resolution"}),
        ({"contacted": False}, {"note"}),
        ({"contacted": False, "note": "   "}, {"note"}),
    ],
    ids=["no-resolution", "no-satisfaction", "neither", "unknown-values", "wrong-case", "unreached-no-note", "unreached-blank-note"],
)
def test_follow_up_validation(city: Any, replied: Case, kwargs: dict[str, Any], fields: set[str]) -> None:
    before = _state(replied)
    with pytest.raises(ValidationFailed) as exc:
        s.case_follow_up(case=replied, actor=city.operator, at=CALLED, **kwargs)
    assert set(exc.value.fields) == fields
    assert _state(replied) == before


@pytest.mark.parametrize("who", ["handler", "unit_head", "dispatcher", "leader", "env_handler"])
def test_units_do_not_follow_up_their_own_cases(city: Any, replied: Case, who: str) -> None:
    before = _state(replied)
    actor = getattr(city, who)
    with pytest.raises(refused_with(actor, replied)):
        s.case_follow_up(case=replied, actor=actor, contacted=True, resolution="resolved",
                         satisfaction="satisfied", at=CALLED)
    assert _state(replied) == before


def test_a_case_is_followed_up_only_after_its_reply(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(InvalidTransition):
        s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved", satisfaction="satisfied", at=CALLED)
    assert FollowUp.objects.count() == 0


# ---- reopen --------------------------------------------------------------------------------------------------------------

REOPENABLE = [("unsatisfied", "resolved"), ("satisfied", "unresolved"), ("unsatisfied", "unresolved"), ("unsatisfied", "partly"),
              ("basically", "unresolved")]
NOT_REOPENABLE = [("satisfied", "resolved"), ("basically", "partly"), ("basically", "resolved"), ("satisfied", "partly")]


@pytest.mark.parametrize(("satisfaction", "resolution"), REOPENABLE)
def test_an_unsatisfied_or_unresolved_case_is_reopened(city: Any, satisfaction: str, resolution: str) -> None:
    case = case_in(city, Status.FOLLOWED_UP, satisfaction=satisfaction, resolution=resolution)
    s.case_reopen(case=case, actor=city.operator, reason="群众反映问题依旧", at=CALLED)
    row = fresh(case)
    assert (row.status, row.reopen_count, row.lead_unit) == (Status.HANDLING, 1, city.housing)
    assert events(case)[-1] == ("reopen", "followed_up", "handling")


@pytest.mark.parametrize(("satisfaction", "resolution"), NOT_REOPENABLE)
def test_a_satisfied_and_resolved_case_is_not_reopened(city: Any, satisfaction: str, resolution: str) -> None:
    case = case_in(city, Status.FOLLOWED_UP, satisfaction=satisfaction, resolution=resolution)
    before = _state(case)
    with pytest.raises(InvalidTransition):
        s.case_reopen(case=case, actor=city.operator, reason="再看看", at=CALLED)
    assert _state(case) == before


def test_an_unreached_requester_is_no_reason_to_reopen(city: Any, replied: Case) -> None:
    s.case_follow_up(case=replied, actor=city.operator, contacted=False, note="空号", at=CALLED)
    with pytest.raises(InvalidTransition):
        s.case_reopen(case=replied, actor=city.operator, at=CALLED)
    assert fresh(replied).status == Status.FOLLOWED_UP


def test_reopen_gives_the_unit_a_fresh_reply_clock(city: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(city, Status.FOLLOWED_UP)
    Case.objects.filter(pk=case.pk).update(supervision=Supervision.REMINDED)
    with django_capture_on_commit_callbacks(execute=True):
        s.case_reopen(case=case, actor=city.operator, reason="暖气仍然不热", at=CALLED)
    row = fresh(case)
    # Seven working days from Tuesday 5 November: 6, 7, 8, 11, 12, 13, 14.
    assert row.reply_due == sh(2024, 11, 14, 17, 30)
    assert (row.follow_up_due, row.supervision) == (None, Supervision.NONE)
    assert last_event(case).note == "暖气仍然不热"
    assert sorted(Notification.objects.filter(kind="reopened").values_list("recipient__username", flat=True)) == ["handler", "unithead"]


def test_a_reopened_case_goes_round_again_and_keeps_every_follow_up(city: Any) -> None:
    case = case_in(city, Status.FOLLOWED_UP)
    s.case_reopen(case=case, actor=city.operator, at=CALLED)
    s.case_reply(case=case, actor=city.handler, reply="已更换暖气片", at=CALLED + 60 * MINUTE)
    s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved", satisfaction="satisfied",
                     at=CALLED + 120 * MINUTE)
    s.case_close(case=case, actor=city.operator, note="群众满意", at=CALLED + 121 * MINUTE)
    row = fresh(case)
    assert (row.status, row.satisfaction, row.resolution, row.reopen_count, row.closed_at) == (
        Status.CLOSED, "satisfied", "resolved", 1, CALLED + 121 * MINUTE,
    )
    assert list(FollowUp.objects.filter(case=case).order_by("created_at").values_list("satisfaction", flat=True)) == [
        "unsatisfied", "satisfied",
    ]
    assert [e[0] for e in events(case)] == [
        "create", "dispatch", "acknowledge", "reply", "follow_up", "reopen", "reply", "follow_up", "close",
    ]


@pytest.mark.parametrize("who", ["handler", "unit_head", "dispatcher", "leader"])
def test_only_the_hotline_and_supervisors_reopen_or_close(city: Any, who: str) -> None:
    case = case_in(city, Status.FOLLOWED_UP)
    before = _state(case)
    with pytest.raises(PermissionDenied):
        s.case_reopen(case=case, actor=getattr(city, who), at=CALLED)
    with pytest.raises(PermissionDenied):
        s.case_close(case=case, actor=getattr(city, who), at=CALLED)
    assert _state(case) == before


def test_close_ends_the_case(city: Any) -> None:
    case = case_in(city, Status.FOLLOWED_UP, satisfaction="satisfied", resolution="resolved")
    s.case_close(case=case, actor=city.supervisor, note="办结", at=CALLED)
    row = fresh(case)
    assert (row.status, row.closed_at, row.is_open) == (Status.CLOSED, CALLED, False)
    event = last_event(case)
    assert (event.action, event.from_status, event.to_status, event.note) == ("close", "followed_up", "closed", "办结")
    with pytest.raises(InvalidTransition):
        s.case_reopen(case=case, actor=city.operator, at=CALLED)
