"""Programmes and division figures: create and revise programmes (each edit a version), publish and withdraw them,
enter a division's yearly figures. Every write checks the actor (access.py), locks its row, records an event and an
audit row, and queues the re-match after the commit (tasks.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.matching.models import Level
from jingzhi.matching.programmes import access
from jingzhi.matching.programmes.facts import FLAGS, NUMBERS
from jingzhi.matching.programmes.models import DivisionFigures, Programme, ProgrammeEvent, ProgrammeVersion
from jingzhi.matching.rules import DIVISION_FIELDS, validate_conditions
from jingzhi.org.access import is_admin
from jingzhi.org.models import Division, Unit, User

CONTENT = ("title", "issuer", "level", "document_number", "summary", "window_opens", "window_closes", "funding",
           "conditions")


def _decimal(raw: Any, label: Any, errors: dict[str, str], key: str, *, maximum: float | None = None) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        d = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors[key] = _("%(label)s must be a number.") % {"label": label}
        return None
    if not d.is_finite() or d < 0 or (maximum is not None and d > Decimal(str(maximum))):
        errors[key] = _("%(label)s is out of range.") % {"label": label}
        return None
    return d.quantize(Decimal("0.01"))


def _date(raw: Any, key: str, errors: dict[str, str]) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        errors[key] = _("Enter a date as YYYY-MM-DD.")
        return None


def clean_content(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a programme version's content; raise ValidationFailed naming every bad field and bad condition."""
    errors: dict[str, str] = {}
    c: dict[str, Any] = {}
    c["title"] = clean_text(str(raw.get("title") or ""))
    if not c["title"] or len(c["title"]) > 120:
        errors["title"] = _("Enter the programme's title (at most 120 characters).")
    c["issuer"] = clean_text(str(raw.get("issuer") or ""))
    if not c["issuer"] or len(c["issuer"]) > 120:
        errors["issuer"] = _("Enter who issues the programme (e.g. 农业农村部、财政部).")
    c["level"] = raw.get("level") or ""
    if c["level"] not in Level.values:
        errors["level"] = _("Choose the level: national, provincial, city or county.")
    c["document_number"] = clean_text(str(raw.get("document_number") or ""))[:60]
    c["summary"] = clean_text(str(raw.get("summary") or ""), multiline=True)[:4000]
    c["window_opens"] = _date(raw.get("window_opens"), "window_opens", errors)
    c["window_closes"] = _date(raw.get("window_closes"), "window_closes", errors)
    if c["window_opens"] and c["window_closes"] and c["window_closes"] < c["window_opens"]:
        errors["window_closes"] = _("The application window closes before it opens.")
    c["funding"] = _decimal(raw.get("funding"), _("The funding"), errors, "funding")
    conditions, problems = validate_conditions(raw.get("conditions", []), fields=DIVISION_FIELDS)
    if not problems:
        codes = sorted({code for cond in conditions if cond["field"] == "division" for code in cond["value"]})
        known = set(Division.objects.filter(code__in=codes).values_list("code", flat=True))
        problems += [_("Condition: unknown division code “%(code)s”.") % {"code": x} for x in codes if x not in known]
    if problems:
        errors["conditions"] = " ".join(problems)
    c["conditions"] = conditions
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    return c


def _event(*, action: str, actor: User | None, programme: Programme | None = None, division: Division | None = None,
           effort: Any = None, note: str = "", **detail: Any) -> None:
    ProgrammeEvent.objects.create(programme=programme, division=division, effort=effort, action=action, note=note[:500],
                                  actor=actor if getattr(actor, "pk", None) else None, detail=detail)


def _queue_programme(programme_id: int) -> None:
    from jingzhi.matching.programmes.tasks import rematch_programme_task

    transaction.on_commit(lambda: rematch_programme_task.enqueue(programme_id=programme_id))


