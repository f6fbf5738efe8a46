"""org.access.reach_memo: the demo's year of cases works out each actor's reach once (issue 11, point 12).

Inside the memo a user's units and 包保 enterprises are read into concrete ids once; the visibility rule itself is
still asked of every row. These tests hold it to that: the same cases are visible inside as outside, for every kind
of reach, and a case moved to another unit leaves the first unit's view at once.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from jingzhi.cases import services as s
from jingzhi.cases.models import Case
from jingzhi.core.errors import NotFound
from jingzhi.org.access import case_reach, reach_memo
from tests.cases.helpers import MONDAY, make_case
from tests.cases.test_visibility import World, _seen, world  # noqa: F401 — the `world` fixture, found by its name
from tests.enterprises.conftest import make_firms

pytestmark = pytest.mark.django_db

WHO = ["operator", "leader", "county_leader", "supervisor", "handler", "env_handler", "county_handler", "unit_head"]


@pytest.mark.parametrize("who", WHO)
def test_inside_the_memo_everyone_sees_exactly_what_they_see_outside_it(world: World, who: str) -> None:  # noqa: F811
    user = getattr(world.city, who)
    outside = _seen(user)
    with reach_memo():
        assert _seen(user) == outside
        assert _seen(user) == outside  # the remembered reach, second time round
    assert _seen(user) == outside


def test_the_memo_holds_a_units_reach_as_concrete_ids_once_per_user(world: World) -> None:  # noqa: F811
    with reach_memo():
        reach = case_reach(world.city.unit_head)
        assert case_reach(world.city.unit_head) is reach
        assert case_reach(world.city.handler) is not reach
    assert reach.units == sorted([world.city.housing.pk, world.child_unit.pk])  # its own unit and its child, read once
    assert reach.enterprises == []
    assert case_reach(world.city.unit_head) is not reach  # outside the memo: worked out afresh, lazily


def test_inside_the_memo_a_case_moved_away_leaves_the_units_view_at_once(world: World) -> None:  # noqa: F811
    case = world.cases["a_housing"]
    with reach_memo(), transaction.atomic():
        assert "a_housing" in _seen(world.city.handler)  # the handler's reach is remembered from here on
        s.case_transfer(case=case, unit=world.city.env, actor=world.city.dispatcher, reason="转环保", at=MONDAY)
        assert "a_housing" not in _seen(world.city.handler)
        assert "a_housing" in _seen(world.city.env_handler)
        with pytest.raises(NotFound):
            s.case_acknowledge(case=case, actor=world.city.handler, at=MONDAY)
        s.case_acknowledge(case=case, actor=world.city.env_handler, at=MONDAY)
    assert Case.objects.get(pk=case.pk).status == "handling"


def test_inside_the_memo_an_official_and_a_task_force_member_see_their_enterprises_cases(city: Any) -> None:
    firms = make_firms(city)
    leni_case = make_case(city, title="莱尼的诉求", enterprise=firms.leni)
    other_case = make_case(city, title="另一家企业的诉求", enterprise=firms.other)
    with reach_memo():
        for user in (firms.official, firms.member):  # 包保 official; 专班 member (a registered reach source)
            seen = set(Case.objects.visible_to(user).values_list("pk", flat=True))
            assert leni_case.pk in seen and other_case.pk not in seen, user.username
        assert not Case.objects.visible_to(city.env_handler).filter(pk=leni_case.pk).exists()
