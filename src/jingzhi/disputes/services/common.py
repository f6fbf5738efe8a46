"""What every dispute service shares: the row lock through the visibility rule, who may act, events, escalation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.core.notify import notify_after_commit
from jingzhi.disputes.models import Dispute, DisputeEvent
from jingzhi.disputes.querysets import area_unit
from jingzhi.disputes.services.policy import escalation_hours
from jingzhi.org.access import is_admin, unit_scope
from jingzhi.org.models import Division, Role, Unit, User

# A later dispute of the same parties within this many days of a resolution counts as a recurrence. Not a policy row:
# it defines the figure "recurred within 90 days" that issue 16 names (a city's own window would change the figure).
RECURRENCE_DAYS = 90


def lock(*, actor: User | None, dispute_id: int) -> Dispute:
    """The dispute, re-read through the visibility rule under a row lock; out of scope is NotFound."""
    qs = Dispute.objects.all() if actor is None else Dispute.objects.visible_to(actor)
    found = qs.select_for_update().filter(pk=dispute_id).first()
    if found is None:
        raise NotFound(_("No such dispute."))
    return found


def may_act(actor: User | None, dispute: Dispute) -> bool:
    """Who works a dispute: its station (or unit), its mediator, the 政法委 or station over its area, administrators.

    Leaders and supervisors read the register; they do not record steps.
    """
    if actor is None or is_admin(actor):
        return True
    if dispute.mediator_id == actor.pk:
        return True
    if actor.unit_id and Unit.objects.filter(pk=dispute.station_id, pk__in=unit_scope(actor)).exists():
        return True
    unit = area_unit(actor)
    return unit is not None and dispute.division.path.startswith(unit.division.path)


def require_act(actor: User | None, dispute: Dispute) -> None:
    if not may_act(actor, dispute):
        raise PermissionDenied(_("Only the responsible station, the mediator or the 政法委 over the area work this dispute."))


def event(dispute: Dispute, action: str, *, actor: User | None, at: datetime, note: str = "",
          data: dict[str, Any] | None = None) -> DisputeEvent:
    return DisputeEvent.objects.create(dispute=dispute, action=action, actor=actor, note=note, data=data or {},
                                       created_at=at)


def county_of(division: Division) -> str:
    """The path prefix of the county that holds `division` (its own path when it is above county level)."""
    codes = [c for c in division.path.strip("/").split("/") if c]
    county = Division.objects.filter(code__in=codes, level=Division.Level.COUNTY).values_list("path", flat=True).first()
    return county or division.path


def station_people(dispute: Dispute) -> Iterable[int]:
    """The station's members and the mediator: they hear about flagged cases and new matches."""
    ids = set(User.objects.filter(is_active=True, unit_id=dispute.station_id).values_list("pk", flat=True))
    if dispute.mediator_id:
        ids.add(dispute.mediator_id)
    return ids


def escalation_recipients(dispute: Dispute) -> list[int]:
    """The station chief (the station's unit heads) and the county 政法委 over the dispute's place."""
    county = county_of(dispute.division)
    chiefs = Q(unit_id=dispute.station_id, role=Role.UNIT_HEAD)
    committee = Q(unit__kind=Unit.Kind.POLITICAL_LEGAL, unit__division__path=county)
    return list(User.objects.filter(chiefs | committee, is_active=True).values_list("pk", flat=True))


def escalate(dispute: Dispute, *, actor: User | None, now: datetime) -> None:
    """Raise a high-risk dispute to the station chief and the county 政法委 with a deadline to act."""
    # How long the station has to act: the policy row of this risk level (EscalationLimit, admin), read at escalation.
    hours = escalation_hours(dispute.risk)
    if hours is None:
        return
    dispute.escalated_at = now
    dispute.escalation_due = now + timedelta(hours=hours)
    dispute.save(update_fields=["escalated_at", "escalation_due"])
    event(dispute, "escalated", actor=actor, at=now, data={"risk": dispute.risk, "due": dispute.escalation_due.isoformat()})
    message = _("High-risk dispute %(number)s (%(risk)s): act within %(hours)d hours.") % {
        "number": dispute.number, "risk": dispute.get_risk_display(), "hours": hours}
    notify_after_commit(recipients=lambda: escalation_recipients(dispute), kind="dispute_escalated", message=message,
                        subject_type="dispute", subject_ref=dispute.number)
