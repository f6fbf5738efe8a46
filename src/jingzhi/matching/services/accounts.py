"""The account a benefit is paid to: the enterprise confirms or corrects it (for a 免申即享 grant, or when it
applies); the issuing unit may reveal the full number to pay it (audited). ADR 027."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text, normalize_phone, validate_phone
from jingzhi.matching.access import grants_visible_to
from jingzhi.matching.models import Grant, MatchingEvent
from jingzhi.matching.models_benefits import GrantConfirmation, PayeeAccount, Payment
from jingzhi.org.access import is_admin, role_of
from jingzhi.org.models import Enterprise, Role, User

# Chinese corporate (对公) accounts run from about 12 to 25 digits and personal cards 16–19; none has a public
# check digit (bank cards' Luhn digit does not hold for corporate accounts), so digits and length are checked.
_ACCOUNT = re.compile(r"^\d{8,32}$", re.ASCII)
_SPACES = re.compile(r"[\s\-]")
# A grant can still be confirmed while it waits, was objected to or was approved and not yet paid.
CONFIRMABLE = frozenset({Grant.Status.PENDING, Grant.Status.OBJECTED, Grant.Status.APPROVED})


@dataclass(frozen=True)
class AccountInput:
    """What the enterprise types: the account to be paid and a contact for the payment."""

    account_name: str
    bank: str
    account_number: str
    contact_name: str
    contact_phone: str


def _same_name(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return re.sub(r"\s", "", unicodedata.normalize("NFKC", s))
    return norm(a) == norm(b)


def clean_account(enterprise: Enterprise, raw: AccountInput) -> AccountInput:
    """The input checked field by field: every error named; nothing stored here."""
    errors: dict[str, str] = {}
    name, bank = clean_text(raw.account_name)[:100], clean_text(raw.bank)[:100]
    number = _SPACES.sub("", unicodedata.normalize("NFKC", raw.account_number or ""))
    contact, phone = clean_text(raw.contact_name)[:50], normalize_phone(raw.contact_phone or "")
    if not name:
        errors["account_name"] = _("Enter the account name.")
    elif not _same_name(name, enterprise.name):
        # Benefits go to the enterprise's own account, never to a person's or another company's.
        errors["account_name"] = _("The account must be in the enterprise's own name (%(name)s).") % {"name": enterprise.name}
    if not bank:
        errors["bank"] = _("Enter the bank and branch.")
    if not number:
        errors["account_number"] = _("Enter the account number.")
    elif not _ACCOUNT.match(number):
        errors["account_number"] = _("An account number has 8 to 32 digits and nothing else.")
    if not contact:
        errors["contact_name"] = _("Name a contact for the payment.")
    try:
        validate_phone(phone)
    except ValidationError as e:
        errors["contact_phone"] = str(e.messages[0])
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    return AccountInput(name, bank, number, contact, phone)


def current_account(enterprise_id: int) -> PayeeAccount | None:
    return PayeeAccount.objects.filter(enterprise_id=enterprise_id, is_current=True).first()


def account_set(*, actor: User, enterprise: Enterprise, data: AccountInput) -> PayeeAccount:
    """The enterprise's current account: unchanged input keeps the row, a correction makes a new one (audited).

    Call inside a transaction that has checked the actor; the old row stays for the payments that point at it.
    """
    clean = clean_account(enterprise, data)
    # Lock the enterprise: two confirmations at once cannot leave two current rows (the constraint would refuse).
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    now = current_account(enterprise.pk)
    fields = ("account_name", "bank", "account_number", "contact_name", "contact_phone")
    if now is not None and all(getattr(now, f) == getattr(clean, f) for f in fields):
        return now
    if now is not None:
        PayeeAccount.objects.filter(pk=now.pk).update(is_current=False)
    row = PayeeAccount.objects.create(enterprise=enterprise, confirmed_by=actor, confirmed_at=timezone.now(),
                                      **{f: getattr(clean, f) for f in fields})
    audit_record(actor=actor, action="payee_account_set", object_type="enterprise", object_id=enterprise.pk,
                 detail={"account": row.pk, "bank": row.bank, "last4": row.account_number[-4:],
                         "replaces": now.pk if now else None})
    return row


def grant_confirm_account(*, actor: User, grant: Grant, data: AccountInput) -> GrantConfirmation:
    """The enterprise confirms or corrects the account its 免申即享 grant is paid to (before the payment)."""
    if role_of(actor) != Role.ENTERPRISE:
        raise PermissionDenied(_("Only the enterprise itself confirms its account."))
    with transaction.atomic():
        row = grants_visible_to(actor).select_for_update().filter(pk=grant.pk).first()
        if row is None:
            raise NotFound(_("This grant does not exist."))
        if row.status not in CONFIRMABLE or hasattr(row, "payment"):
            raise InvalidTransition(_("This grant can no longer be changed: it was rejected or has been paid."))
        account = account_set(actor=actor, enterprise=row.enterprise, data=data)
        return _confirm(actor, row, account)


def account_confirm(*, actor: User, data: AccountInput) -> tuple[PayeeAccount, int]:
    """From the door: the enterprise's account for benefits, confirmed for each of its grants not yet paid.

    Returns the account and how many grants it now confirms for.
    """
    if role_of(actor) != Role.ENTERPRISE or not getattr(actor, "enterprise_id", None):
        raise PermissionDenied(_("Only the enterprise itself confirms its account."))
    with transaction.atomic():
        enterprise = Enterprise.objects.get(pk=actor.enterprise_id or 0)
        account = account_set(actor=actor, enterprise=enterprise, data=data)
        paid = Payment.objects.filter(grant__isnull=False).values("grant_id")
        open_grants = grants_visible_to(actor).select_for_update().filter(status__in=CONFIRMABLE).exclude(pk__in=paid)
        done = [_confirm(actor, g, account) for g in open_grants]
    return account, len(done)


def _confirm(actor: User, row: Grant, account: PayeeAccount) -> GrantConfirmation:
    """Point the grant at the account (a no-op when it already does), with its event, audit row and notice."""
    conf = GrantConfirmation.objects.filter(grant=row).first()
    if conf is not None and conf.account_id == account.pk:
        return conf  # a retried confirmation changes nothing
    if conf is None:
        conf = GrantConfirmation.objects.create(grant=row, account=account, confirmed_by=actor)
    else:
        conf.account, conf.confirmed_by, conf.confirmed_at = account, actor, timezone.now()
        conf.save(update_fields=["account", "confirmed_by", "confirmed_at"])
    MatchingEvent.objects.create(policy_id=row.policy_id, grant=row, action="account_confirmed", actor=actor,
                                 detail={"account": account.pk, "last4": account.account_number[-4:]})
    audit_record(actor=actor, action="grant_account_confirm", object_type="grant", object_id=row.pk,
                 detail={"account": account.pk})
    unit = row.unit_id
    notify_after_commit(
        recipients=lambda: User.objects.filter(unit_id=unit, role__in=(Role.HANDLER, Role.UNIT_HEAD), is_active=True)
        .values_list("pk", flat=True),
        kind="policy_grant_review", subject_type="grant", subject_ref=str(row.pk),
        message=_("%(enterprise)s confirmed the account for a 免申即享 grant.") % {"enterprise": row.enterprise.name})
    return conf


def account_reveal(*, actor: User, account: PayeeAccount, policy_issuer_id: int) -> str:
    """The whole account number for the unit that pays it (or an administrator), written to the audit log."""
    if not (is_admin(actor) or (role_of(actor) in (Role.HANDLER, Role.UNIT_HEAD) and actor.unit_id == policy_issuer_id)):
        raise PermissionDenied(_("Only the paying unit may see the whole account number."))
    audit_record(actor=actor, action="payee_account_reveal", object_type="payee_account", object_id=account.pk,
                 detail={"enterprise": account.enterprise_id})
    return account.account_number
