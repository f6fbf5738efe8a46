"""Who may do what: the one place for roles and scopes (issue 9).

Every "is this an administrator?", every role check and every scope rule (the units a unit head
answers for, the divisions a leader oversees) is asked here; querysets, services, views and the
API call these functions instead of repeating the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.db import models

from jingzhi.core.access import ADMIN_ROLE
from jingzhi.core.access import is_admin as is_admin  # re-exported: the one definition lives in core
from jingzhi.org.models import Role

assert Role.ADMIN == ADMIN_ROLE  # core.access names the same role

if TYPE_CHECKING:
    from jingzhi.org.models import Division

# The hotline centre receives and routes every request in the city, so it sees all of it.
CITYWIDE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})
# Supervisors and leaders oversee a division and everything below it.
SUBTREE_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})
# Handlers and unit heads work for a unit (a unit head also for its child units).
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})


def role_of(user: Any) -> str:
    """The role the rules apply to: administrators (superusers included) are Role.ADMIN."""
    if user is None:
        return ""
    return Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", "") or ""


# Who reads the city's figures and rankings (/metrics/ and the links to it from other apps' pages).
ANALYST_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.UNIT_HEAD)


def has_role(user: Any, roles: Iterable[str]) -> bool:
    """The user holds one of `roles`; administrators pass every role check."""
    return is_admin(user) or role_of(user) in set(roles)


def is_signed_in(user: Any) -> bool:
    """An active, authenticated user: only such a user sees anything at all."""
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def unit_scope(user: Any) -> models.QuerySet[Any] | list[int]:
    """The ids of the units a user answers for: their own unit and, for a unit head, its child units.

    A lazy subquery (for `__in` filters); an empty list for a user without a unit.
    """
    from jingzhi.org.models import Unit

    if user is None or getattr(user, "unit_id", None) is None:
        return []
    units = models.Q(pk=user.unit_id)
    if role_of(user) == Role.UNIT_HEAD:
        units |= models.Q(parent_id=user.unit_id)
    return Unit.objects.filter(units).values("pk")


def division_scope(user: Any) -> Division | None:
    """The division at the top of a user's subtree (the divisions a leader or supervisor oversees), if any."""
    if user is None or getattr(user, "division_id", None) is None:
        return None
    division: Division = user.division
    return division


def in_division(division: Division, field: str = "division") -> models.Q:
    """Rows whose `field` (a Division foreign key) lies in `division`'s subtree (the division included)."""
    return models.Q(**{f"{field}__path__startswith": division.path})


@dataclass(frozen=True)
class Reach:
    """How far a user's view of cases goes: everything, one division subtree, a set of units, or nothing.

    `units` is a lazy subquery of unit ids (see unit_scope); evaluate it where a concrete list is needed.
    """

    everything: bool = False
    division: Division | None = None
    units: models.QuerySet[Any] | list[int] | None = None
    # An enterprise user (Role.ENTERPRISE) sees the cases of their own enterprise only. That is no
    # dashboard scope: `nothing` stays true for it, so roll-ups and metrics show such a user nothing.
    enterprise_id: int | None = None
    # 包保: the enterprises this user answers for (a lazy subquery). Their cases are visible on top of the reach
    # above, so the official an enterprise need escalates to can open it.
    enterprises: models.QuerySet[Any] | list[int] | None = None

    @property
    def nothing(self) -> bool:
        """No division, unit or city-wide scope (an enterprise reach is rows of one enterprise, never a roll-up)."""
        return not self.everything and self.division is None and self.units is None

    def unit_ids(self) -> tuple[int, ...] | None:
        """The units as sorted concrete ids (one query), or None when this reach is not a set of units."""
        if self.units is None:
            return None
        if isinstance(self.units, models.QuerySet):
            return tuple(sorted(self.units.values_list("pk", flat=True)))
        return tuple(sorted(self.units))


