"""The one place that decides which cases a user may see. Pages, lists, exports and APIs all go through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from jingzhi.org.models import User

# Roles of the hotline centre: they receive and route every request in the city.
CITYWIDE_ROLES = frozenset({"operator", "dispatcher", "admin"})
SUBTREE_ROLES = frozenset({"supervisor", "leader"})
UNIT_ROLES = frozenset({"handler", "unit_head"})


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> CaseQuerySet:
        """Cases this user may see; everything else behaves as if it did not exist."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in CITYWIDE_ROLES:
            return self.all()
        if user.role in SUBTREE_ROLES:
            division = user.division
            if division is None:
                return self.none()
            return self.filter(division__path__startswith=division.path)
        if user.role in UNIT_ROLES and user.unit_id is not None:
            units = models.Q(pk=user.unit_id)
            if user.role == "unit_head":
                units |= models.Q(parent_id=user.unit_id)
            from jingzhi.org.models import Unit

            unit_ids = Unit.objects.filter(units).values("pk")
            # Two indexed lookups OR'ed by id keeps the query plan simple on large tables.
            from jingzhi.cases.models import Case

            assisting = Case.assisting_units.through.objects.filter(unit_id__in=unit_ids).values("case_id")
            return self.filter(models.Q(lead_unit_id__in=unit_ids) | models.Q(pk__in=assisting))
        return self.none()

    def open(self) -> CaseQuerySet:
        from jingzhi.cases.models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)
