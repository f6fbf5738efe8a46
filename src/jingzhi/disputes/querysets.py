"""Who sees which dispute: the one place for the rule (pages, API, exports, figures and services use it).

- administrators: every dispute;
- a 政法委 (a unit of kind political_legal): every dispute in its division's subtree, so the city's committee
  sees the whole city and a county's its county;
- a police station: every dispute in its area (the station's division subtree) and any assigned to it;
- leaders and supervisors: their division subtree (org.access.division_scope), as for cases;
- any other unit: the disputes its units answer for (org.access.unit_scope); and anyone the disputes they
  mediate or registered themselves (a dispatcher who turned a hotline case into a dispute sees that one).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from jingzhi.org.access import (
    SUBTREE_ROLES,
    division_scope,
    in_division,
    is_admin,
    is_signed_in,
    role_of,
    unit_scope,
)
from jingzhi.org.models import Unit

AREA_UNIT_KINDS = frozenset({Unit.Kind.POLICE_STATION, Unit.Kind.POLITICAL_LEGAL})


def area_unit(user: Any) -> Unit | None:
    """The user's unit if it is a police station or a 政法委 (a unit that answers for an area)."""
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    return unit if unit is not None and unit.kind in AREA_UNIT_KINDS else None


def dispute_scope(user: Any) -> models.Q | None:
    """The rule as a Q over Dispute; None means everything, an empty Q(pk__in=[]) nothing."""
    if not is_signed_in(user):
        return models.Q(pk__in=[])
    if is_admin(user):
        return None
    q = models.Q(mediator=user) | models.Q(created_by=user)
    if getattr(user, "unit_id", None):
        q |= models.Q(station__in=unit_scope(user))
    unit = area_unit(user)
    if unit is not None:
        q |= in_division(unit.division)
    if role_of(user) in SUBTREE_ROLES and (division := division_scope(user)) is not None:
        q |= in_division(division)
    return q


class DisputeQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> DisputeQuerySet:
        """Disputes the user may see (see the module docstring); outside it a dispute does not exist."""
        q = dispute_scope(user)
        return self if q is None else self.filter(q)
