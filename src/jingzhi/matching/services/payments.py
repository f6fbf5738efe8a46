"""Payment of an approved 免申即享 grant or application (ADR 027): recorded by the issuing unit, to the account the
enterprise confirmed, at most once per enterprise, policy and period.

Three guards: the service looks for an earlier payment under the source's row lock; the table's unique constraint
(enterprise, policy, period) refuses a second row whatever path it came by (a grant and an application of the same
pair, two workers at once); and a retry of the same payment (same source, amount, reference) returns the first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.matching.access import grants_visible_to, keeps
from jingzhi.matching.benefits_access import applications_visible_to
from jingzhi.matching.models import Grant, MatchingEvent, Policy
from jingzhi.matching.models_benefits import (
    Application,
    ApplicationEvent,
    GrantConfirmation,
    PayeeAccount,
    Payment,
)
from jingzhi.org.models import Role, User


def _clean(amount: Any, paid_on: Any, reference: str, *, most: Decimal | None, earliest: date) -> tuple[Decimal, date, str]:
    errors: dict[str, str] = {}
    value: Decimal | None = None
    try:
        value = Decimal(str(amount).strip()) if amount not in (None, "") else None
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        errors["amount"] = _("Enter the amount paid as a number of 10,000 yuan, e.g. 12.5.")
    elif value <= 0:
        errors["amount"] = _("The amount paid must be more than 0.")
    elif most is not None and value > most:
        errors["amount"] = _("The amount paid cannot exceed the approved %(most)s (10,000 yuan).") % {"most": most}
    day: date | None = None
    if isinstance(paid_on, date):
        day = paid_on
    else:
        try:
            day = date.fromisoformat(str(paid_on or "").strip())
        except ValueError:
            errors["paid_on"] = _("Enter the day it was paid as YYYY-MM-DD.")
    if day is not None:
        if day > timezone.localdate():
            errors["paid_on"] = _("The payment day cannot be in the future.")
        elif day < earliest:
            errors["paid_on"] = _("The payment day cannot be before the approval (%(day)s).") % {"day": earliest}
    reference = clean_text(reference)[:60]
    if not reference:
        errors["reference"] = _("Enter the payment reference (the voucher or transfer number).")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert value is not None and day is not None
    return value.quantize(Decimal("0.01")), day, reference


def _existing(enterprise_id: int, policy_id: int, period: int, *, grant: Grant | None, application: Application | None,
              amount: Decimal, reference: str) -> Payment | None:
    """The earlier payment of this pair and period: returned for a retry of the same payment, refused otherwise."""
    paid = Payment.objects.filter(enterprise_id=enterprise_id, policy_id=policy_id, period=period).first()
    if paid is None:
        return None
    same = (paid.grant_id == (grant.pk if grant else None) and paid.application_id == (application.pk if application else None)
            and paid.amount == amount and paid.reference == reference)
    if same:
        return paid
    raise InvalidTransition(_("Already paid for this enterprise, policy and year: %(amount)s (10,000 yuan) on %(day)s, "
                              "reference %(ref)s. Nothing is paid twice.")
                            % {"amount": paid.amount, "day": paid.paid_on, "ref": paid.reference})


def _insert(**fields: Any) -> Payment:
    try:
        with transaction.atomic():
            return Payment.objects.create(**fields)
    except IntegrityError:
        # Another path paid this pair and period between our check and our insert: the constraint decided.
        raise InvalidTransition(_("Already paid for this enterprise, policy and year. Nothing is paid twice.")) from None


def _notify(enterprise_id: int, amount: Decimal, subject_type: str, pk: int) -> None:
    notify_after_commit(
        recipients=lambda: User.objects.filter(role=Role.ENTERPRISE, enterprise_id=enterprise_id, is_active=True)
        .values_list("pk", flat=True),
        kind="policy_payment", subject_type=subject_type, subject_ref=str(pk),
        message=_("%(amount)s (10,000 yuan) has been paid to your account.") % {"amount": amount})


def grant_pay(*, actor: User, grant: Grant, amount: Any, paid_on: Any, reference: str) -> tuple[Payment, bool]:
    """Record the payment of an approved grant to its confirmed account. Returns (payment, created)."""
    with transaction.atomic():
        row = grants_visible_to(actor).select_for_update().filter(pk=grant.pk).first()
        if row is None:
            raise NotFound(_("This grant does not exist."))
        if not keeps(actor, Policy.objects.get(pk=row.policy_id)):
            raise PermissionDenied(_("Only the issuing unit pays this grant."))
        if row.amount is None:
            raise InvalidTransition(_("This benefit carries no money: there is nothing to pay."))
        value, day, ref = _clean(amount, paid_on, reference, most=row.amount,
                                 earliest=timezone.localdate(row.decided_at) if row.decided_at else date.min)
        earlier = _existing(row.enterprise_id, row.policy_id, row.period, grant=row, application=None, amount=value,
                            reference=ref)
        if earlier is not None:
            return earlier, False
        if row.status != Grant.Status.APPROVED:
            raise InvalidTransition(_("Only an approved grant is paid."))
        conf = GrantConfirmation.objects.filter(grant=row).first()
        if conf is None:
            raise InvalidTransition(_("The enterprise has not confirmed the account yet: nothing can be paid."))
        pay = _insert(enterprise_id=row.enterprise_id, policy_id=row.policy_id, period=row.period, grant=row,
                      account=conf.account, amount=value, paid_on=day, reference=ref, recorded_by=actor)
        MatchingEvent.objects.create(policy_id=row.policy_id, grant=row, action="paid", actor=actor,
                                     detail={"amount": str(value), "paid_on": day.isoformat(), "reference": ref})
        audit_record(actor=actor, action="grant_pay", object_type="grant", object_id=row.pk,
                     detail={"payment": pay.pk, "amount": str(value), "paid_on": day, "account": conf.account_id})
        _notify(row.enterprise_id, value, "grant", row.pk)
    return pay, True


def application_pay(*, actor: User, application: Application, amount: Any, paid_on: Any,
                    reference: str) -> tuple[Payment, bool]:
    """Record the payment of an approved application to the account it names. Returns (payment, created)."""
    with transaction.atomic():
        row = applications_visible_to(actor).select_for_update().filter(pk=application.pk).first()
        if row is None:
            raise NotFound(_("This application does not exist."))
        if not keeps(actor, Policy.objects.get(pk=row.policy_id)):
            raise PermissionDenied(_("Only the issuing unit pays this application."))
        if row.status in (Application.Status.APPROVED, Application.Status.PAID) and row.approved_amount is None:
            raise InvalidTransition(_("This benefit carries no money: there is nothing to pay."))
        value, day, ref = _clean(amount, paid_on, reference, most=row.approved_amount,
                                 earliest=timezone.localdate(row.decided_at) if row.decided_at else date.min)
        earlier = _existing(row.enterprise_id, row.policy_id, row.period, grant=None, application=row, amount=value,
                            reference=ref)
        if earlier is not None:
            return earlier, False
        if row.status != Application.Status.APPROVED:
            raise InvalidTransition(_("Only an approved application is paid."))
        account = PayeeAccount.objects.get(pk=row.account_id)
        pay = _insert(enterprise_id=row.enterprise_id, policy_id=row.policy_id, period=row.period, application=row,
                      account=account, amount=value, paid_on=day, reference=ref, recorded_by=actor)
        row.status = Application.Status.PAID
        row.save(update_fields=["status"])
        ApplicationEvent.objects.create(application=row, action="pay", actor=actor,
                                        detail={"amount": str(value), "paid_on": day.isoformat(), "reference": ref})
        audit_record(actor=actor, action="application_pay", object_type="application", object_id=row.pk,
                     detail={"payment": pay.pk, "amount": str(value), "paid_on": day, "account": account.pk})
        _notify(row.enterprise_id, value, "application", row.pk)
    return pay, True
