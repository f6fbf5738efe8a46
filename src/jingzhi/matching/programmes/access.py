"""Who may do what with programmes: the one rule for their pages and services (ADR 028).

- Published programmes are open to every staff role; drafts to their keeping office and administrators.
- Divisions: a user whose unit or division lies in a county sees that county only; everyone at city level (the
  hotline centre, city departments, city leaders and supervisors) sees every county. Enterprise users see nothing.
- A programme office (a ProgrammeOffice unit's handlers and unit head) keeps its programmes and enters the figures of
  the divisions in its unit's subtree. Administrators may do everything.
- An application effort is opened by a leader over the division or by a programme office; its steps are recorded by
  its responsible official, a programme office over the division, a leader over it, or an administrator.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jingzhi.enterprises.access import STAFF_ROLES
from jingzhi.matching.programmes.models import DivisionMatch, Effort, Programme, ProgrammeOffice
from jingzhi.org.access import is_admin, is_signed_in, role_of
from jingzhi.org.models import Division, Role

VIEW_ROLES = STAFF_ROLES
OFFICE_ROLES = frozenset({Role.HANDLER, Role.UNIT_HEAD})
OVERSIGHT_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR})


def _anchor(user: Any) -> Division | None:
    """The division a user's view starts from: their own division, else their unit's."""
    if getattr(user, "division_id", None):
        return user.division  # type: ignore[no-any-return]
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    return unit.division if unit is not None else None


def divisions_visible_to(user: Any) -> models.QuerySet[Division]:
    """The county-level divisions whose programmes, figures and efforts this user sees."""
    qs = Division.objects.filter(level=Division.Level.COUNTY)
    if not is_signed_in(user) or role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_admin(user):
        return qs
    anchor = _anchor(user)
    if anchor is None:
        return qs.none()
    if anchor.level in (Division.Level.PROVINCE, Division.Level.CITY, Division.Level.COUNTY):
        return qs.filter(path__startswith=anchor.path)
    # Inside a county (a township, a village): that county, one of the prefixes of the anchor's path.
    parts = [p for p in anchor.path.split("/") if p]
    return qs.filter(path__in=["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)])


def office_unit(user: Any) -> Any:
    """The user's unit if it is a programme office and the user works in it (handler, unit head), else None."""
    if not is_signed_in(user) or role_of(user) not in OFFICE_ROLES or not getattr(user, "unit_id", None):
        return None
    return user.unit if ProgrammeOffice.objects.filter(unit_id=user.unit_id).exists() else None


def is_programme_office(user: Any) -> bool:
    return is_admin(user) or office_unit(user) is not None


def keeps(user: Any, programme: Programme) -> bool:
    """May edit, publish or withdraw this programme: its keeping office, or an administrator."""
    if not is_signed_in(user):
        return False
    return is_admin(user) or (office_unit(user) is not None and user.unit_id == programme.office_id)


def may_enter_figures(user: Any, division: Division) -> bool:
    """A programme office whose unit's division contains `division`, or an administrator."""
    if is_admin(user):
        return is_signed_in(user)
    unit = office_unit(user)
    return unit is not None and division.path.startswith(unit.division.path)


def may_open_effort(user: Any, division: Division) -> bool:
    """A leader over the division, or a programme office over it (or an administrator)."""
    if not is_signed_in(user):
        return False
    if is_admin(user):
        return True
    if role_of(user) == Role.LEADER:
        return divisions_visible_to(user).filter(pk=division.pk).exists()
    return may_enter_figures(user, division)


def may_record(user: Any, effort: Effort) -> bool:
    """May record a step or the result: the responsible official, whoever may open such an effort."""
    if not is_signed_in(user):
        return False
    return effort.official_id == user.pk or may_open_effort(user, effort.division)


def programmes_visible_to(user: Any) -> models.QuerySet[Programme]:
    qs = Programme.objects.all()
    if not is_signed_in(user) or role_of(user) not in VIEW_ROLES:
        return qs.none()
    if is_admin(user):
        return qs
    own = models.Q(office_id=user.unit_id) if getattr(user, "unit_id", None) else models.Q(pk__in=[])
    return qs.filter(own | ~models.Q(status=Programme.Status.DRAFT))


def matches_visible_to(user: Any) -> models.QuerySet[DivisionMatch]:
    return DivisionMatch.objects.filter(division__in=divisions_visible_to(user).values("pk"),
                                        programme__in=programmes_visible_to(user).values("pk"))


def efforts_visible_to(user: Any) -> models.QuerySet[Effort]:
    """The efforts of the divisions the user sees, and those the user answers for."""
    if not is_signed_in(user):
        return Effort.objects.none()
    mine = models.Q(official_id=user.pk)
    return Effort.objects.filter(models.Q(division__in=divisions_visible_to(user).values("pk")) | mine)
