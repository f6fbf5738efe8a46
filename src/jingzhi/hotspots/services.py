"""Hotspots in the product: kept up to date as each case arrives, and acted on through the cases services.

`hotspot_case_added` is the case-created hook (registered in apps.py): it stores the case's features and index
keys, asks the index for candidates in the same county and time buckets, runs the library's pair test on them,
and joins, starts or merges hotspots. The cost is that of the candidates, not of all cases: no recomputation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, Channel, Kind, Priority, Status
from jingzhi.cases.services import case_create, case_dispatch
from jingzhi.cases.transitions import DISPATCHERS
from jingzhi.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from jingzhi.hotspots import grouping
from jingzhi.hotspots.models import CaseSignal, Hotspot, HotspotAction, HotspotMember, SignalKey
from jingzhi.org.access import role_of
from jingzhi.org.models import Division, Role, Unit, User

log = logging.getLogger(__name__)
SETTINGS = grouping.Settings()
ACTING_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})


def scope_of(division: Division) -> Division:
    """The county a case's division belongs to (hotspots never span two counties)."""
    codes = [c for c in division.path.strip("/").split("/") if c]
    county = Division.objects.filter(code__in=codes, level=Division.Level.COUNTY).first()
    return county or division


def _message(case: Case, county: Division) -> grouping.Message:
    return grouping.Message(
        id=str(case.pk), title=case.title, detail=case.content, at=case.created_at, reporter=case.requester_phone,
        kind=case.kind, severity=1.0 if case.priority == Priority.EMERGENCY else 0.0, district=county.code,
    )


def hotspot_case_added(case: Case) -> bool:
    """The case-created hook: index the case and join it to the hotspots it matches. Idempotent; never fails intake."""
    # A proactive case is the city's answer to a hotspot, not one more complaint in it.
    if case.channel == Channel.PROACTIVE or case.merged_into_id is not None or CaseSignal.objects.filter(case=case).exists():
        return False
    try:
        _add(case)
    except Exception:  # A hotspot is a hint; a failure here must not fail the registration of a case.
        log.exception("hotspot detection failed for case %s", case.pk)
    return False


def _add(case: Case) -> None:
    county = scope_of(case.division)
    message = _message(case, county)
    features = grouping.features(message, SETTINGS)
    keys = grouping.index_keys(features)
    bucket = grouping.bucket_of(message.at, SETTINGS)
    with transaction.atomic():
        signal, created = CaseSignal.objects.get_or_create(
            case=case, defaults={"scope": county.code, "at": case.created_at, "features": grouping.features_to_json(features)})
        if not created:
            return
        SignalKey.objects.bulk_create(SignalKey(signal=signal, scope=county.code, key=k[:40], bucket=bucket) for k in keys)
        candidates = (CaseSignal.objects.filter(
            pk__in=SignalKey.objects.filter(scope=county.code, key__in=[k[:40] for k in keys],
                                            bucket__in=(bucket - 1, bucket, bucket + 1)).values("signal_id"))
            .exclude(pk=signal.pk).only("case_id", "at", "features"))
        matched = [c.case_id for c in candidates
                   if grouping.same_problem(features, message.at, grouping.features_from_json(c.features), c.at, SETTINGS)]
        if matched:
            _join(case, matched, county)


def _join(case: Case, matched: Sequence[int], county: Division) -> None:
    now = timezone.now()
    memberships = list(HotspotMember.objects.filter(case_id__in=matched).select_related("hotspot"))
    hotspots = sorted({m.hotspot_id for m in memberships})
    if hotspots:
        locked = list(Hotspot.objects.select_for_update().filter(pk__in=hotspots).order_by("pk"))
        target, others = locked[0], locked[1:]
        for other in others:  # the new case bridges two hotspots: they become one
            HotspotMember.objects.filter(hotspot=other).update(hotspot=target)
            other.merged_into = target
            other.save(update_fields=["merged_into"])
    else:
        target = Hotspot.objects.create(division=county, summary=case.title[:200], first_at=case.created_at,
                                        last_at=case.created_at, created_at=now)
    in_hotspot = {m.case_id for m in memberships}
    HotspotMember.objects.bulk_create(
        [HotspotMember(hotspot=target, case_id=c, joined_at=now) for c in [case.pk, *matched] if c not in in_hotspot])
    hotspot_refresh(target, now=now)


def hotspot_refresh(hotspot: Hotspot, *, now: object = None) -> Hotspot:
    """Recompute place, summary, span and heat from the hotspot's cases (bounded by its size)."""
    at = now or timezone.now()
    signals = CaseSignal.objects.filter(case__hotspot_membership__hotspot=hotspot).select_related("case", "case__division")
    group = []
    for s in signals:
        c = s.case
        group.append((_message(c, hotspot.division), grouping.features_from_json(s.features)))
    if not group:
        return hotspot
    found = grouping.summarize(group, now=at, settings=SETTINGS)  # type: ignore[arg-type]
    hotspot.place = found.place.removeprefix(hotspot.division.code)[:100]
    hotspot.summary = found.summary[:200]
    hotspot.heat = found.heat
    hotspot.size = found.count
    hotspot.first_at, hotspot.last_at = found.start, found.end
    hotspot.save(update_fields=["place", "summary", "heat", "size", "first_at", "last_at"])
    return hotspot


