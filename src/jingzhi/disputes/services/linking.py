"""Hotline cases and disputes: a case linked by hand, and new cases flagged when their party or place has an open dispute."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case
from jingzhi.core.errors import NotFound
from jingzhi.core.notify import notify_after_commit
from jingzhi.disputes import keys
from jingzhi.disputes.models import Dispute, DisputeCase, Party, Status
from jingzhi.disputes.services.common import event, lock, require_act, station_people
from jingzhi.org.models import User

log = logging.getLogger(__name__)


def open_disputes_of(*, phone: str = "", id_number: str = "", address: str = "") -> list[tuple[Dispute, str]]:
    """Open disputes with a party of this phone or ID number, or at this house-level address, and why."""
    found: dict[int, tuple[Dispute, str]] = {}
    party_q = Q()
    if k := keys.phone_key(phone):
        party_q |= Q(phone_key=k)
    if k := keys.id_key(id_number):
        party_q |= Q(id_key=k)
    if party_q:
        ids = Party.objects.filter(party_q, dispute__status=Status.OPEN).values("dispute_id")
        for d in Dispute.objects.filter(pk__in=ids):
            found[d.pk] = (d, "party")
    if k := keys.address_key(address):
        for d in Dispute.objects.filter(place_key=k, status=Status.OPEN):
            found.setdefault(d.pk, (d, "place"))
    return list(found.values())


def dispute_flag_case(case: Case) -> bool:
    """The case-created hook: tie a new case to the open disputes of its requester or place. Never fails intake."""
    try:
        with transaction.atomic():
            _flag(case)
    except Exception:  # a flag is a hint; a failure here must not fail the registration of a case
        log.exception("dispute flagging failed for case %s", case.pk)
    return False


def _flag(case: Case) -> None:
    matches = open_disputes_of(phone=case.requester_phone, id_number=case.requester_id_number, address=case.address)
    if not matches:
        return
    now = timezone.now()
    already = set(DisputeCase.objects.filter(case=case).values_list("dispute_id", flat=True))
    new = [(d, why) for d, why in matches if d.pk not in already]
    DisputeCase.objects.bulk_create([DisputeCase(dispute=d, case=case, relation=DisputeCase.Relation.FLAGGED, reason=why,
                                                 created_at=now) for d, why in new], ignore_conflicts=True)
    for dispute, why in new:
        event(dispute, "case_flagged", actor=None, at=now, data={"case": case.number, "reason": why})
        message = _("New case %(case)s concerns a party or place of open dispute %(number)s.") % {
            "case": case.number, "number": dispute.number}
        notify_after_commit(recipients=partial(station_people, dispute), kind="dispute_case_flagged", message=message,
                            subject_type="dispute", subject_ref=dispute.number)


def dispute_link_case(*, actor: User | None, dispute_id: int, case_number: str) -> DisputeCase:
    """Link a hotline case the actor can see to a dispute they work on (once; a second link returns the first)."""
    cases = Case.objects.all() if actor is None else Case.objects.visible_to(actor)
    case = cases.filter(number=(case_number or "").strip()).first()
    if case is None:
        raise NotFound(_("No such case."), fields={"case_number": _("No case with this number in your view.")})
    with transaction.atomic():
        dispute = lock(actor=actor, dispute_id=dispute_id)
        require_act(actor, dispute)
        link, created = DisputeCase.objects.get_or_create(
            dispute=dispute, case=case, defaults={"relation": DisputeCase.Relation.LINKED, "created_at": timezone.now()})
        if created:
            event(dispute, "case_linked", actor=actor, at=link.created_at, data={"case": case.number})
    return link
