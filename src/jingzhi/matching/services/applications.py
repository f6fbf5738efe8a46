"""Applications for policies that are not 免申即享 (ADR 027): the enterprise applies from its door, the issuing
unit's policy office accepts and decides within the published guide's limit, and pays within the payment limit.

Clocks (the provincial rule, interpreted in ADR 027):
- decision: `DECIDE_WORKING_DAYS` working days after submission (the city's working calendar, cases.sla), by
  which the unit has accepted *and* decided;
- payment: `PAY_DAYS` calendar days after approval.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.sla import work_calendar
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.core.workcalendar import WorkCalendar
from jingzhi.matching.access import keeps
from jingzhi.matching.benefits_access import applications_visible_to
from jingzhi.matching.facts import facts_for
from jingzhi.matching.models import Policy, PolicyVersion
from jingzhi.matching.models_benefits import Application, ApplicationEvent
from jingzhi.matching.rules import benefit_amount, evaluate
from jingzhi.matching.services.accounts import AccountInput, account_set
from jingzhi.matching.services.matching import _snapshots
from jingzhi.org.access import role_of
from jingzhi.org.models import Enterprise, Role, User

DECIDE_WORKING_DAYS = 7
PAY_DAYS = 60

# The transition table: (status, action) → new status. Who may act: "apply" the enterprise, the rest the unit.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Application.Status.SUBMITTED, "accept"): Application.Status.ACCEPTED,
    (Application.Status.SUBMITTED, "reject"): Application.Status.REJECTED,  # 不予受理, with its reason
    (Application.Status.ACCEPTED, "approve"): Application.Status.APPROVED,
    (Application.Status.ACCEPTED, "reject"): Application.Status.REJECTED,
    (Application.Status.APPROVED, "pay"): Application.Status.PAID,  # services/payments.py
}
DECISIONS = ("accept", "approve", "reject")
OPEN = (Application.Status.SUBMITTED, Application.Status.ACCEPTED)


def decide_due(submitted_at: datetime, calendar: WorkCalendar | None = None) -> datetime:
    """The end of working hours on the 7th working day after the day of submission (holidays and 调休 counted)."""
    return (calendar or work_calendar()).add(submitted_at, DECIDE_WORKING_DAYS, "working_days")


def pay_due(approved_at: datetime) -> datetime:
    """60 calendar days after the approval."""
    return approved_at + timedelta(days=PAY_DAYS)


def is_overdue(app: Application, now: datetime | None = None) -> bool:
    """Undecided past the decision limit, or approved and unpaid past the payment limit."""
    now = now or timezone.now()
    if app.status in OPEN:
        return now > app.decide_due
    return app.status == Application.Status.APPROVED and app.pay_due is not None and now > app.pay_due


def _event(app: Application, action: str, actor: User | None, **detail: Any) -> None:
    ApplicationEvent.objects.create(application=app, action=action, actor=actor, detail=detail)


def application_submit(*, actor: User, policy: Policy, statement: str, account: AccountInput,
                       now: datetime | None = None) -> tuple[Application, bool]:
    """The enterprise applies for a policy in force that it qualifies or nearly qualifies for.

    Returns (application, created): a second submission for the same policy and period returns the first.
    """
    if role_of(actor) != Role.ENTERPRISE or not getattr(actor, "enterprise_id", None):
        raise PermissionDenied(_("Only an enterprise applies, for itself."))
    now = now or timezone.now()
    today = timezone.localdate(now)
    statement = clean_text(statement, multiline=True)[:4000]
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(pk=actor.enterprise_id or 0).first()
        row = policies_visible_to_enterprise().select_related("current").filter(pk=policy.pk).first()
        if enterprise is None or row is None or row.current is None:
            raise NotFound(_("This policy does not exist."))
        version: PolicyVersion = row.current
        existing = Application.objects.filter(enterprise=enterprise, policy=row, period=today.year).first()
        if existing is not None:
            return existing, False
        if version.no_application:
            raise ValidationFailed(_("This policy is 免申即享: there is nothing to apply for; the issuing unit reviews it."))
        if version.target != PolicyVersion.Target.ENTERPRISE or not (
                version.valid_from and version.valid_to and version.valid_from <= today <= version.valid_to):
            raise ValidationFailed(_("This policy is not open for applications today."))
        facts = facts_for([enterprise.pk], on=today).get(enterprise.pk, {})
        result = evaluate(version.conditions, facts)
        if result.outcome == "not":
            raise ValidationFailed(_("Your enterprise does not meet the conditions of this policy; see why on your page."))
        acct = account_set(actor=actor, enterprise=enterprise, data=account)
        snapshot_id = _snapshots({enterprise.pk}, {enterprise.pk: facts}, today)[enterprise.pk]
        try:
            with transaction.atomic():
                app = Application.objects.create(
                    enterprise=enterprise, policy=row, version=version, unit_id=row.issuer_id, period=today.year,
                    outcome=result.outcome, missing=result.missing or {}, snapshot_id=snapshot_id,
                    statement=statement, amount=benefit_amount(version, facts), account=acct, submitted_by=actor,
                    submitted_at=now, decide_due=decide_due(now))
        except IntegrityError:
            # A concurrent submission of the same enterprise, policy and period won: return it.
            return Application.objects.get(enterprise=enterprise, policy=row, period=today.year), False
        _event(app, "submitted", actor, outcome=result.outcome, version=version.number)
        audit_record(actor=actor, action="application_submit", object_type="application", object_id=app.pk,
                     detail={"policy": row.pk, "period": app.period, "outcome": result.outcome})
        unit = row.issuer_id
        notify_after_commit(
            recipients=lambda: User.objects.filter(unit_id=unit, role__in=(Role.HANDLER, Role.UNIT_HEAD), is_active=True)
            .values_list("pk", flat=True),
            kind="policy_application", subject_type="application", subject_ref=str(app.pk),
            message=_("%(enterprise)s applied for “%(title)s”: decide by %(due)s.")
            % {"enterprise": enterprise.name, "title": version.title,
               "due": timezone.localtime(app.decide_due).strftime("%Y-%m-%d")})
    return app, True


def policies_visible_to_enterprise() -> Any:
    """The published policies an enterprise may apply for (drafts and withdrawn ones do not exist for it)."""
    return Policy.objects.filter(status=Policy.Status.PUBLISHED)


def _amount(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        msg = _("Enter the amount as a number of 10,000 yuan, e.g. 12.5.")
        raise ValidationFailed(msg, fields={"amount": msg}) from None
    if not value.is_finite() or value <= 0 or value >= Decimal("10000000000"):
        msg = _("The amount must be more than 0 and less than 10,000,000,000 (10,000 yuan).")
        raise ValidationFailed(msg, fields={"amount": msg})
    return value.quantize(Decimal("0.01"))


def application_decide(*, actor: User, application: Application, action: str, reason: str = "",
                       amount: Any = None) -> Application:
    """The issuing unit accepts, approves (with the amount) or rejects (with the reason)."""
    reason = clean_text(reason)[:300]
    if action not in DECISIONS:
        raise ValidationFailed(_("Unknown decision."), fields={"action": _("Unknown decision.")})
    if action == "reject" and not reason:
        raise ValidationFailed(_("Give the reason for the rejection."), fields={"reason": _("Give the reason for the rejection.")})
    approved = _amount(amount) if action == "approve" else None
    with transaction.atomic():
        row = (applications_visible_to(actor).select_for_update().filter(pk=application.pk).first())
        if row is None:
            raise NotFound(_("This application does not exist."))
        policy = Policy.objects.get(pk=row.policy_id)
        if not keeps(actor, policy):
            raise PermissionDenied(_("Only the issuing unit decides this application."))
        new = TRANSITIONS.get((row.status, action))
        if new is None:
            raise InvalidTransition(_("This application is %(status)s: that step is not possible now.")
                                    % {"status": row.get_status_display()})
        now = timezone.now()
        fields = ["status"]
        row.status = new
        if action == "accept":
            row.accepted_at = now
            fields.append("accepted_at")
        else:
            row.decided_by, row.decided_at, row.reason = actor, now, reason
            fields += ["decided_by", "decided_at", "reason"]
        if action == "approve":
            version = PolicyVersion.objects.get(pk=row.version_id)
            row.approved_amount = approved if approved is not None else row.amount
            if row.approved_amount is None and version.benefit_kind != PolicyVersion.BenefitKind.NONE:
                msg = _("Enter the approved amount.")
                raise ValidationFailed(msg, fields={"amount": msg})
            row.pay_due = pay_due(now)
            fields += ["approved_amount", "pay_due"]
        row.save(update_fields=fields)
        _event(row, action, actor, reason=reason,
               amount=str(row.approved_amount) if action == "approve" and row.approved_amount is not None else None)
        audit_record(actor=actor, action=f"application_{action}", object_type="application", object_id=row.pk,
                     detail={"enterprise": row.enterprise_id, "policy": row.policy_id, "period": row.period,
                             "reason": reason})
        eid = row.enterprise_id
        messages = {"accept": _("Your application was accepted; the decision is due by %(due)s."),
                    "approve": _("Your application was approved."),
                    "reject": _("Your application was rejected: %(reason)s")}
        notify_after_commit(
            recipients=lambda: User.objects.filter(role=Role.ENTERPRISE, enterprise_id=eid, is_active=True)
            .values_list("pk", flat=True),
            kind="policy_application", subject_type="application", subject_ref=str(row.pk),
            message=messages[action] % {"due": timezone.localtime(row.decide_due).strftime("%Y-%m-%d"), "reason": reason})
    return row