def programme_create(*, actor: User | None, office: Unit | None = None, content: dict[str, Any],
                     idempotency_key: str | None = None, is_demo: bool = False) -> tuple[Programme, bool]:
    """A new draft programme with its version 1, kept by the actor's programme office (an administrator names one).

    `actor=None` is the system (the demo loader). A retried form (same idempotency key) returns the first programme."""
    if actor is not None and not access.is_programme_office(actor):
        raise PermissionDenied(_("Only a programme office keeps programmes."))
    if actor is not None and not is_admin(actor):
        office = actor.unit
    if office is None:
        raise ValidationFailed(_("Choose the keeping office."), fields={"office": _("Choose the keeping office.")})
    if idempotency_key:
        found = Programme.objects.filter(idempotency_key=idempotency_key).first()
        if found is not None:
            return found, False
    clean = clean_content(content)
    try:
        with transaction.atomic():
            programme = Programme.objects.create(office=office, is_demo=is_demo, idempotency_key=idempotency_key or None)
            version = ProgrammeVersion.objects.create(programme=programme, number=1, created_by=actor, **clean)
            programme.current = version
            programme.save(update_fields=["current"])
            _event(action="created", actor=actor, programme=programme, version=1)
            audit_record(actor=actor, action="programme.create", object_type="programme", object_id=programme.pk,
                         detail={"title": clean["title"]})
    except IntegrityError:
        found = Programme.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if found is None:
            raise
        return found, False
    return programme, True


def _locked(actor: User | None, programme: Programme) -> Programme:
    qs = Programme.objects.all() if actor is None else access.programmes_visible_to(actor)
    locked = qs.select_for_update().filter(pk=programme.pk).first()
    if locked is None:
        raise NotFound(_("No such programme."))
    if actor is not None and not access.keeps(actor, locked):
        raise PermissionDenied(_("Only the programme's keeping office may change it."))
    return locked


def programme_revise(*, actor: User | None, programme: Programme, content: dict[str, Any]) -> ProgrammeVersion:
    """A new version with this content (nothing changed: the current version); a published programme is re-matched."""
    clean = clean_content(content)
    with transaction.atomic():
        locked = _locked(actor, programme)
        if locked.status == Programme.Status.WITHDRAWN:
            raise InvalidTransition(_("A withdrawn programme is not edited."))
        current = locked.current
        assert current is not None  # every programme is made with its version 1
        if all(getattr(current, k) == clean[k] for k in CONTENT):
            return current
        if locked.status == Programme.Status.PUBLISHED and not (clean["window_opens"] and clean["window_closes"]):
            raise ValidationFailed(_("A published programme needs its application window."),
                                   fields={"window_opens": _("A published programme needs its application window.")})
        version = ProgrammeVersion.objects.create(programme=locked, number=current.number + 1, created_by=actor, **clean)
        locked.current = version
        locked.save(update_fields=["current"])
        _event(action="revised", actor=actor, programme=locked, version=version.number)
        audit_record(actor=actor, action="programme.revise", object_type="programme", object_id=locked.pk,
                     detail={"version": version.number})
        if locked.status == Programme.Status.PUBLISHED:
            _queue_programme(locked.pk)
    return version


def programme_publish(*, actor: User | None, programme: Programme) -> Programme:
    """Publish a draft: it needs its application window (opens and closes). Matching runs after the commit."""
    with transaction.atomic():
        locked = _locked(actor, programme)
        if locked.status != Programme.Status.DRAFT:
            raise InvalidTransition(_("Only a draft is published."))
        v = locked.current
        assert v is not None
        if not (v.window_opens and v.window_closes):
            raise ValidationFailed(_("A programme without an application window cannot be published."),
                                   fields={"window_opens": _("Enter when applications open and close.")})
        locked.status = Programme.Status.PUBLISHED
        locked.save(update_fields=["status"])
        _event(action="published", actor=actor, programme=locked, version=v.number)
        audit_record(actor=actor, action="programme.publish", object_type="programme", object_id=locked.pk)
        _queue_programme(locked.pk)
    return locked


def programme_withdraw(*, actor: User | None, programme: Programme, reason: str = "") -> Programme:
    with transaction.atomic():
        locked = _locked(actor, programme)
        if locked.status != Programme.Status.PUBLISHED:
            raise InvalidTransition(_("Only a published programme is withdrawn."))
        locked.status = Programme.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        _event(action="withdrawn", actor=actor, programme=locked, note=clean_text(reason)[:300])
        audit_record(actor=actor, action="programme.withdraw", object_type="programme", object_id=locked.pk)
        _queue_programme(locked.pk)
    return locked


