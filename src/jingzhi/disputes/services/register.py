"""Registering a dispute (by hand, or from a hotline case), with the look-up for earlier disputes of its parties."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case
from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text, normalize_phone, validate_id_number, validate_phone
from jingzhi.disputes import keys
from jingzhi.disputes.models import Dispute, DisputeCase, DisputeType, Match, Party, Risk, Source, Status
from jingzhi.disputes.querysets import area_unit
from jingzhi.disputes.services.common import RECURRENCE_DAYS, escalate, event, station_people
from jingzhi.org.access import CITYWIDE_ROLES, is_admin, role_of, unit_scope
from jingzhi.org.models import Division, Role, Unit, User

REGISTER_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD, Role.ADMIN})


@dataclass(frozen=True)
class PartyInput:
    """One party as entered: a name, and a phone number and/or an ID number (either may be empty)."""

    name: str
    phone: str = ""
    id_number: str = ""


def _clean_parties(parties: Sequence[PartyInput]) -> list[PartyInput]:
    cleaned: list[PartyInput] = []
    errors: dict[str, str] = {}
    for i, p in enumerate(parties):
        name, phone, id_number = clean_text(p.name)[:50], normalize_phone(clean_text(p.phone)), clean_text(p.id_number).upper()
        if not (name or phone or id_number):
            continue
        if not name:
            errors[f"party_{i}_name"] = _("Give the party's name.")
        for field, value, check in ((f"party_{i}_phone", phone, validate_phone), (f"party_{i}_id_number", id_number, validate_id_number)):
            if value:
                try:
                    check(value)
                except ValidationError as e:
                    errors[field] = " ".join(str(m) for m in e.messages)
        cleaned.append(PartyInput(name=name, phone=phone, id_number=id_number))
    if not cleaned and not errors:
        errors["party_0_name"] = _("A dispute has at least one party.")
    if errors:
        raise ValidationFailed(_("Please correct the parties."), fields=errors)
    return cleaned


def _check_station(actor: User | None, station: Unit, division: Division) -> None:
    if not station.is_active:
        raise ValidationFailed(_("This unit is no longer active."), fields={"station": _("This unit is no longer active.")})
    if actor is None or is_admin(actor) or role_of(actor) in CITYWIDE_ROLES:
        return  # the hotline centre routes a case's dispute to any station
    if role_of(actor) not in REGISTER_ROLES:
        raise PermissionDenied(_("Your role does not register disputes."))
    if actor.unit_id and Unit.objects.filter(pk=station.pk, pk__in=unit_scope(actor)).exists():
        return
    unit = area_unit(actor)
    if unit is not None and unit.kind == Unit.Kind.POLITICAL_LEGAL and division.path.startswith(unit.division.path):
        return  # a 政法委 assigns a dispute in its own area to any station or unit
    raise PermissionDenied(_("You may register disputes only for your own unit or in your own area."))


def _match(dispute: Dispute, *, now: datetime) -> None:
    """Find earlier disputes of the same parties (phone or ID number) or the same house-level place."""
    party_keys = [k for p in dispute.parties.all() for k in (p.phone_key, p.id_key) if k]
    found: dict[tuple[int, str], Dispute] = {}
    if party_keys:
        for earlier in Dispute.objects.filter(parties__phone_key__in=party_keys).exclude(pk=dispute.pk).distinct():
            found[(earlier.pk, "party")] = earlier
        for earlier in Dispute.objects.filter(parties__id_key__in=party_keys).exclude(pk=dispute.pk).distinct():
            found[(earlier.pk, "party")] = earlier
    if dispute.place_key:
        for earlier in Dispute.objects.filter(place_key=dispute.place_key, status=Status.OPEN).exclude(pk=dispute.pk):
            found.setdefault((earlier.pk, "place"), earlier)
    if not found:
        return
    Match.objects.bulk_create([Match(dispute=dispute, earlier=e, reason=reason, was_open=e.is_open)
                               for (_pk, reason), e in found.items()], ignore_conflicts=True)
    dispute.repeat_count = len({pk for (pk, reason) in found if reason == "party"})
    dispute.flagged = any(e.is_open for e in found.values())
    dispute.save(update_fields=["repeat_count", "flagged"])
    window = timedelta(days=RECURRENCE_DAYS)
    recurred = [e.pk for (pk, reason), e in found.items() if reason == "party" and e.status == Status.RESOLVED
                and e.resolved_at is not None and e.resolved_at <= dispute.screened_at <= e.resolved_at + window]
    Dispute.objects.filter(pk__in=recurred, recurred_at__isnull=True).update(recurred_at=dispute.screened_at)
    if dispute.flagged:
        message = _("Dispute %(number)s involves a party or place of a dispute that is still open.") % {"number": dispute.number}
        notify_after_commit(recipients=lambda: station_people(dispute), kind="dispute_flagged", message=message,
                            subject_type="dispute", subject_ref=dispute.number)


def dispute_register(*, actor: User | None, type: str, summary: str, division: Division, station: Unit,
                     parties: Sequence[PartyInput], source: str = Source.SCREENING, risk: int = Risk.LOW,
                     description: str = "", place: str = "", mediator: User | None = None,
                     screened_at: datetime | None = None, idempotency_key: str = "",
                     from_case: Case | None = None) -> tuple[Dispute, bool]:
    """Put a dispute on the register (returns it and whether it is new); a retried key returns the first one."""
    if idempotency_key:
        first = Dispute.objects.filter(idempotency_key=idempotency_key).first()
        if first is not None:
            if actor is not None and not Dispute.objects.visible_to(actor).filter(pk=first.pk).exists():
                raise NotFound(_("No such dispute."))
            return first, False
    errors: dict[str, str] = {}
    summary = clean_text(summary)[:200]
    if not summary:
        errors["summary"] = _("Say in a line what the dispute is about.")
    if type not in DisputeType.values:
        errors["type"] = _("Choose a dispute type.")
    if source not in Source.values:
        errors["source"] = _("Choose where the dispute was found.")
    if risk not in Risk.values:
        errors["risk"] = _("Choose a risk level.")
    if mediator is not None and not mediator.is_active:
        errors["mediator"] = _("This person can no longer sign in.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    cleaned = _clean_parties(parties)
    _check_station(actor, station, division)
    # A dispute screened earlier (loaded history, a paper register typed in) is escalated as of its screening.
    now = min(screened_at, timezone.now()) if screened_at else timezone.now()
    place = clean_text(place)[:200]
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                number=uuid.uuid4().hex[:20], type=type, summary=summary, description=clean_text(description, multiline=True),
                division=division, place=place, place_key=keys.address_key(place), risk=risk, source=source,
                station=station, mediator=mediator, screened_at=now, created_by=actor,
                idempotency_key=idempotency_key or None)
            # The public number reads like a case number: 纠 + local date + the row's id.
            dispute.number = f"JF{timezone.localtime(dispute.screened_at):%Y%m%d}-{dispute.pk:06d}"
            dispute.save(update_fields=["number"])
            Party.objects.bulk_create([Party(dispute=dispute, name=p.name, phone=p.phone, id_number=p.id_number,
                                             phone_key=keys.phone_key(p.phone), id_key=keys.id_key(p.id_number))
                                       for p in cleaned])
            event(dispute, "registered", actor=actor, at=now, data={"source": source, "risk": risk})
            if from_case is not None:
                DisputeCase.objects.create(dispute=dispute, case=from_case, relation=DisputeCase.Relation.ORIGIN,
                                           created_at=now)
            _match(dispute, now=now)
            if risk >= Risk.HIGH:
                escalate(dispute, actor=actor, now=now)
    except IntegrityError:
        # Two submissions with one key raced: the other one won; answer with its dispute.
        first = Dispute.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if first is None:
            raise
        return first, False
    return dispute, True


def dispute_from_case(*, actor: User, case_number: str, type: str, station: Unit, risk: int = Risk.LOW,
                      summary: str = "", mediator: User | None = None,
                      other_parties: Sequence[PartyInput] = (),
                      screened_at: datetime | None = None) -> tuple[Dispute, bool]:
    """Turn a hotline case into a dispute: its requester is the first party, its place the dispute's place."""
    case = Case.objects.visible_to(actor).select_related("division").filter(number=case_number).first()
    if case is None:
        raise NotFound(_("No such case."))
    existing = DisputeCase.objects.filter(case=case, relation=DisputeCase.Relation.ORIGIN).select_related("dispute").first()
    if existing is not None:
        return existing.dispute, False
    requester = PartyInput(name=case.requester_name or _("Requester"), phone=case.requester_phone,
                           id_number=case.requester_id_number)
    return dispute_register(
        actor=actor, type=type, summary=summary or case.title, division=case.division, station=station,
        parties=[requester, *other_parties], source=Source.HOTLINE, risk=risk, description=case.content,
        place=case.address, mediator=mediator, idempotency_key=f"case-{case.pk}", from_case=case, screened_at=screened_at)
