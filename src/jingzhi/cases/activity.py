"""The case-list filter behind every metric: the cases that had an activity (received, replied, followed up…) in a
date range, attributed to a unit the same way the metric roll-ups attribute it (metrics/rollup.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.models import CaseEvent, FollowUp, Resolution, Satisfaction, Status

# activity → (label, source). Event activities attribute acknowledge/return to the acting unit, the rest to the lead unit.
ACTIVITIES = {
    "received": _("Received"),
    "acknowledged": _("Acknowledged"),
    "acknowledged_on_time": _("Acknowledged on time"),
    "replied": _("Replied"),
    "replied_on_time": _("Replied on time"),
    "returned": _("Returned"),
    "reopened": _("Reopened"),
    "extended": _("Extension approved"),
    "followed_up": _("Followed up"),
    "contacted": _("Requester contacted"),
    "resolved": _("Resolved"),
    "partly": _("Partly resolved"),
    "satisfied": _("Satisfied"),
    "basically": _("Basically satisfied"),
    "emergency": _("Emergencies received"),
}

_EVENT_ACTION = {
    "acknowledged": "acknowledge", "acknowledged_on_time": "acknowledge", "returned": "return", "replied": "reply",
    "replied_on_time": "reply", "reopened": "reopen", "extended": "approve_extension",
}
_FOLLOW_UP = {
    "followed_up": Q(), "contacted": Q(contacted=True), "resolved": Q(resolution=Resolution.RESOLVED),
    "partly": Q(resolution=Resolution.PARTLY), "satisfied": Q(satisfaction=Satisfaction.SATISFIED),
    "basically": Q(satisfaction=Satisfaction.BASICALLY),
}


def activity_filter(qs: Any, activity: str, *, start: datetime | None, end: datetime | None, unit_code: str) -> Any:
    """Narrow `qs` to cases with `activity` in [start, end), by `unit_code` if given."""
    def window(prefix: str = "") -> Q:
        q = Q()
        if start is not None:
            q &= Q(**{f"{prefix}created_at__gte": start})
        if end is not None:
            q &= Q(**{f"{prefix}created_at__lt": end})
        return q

    def unit_is(field: str) -> Q:
        # unit_code "none": the activity is attributed to no unit (a case not dispatched, a follow-up without one).
        return Q(**{f"{field}__isnull": True}) if unit_code == "none" else Q(**{f"{field}__code": unit_code})

    if activity in ("received", "emergency"):
        qs = qs.filter(window()).exclude(status=Status.MERGED)
        if activity == "emergency":
            qs = qs.filter(priority="emergency")
        return qs.filter(unit_is("lead_unit")) if unit_code else qs
    if activity in _FOLLOW_UP:
        fus = FollowUp.objects.filter(window(), _FOLLOW_UP[activity])
        if unit_code:
            fus = fus.filter(unit_is("unit"))
        return qs.filter(pk__in=fus.values("case_id"))
    action = _EVENT_ACTION[activity]
    events = CaseEvent.objects.filter(window(), action=action)
    if activity == "acknowledged_on_time":
        events = events.filter(Q(case__acknowledge_due__isnull=True) | Q(created_at__lte=F("case__acknowledge_due")))
    if activity == "replied_on_time":
        events = events.filter(Q(case__reply_due__isnull=True) | Q(created_at__lte=F("case__reply_due")))
    if unit_code:
        if action in ("acknowledge", "return"):
            events = events.filter(
                (Q(actor_unit__isnull=True) & unit_is("case__lead_unit")) if unit_code == "none"
                else (unit_is("actor_unit") | (Q(actor_unit__isnull=True) & unit_is("case__lead_unit")))
            )
        else:
            events = events.filter(unit_is("case__lead_unit"))
    return qs.filter(pk__in=events.values("case_id"))