def figures_set(*, actor: User | None, division: Division, year: Any, values: dict[str, Any], source: str,
                is_demo: bool = False) -> DivisionFigures:
    """Enter (or correct) one year of a county's figures; the county is re-matched after the commit.

    `values` maps figure names (facts.NUMBERS, facts.FLAGS) to raw input; names it leaves out keep their value.
    Every bad value is named; an impossible one (a share over 100 %, a negative count) is refused."""
    if actor is not None and not access.may_enter_figures(actor, division):
        raise PermissionDenied(_("Only a programme office over this division enters its figures."))
    if division.level != Division.Level.COUNTY:
        raise ValidationFailed(_("Figures are kept for county-level divisions."))
    errors: dict[str, str] = {}
    try:
        y = int(str(year).strip())
    except ValueError:
        y = 0
    this_year = timezone.localdate().year
    if not 2000 <= y <= this_year:
        errors["year"] = _("Enter a year between 2000 and %(year)d.") % {"year": this_year}
    clean: dict[str, Any] = {}
    # Figures not named in `values` are left as they are (an import of some columns); a named blank is "not known".
    for name in NUMBERS:
        if name in values:
            spec = DIVISION_FIELDS[name]
            clean[name] = _decimal(values.get(name), spec.label, errors, name, maximum=spec.maximum)
    for name in FLAGS:
        if name in values:
            clean[name] = values.get(name) in (True, "on", "true", "1", 1, "是", "yes")
    src = clean_text(str(source or ""))[:100]
    if not src:
        errors["source"] = _("Say where the figures come from (e.g. 2025年统计公报).")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        Division.objects.select_for_update().filter(pk=division.pk).first()
        fig, created = DivisionFigures.objects.select_for_update().get_or_create(
            division=division, year=y, defaults={**clean, "source": src, "entered_by": actor, "is_demo": is_demo})
        changed: dict[str, list[str | None]]
        if not created:
            before = {k: str(getattr(fig, k)) for k in clean}
            changed = {k: [before[k], str(v)] for k, v in clean.items() if before[k] != str(v)}
            if not changed and fig.source == src:
                return fig  # a resubmitted form: nothing to record, nothing to re-match
            for k, v in clean.items():
                setattr(fig, k, v)
            fig.source, fig.entered_by, fig.entered_at = src, actor, timezone.now()
            fig.save()
        else:
            changed = {k: [None, str(v)] for k, v in clean.items() if v not in (None, False)}
        _event(action="figures", actor=actor, division=division, year=y, changed=changed)
        audit_record(actor=actor, action="division_figures.set", object_type="division", object_id=division.pk,
                     detail={"year": y, "changed": changed, "source": src})
        from jingzhi.matching.programmes.tasks import rematch_division_task

        transaction.on_commit(lambda: rematch_division_task.enqueue(division_id=division.pk))
    return fig


def programme_office_set(*, actor: User | None, unit: Unit, note: str = "", row: Any = None) -> Any:
    """Designate a unit as a programme office (administrators, in the admin); audited."""
    from jingzhi.matching.programmes.models import ProgrammeOffice

    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only an administrator designates programme offices."))
    with transaction.atomic():
        if row is not None:
            office = ProgrammeOffice.objects.select_for_update().get(pk=row.pk)
            office.unit, office.note = unit, clean_text(note)[:200]
            office.save()
        else:
            office, _created = ProgrammeOffice.objects.get_or_create(unit=unit, defaults={"note": clean_text(note)[:200]})
        audit_record(actor=actor, action="programme_office.set", object_type="unit", object_id=unit.pk)
    return office


def programme_office_remove(*, actor: User | None, offices: list[Any]) -> int:
    """End units' designation as programme offices (administrators, in the admin); audited per unit.

    Their programmes, figures and applications stay; only keeping them and entering figures ends.
    """
    from jingzhi.matching.programmes.models import ProgrammeOffice

    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only an administrator designates programme offices."))
    with transaction.atomic():
        rows = list(ProgrammeOffice.objects.select_for_update().filter(pk__in=[o.pk for o in offices]))
        for office in rows:
            audit_record(actor=actor, action="programme_office.remove", object_type="unit", object_id=office.unit_id)
        ProgrammeOffice.objects.filter(pk__in=[o.pk for o in rows]).delete()
    return len(rows)
