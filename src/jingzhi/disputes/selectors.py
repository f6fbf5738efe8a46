"""What a user reads of the register: the list with its filters, one dispute, the supervision board's share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jingzhi.cases.models import Case
from jingzhi.disputes import keys
from jingzhi.disputes.models import Dispute, DisputeCase, Match, Party, Status, Visit
from jingzhi.org.models import User


def overdue_visits_q(today: Any = None) -> Q:
    """Disputes with a follow-up visit past its date and not yet made."""
    today = today or timezone.localdate()
    return Q(pk__in=Visit.objects.filter(due__lt=today, done_at__isnull=True).values("dispute_id"))


def overdue_escalation_q(now: Any = None) -> Q:
    """Open escalated disputes whose deadline to act has passed without a visit or mediation."""
    return Q(status=Status.OPEN, escalation_due__lt=now or timezone.now())


def register(user: User, params: dict[str, str] | Any) -> QuerySet[Dispute]:
    """The register, filtered by status, type, risk, station, flags, overdue work and a party's exact phone or ID."""
    qs = Dispute.objects.visible_to(user).select_related("division", "station")
    status = params.get("status", "open")
    if status in Status.values:
        qs = qs.filter(status=status)
    if t := params.get("type"):
        qs = qs.filter(type=t)
    if (r := params.get("risk", "")).isdigit():
        qs = qs.filter(risk__gte=int(r))
    if (s := params.get("station", "")).isdigit():
        qs = qs.filter(station_id=int(s))
    if params.get("flagged"):
        qs = qs.filter(flagged=True)
    if params.get("overdue"):
        qs = qs.filter(overdue_visits_q() | overdue_escalation_q())
    if q := (params.get("party") or "").strip():
        # Exact look-up through the keyed hashes: a phone number or an ID number, never a LIKE over plain data.
        party_keys = [k for k in (keys.phone_key(q), keys.id_key(q)) if k]
        ids = Party.objects.filter(Q(phone_key__in=party_keys) | Q(id_key__in=party_keys)).values("dispute_id")
        qs = qs.filter(pk__in=ids) if party_keys else qs.none()
    return qs.order_by("-risk", "-screened_at", "-pk")


def dispute_for(user: User, pk: int) -> Dispute | None:
    return Dispute.objects.visible_to(user).select_related("division", "station", "mediator", "created_by").filter(pk=pk).first()


@dataclass
class CaseRow:
    link: DisputeCase
    case: Case


@dataclass
class MatchRow:
    """An earlier dispute in common, with every reason it matched (same party, same place)."""

    earlier: Dispute
    reasons: list[str]
    was_open: bool


@dataclass
class DisputeView:
    """Everything the dispute page shows; cases outside the viewer's case scope are only counted."""

    dispute: Dispute
    parties: list[Party]
    steps: list[Any]
    visits: list[Visit]
    cases: list[CaseRow]
    hidden_cases: int
    matches: list[MatchRow]
    events: list[Any]


def _grouped(matches: Any) -> list[MatchRow]:
    rows: dict[int, MatchRow] = {}
    for m in matches.order_by("earlier_id", "reason"):
        row = rows.setdefault(m.earlier_id, MatchRow(m.earlier, [], m.was_open))
        row.reasons.append(m.reason)
    return list(rows.values())


def dispute_view(user: User, dispute: Dispute) -> DisputeView:
    links = list(DisputeCase.objects.filter(dispute=dispute).select_related("case"))
    visible = set(Case.objects.visible_to(user).filter(pk__in=[link.case_id for link in links]).values_list("pk", flat=True))
    rows = [CaseRow(link, link.case) for link in links if link.case_id in visible]
    seen = Dispute.objects.visible_to(user).values("pk")
    return DisputeView(
        dispute=dispute, parties=list(dispute.parties.all()),
        steps=list(dispute.steps.select_related("actor")), visits=list(dispute.visits.select_related("actor")),
        cases=rows, hidden_cases=len(links) - len(rows),
        matches=_grouped(Match.objects.filter(dispute=dispute, earlier__in=seen).select_related("earlier")),
        events=list(dispute.events.select_related("actor")),
    )


def board_counts(user: User) -> dict[str, int]:
    """The supervision board's tab: disputes in the user's view with overdue follow-up visits or escalations."""
    qs = Dispute.objects.visible_to(user)
    return {"overdue": qs.filter(overdue_visits_q() | overdue_escalation_q()).count()}