# The reaches already worked out in this bulk run, by user id (see reach_memo); None outside one.
_reach_memo: ContextVar[dict[int, Reach] | None] = ContextVar("jingzhi_reach_memo", default=None)


@contextmanager
def reach_memo() -> Iterator[None]:
    """Within one bulk run whose users, units and responsibilities do not change (the demo playing its year of
    cases), work out each user's reach once, with its units and enterprises read into concrete ids, instead of
    building its subqueries again for every write. The rule itself is unchanged and still asked of every row: a
    case moved to another unit is out of reach at once. Only for such runs: a unit or 包保 change inside one is
    not seen until it ends."""
    token = _reach_memo.set({})
    try:
        yield
    finally:
        _reach_memo.reset(token)


def case_reach(user: Any) -> Reach:
    """The cases a user may see, as a scope: the rule behind Case.objects.visible_to and the dashboards' scope.

    The hotline centre and administrators see the whole city; supervisors and leaders their division's subtree;
    handlers and unit heads the cases their units lead or assist (unit_scope); an enterprise user the cases
    of their own enterprise (issue 14). Everyone else sees nothing.
    """
    memo = _reach_memo.get()
    if memo is None or not is_signed_in(user):
        return _case_reach(user)
    if user.pk not in memo:
        reach = _case_reach(user)
        enterprises = reach.enterprises
        if isinstance(enterprises, models.QuerySet):  # one column of ids (answers_for_enterprises), read once
            enterprises = list(enterprises.values_list(*enterprises.query.values_select or ("pk",), flat=True))
        memo[user.pk] = replace(reach, units=list(reach.unit_ids() or ()) if reach.units is not None else None,
                                enterprises=enterprises)
    return memo[user.pk]


def _case_reach(user: Any) -> Reach:
    if not is_signed_in(user):
        return Reach()
    role = role_of(user)
    if role in CITYWIDE_ROLES:
        return Reach(everything=True)
    if role in SUBTREE_ROLES:
        division = division_scope(user)
        return Reach(division=division, enterprises=answers_for_enterprises(user)) if division is not None else Reach()
    if role in UNIT_ROLES and user.unit_id is not None:
        return Reach(units=unit_scope(user), enterprises=answers_for_enterprises(user))
    if role == Role.ENTERPRISE and getattr(user, "enterprise_id", None) is not None:
        return Reach(enterprise_id=user.enterprise_id)
    return Reach()


# Other ways of answering for an enterprise than a 包保 responsibility, registered from AppConfig.ready() by apps above
# org (ADR 011's pattern: org and cases never import them). The enterprises app registers its 专班 (task force)
# membership here, so a member sees and works the needs of the enterprises the task force serves. Each source takes
# the user and returns a lazy subquery of enterprise ids (a queryset of one column).
EnterpriseReachSource = Callable[[Any], models.QuerySet[Any]]
_enterprise_reach_sources: list[EnterpriseReachSource] = []


def add_enterprise_reach(source: EnterpriseReachSource) -> None:
    """Register another way of answering for enterprises (see _enterprise_reach_sources); idempotent."""
    if source not in _enterprise_reach_sources:
        _enterprise_reach_sources.append(source)


def answers_for_enterprises(user: Any) -> models.QuerySet[Any]:
    """The ids of the enterprises a user answers for, lazily: as their 包保 official (active responsibilities) or by
    any registered source (a 专班's members and leader). The one rule behind the enterprise part of case_reach."""
    from jingzhi.org.models import Enterprise, Responsibility

    own = Responsibility.objects.filter(official_id=user.pk, is_active=True, target_type="enterprise").values("enterprise_id")
    if not _enterprise_reach_sources:
        return own
    either = models.Q(pk__in=own)
    for source in _enterprise_reach_sources:
        either |= models.Q(pk__in=source(user))
    return Enterprise.objects.filter(either).values("pk")


def sees_every_campaign(user: Any) -> bool:
    """Campaigns and key projects are open in full to administrators only (others see their share)."""
    return is_admin(user)
