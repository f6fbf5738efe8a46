"""The policy catalogue: create and edit policies (each edit a new version), publish and withdraw them.

Every write re-reads the policy under a row lock, checks that the actor keeps it (access.keeps), records an event
and an audit row, and queues the re-match of the policy after the commit (tasks.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.matching.access import is_policy_office, keeps
from jingzhi.matching.models import Level, MatchingEvent, Policy, PolicyVersion
from jingzhi.matching.rules import BENEFIT_BASES, validate_conditions
from jingzhi.org.access import is_admin
from jingzhi.org.models import Division, Unit, User

CONTENT = ("title", "level", "document_number", "summary", "target", "no_application", "valid_from", "valid_to",
           "benefit_kind", "benefit_amount", "benefit_rate", "benefit_base", "benefit_cap", "conditions")


def _money(raw: Any, key: str, label: str, errors: dict[str, str], *, maximum: Decimal | None = None) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        d = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors[key] = _("%(label)s must be a number.") % {"label": label}
        return None
    if not d.is_finite() or d < 0 or (maximum is not None and d > maximum):
        errors[key] = _("%(label)s is out of range.") % {"label": label}
        return None
    return d.quantize(Decimal("0.01"))


def clean_content(raw: dict[str, Any]) -> dict[str, Any]:
    """Check a version's content; raise ValidationFailed naming every bad field (and every bad condition)."""
    errors: dict[str, str] = {}
    c: dict[str, Any] = {}
    c["title"] = clean_text(str(raw.get("title") or ""))
    if not c["title"]:
        errors["title"] = _("Enter the policy's title.")
    elif len(c["title"]) > 120:
        errors["title"] = _("A title has at most 120 characters.")
    c["level"] = raw.get("level") or ""
    if c["level"] not in Level.values:
        errors["level"] = _("Choose the level: national, provincial, city or county.")
    c["document_number"] = clean_text(str(raw.get("document_number") or ""))[:60]
    c["summary"] = clean_text(str(raw.get("summary") or ""), multiline=True)[:4000]
    c["target"] = raw.get("target") or PolicyVersion.Target.ENTERPRISE
    if c["target"] not in PolicyVersion.Target.values:
        errors["target"] = _("Choose the target.")
    c["no_application"] = bool(raw.get("no_application"))
    for key in ("valid_from", "valid_to"):
        value = raw.get(key)
        if value in (None, ""):
            c[key] = None
        elif isinstance(value, date):
            c[key] = value
        else:
            try:
                c[key] = date.fromisoformat(str(value))
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
                c[key] = None
    if c["valid_from"] and c["valid_to"] and c["valid_to"] < c["valid_from"]:
        errors["valid_to"] = _("The validity period ends before it begins.")
    kind = raw.get("benefit_kind") or PolicyVersion.BenefitKind.NONE
    c["benefit_kind"] = kind
    c["benefit_amount"] = _money(raw.get("benefit_amount"), "benefit_amount", _("The amount"), errors)
    c["benefit_rate"] = _money(raw.get("benefit_rate"), "benefit_rate", _("The rate"), errors, maximum=Decimal(100))
    c["benefit_cap"] = _money(raw.get("benefit_cap"), "benefit_cap", _("The cap"), errors)
    c["benefit_base"] = raw.get("benefit_base") or ""
    if kind not in PolicyVersion.BenefitKind.values:
        errors["benefit_kind"] = _("Choose the kind of benefit.")
    elif kind == "fixed" and c["benefit_amount"] is None and "benefit_amount" not in errors:
        errors["benefit_amount"] = _("A fixed benefit needs its amount.")
    elif kind == "rate":
        if c["benefit_rate"] is None and "benefit_rate" not in errors:
            errors["benefit_rate"] = _("A share of a figure needs its rate.")
        if c["benefit_base"] not in BENEFIT_BASES:
            errors["benefit_base"] = _("Choose the figure the rate applies to.")
    if kind != "rate":
        c["benefit_rate"], c["benefit_base"], c["benefit_cap"] = None, "", None
    if kind != "fixed":
        c["benefit_amount"] = None
    conditions, problems = validate_conditions(raw.get("conditions", []))
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


def _event(policy: Policy, action: str, actor: User | None, **detail: Any) -> None:
    MatchingEvent.objects.create(policy=policy, action=action, actor=actor if getattr(actor, "pk", None) else None,
                                 detail=detail)


def _queue_rematch(policy_id: int) -> None:
    from jingzhi.matching.tasks import rematch_policy_task

    transaction.on_commit(lambda: rematch_policy_task.enqueue(policy_id=policy_id))


