"""Writes of early warning: sites and their 包保 officials, rules, and warnings — entered by hand or from CAP — with
the fan-out of inspection tasks (and their change or end when an update or cancel arrives).

A warning's areas are matched to sites once per message; the fan-out is a diff between the tasks the warning has
and the (site, official) pairs its areas now cover: new pairs get a task, pairs that left get their task ended,
pairs that stay get the new rule's deadline and checklist (counted as changed when anything differs). Tasks,
events and in-app notifications are bulk-inserted, so a county with 2,000 sites is a few statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core import notify
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.earlywarning import cap, geo
from jingzhi.earlywarning.access import may_issue
from jingzhi.earlywarning.models import (
    OPEN_STATUSES,
    DangerSite,
    InspectionTask,
    OfficialLevel,
    SiteOfficial,
    SiteType,
    TaskEvent,
    TaskStatus,
    Warning,
    WarningArea,
    WarningLevel,
    WarningRule,
    WarningType,
)
from jingzhi.org.models import Division, Unit, User

# When no rule matches (a city that has not written its rules yet), the national practice applies: 叫应 in 10
# minutes, and on site within a time that shrinks with the level.
DEFAULT_ONSITE_MINUTES = {"red": 120, "orange": 240, "yellow": 480, "blue": 1440}
DEFAULT_ACK_MINUTES = 10
NOTIFY_KIND = "warning_task"


def _require_issuer(actor: User | None) -> None:
    if actor is not None and not may_issue(actor):
        raise PermissionDenied(_("Only the duty office (dispatchers and supervisors) issues warnings and keeps sites."))


# ---------------------------------------------------------------- sites


def site_upsert(*, actor: User | None, code: str, name: str, site_type: str, division: Division, address: str = "",
                latitude: float | None = None, longitude: float | None = None, risk_level: str = "medium",
                emergency_unit: Unit | None = None) -> DangerSite:
    """Create or change a danger site (by its code)."""
    _require_issuer(actor)
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", code):
        errors["code"] = _("A site code is 1 to 40 letters, digits, - or _.")
    if not name:
        errors["name"] = _("Give the site a name.")
    if site_type not in SiteType.values:
        errors["site_type"] = _("Unknown site type.")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = _("The coordinates are outside the earth.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    site, _created = DangerSite.objects.update_or_create(code=code, defaults={
        "name": name[:100], "site_type": site_type, "division": division, "address": address.strip()[:200],
        "latitude": latitude, "longitude": longitude, "risk_level": risk_level, "emergency_unit": emergency_unit})
    return site


def site_assign_official(*, actor: User | None, site: DangerSite, official: User, level: str, note: str = "") -> SiteOfficial:
    """包保 for a site: the official answers for it at a level. Recorded in org's register (a site Responsibility,
    audited there) and linked to the site here; assigning twice keeps one row."""
    from jingzhi.org.services import responsibility_assign

    _require_issuer(actor)
    if level not in OfficialLevel.values:
        raise ValidationFailed(_("Unknown 包保 level."), fields={"level": _("Unknown 包保 level.")})
    with transaction.atomic():
        responsibility = responsibility_assign(actor=None, official=official, site_name=site.name,
                                               site_division=site.division, note=note or _("Danger site %(code)s") % {"code": site.code})
        link, _created = SiteOfficial.objects.update_or_create(site=site, responsibility=responsibility,
                                                               defaults={"level": level})
    return link


# ---------------------------------------------------------------- rules


def rule_set(*, actor: User | None, warning_type: str, level: str, site_type: str = "", ack_minutes: int = 10,
             onsite_minutes: int = 120, checklist: list[str] | None = None) -> WarningRule:
    """Set what a warning of a type and level requires at a site type ("" for every type)."""
    _require_issuer(actor)
    if warning_type not in WarningType.values or level not in WarningLevel.values or (site_type and site_type not in SiteType.values):
        raise ValidationFailed(_("Unknown warning type, level or site type."))
    if not (1 <= ack_minutes <= 1440 and 1 <= onsite_minutes <= 10080):
        raise ValidationFailed(_("Acknowledge within 1–1440 minutes and be on site within 1–10080 minutes."))
    rule, _created = WarningRule.objects.update_or_create(
        warning_type=warning_type, level=level, site_type=site_type,
        defaults={"ack_minutes": ack_minutes, "onsite_minutes": onsite_minutes,
                  "checklist": [str(c)[:200] for c in (checklist or [])][:30], "is_active": True})
    return rule


# ---------------------------------------------------------------- matching areas to sites


@dataclass(frozen=True)
class Coverage:
    divisions: list[Division]
    site_ids: set[int]


def _divisions_named(description: str) -> list[Division]:
    names = [n for n in re.split(r"[、,，;；\s]+", description) if n]
    return list(Division.objects.filter(name__in=names)) if names else []


def match_area(area: cap.Area) -> Coverage:
    """The divisions and active sites an area covers: polygons/circles against site coordinates when given (sites
    without coordinates then by the area's codes), else the GB/T 2260 geocodes, else the division names in areaDesc.
    Raises CapError naming the element when the area covers no known place."""
    divisions: list[Division] = []
    if area.geocodes:
        divisions = list(Division.objects.filter(code__in=area.geocodes))
        unknown = sorted(set(area.geocodes) - {d.code for d in divisions})
        if unknown and not (area.polygons or area.circles):
            raise cap.CapError("geocode", _("no division has the code %(code)s") % {"code": ", ".join(unknown)[:60]})
    elif not (area.polygons or area.circles):
        divisions = _divisions_named(area.description)
        if not divisions:
            raise cap.CapError("areaDesc", _("no division is named “%(name)s”") % {"name": area.description[:60]})
    sites = DangerSite.objects.filter(is_active=True)
    in_divisions = Q()
    for d in divisions:
        in_divisions |= Q(division__path__startswith=d.path)
    if area.polygons or area.circles:
        found = set()
        for s in sites.filter(latitude__isnull=False).values("pk", "latitude", "longitude"):
            lat, lon = float(s["latitude"] or 0), float(s["longitude"] or 0)  # filtered: never null here
            if any(geo.in_polygon(lat, lon, p) for p in area.polygons) or any(geo.in_circle(lat, lon, c) for c in area.circles):
                found.add(s["pk"])
        if divisions:
            found |= set(sites.filter(in_divisions, latitude__isnull=True).values_list("pk", flat=True))
        if not divisions:
            divisions = list(Division.objects.filter(pk__in=sites.filter(pk__in=found).values("division_id")))
        return Coverage(divisions=divisions, site_ids=found)
    return Coverage(divisions=divisions, site_ids=set(sites.filter(in_divisions).values_list("pk", flat=True)))


# ---------------------------------------------------------------- fan-out


@dataclass(frozen=True)
class Outcome:
    identifier: str  # the message applied
    warning: Warning
    status: str  # new, updated, cancelled, unchanged (the message was applied before)
    created: int = 0
    changed: int = 0
    ended: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "warning": self.warning.identifier, "status": self.status,
                "tasks": {"created": self.created, "changed": self.changed, "ended": self.ended}}


def _rules_for(warning: Warning) -> dict[str, WarningRule]:
    """Rule per site type ("" = the rule for every type) for the warning's type and level."""
    return {r.site_type: r for r in WarningRule.objects.filter(warning_type=warning.warning_type, level=warning.level,
                                                              is_active=True)}


def _terms(rules: dict[str, WarningRule], site_type: str, level: str) -> tuple[WarningRule | None, int, int, list[str]]:
    rule = rules.get(site_type) or rules.get("")
    if rule is None:
        return None, DEFAULT_ACK_MINUTES, DEFAULT_ONSITE_MINUTES[level], []
    return rule, rule.ack_minutes, rule.onsite_minutes, list(rule.checklist)


def _fan_out(warning: Warning, site_ids: set[int], *, now: datetime, actor: User | None) -> tuple[int, int, int]:
    """Bring the warning's tasks in line with the sites it covers. Returns (created, changed, ended)."""
    rules = _rules_for(warning)
    wanted = {}
    links = (SiteOfficial.objects.filter(site_id__in=site_ids, responsibility__is_active=True)
             .values_list("site_id", "site__site_type", "responsibility__official_id", "level"))
    for site_id, site_type, official_id, level in links:
        wanted[(site_id, official_id)] = (site_type, level)
    existing = {(t.site_id, t.official_id): t for t in
                InspectionTask.objects.select_for_update().filter(warning=warning, status__in=OPEN_STATUSES)}
    headline = _("%(level)s %(type)s warning: %(headline)s") % {
        "level": warning.get_level_display(), "type": warning.get_warning_type_display(), "headline": warning.headline}
    new_rows: list[tuple[int, int, str, WarningRule | None, list[str], datetime, datetime]] = []
    events: list[TaskEvent] = []
    changed_ids: list[int] = []
    ended_ids: list[int] = []
    for (site_id, official_id), (site_type, level) in wanted.items():
        rule, ack, onsite, checklist = _terms(rules, site_type, warning.level)
        task = existing.get((site_id, official_id))
        if task is None:
            new_rows.append((site_id, official_id, level, rule, checklist, now + timedelta(minutes=ack),
                             now + timedelta(minutes=onsite)))
            continue
        onsite_due = now + timedelta(minutes=onsite)
        if task.rule_id != (rule.pk if rule else None) or task.checklist != checklist or task.onsite_due_at != onsite_due:
            task.rule, task.checklist, task.onsite_due_at = rule, checklist, onsite_due
            task.save(update_fields=["rule", "checklist", "onsite_due_at"])
            changed_ids.append(task.pk)
    for key, task in existing.items():
        if key not in wanted:
            ended_ids.append(task.pk)
    if ended_ids:
        InspectionTask.objects.filter(pk__in=ended_ids).update(status=TaskStatus.ENDED, ended_at=now)
    # Existing tasks of pairs that left but were already closed stay as they are: their report is history.
    note = warning.headline[:300]  # stored as received: an event's note is read in any language
    if new_rows:
        _insert_tasks(warning, new_rows, now=now)
        _insert_delivered_events(warning, now=now, actor=actor, note=note)
    events += [TaskEvent(task_id=pk, kind=TaskEvent.Kind.CHANGED, at=now, actor=actor, note=note) for pk in changed_ids]
    events += [TaskEvent(task_id=pk, kind=TaskEvent.Kind.ENDED, at=now, actor=actor, note=_("Outside the updated area"))
               for pk in ended_ids]
    TaskEvent.objects.bulk_create(events, batch_size=2000)
    _deliver(warning, [official_id for _s, official_id, *_rest in new_rows], headline)
    return len(new_rows), len(changed_ids), len(ended_ids)


def _insert_tasks(warning: Warning, rows: list[tuple[int, int, str, WarningRule | None, list[str], datetime, datetime]],
                  *, now: datetime) -> None:
    """The new tasks in a few multi-row INSERTs: a red warning over a county is thousands of rows, and building a model
    instance per row (bulk_create) costs more than the database's whole insert. The values are adapted once per
    distinct value through Django's own backend operations, so SQLite and PostgreSQL store what the ORM would."""
    import json

    from django.db import connection

    ops = connection.ops
    meta = InspectionTask._meta
    columns = ["warning_id", "site_id", "official_id", "level", "rule_id", "status", "checklist", "created_at",
               "ack_due_at", "onsite_due_at", "people_moved", "situation", "hazard"]
    head = "INSERT INTO {} ({}) VALUES ".format(  # noqa: S608 — model table and column names only
        ops.quote_name(meta.db_table), ", ".join(ops.quote_name(str(meta.get_field(c.removesuffix("_id")).column))  # type: ignore[union-attr]
                                                 for c in columns))
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    adapted: dict[datetime, Any] = {}

    def at(value: datetime) -> Any:
        if value not in adapted:
            adapted[value] = ops.adapt_datetimefield_value(value)
        return adapted[value]

    checklists: dict[int, str] = {}
    params = []
    for site_id, official_id, level, rule, checklist, ack_due, onsite_due in rows:
        key = rule.pk if rule else 0
        if key not in checklists:
            checklists[key] = json.dumps(checklist, ensure_ascii=False)
        params.append((warning.pk, site_id, official_id, level, rule.pk if rule else None, TaskStatus.NOT_ACKNOWLEDGED,
                       checklists[key], at(now), at(ack_due), at(onsite_due), 0, "", ""))
    # Multi-row VALUES, 500 rows a statement: a dozen round trips for a county instead of one per row (on a busy
    # database server each round trip is what costs), and well under SQLite's limit on parameters per statement.
    with connection.cursor() as cursor:
        for start in range(0, len(params), 500):
            chunk = params[start:start + 500]
            cursor.execute(head + ", ".join([row] * len(chunk)), [value for p in chunk for value in p])


def _insert_delivered_events(warning: Warning, *, now: datetime, actor: User | None, note: str) -> None:
    """One "delivered" event per task just created, as one INSERT … SELECT (the tasks without any event yet)."""
    from django.db import connection

    ops = connection.ops
    event, task = TaskEvent._meta, InspectionTask._meta
    sql = (f"INSERT INTO {ops.quote_name(event.db_table)} (task_id, kind, at, actor_id, channel, note) "  # noqa: S608 — fixed names
           f"SELECT t.id, %s, %s, %s, %s, %s FROM {ops.quote_name(task.db_table)} t "
           f"WHERE t.warning_id = %s AND t.created_at = %s AND NOT EXISTS "
           f"(SELECT 1 FROM {ops.quote_name(event.db_table)} e WHERE e.task_id = t.id)")
    stamp = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [TaskEvent.Kind.DELIVERED, stamp, actor.pk if actor else None, "in_app+sms", note,
                             warning.pk, stamp])


