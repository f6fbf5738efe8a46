"""Who sees which enterprise, and who may do what in enterprise service: the one rule for this app's pages,
services and API. Needs are cases, so which needs a user sees is Case.objects.visible_to (cases/querysets.py).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jingzhi.enterprises.models import TaskForce
from jingzhi.org.access import (
    CITYWIDE_ROLES,
    SUBTREE_ROLES,
    answers_for_enterprises,
    division_scope,
    in_division,
    is_signed_in,
    role_of,
)
from jingzhi.org.models import Enterprise, Role

# The enterprise service office works from the hotline centre: it keeps the registry, invites enterprise users,
# sets up task forces and registers needs on any channel.
OFFICE_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.ADMIN})
# Who sees the task-force boards and the enterprise figures besides the office.
OVERSIGHT_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR})
STAFF_ROLES = frozenset({*OFFICE_ROLES, *OVERSIGHT_ROLES, Role.HANDLER, Role.UNIT_HEAD})


def is_office(user: Any) -> bool:
    return is_signed_in(user) and role_of(user) in OFFICE_ROLES


def is_enterprise_user(user: Any) -> bool:
    return is_signed_in(user) and role_of(user) == Role.ENTERPRISE and getattr(user, "enterprise_id", None) is not None


def served_by_task_force(user: Any) -> models.QuerySet[Any]:
    """The ids of the enterprises served by a 专班 the user is a member or the leader of (a lazy subquery).

    Registered with org.access.add_enterprise_reach, so the same enterprises' needs (cases) are visible to them.
    """
    link = TaskForce.enterprises.through.objects
    return link.filter(models.Q(taskforce__members=user.pk) | models.Q(taskforce__leader=user.pk)).values("enterprise_id")


def _serving(user: Any) -> models.Q:
    """Enterprises the user answers for: as their 包保 official, or as a member or the leader of their 专班.

    The same rule as the cases' (org.access.answers_for_enterprises, which reads served_by_task_force).
    """
    return models.Q(pk__in=answers_for_enterprises(user))


def enterprises_visible_to(user: Any) -> models.QuerySet[Enterprise]:
    """The registry as this user may see it; outside it an enterprise behaves as if it did not exist (404)."""
    qs = Enterprise.objects.all()
    if not is_signed_in(user):
        return qs.none()
    role = role_of(user)
    if role in CITYWIDE_ROLES:
        return qs
    if role == Role.ENTERPRISE:
        return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
    if role in SUBTREE_ROLES:
        division = division_scope(user)
        scope = _serving(user) | (in_division(division) if division is not None else models.Q(pk__in=[]))
        return qs.filter(pk__in=Enterprise.objects.filter(scope).values("pk"))
    if role in STAFF_ROLES:
        return qs.filter(pk__in=Enterprise.objects.filter(_serving(user)).values("pk"))
    return qs.none()


def serves(user: Any, enterprise: Enterprise) -> bool:
    """The user may record visits for this enterprise: the office, its 包保 official, its 专班's members and leader."""
    if is_office(user):
        return True
    if not is_signed_in(user) or role_of(user) == Role.ENTERPRISE:
        return False
    return Enterprise.objects.filter(_serving(user), pk=enterprise.pk).exists()
