"""Who sees which cases: Case.objects.visible_to(user), and the selectors built on it.

The hotline sees the whole city; a leader or supervisor sees their division's subtree; a unit sees the cases it leads
or assists (a unit head also those of its child units); anonymous and deactivated accounts see nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from jingzhi.cases import services as s
from jingzhi.cases.models import Case
from jingzhi.cases.selectors import CaseFilters, case_get, case_list
from jingzhi.core.errors import NotFound
from jingzhi.org.models import User
from tests import factories as f
from tests.cases.helpers import MONDAY, make_case

pytestmark = pytest.mark.django_db


@dataclass
class World:
    city: Any
    township: Any  # a township of 开原市 (county_b)
    child_unit: Any  # a section under the housing bureau
    grandchild_unit: Any
    cases: dict[str, Case]


def _dispatched(city: Any, name: str, division: Any, unit: Any, assisting: tuple[Any, ...] = ()) -> tuple[str, Case]:
    case = make_case(city, division_code=division.code, title=name)
    s.case_dispatch(case=case, unit=unit, assisting=assisting, actor=city.dispatcher, at=MONDAY)
    return name, case


@pytest.fixture
def world(city: Any) -> World:
    township = f.division("211282001", "开原市新城街道", "township", city.county_b)
    child = f.unit("ZJJ-WY", "市住建局物业科", city.city, parent=city.housing)
    grandchild = f.unit("ZJJ-WY-1", "物业科一股", city.city, parent=child)
    cases = dict(
        [
            _dispatched(city, "a_housing", city.county_a, city.housing),
            _dispatched(city, "b_env_assisted_by_housing", city.county_b, city.env, (city.housing,)),
            _dispatched(city, "b_env", city.county_b, city.env),
            _dispatched(city, "town_env", township, city.env),
            _dispatched(city, "a_county_gov", city.county_a, city.county_gov),
            _dispatched(city, "city_child", city.city, child),
            _dispatched(city, "city_env_assisted_by_child", city.city, city.env, (child,)),
            _dispatched(city, "city_grandchild", city.city, grandchild),
        ]
    )
    cases["city_new"] = make_case(city, title="city_new")  # accepted, not yet with any unit
    return World(city=city, township=township, child_unit=child, grandchild_unit=grandchild, cases=cases)


def _seen(user: Any) -> set[str]:
    return set(Case.objects.visible_to(user).values_list("title", flat=True))


ALL = {"a_housing", "b_env_assisted_by_housing", "b_env", "town_env", "a_county_gov", "city_child",
       "city_env_assisted_by_child", "city_grandchild", "city_new"}


@pytest.mark.parametrize("who", ["operator", "dispatcher", "admin"])
def test_the_hotline_sees_every_case(world: World, who: str) -> None:
    assert _seen(getattr(world.city, who)) == ALL


def test_a_superuser_of_any_role_sees_every_case(world: World) -> None:
    boss = f.user("handler", world.city.env, username="root")
    User.objects.filter(pk=boss.pk).update(is_superuser=True)
    assert _seen(User.objects.get(pk=boss.pk)) == ALL


def test_a_city_leader_and_a_city_supervisor_see_the_whole_city(world: World) -> None:
    assert _seen(world.city.leader) == ALL
    assert _seen(world.city.supervisor) == ALL


def test_a_county_leader_sees_only_their_county(world: World) -> None:
    assert _seen(world.city.county_leader) == {"b_env_assisted_by_housing", "b_env", "town_env"}


def test_a_township_leader_sees_only_their_township(world: World) -> None:
    leader = f.user("leader", None, world.township, username="leader_town")
    assert _seen(leader) == {"town_env"}


def test_a_county_supervisor_sees_only_their_county(world: World) -> None:
    supervisor = f.user("supervisor", None, world.city.county_a, username="sup_xf")
    assert _seen(supervisor) == {"a_housing", "a_county_gov"}


def test_a_handler_sees_the_cases_their_unit_leads_or_assists(world: World) -> None:
    assert _seen(world.city.handler) == {"a_housing", "b_env_assisted_by_housing"}
    assert _seen(world.city.env_handler) == {"b_env_assisted_by_housing", "b_env", "town_env", "city_env_assisted_by_child"}
    assert _seen(world.city.county_handler) == {"a_county_gov"}


def test_a_unit_head_also_sees_the_cases_of_child_units(world: World) -> None:
    assert _seen(world.city.unit_head) == {
        "a_housing", "b_env_assisted_by_housing", "city_child", "city_env_assisted_by_child",
    }


def test_a_handler_of_a_child_unit_does_not_see_the_parents_cases(world: World) -> None:
    section = f.user("handler", world.child_unit, username="h_wy")
    assert _seen(section) == {"city_child", "city_env_assisted_by_child"}


def test_a_case_leaves_a_units_view_when_it_is_transferred_away(world: World) -> None:
    case = world.cases["a_housing"]
    s.case_transfer(case=case, unit=world.city.env, actor=world.city.dispatcher, reason="转环保", at=MONDAY)
    assert "a_housing" not in _seen(world.city.handler)
    assert "a_housing" in _seen(world.city.env_handler)


def test_anonymous_sees_nothing(world: World) -> None:
    assert _seen(AnonymousUser()) == set()
    assert _seen(None) == set()


@pytest.mark.parametrize("who", ["operator", "admin", "handler", "leader"])
def test_a_deactivated_account_sees_nothing(world: World, who: str) -> None:
    user = getattr(world.city, who)
    user.is_active = False
    user.save()
    assert _seen(user) == set()


def test_accounts_without_a_unit_or_division_see_nothing(world: World) -> None:
    lost_handler = User.objects.create(username="lost_handler", role="handler")
    lost_leader = User.objects.create(username="lost_leader", role="leader")
    assert _seen(lost_handler) == set()
    assert _seen(lost_leader) == set()


def test_an_unknown_role_sees_nothing(world: World) -> None:
    odd = User.objects.create(username="odd", role="visitor", unit=world.city.housing, division=world.city.city)
    assert _seen(odd) == set()


# ---- the selectors apply the same scope --------------------------------------------------------------------------------


def test_case_get_says_not_found_for_a_case_out_of_scope_exactly_as_for_a_missing_one(world: World) -> None:
    number = world.cases["b_env"].number
    assert case_get(number=number, user=world.city.env_handler).title == "b_env"
    with pytest.raises(NotFound) as hidden:
        case_get(number=number, user=world.city.handler)
    with pytest.raises(NotFound) as missing:
        case_get(number="TL20991231-999999", user=world.city.handler)
    assert (hidden.value.message, hidden.value.status, hidden.value.fields) == (
        missing.value.message, missing.value.status, missing.value.fields,
    )


def test_case_get_tolerates_spaces_around_the_number(world: World) -> None:
    number = world.cases["a_housing"].number
    assert case_get(number=f"  {number} ", user=world.city.handler).number == number


def test_case_list_never_widens_the_scope_through_filters(world: World) -> None:
    # Asking for another unit's or another county's cases narrows to nothing rather than reaching out of scope.
    by_unit = case_list(user=world.city.handler, filters=CaseFilters(unit="STHJ"))
    assert set(by_unit.values_list("title", flat=True)) == {"b_env_assisted_by_housing"}
    by_division = case_list(user=world.city.county_leader, filters=CaseFilters(division="211223"))
    assert list(by_division) == []
    by_text = case_list(user=world.city.handler, filters=CaseFilters(text="b_env"))
    assert set(by_text.values_list("title", flat=True)) == {"b_env_assisted_by_housing"}


def test_case_list_filters_a_division_by_its_subtree(world: World) -> None:
    rows = case_list(user=world.city.operator, filters=CaseFilters(division="211282"))
    assert set(rows.values_list("title", flat=True)) == {"b_env_assisted_by_housing", "b_env", "town_env"}
    assert list(case_list(user=world.city.operator, filters=CaseFilters(division="999999"))) == []


def test_visible_to_lists_each_case_once(world: World) -> None:
    # A case both led by a child unit and assisted by the parent must not appear twice through the join.
    case = world.cases["city_child"]
    case.assisting_units.add(world.city.housing)
    titles = list(Case.objects.visible_to(world.city.unit_head).values_list("title", flat=True))
    assert len(titles) == len(set(titles))