def _deliver(warning: Warning, officials: list[int], headline: str) -> None:
    """In-app now (with the change, in one insert) and SMS through the gateway after the commit: one message per
    official, however many of their sites the warning covers."""
    by_official: dict[int, int] = {}
    for official_id in officials:
        by_official[official_id] = by_official.get(official_id, 0) + 1
    text = _("%(headline)s — acknowledge (叫应) now; %(count)d site(s) to inspect.")
    notify.notify_many([notify.Outgoing(recipient_ids=(oid,), kind=NOTIFY_KIND, message=text % {"headline": headline, "count": n},
                                        subject_type="warning", subject_ref=warning.identifier[:64])
                        for oid, n in by_official.items()])
    if not by_official:
        return
    from jingzhi.earlywarning.gateway import send_all

    # Recorded with the warning, sent by the task queue after the commit (the one outbound gateway, ADR 026).
    phones = dict(User.objects.filter(pk__in=list(by_official)).values_list("pk", "phone"))
    send_all((oid, phones.get(oid, ""), text % {"headline": headline, "count": n}, warning.identifier)
             for oid, n in by_official.items())


def _end_all(warning: Warning, *, now: datetime, actor: User | None, note: str) -> int:
    ids = list(InspectionTask.objects.filter(warning=warning, status__in=OPEN_STATUSES).values_list("pk", flat=True))
    InspectionTask.objects.filter(pk__in=ids).update(status=TaskStatus.ENDED, ended_at=now)
    TaskEvent.objects.bulk_create([TaskEvent(task_id=pk, kind=TaskEvent.Kind.ENDED, at=now, actor=actor, note=note[:300])
                                   for pk in ids], batch_size=2000)
    return len(ids)


