"""Who sees which sites, warnings and tasks: the scope rules of org.access applied to early warning.

The hotline centre (which keeps the city's duty office, 值班) and administrators see everything; leaders and
supervisors their division's subtree; anyone sees the tasks addressed to them and the sites they answer for;
unit staff the sites their unit is the emergency unit of.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from jingzhi.org.access import (
    CITYWIDE_ROLES,
    SUBTREE_ROLES,
    UNIT_ROLES,
    division_scope,
    has_role,
    is_admin,
    is_signed_in,
    role_of,
    unit_scope,
)
from jingzhi.org.models import Role, Unit

NOTHING = Q(pk__in=[])
# Who may keep the duty board and enter or import warnings.
DUTY_ROLES = (Role.DISPATCHER, Role.OPERATOR, Role.SUPERVISOR, Role.LEADER)
ISSUE_ROLES = (Role.DISPATCHER, Role.SUPERVISOR)


def may_watch(user: Any) -> bool:
    return is_signed_in(user) and has_role(user, DUTY_ROLES)


def may_issue(user: Any) -> bool:
    """Enter, import or cancel warnings; manage sites and rules."""
    return is_signed_in(user) and has_role(user, ISSUE_ROLES)


def site_filter(user: Any, prefix: str = "") -> Q:
    if not is_signed_in(user):
        return NOTHING
    role = role_of(user)
    if role in CITYWIDE_ROLES:
        return Q()
    own = Q(**{f"{prefix}officials__responsibility__official": user})
    if role in SUBTREE_ROLES and (division := division_scope(user)) is not None:
        return Q(**{f"{prefix}division__path__startswith": division.path}) | own
    if role in UNIT_ROLES:
        return Q(**{f"{prefix}emergency_unit__in": unit_scope(user)}) | own
    return own


def task_filter(user: Any) -> Q:
    if not is_signed_in(user):
        return NOTHING
    from jingzhi.earlywarning.models import DangerSite

    if role_of(user) in CITYWIDE_ROLES:
        return Q()
    return Q(official=user) | Q(site__in=DangerSite.objects.filter(site_filter(user)).values("pk"))


def warning_filter(user: Any) -> Q:
    if not is_signed_in(user):
        return NOTHING
    if role_of(user) in CITYWIDE_ROLES:
        return Q()
    from jingzhi.earlywarning.models import InspectionTask

    seen = Q(pk__in=InspectionTask.objects.filter(task_filter(user)).values("warning_id"))
    if role_of(user) in SUBTREE_ROLES and (division := division_scope(user)) is not None:
        from jingzhi.earlywarning.models import Warning

        covered = Warning.divisions.through.objects.filter(division__path__startswith=division.path)
        return seen | Q(pk__in=covered.values("warning_id"))
    return seen


def preparation_filter(user: Any) -> Q:
    """Seasonal preparation tasks: the duty office and administrators all; leaders and supervisors those of the units
    in their division's subtree; unit staff their own unit's."""
    if not is_signed_in(user):
        return NOTHING
    role = role_of(user)
    if role in CITYWIDE_ROLES:
        return Q()
    if role in SUBTREE_ROLES and (division := division_scope(user)) is not None:
        return Q(unit__division__path__startswith=division.path)
    if role in UNIT_ROLES:
        return Q(unit__in=unit_scope(user))
    return NOTHING


def may_finish_preparation(user: Any, task: Any) -> bool:
    """The unit the task was raised to marks it done (its head or handlers), or an administrator."""
    if not is_signed_in(user):
        return False
    if is_admin(user):
        return True
    if role_of(user) not in UNIT_ROLES or getattr(user, "unit_id", None) is None:
        return False
    return Unit.objects.filter(pk__in=unit_scope(user), pk=task.unit_id).exists()
