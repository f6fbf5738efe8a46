"""Cases in a given status for the page tests, moved there by the production services (times: now)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, Status
from tests.factories import CaseFactory


def new_case(city: Any, *, division: Any = None, **kw: Any) -> Case:
    return CaseFactory(actor=city.operator, division_code=(division or city.city).code, **kw)


def handler_of(city: Any, unit: Any) -> Any:
    return {city.housing.pk: city.handler, city.env.pk: city.env_handler, city.county_gov.pk: city.county_handler}[unit.pk]


def case_in(city: Any, status: str, *, unit: Any = None, division: Any = None, **kw: Any) -> Case:
    """A case walked to `status` through the services; `unit` (default housing) leads it once dispatched."""
    unit = unit or city.housing
    case = new_case(city, division=division, **kw)
    if status == Status.ACCEPTED:
        return case
    case = s.case_dispatch(case=case, unit=unit, actor=city.dispatcher)
    if status == Status.DISPATCHED:
        return case
    handler = handler_of(city, unit)
    if status == Status.RETURNED:
        return s.case_return(case=case, actor=handler, reason="不属于本单位职责")
    case = s.case_acknowledge(case=case, actor=handler)
    if status == Status.HANDLING:
        return case
    if status == Status.SUSPENDED:
        request = s.case_request_suspension(case=case, actor=handler, reason="等待群众提供材料",
                                            resume_by=timezone.localdate() + timedelta(days=7))
        s.suspension_approve(request=request, actor=city.supervisor)
        return fresh(case)
    case = s.case_reply(case=case, actor=handler, reply="已安排维修，问题已解决。")
    if status == Status.REPLIED:
        return case
    case = s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="unresolved", satisfaction="unsatisfied")
    if status == Status.FOLLOWED_UP:
        return case
    if status == Status.CLOSED:
        return s.case_close(case=case, actor=city.operator)
    raise ValueError(status)


def a_category(name: str = "供暖") -> Any:
    """A category for the dispatch form, which requires one (issue 11)."""
    from jingzhi.taxonomy.models import Category

    return Category.objects.get_or_create(name=name, parent=None, defaults={"level": 1})[0]


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