def _visible_hotspot(actor: User, hotspot_id: int) -> Hotspot:
    found = Hotspot.objects.visible_to(actor).filter(pk=hotspot_id).select_related("division").first()
    if found is None:
        raise NotFound(_("No such hotspot."))
    if role_of(actor) not in ACTING_ROLES:
        raise PermissionDenied(_("Only dispatchers and leaders act on hotspots."))
    return found


def hotspot_dispatch_all(*, actor: User, hotspot_id: int, unit: Unit, note: str = "") -> list[Case]:
    """Dispatch every open, not yet dispatched case of the hotspot that the actor sees to one unit (case_dispatch each)."""
    hotspot = _visible_hotspot(actor, hotspot_id)
    cases = list(Case.objects.visible_to(actor).filter(hotspot_membership__hotspot=hotspot, status=Status.ACCEPTED)
                 .order_by("created_at"))
    if not cases:
        raise ApplicationError(_("The hotspot has no case waiting for dispatch."))
    note = note or _("Dispatched together as hotspot %(place)s") % {"place": hotspot.place or hotspot.summary}
    done = []
    with transaction.atomic():  # all or none: a hotspot is one job for one unit
        for case in cases:
            done.append(case_dispatch(case=case, unit=unit, note=note, **_dispatching_as(actor)))
        _record(hotspot, HotspotAction.Kind.DISPATCH_ALL, actor, detail={"unit": unit.code, "cases": len(done)})
    return done


def _dispatching_as(actor: User) -> dict[str, Any]:
    """Who dispatches: a dispatcher themselves; for a leader's order the hotline's system dispatches, and the event
    names the leader (the transition table keeps dispatching to the hotline; the leader's decision is recorded)."""
    if role_of(actor) in DISPATCHERS:
        return {"actor": actor}
    return {"actor": None, "data": {"ordered_by": actor.username, "ordered_by_name": str(actor)}}


def _record(hotspot: Hotspot, kind: str, actor: User, *, case_number: str = "", detail: dict | None = None) -> None:
    HotspotAction.objects.create(hotspot=hotspot, kind=kind, actor=actor, at=timezone.now(), case_number=case_number,
                                 detail=detail or {})


def hotspot_open_proactive(*, actor: User, hotspot_id: int, title: str = "", content: str = "",
                           unit: Unit | None = None, reply_due: datetime | None = None) -> Case:
    """未诉先办: open a proactive case about the hotspot (case_create, channel proactive); dispatch it if a unit is
    given, with its own deadline (`reply_due`) when one is set."""
    hotspot = _visible_hotspot(actor, hotspot_id)
    numbers = list(Case.objects.visible_to(actor).filter(hotspot_membership__hotspot=hotspot)
                   .order_by("created_at").values_list("number", flat=True)[:20])
    title = (title or _("Proactive: %(summary)s") % {"summary": hotspot.summary}).strip()[:200]
    content = (content or _("Opened from hotspot %(place)s (%(count)d cases: %(numbers)s).") % {
        "place": hotspot.place or hotspot.summary, "count": hotspot.size, "numbers": ", ".join(numbers)}).strip()
    with transaction.atomic():
        case, _created = case_create(actor=actor, channel=Channel.PROACTIVE, kind=Kind.REPORT, title=title,
                                     content=content, division_code=hotspot.division.code,
                                     idempotency_key=f"hotspot-{hotspot.pk}-{timezone.now():%Y%m%d}")
        if reply_due is not None and unit is None:
            msg = _("Choose the unit that is to meet this deadline.")
            raise ValidationFailed(msg, fields={"unit": msg})
        if unit is not None and case.status == Status.ACCEPTED:
            case = case_dispatch(case=case, unit=unit, note=_("Proactive case from a hotspot"), reply_due=reply_due,
                                 **_dispatching_as(actor))
        if _created:
            _record(hotspot, HotspotAction.Kind.PROACTIVE, actor, case_number=case.number,
                    detail={"unit": unit.code if unit else ""})
    return case


def hotspot_propose_campaign(*, actor: User, hotspot_id: int) -> dict[str, object]:
    """每月一题: record that a campaign is proposed from the hotspot and return the campaign form's pre-filled values.

    The campaign itself is created by the campaigns app's own form (hotspots does not import campaigns).
    """
    hotspot = _visible_hotspot(actor, hotspot_id)
    numbers = list(Case.objects.visible_to(actor).filter(hotspot_membership__hotspot=hotspot)
                   .order_by("created_at").values_list("number", flat=True)[:20])
    _record(hotspot, HotspotAction.Kind.CAMPAIGN, actor)
    return {
        "title": (_("Monthly topic: %(summary)s") % {"summary": hotspot.summary})[:120],
        "background": _("Hotspot %(place)s: %(count)d cases from %(first)s to %(last)s (%(numbers)s).") % {
            "place": f"{hotspot.division.name}{hotspot.place}", "count": hotspot.size,
            "first": timezone.localtime(hotspot.first_at).date(), "last": timezone.localtime(hotspot.last_at).date(),
            "numbers": ", ".join(numbers)},
        "division": hotspot.division_id,
    }


def recent_window() -> timedelta:
    return SETTINGS.trend_period
