"""org.access: the one place for "is this an administrator?", roles and scopes; the rules built on it agree."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from jingzhi.cases.models import Case
from jingzhi.metrics.engine import scope_for
from jingzhi.org import access
from jingzhi.org.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_administrators_are_superusers_or_have_the_role(city: Any) -> None:
    superuser = f.user("leader", None, city.city, username="root")
    superuser.is_superuser = True
    assert access.is_admin(city.admin) and access.is_admin(superuser)
    assert access.role_of(superuser) == Role.ADMIN
    assert not access.is_admin(city.dispatcher) and not access.is_admin(None) and not access.is_admin(AnonymousUser())
    assert access.role_of(None) == "" and access.role_of(AnonymousUser()) == ""


def test_administrators_pass_every_role_check(city: Any) -> None:
    assert access.has_role(city.admin, {Role.DISPATCHER})
    assert access.has_role(city.dispatcher, {Role.DISPATCHER, Role.OPERATOR})
    assert not access.has_role(city.handler, {Role.DISPATCHER})
    assert not access.has_role(AnonymousUser(), {Role.DISPATCHER})


def test_a_unit_head_answers_for_the_child_units_a_handler_does_not(city: Any) -> None:
    station = f.unit("ZJJ-1", "住建局供热管理站", city.city, parent=city.housing)
    assert set(access.unit_scope(city.unit_head).values_list("pk", flat=True)) == {city.housing.pk, station.pk}  # type: ignore[union-attr]
    assert set(access.unit_scope(city.handler).values_list("pk", flat=True)) == {city.housing.pk}  # type: ignore[union-attr]
    assert access.unit_scope(city.leader) == []


def test_case_reach_by_role(city: Any) -> None:
    assert access.case_reach(city.operator).everything and access.case_reach(city.admin).everything
    assert access.case_reach(city.county_leader).division == city.county_b
    assert access.case_reach(city.handler).unit_ids() == (city.housing.pk,)
    assert access.case_reach(AnonymousUser()).nothing
    inactive = f.user("dispatcher", city.hotline, username="gone")
    inactive.is_active = False
    assert access.case_reach(inactive).nothing


def test_the_dashboards_scope_is_the_visibility_rule(city: Any) -> None:
    """metrics.scope_for is derived from case_reach: the same people see the same part of the city."""
    station = f.unit("ZJJ-1", "住建局供热管理站", city.city, parent=city.housing)
    head_scope = scope_for(city.unit_head)
    assert head_scope.unit_ids == tuple(sorted((city.housing.pk, station.pk)))
    assert scope_for(city.county_leader).division == city.county_b
    assert scope_for(city.operator).everything
    assert scope_for(AnonymousUser()).empty
    # A case led by the child unit is visible to the head and inside the head's figures.
    case = f.CaseFactory(actor=city.operator)
    Case.objects.filter(pk=case.pk).update(lead_unit=station)
    assert Case.objects.visible_to(city.unit_head).filter(pk=case.pk).exists()
    assert not Case.objects.visible_to(city.handler).filter(pk=case.pk).exists()
