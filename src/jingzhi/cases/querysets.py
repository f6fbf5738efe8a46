"""The one place that decides which cases a user may see. Pages, lists, exports and APIs all go through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from jingzhi.org.access import case_reach, in_division

if TYPE_CHECKING:
    from jingzhi.org.models import User


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> CaseQuerySet:
        """Cases this user may see (org.access.case_reach); everything else behaves as if it did not exist."""
        reach = case_reach(user)
        if reach.everything:
            return self.all()
        # 包保 officials also see the cases of the enterprises they answer for (issue 14).
        answered = models.Q(enterprise_id__in=reach.enterprises) if reach.enterprises is not None else models.Q(pk__in=[])
        if reach.division is not None:
            return self.filter(in_division(reach.division) | answered)
        if reach.units is not None:
            from jingzhi.cases.models import Case

            # Two indexed lookups OR'ed by id keeps the query plan simple on large tables.
            assisting = Case.assisting_units.through.objects.filter(unit_id__in=reach.units).values("case_id")
            return self.filter(models.Q(lead_unit_id__in=reach.units) | models.Q(pk__in=assisting) | answered)
        if reach.enterprise_id is not None:
            return self.filter(enterprise_id=reach.enterprise_id)
        return self.none()

    def open(self) -> CaseQuerySet:
        from jingzhi.cases.models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)
