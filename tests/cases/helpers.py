"""Helpers for the case service tests: explicit times in Asia/Shanghai, and cases walked to a given status.

Every helper goes through the production services, so a case "in status X" got there the way a real one would.
Times are explicit (`at=`): a test about deadlines never reads the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.cases.models import Case, CaseEvent, Status
from jingzhi.core.errors import ApplicationError, NotFound, PermissionDenied
from tests.factories import CaseFactory

SH = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware datetime on the wall clock of Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SH)


# A plain working week far from any holiday: Monday 2024-11-04 … Friday 2024-11-08.
MONDAY = sh(2024, 11, 4, 9, 0)
MINUTE = timedelta(minutes=1)


def make_case(city: Any, *, at: datetime = MONDAY, actor: Any = None, **kw: Any) -> Case:
    """A freshly accepted case, registered by the operator at `at`."""
    return CaseFactory(actor=actor or city.operator, received_at=at, **kw)


def fresh(case: Case) -> Case:
    """The case as the database has it now."""
    return Case.objects.get(pk=case.pk)


def events(case: Case) -> list[tuple[str, str, str]]:
    """(action, from, to) of every event of the case, oldest first."""
    return list(CaseEvent.objects.filter(case=case).order_by("created_at", "id").values_list("action", "from_status", "to_status"))


def refused_with(actor: Any, case: Case) -> type[ApplicationError]:
    """How a service refuses an actor: NotFound when the actor cannot see the case at all, else PermissionDenied."""
    return PermissionDenied if Case.objects.visible_to(actor).filter(pk=case.pk).exists() else NotFound


def suspend(city: Any, case: Case, *, actor: Any = None, reason: str = "等待群众补充材料", at: datetime | None = None,
            approver: Any = None) -> Case:
    """中止 as it happens now: the unit asks (expecting to resume a week later), a supervisor approves at the same time."""
    day = timezone.localdate(at or timezone.now())
    request = s.case_request_suspension(case=case, actor=actor or city.handler, reason=reason,
                                        resume_by=day + timedelta(days=7), at=at)
    s.suspension_approve(request=request, actor=approver or city.supervisor, at=at)
    return fresh(case)


def last_event(case: Case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("-created_at", "-id").first()  # type: ignore[return-value]


# The walk to each status, with the time of every step fixed relative to `at` (the intake time).
def case_in(city: Any, status: str, *, at: datetime = MONDAY, unit: Any = None, assisting: tuple[Any, ...] = (),
            satisfaction: str = "unsatisfied", resolution: str = "unresolved", **kw: Any) -> Case:
    """A case in `status`, with `unit` (default: the housing bureau) as its lead unit where it has one.

    Steps: intake at `at`, dispatch +10 min, acknowledge +20 min, reply +40 min, follow-up +50 min,
    close +55 min. A followed-up case is unsatisfied and unresolved unless told otherwise (so it may be reopened).
    """
    unit = unit or city.housing
    handler = {city.housing.pk: city.handler, city.env.pk: city.env_handler, city.county_gov.pk: city.county_handler}.get(
        unit.pk, city.admin
    )
    case = make_case(city, at=at, **kw)
    if status == Status.ACCEPTED:
        return case
    if status == Status.MERGED:
        original = make_case(city, at=at)
        return s.case_merge(case=case, into=original, actor=city.operator, note="同一小区供暖问题", at=at + 5 * MINUTE)
    case = s.case_dispatch(case=case, unit=unit, assisting=assisting, actor=city.dispatcher, at=at + 10 * MINUTE)
    if status == Status.DISPATCHED:
        return case
    if status == Status.RETURNED:
        return s.case_return(case=case, actor=handler, reason="不属于本单位职责", at=at + 20 * MINUTE)
    case = s.case_acknowledge(case=case, actor=handler, at=at + 20 * MINUTE)
    if status == Status.HANDLING:
        return case
    if status == Status.SUSPENDED:
        return suspend(city, case, actor=handler, reason="等待群众提供房产证复印件", at=at + 30 * MINUTE)
    case = s.case_reply(case=case, actor=handler, reply="已联系供热公司上门检修，温度已恢复。", at=at + 40 * MINUTE)
    if status == Status.REPLIED:
        return case
    case = s.case_follow_up(case=case, actor=city.operator, contacted=True, resolution=resolution,
                            satisfaction=satisfaction, at=at + 50 * MINUTE)
    if status == Status.FOLLOWED_UP:
        return case
    if status == Status.CLOSED:
        return s.case_close(case=case, actor=city.operator, at=at + 55 * MINUTE)
    raise ValueError(status)