def policy_create(*, actor: User | None, issuer: Unit | None = None, content: dict[str, Any],
                  idempotency_key: str | None = None, is_demo: bool = False) -> tuple[Policy, bool]:
    """A new draft policy with its version 1; a unit's office issues for its own unit, an administrator for any."""
    if actor is not None and not is_policy_office(actor):
        raise PermissionDenied(_("Only a unit's policy office keeps policies."))
    if actor is not None and not is_admin(actor):
        issuer = actor.unit
    if issuer is None:
        raise ValidationFailed(_("Choose the issuing unit."), fields={"issuer": _("Choose the issuing unit.")})
    if idempotency_key:
        found = Policy.objects.filter(idempotency_key=idempotency_key).first()
        if found is not None:
            return found, False
    c = clean_content(content)
    try:
        with transaction.atomic():
            policy = Policy.objects.create(issuer=issuer, idempotency_key=idempotency_key or None, is_demo=is_demo)
            version = PolicyVersion.objects.create(policy=policy, number=1, created_by=actor, **c)
            policy.current = version
            policy.save(update_fields=["current"])
            _event(policy, "created", actor, version=1)
            audit_record(actor=actor, action="policy_create", object_type="policy", object_id=policy.pk,
                         detail={"title": c["title"], "issuer": issuer.code})
    except IntegrityError:
        found = Policy.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if found is None:
            raise
        return found, False
    return policy, True


def _locked(actor: User | None, policy: Policy) -> Policy:
    row = Policy.objects.select_for_update().filter(pk=policy.pk).first()
    if row is None:
        raise NotFound(_("This policy does not exist."))
    if actor is not None and not keeps(actor, row):
        raise PermissionDenied(_("Only the issuing unit's policy office may change this policy."))
    return row


def policy_revise(*, actor: User | None, policy: Policy, content: dict[str, Any]) -> PolicyVersion:
    """Edit a policy: a new version, which becomes current; the old one stays for the decisions made with it."""
    c = clean_content(content)
    with transaction.atomic():
        row = _locked(actor, policy)
        if row.status == Policy.Status.WITHDRAWN:
            raise InvalidTransition(_("A withdrawn policy cannot be changed."))
        if row.status == Policy.Status.PUBLISHED:
            _publishable(c)
        current = row.current
        if current is not None and all(getattr(current, k) == c[k] for k in CONTENT):
            return current  # nothing changed: no new version, no re-match (a resubmitted form)
        number = (current.number if current else 0) + 1
        version = PolicyVersion.objects.create(policy=row, number=number, created_by=actor, **c)
        row.current = version
        row.save(update_fields=["current"])
        _event(row, "revised", actor, version=number)
        audit_record(actor=actor, action="policy_revise", object_type="policy", object_id=row.pk,
                     detail={"version": number})
        if row.status == Policy.Status.PUBLISHED:
            _queue_rematch(row.pk)
    return version


def _publishable(c: dict[str, Any]) -> None:
    if not c["valid_from"] or not c["valid_to"]:
        msg = _("A policy without a validity period cannot be published.")
        raise ValidationFailed(msg, fields={"valid_to": msg})
    if c["target"] == PolicyVersion.Target.DIVISION:
        msg = _("Matching divisions to programmes is not available yet; publish it for enterprises.")
        raise ValidationFailed(msg, fields={"target": msg})


def policy_publish(*, actor: User | None, policy: Policy) -> Policy:
    with transaction.atomic():
        row = _locked(actor, policy)
        if row.status != Policy.Status.DRAFT:
            raise InvalidTransition(_("Only a draft can be published."))
        version = row.current
        assert version is not None
        _publishable({k: getattr(version, k) for k in CONTENT})
        row.status = Policy.Status.PUBLISHED
        row.save(update_fields=["status"])
        _event(row, "published", actor, version=version.number)
        audit_record(actor=actor, action="policy_publish", object_type="policy", object_id=row.pk,
                     detail={"version": version.number})
        _queue_rematch(row.pk)
    return row


def policy_withdraw(*, actor: User | None, policy: Policy, reason: str = "") -> Policy:
    reason = clean_text(reason)[:300]
    with transaction.atomic():
        row = _locked(actor, policy)
        if row.status != Policy.Status.PUBLISHED:
            raise InvalidTransition(_("Only a published policy can be withdrawn."))
        row.status = Policy.Status.WITHDRAWN
        row.save(update_fields=["status"])
        _event(row, "withdrawn", actor, reason=reason)
        audit_record(actor=actor, action="policy_withdraw", object_type="policy", object_id=row.pk,
                     detail={"reason": reason})
        _queue_rematch(row.pk)
    return row
