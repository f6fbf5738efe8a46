"""Shared records: the city's calendar, the SLA policy, the audit log and in-app notifications."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """The city's own word on one date: a holiday, or a make-up working day (调休). Wins over the built-in calendar."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.is_workday else '-'} {self.note}"


class SlaPolicy(models.Model):
    """City-wide time-limit policy (one row): working hours, warning threshold, escalation, extensions."""

    workday_start = models.TimeField(_("working hours start"), default=time(8, 30))
    workday_end = models.TimeField(_("working hours end"), default=time(17, 30))
    warn_ratio = models.FloatField(_("warn at share of the limit"), default=0.8)
    flag_after_working_days = models.PositiveSmallIntegerField(_("flag after working days overdue"), default=5)
    extension_max_working_days = models.PositiveSmallIntegerField(_("longest extension (working days)"), default=10)
    extensions_allowed = models.PositiveSmallIntegerField(_("extensions allowed per case"), default=1)
    # The city's rule (issue 11): a follow-up that finds the requester satisfied and the problem resolved may
    # close the case in the same step (回访并办结); off, closing stays a second, separate step.
    close_with_follow_up = models.BooleanField(
        _("close with a satisfied follow-up"), default=True,
        help_text=_("Offer “follow up and close” in one step when the requester is reached, satisfied and the problem resolved."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policy")

    def __str__(self) -> str:
        return str(_("Time-limit policy"))


class AuditLog(models.Model):
    """One security-relevant event (a reveal, an export, a download, an import, a key, a role…), append-only.

    Rows form a hash chain (`prev_hash` → `hash`, see `jingzhi.core.audit`) and database triggers refuse
    UPDATE and DELETE, so an altered or removed row is refused or, if the trigger was dropped, found by
    `jingzhi audit verify`. Rows are written only by `jingzhi.core.audit.audit_record`.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")
        REFUSED = "refused", _("refused")

    # No database constraint and no cascade: deleting a user must neither touch nor block the log;
    # actor_username keeps the name the row was written under.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=50, db_index=True)
    object_type = models.CharField(_("object type"), max_length=50)
    object_id = models.CharField(_("object"), max_length=50)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class Notification(models.Model):
    """A message to one user (reminders, supervision, returns); shown in the app."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("New case")
        RETURNED = "returned", _("Case returned")
        REMINDER = "reminder", _("Reminder (催办)")
        SUPERVISION = "supervision", _("Supervision (督办)")
        FLAGGED = "flagged", _("Flagged supervision (挂牌督办)")
        EXTENSION = "extension", _("Extension")
        REOPENED = "reopened", _("Case reopened")
        INFO = "info", _("Information")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient"),
        db_index=False,  # the (recipient, read_at) index below serves it: one index fewer per notification (ADR 031)
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("message"), max_length=300)
    # What the notification is about, as the app that sent it names it (e.g. "case", "TL20261125-000123"):
    # a reference, not a foreign key, so core knows nothing of the apps above it (ADR 011).
    subject_type = models.CharField(_("about (type)"), max_length=20, blank=True, default="")
    subject_ref = models.CharField(_("about"), max_length=40, blank=True, default="")  # shown, never looked up by
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.message


class NotificationPreference(models.Model):
    """How a staff member wants deadline reminders besides the bell (issue 11): in-app only, or also by SMS or e-mail.

    A row only for those who chose; no row is in-app only. Kept in core (not on the user) so the sender, which
    sits in core, reads it without knowing the user model's fields beyond phone and e-mail.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("In the app only")
        SMS = "sms", _("Also by SMS")
        EMAIL = "email", _("Also by e-mail")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference", verbose_name=_("user")
    )
    channel = models.CharField(_("deadline reminders"), max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}"


class OutboundMessage(models.Model):
    """One message that leaves the system through the gateway (SMS, e-mail, voice call), whether sent or not.

    Written when the message is decided (in the transaction of the change it reports), sent by the task queue
    after the commit (core/gateway.py). A message the recipient asked not to get is recorded as skipped.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        VOICE = "voice", _("Voice call")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("skipped")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    # The staff member it was sent to, if any (a requester is known by phone number only).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    provider_id = models.CharField(_("provider's id"), max_length=100, blank=True)
    # What it is about, as a reference (like Notification): core knows nothing of the apps above it (ADR 011).
    related_type = models.CharField(_("about (type)"), max_length=20, blank=True, default="")
    related_ref = models.CharField(_("about"), max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.masked_recipient} {self.kind} {self.status}"

    @property
    def masked_recipient(self) -> str:
        from jingzhi.core.masking import mask_personal_data, mask_phone

        return mask_personal_data(self.recipient) if "@" in self.recipient else mask_phone(self.recipient)