def _store_areas(warning: Warning, areas: list[cap.Area], coverage: list[Coverage]) -> set[int]:
    WarningArea.objects.filter(warning=warning).delete()
    WarningArea.objects.bulk_create([WarningArea(warning=warning, description=a.description, geocodes=a.geocodes,
                                                 polygons=[[list(p) for p in poly] for poly in a.polygons],
                                                 circles=[list(c) for c in a.circles]) for a in areas])
    warning.divisions.set({d.pk for c in coverage for d in c.divisions})
    return {s for c in coverage for s in c.site_ids}


def warning_import_cap(*, actor: User | None, data: bytes, now: datetime | None = None) -> Outcome:
    """Apply one CAP 1.2 message: a new alert fans out tasks, an Update re-matches and diffs them, a Cancel ends them.

    Bad CAP raises ValidationFailed with the element named (fields={"cap": …}), before anything is written.
    Importing a message that was already applied changes nothing (status "unchanged")."""
    _require_issuer(actor)
    now = now or timezone.now()
    try:
        alert = cap.parse(data)
        coverage = [match_area(a) for a in alert.areas] if alert.msg_type != "Cancel" else []
    except cap.CapError as e:
        raise ValidationFailed(str(e), fields={"cap": str(e), "element": e.element}) from None
    with transaction.atomic():
        done = _with_message(alert.identifier)
        if done is not None:
            return Outcome(alert.identifier, done, "unchanged")
        if alert.msg_type == "Alert":
            warning = Warning.objects.create(
                identifier=alert.identifier, sender=alert.sender, source=Warning.Source.CAP, warning_type=alert.warning_type,
                level=alert.level, headline=alert.headline, description=alert.description, sent_at=alert.sent,
                effective_at=alert.effective, expires_at=alert.expires, messages=[alert.identifier], created_at=now)
            created, changed, ended = _fan_out(warning, _store_areas(warning, alert.areas, coverage), now=now, actor=actor)
            status = "new"
        else:
            warning = _referenced(alert.references)
            warning = Warning.objects.select_for_update().get(pk=warning.pk)
            warning.messages = [*warning.messages, alert.identifier]
            if alert.msg_type == "Cancel":
                created, changed = 0, 0
                ended = _end_all(warning, now=now, actor=actor, note=_("The warning was cancelled"))
                warning.status, warning.cancelled_at = Warning.Status.CANCELLED, now
                warning.save(update_fields=["messages", "status", "cancelled_at"])
                status = "cancelled"
            else:
                for name in ("warning_type", "level", "headline", "description"):
                    setattr(warning, name, getattr(alert, name))
                warning.effective_at, warning.expires_at, warning.status = alert.effective, alert.expires, Warning.Status.ACTIVE
                warning.save()
                created, changed, ended = _fan_out(warning, _store_areas(warning, alert.areas, coverage), now=now, actor=actor)
                status = "updated"
        audit_record(actor=actor, action="warning_import", object_type="warning", object_id=warning.pk,
                     detail={"message": alert.identifier, "status": status, "created": created, "changed": changed,
                             "ended": ended})
    return Outcome(alert.identifier, warning, status, created, changed, ended)


