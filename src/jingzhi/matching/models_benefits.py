"""From a decision to money (issue 15, ADR 027): the account an enterprise confirms for its benefits, applications
for policies that are not 免申即享, and payments — at most one per enterprise, policy and period.

Imported at the bottom of matching/models.py so Django registers these models with the app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingzhi.matching.models import FactSnapshot, Grant, Policy, PolicyVersion


class PayeeAccount(models.Model):
    """The bank account and contact an enterprise confirmed for its benefits; a correction is a new row.

    Personal and financial data: stored as entered (like EnterpriseContact), masked wherever a list, a queue or the
    API shows it (matching.benefits_access.mask_account), shown whole to the enterprise itself and, on request
    and audited, to the issuing unit that pays.
    """

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="payee_accounts",
                                   verbose_name=_("enterprise"))
    account_name = models.CharField(_("account name"), max_length=100)
    bank = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=32)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    # The account benefits are paid to now; older rows stay (payments point at the row they were paid to).
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise"], condition=models.Q(is_current=True),
                                               name="payee_account_one_current")]
        verbose_name = _("payee account")
        verbose_name_plural = _("payee accounts")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.bank}"


class GrantConfirmation(models.Model):
    """The enterprise confirmed (or corrected) the account a 免申即享 grant is to be paid to."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="confirmation", verbose_name=_("grant"))
    account = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("grant account confirmation")
        verbose_name_plural = _("grant account confirmations")

    def __str__(self) -> str:
        return f"{self.grant_id}"


class Application(models.Model):
    """An enterprise's application for a policy that is not 免申即享: a tracked record with its own clocks.

    The issuing unit decides within the published guide's limit (working days, ADR 027) and pays within the
    payment limit after approval. One per enterprise, policy and period (a unique constraint): a retried
    submission finds the first.
    """

    class Status(models.TextChoices):
        # With a context: "Submitted", "Paid"… are column headers in other apps' catalogues.
        SUBMITTED = "submitted", pgettext_lazy("policy application", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("policy application", "Accepted")
        APPROVED = "approved", pgettext_lazy("policy application", "Approved")
        REJECTED = "rejected", pgettext_lazy("policy application", "Rejected")
        PAID = "paid", pgettext_lazy("policy application", "Paid")

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="policy_applications",
                                   verbose_name=_("enterprise"))
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="applications", verbose_name=_("policy"))
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("version"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="policy_applications",
                             verbose_name=_("deciding unit"))
    period = models.PositiveSmallIntegerField(_("period (year)"))
    # The evaluation when it was submitted: qualified or near (with the missing condition); the unit decides.
    outcome = models.CharField(_("outcome when submitted"), max_length=10)
    missing = models.JSONField(_("missing condition"), default=dict, blank=True)
    snapshot = models.ForeignKey(FactSnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("facts used"))
    statement = models.TextField(_("statement"), blank=True)
    amount = models.DecimalField(_("amount by the rules (10,000 yuan)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    approved_amount = models.DecimalField(_("approved amount (10,000 yuan)"), max_digits=12, decimal_places=2,
                                          null=True, blank=True)
    account = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decide_due = models.DateTimeField(_("decision due"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    pay_due = models.DateTimeField(_("payment due"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "policy", "period"],
                                               name="application_once_per_period")]
        indexes = [models.Index(fields=["unit", "status"])]
        verbose_name = _("policy application")
        verbose_name_plural = _("policy applications")

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.policy_id} {self.period}"


class ApplicationEvent(models.Model):
    """What happened to an application, and who did it (append-only)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events",
                                    verbose_name=_("application"))
    action = models.CharField(_("action"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Payment(models.Model):
    """Money paid for a grant or an application: at most one per enterprise, policy and period (nothing twice)."""

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="policy_payments",
                                   verbose_name=_("enterprise"))
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="payments", verbose_name=_("policy"))
    period = models.PositiveSmallIntegerField(_("period (year)"))
    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, null=True, blank=True, related_name="payment",
                                 verbose_name=_("grant"))
    application = models.OneToOneField(Application, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="payment", verbose_name=_("application"))
    account = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("paid to"))
    amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "policy", "period"], name="payment_once_per_period"),
            models.CheckConstraint(condition=models.Q(grant__isnull=False) | models.Q(application__isnull=False),
                                   name="payment_has_a_source"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.enterprise_id}×{self.policy_id} {self.period} {self.amount}"
