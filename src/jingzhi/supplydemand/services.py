"""Writes of supply ↔ demand: publish and close listings, make introductions (对接) and record their outcome.

Each takes the actor, re-reads its rows through the visibility rule (access.py), checks the permission and the
transition table, locks, writes the change and its event, and notifies after the commit.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.enterprises.access import enterprises_visible_to
from jingzhi.org.models import Enterprise, Role, User
from jingzhi.supplydemand import access, places
from jingzhi.supplydemand.models import Introduction, Listing, SupplyEvent, Unit
from jingzhi.supplydemand.suggest import index_listing, listing_terms, score_pair

_INDUSTRY = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$", re.ASCII)
MAX_QUANTITY = Decimal("1000000000")
MAX_OPEN_DAYS = 366
DEFAULT_OPEN_DAYS = 180


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(raw: Any) -> date | None | str:
    """A date, None for blank, or "bad" for something that is not a date."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return "bad"


def _check(kind: str, fields: dict[str, Any], today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """The cleaned values and a message for each bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if kind not in Listing.Kind.values:
        errors["kind"] = _("Choose need or capability.")
    out["title"] = clean_text(fields.get("title"))[:100]
    if not out["title"]:
        errors["title"] = _("Say what the product is.")
    out["description"] = clean_text(fields.get("description"), multiline=True)[:1000]
    quantity = _decimal(fields.get("quantity"))
    if quantity is None:
        errors["quantity"] = _("Enter the quantity as a number.")
    elif quantity <= 0 or quantity >= MAX_QUANTITY:
        errors["quantity"] = _("The quantity must be more than 0 and less than 1,000,000,000.")
    out["quantity"] = quantity.quantize(Decimal("0.01")) if quantity is not None and not errors.get("quantity") else None
    out["unit"] = fields.get("unit") or ""
    if out["unit"] not in Unit.values:
        errors["unit"] = _("Choose a unit from the list.")
    industry = clean_text(fields.get("industry")).upper()
    if industry and not _INDUSTRY.match(industry):
        errors["industry"] = _("An industry code (GB/T 4754) is a section letter A–T and up to four digits, e.g. C2911.")
    out["industry"] = industry
    code = clean_text(fields.get("place_code"))
    name = places.place_name(code) if code else None
    if name is None:
        errors["place_code"] = _("Choose the place from the list.")
    out["place_code"], out["place_name"] = code, name or ""
    wanted_by, available_from, valid_until = (_date(fields.get(k)) for k in ("wanted_by", "available_from", "valid_until"))
    for key, value in (("wanted_by", wanted_by), ("available_from", available_from), ("valid_until", valid_until)):
        if value == "bad":
            errors[key] = _("Enter a date as YYYY-MM-DD.")
    if kind == Listing.Kind.NEED:
        if wanted_by is None:
            errors["wanted_by"] = _("Say by when the goods are wanted.")
        elif isinstance(wanted_by, date) and wanted_by < today:
            errors["wanted_by"] = _("The date is in the past.")
        available_from = None
    else:
        wanted_by = None
        if available_from is None:
            available_from = today
    if valid_until is None and "valid_until" not in errors:
        # A need stays open until its date; a wrong date is reported once, on its own field.
        valid_until = wanted_by if isinstance(wanted_by, date) and "wanted_by" not in errors else \
            today + timedelta(days=DEFAULT_OPEN_DAYS)
    if isinstance(valid_until, date):
        if valid_until < today:
            errors["valid_until"] = _("The listing would be closed already: choose a later date.")
        elif valid_until > today + timedelta(days=MAX_OPEN_DAYS):
            errors["valid_until"] = _("A listing stays open for at most a year; publish it again after that.")
    out.update(wanted_by=wanted_by, available_from=available_from, valid_until=valid_until)
    return out, errors


def listing_create(*, actor: User, enterprise: Enterprise, kind: str, fields: dict[str, Any],
                   idempotency_key: str | None = None, is_demo: bool = False) -> tuple[Listing, bool]:
    """Publish a need or a capability of `enterprise`. (listing, created); a retry with the key returns the first.

    fields: title, description, quantity, unit, wanted_by (needs), available_from (capabilities), place_code
    (default: the enterprise's division), industry (default: the enterprise's), valid_until.
    """
    key = f"listing:{idempotency_key}"[:100] if idempotency_key else None
    if key:
        same = access.listings_visible_to(actor).filter(idempotency_key=key).first()
        if same is not None:
            return same, False
    row = enterprises_visible_to(actor).select_related("division").filter(pk=enterprise.pk).first()
    if row is None:
        raise NotFound(_("This enterprise does not exist."))
    if not access.may_publish_for(actor, row.pk):
        raise PermissionDenied(_("You may not publish listings for this enterprise."))
    fields = dict(fields)
    fields.setdefault("place_code", row.division.code)
    if not fields.get("place_code"):
        fields["place_code"] = row.division.code
    if fields.get("industry") is None:
        fields["industry"] = row.industry
    values, errors = _check(kind, fields, timezone.localdate())
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    try:
        with transaction.atomic():
            listing = Listing.objects.create(kind=kind, enterprise=row, created_by=actor, idempotency_key=key,
                                             is_demo=is_demo, **values)
            index_listing(listing)
            SupplyEvent.objects.create(listing=listing, action="publish", actor=actor, detail={"kind": kind})
    except IntegrityError:
        # Two submissions of one form at the same moment: the other one won.
        same = Listing.objects.filter(idempotency_key=key).first() if key else None
        if same is None:
            raise
        return same, False
    return listing, True


def listing_close(*, actor: User, listing: Listing, reason: str = "") -> Listing:
    """Close a listing (its enterprise or the office): it leaves the suggestions; its introductions stay."""
    with transaction.atomic():
        row = access.listings_visible_to(actor).select_for_update().filter(pk=listing.pk).first()
        if row is None:
            raise NotFound(_("This listing does not exist."))
        if not access.may_publish_for(actor, row.enterprise_id):
            raise PermissionDenied(_("You may not close this listing."))
        if row.status != Listing.Status.OPEN:
            raise InvalidTransition(_("This listing is closed already."))
        row.status, row.closed_at, row.close_reason = Listing.Status.CLOSED, timezone.now(), clean_text(reason)[:200]
        row.save(update_fields=["status", "closed_at", "close_reason"])
        index_listing(row)
        SupplyEvent.objects.create(listing=row, action="close", actor=actor, detail={"reason": row.close_reason})
    return row


def _enterprise_users(*enterprise_ids: int) -> Any:
    return User.objects.filter(role=Role.ENTERPRISE, enterprise_id__in=enterprise_ids, is_active=True).values_list("pk", flat=True)


def introduction_make(*, actor: User, need: Listing, capability: Listing, note: str = "",
                      via: Enterprise | None = None) -> tuple[Introduction, bool]:
    """The office introduces a need's enterprise to a capability's (once per pair: a repeat returns the first)."""
    if not access.may_introduce(actor):
        raise PermissionDenied(_("Only the enterprise service office makes introductions."))
    with transaction.atomic():
        rows = {r.pk: r for r in access.listings_visible_to(actor).select_for_update()
                .filter(pk__in=[need.pk, capability.pk]).select_related("enterprise")}
        n, c = rows.get(need.pk), rows.get(capability.pk)
        if n is None or c is None:
            raise NotFound(_("This listing does not exist."))
        if n.kind != Listing.Kind.NEED or c.kind != Listing.Kind.CAPABILITY:
            raise ValidationFailed(_("An introduction joins a need to a capability."))
        if n.enterprise_id == c.enterprise_id:
            raise ValidationFailed(_("Both listings are of the same enterprise."))
        existing = Introduction.objects.filter(need=n, capability=c).first()
        if existing is not None:
            return existing, False
        if not (n.is_current and c.is_current):
            raise InvalidTransition(_("One of the listings is closed or past its date."))
        today = timezone.localdate()
        s = score_pair(n, {t.term: t.weight for t in listing_terms(n)}, c, {t.term: t.weight for t in listing_terms(c)}, today)
        intro = Introduction.objects.create(need=n, capability=c, via=via, score=s.score, reasons=s.reasons,
                                            note=clean_text(note, multiline=True)[:500], made_by=actor)
        SupplyEvent.objects.create(introduction=intro, action="introduce", actor=actor,
                                   detail={"score": s.score, "via": via.pk if via else None})
        audit_record(actor=actor, action="supply_introduce", object_type="introduction", object_id=intro.pk,
                     detail={"need": n.pk, "capability": c.pk})
        message = _("The enterprise service office introduced %(buyer)s (needs %(need)s) and %(seller)s (offers "
                    "%(capability)s); please get in touch.") % {"buyer": n.enterprise.name, "need": n.title,
                                                               "seller": c.enterprise.name, "capability": c.title}
        ids = (n.enterprise_id, c.enterprise_id)
        notify_after_commit(recipients=lambda: _enterprise_users(*ids), kind=Notification.Kind.INFO, message=message,
                            subject_type="introduction", subject_ref=str(intro.pk))
    return intro, True


# The transition table of an introduction: (status, action) → new status.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Introduction.Status.INTRODUCED, "contact"): Introduction.Status.CONTACTED,
    (Introduction.Status.CONTACTED, "negotiate"): Introduction.Status.NEGOTIATING,
    (Introduction.Status.CONTACTED, "sign"): Introduction.Status.SIGNED,
    (Introduction.Status.NEGOTIATING, "sign"): Introduction.Status.SIGNED,
    (Introduction.Status.INTRODUCED, "fail"): Introduction.Status.NOT_CONCLUDED,
    (Introduction.Status.CONTACTED, "fail"): Introduction.Status.NOT_CONCLUDED,
    (Introduction.Status.NEGOTIATING, "fail"): Introduction.Status.NOT_CONCLUDED,
}
ACTIONS = ("contact", "negotiate", "sign", "fail")
MAX_CONTRACT = Decimal("10000000")  # 万元: 1,000 亿元


def actions_from(status: str) -> list[str]:
    return [a for a in ACTIONS if (status, a) in TRANSITIONS]


def introduction_advance(*, actor: User, introduction: Introduction, action: str, value: Any = None,
                         signed_on: Any = None, reason: str = "", now: Any = None) -> Introduction:
    """Record the next step: contacted, negotiating, contract signed (value in 万元 and date), not concluded (why)."""
    if action not in ACTIONS:
        raise ValidationFailed(_("Unknown step."), fields={"action": _("Unknown step.")})
    if not access.may_introduce(actor):
        raise PermissionDenied(_("Only the enterprise service office records the outcome."))
    errors: dict[str, str] = {}
    amount: Decimal | None = None
    day: date | None = None
    reason = clean_text(reason)[:300]
    today = timezone.localdate()
    if action == "sign":
        amount = _decimal(value)
        if amount is None or amount <= 0 or amount >= MAX_CONTRACT:
            errors["value"] = _("Enter the contract value in 10,000 yuan, more than 0.")
        parsed = _date(signed_on)
        if not isinstance(parsed, date):
            errors["signed_on"] = _("Enter the day the contract was signed (YYYY-MM-DD).")
        elif parsed > today:
            errors["signed_on"] = _("The contract date cannot be in the future.")
        else:
            day = parsed
    if action == "fail" and not reason:
        errors["reason"] = _("Say why it was not concluded.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = (access.introductions_visible_to(actor).select_for_update().filter(pk=introduction.pk).first())
        if row is None:
            raise NotFound(_("This introduction does not exist."))
        new = TRANSITIONS.get((row.status, action))
        if new is None:
            raise InvalidTransition(_("This step does not follow from “%(status)s”.") % {"status": row.get_status_display()})
        if day is not None and day < timezone.localtime(row.made_at).date():
            raise ValidationFailed(_("Please correct the marked fields."),
                                   fields={"signed_on": _("The contract cannot be signed before the introduction.")})
        row.status, row.updated_at = new, now or timezone.now()
        fields = ["status", "updated_at"]
        if action == "sign":
            row.contract_value, row.contract_date = amount, day
            fields += ["contract_value", "contract_date"]
        if action == "fail":
            row.outcome_reason = reason
            fields.append("outcome_reason")
        row.save(update_fields=fields)
        SupplyEvent.objects.create(introduction=row, action=action, actor=actor, at=row.updated_at,
                                   detail={"value": str(amount) if amount is not None else None,
                                           "signed_on": day.isoformat() if day else None, "reason": reason})
        if action == "sign":
            audit_record(actor=actor, action="supply_contract", object_type="introduction", object_id=row.pk,
                         detail={"value": str(amount), "signed_on": day.isoformat() if day else None})
    return row