def _with_message(identifier: str) -> Warning | None:
    """The warning a CAP message identifier was applied to (JSON containment differs by backend: filter, then check)."""
    for w in Warning.objects.filter(messages__icontains=identifier):
        if identifier in w.messages:
            return w
    return None


def _referenced(identifiers: list[str]) -> Warning:
    for identifier in reversed(identifiers):
        if (found := _with_message(identifier)) is not None:
            return found
    msg = _("<references>: no earlier warning has the identifier %(id)s") % {"id": ", ".join(identifiers)[:80]}
    raise ValidationFailed(msg, fields={"cap": msg, "element": "references"})


def warning_create(*, actor: User, warning_type: str, level: str, headline: str, divisions: list[Division],
                   effective_at: datetime | None = None, expires_at: datetime | None = None, description: str = "",
                   idempotency_key: str = "", now: datetime | None = None) -> Outcome:
    """A warning entered by hand, for whole divisions; fans out like an imported one. A retried form (same key) returns
    the first warning."""
    _require_issuer(actor)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if warning_type not in WarningType.values:
        errors["warning_type"] = _("Unknown warning type.")
    if level not in WarningLevel.values:
        errors["level"] = _("Unknown warning level.")
    if not headline.strip():
        errors["headline"] = _("Give the warning a headline.")
    if not divisions:
        errors["divisions"] = _("Choose at least one division.")
    if effective_at and expires_at and expires_at <= effective_at:
        errors["expires_at"] = _("A warning must expire after it takes effect.")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    key = re.sub(r"[^\x21-\x7e]", "", idempotency_key)[:60]
    identifier = f"jingzhi-{key}" if key else f"jingzhi-{now:%Y%m%d%H%M%S%f}-{actor.pk}"
    with transaction.atomic():
        existing = Warning.objects.filter(identifier=identifier).first()
        if existing is not None:
            return Outcome(identifier, existing, "unchanged")
        warning = Warning.objects.create(
            identifier=identifier, sender=actor.username, source=Warning.Source.MANUAL, warning_type=warning_type,
            level=level, headline=headline.strip()[:200], description=description.strip()[:5000], sent_at=now,
            effective_at=effective_at or now, expires_at=expires_at, messages=[identifier], created_at=now)
        areas = [cap.Area(description=d.name, geocodes=[d.code]) for d in divisions]
        coverage = [match_area(a) for a in areas]
        created, changed, ended = _fan_out(warning, _store_areas(warning, areas, coverage), now=now, actor=actor)
        audit_record(actor=actor, action="warning_create", object_type="warning", object_id=warning.pk,
                     detail={"created": created})
    return Outcome(identifier, warning, "new", created, changed, ended)


def warning_cancel(*, actor: User, warning_id: int, now: datetime | None = None) -> Outcome:
    """End a warning by hand (as a CAP Cancel would): every open task ends."""
    _require_issuer(actor)
    now = now or timezone.now()
    with transaction.atomic():
        warning = Warning.objects.visible_to(actor).select_for_update().filter(pk=warning_id).first()
        if warning is None:
            raise NotFound(_("No such warning."))
        if warning.status != Warning.Status.ACTIVE:
            raise ValidationFailed(_("The warning is no longer active."))
        ended = _end_all(warning, now=now, actor=actor, note=_("The warning was cancelled"))
        warning.status, warning.cancelled_at = Warning.Status.CANCELLED, now
        warning.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="warning_cancel", object_type="warning", object_id=warning.pk,
                     detail={"ended": ended})
    return Outcome(warning.identifier, warning, "cancelled", ended=ended)
