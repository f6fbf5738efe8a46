"""The one place that decides which cases a user may see. Pages, lists, exports and APIs all go through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from jingzhi.org.access import case_reach, in_division

if TYPE_CHECKING:
    from jingzhi.org.models import User


def next_due_expression() -> models.Case:
    """The deadline owed next, by status: dispatch (hotline centre), then acknowledge, reply, follow-up.

    A dispatched case owes its acknowledgement first (always earlier than its reply deadline), so queues
    that sort by it put a new, unacknowledged case where its first deadline falls (issue 11). A suspended
    case keeps its reply deadline (the clock is paused; it is recomputed when handling resumes). Closed and
    merged cases owe nothing (NULL, sorted last).
    """
    when = models.When
    return models.Case(
        when(status__in=["accepted", "returned"], then=models.F("dispatch_due")),
        when(status="dispatched", then=models.F("acknowledge_due")),
        when(status__in=["handling", "suspended"], then=models.F("reply_due")),
        when(status="replied", then=models.F("follow_up_due")),
        default=models.Value(None),
        output_field=models.DateTimeField(),
    )


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

    def with_next_due(self) -> CaseQuerySet:
        """Annotate `next_due`: the next deadline owed on the case in its status (see next_due_expression)."""
        if "next_due" in self.query.annotations:
            return self
        return self.annotate(next_due=next_due_expression())

    def open(self) -> CaseQuerySet:
        from jingzhi.cases.models import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)
