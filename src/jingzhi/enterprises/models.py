"""Enterprise service (跑在前面, issue 14): task forces (专班), visits (走访), enterprise needs and their clocks.

The registry itself (一企一档: the enterprise, its tags, yearly figures and contact people) lives in org, beside
the 包保 responsibilities, so that policy matching can read it without importing this app (ADR 015).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskForce(models.Model):
    """工作专班: members from several units serving a set of enterprises (or a park) point to point."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")

    name = models.CharField(_("name"), max_length=100, unique=True)
    park = models.CharField(_("park"), max_length=100, blank=True)
    # The city leader answering for the task force's enterprises: the last step of a need's escalation.
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="led_enterprise_task_forces", verbose_name=_("city leader"))
    meets_on = models.PositiveSmallIntegerField(_("weekly meeting"), choices=Weekday.choices, default=Weekday.MONDAY)
    # The board lists the task force's enterprises that no one has visited for this many days.
    visit_every_days = models.PositiveSmallIntegerField(_("visit at least every (days)"), default=30)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="enterprise_task_forces",
                                     verbose_name=_("members"))
    enterprises = models.ManyToManyField("org.Enterprise", blank=True, related_name="task_forces",
                                         verbose_name=_("enterprises"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("task force (专班)")
        verbose_name_plural = _("task forces (专班)")

    def __str__(self) -> str:
        return self.name


class NeedChannel(models.TextChoices):
    DESK = "desk", _("Enterprise desk (企业专席)")
    DIRECT = "direct", _("Government–enterprise line (政企直通车)")
    VISIT = "visit", _("包保 official's visit")
    PORTAL = "portal", _("Enterprise's own portal")


class Escalation(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    OFFICIAL = 1, _("Escalated to the 包保 official")
    LEADER = 2, _("Escalated to the city leader")


class Need(models.Model):
    """企业诉求: the enterprise side of a case of kind "enterprise" — its channel, its own clocks, escalation, rating.

    The case keeps the lifecycle and the visibility rule; this row adds what only enterprise needs have.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, primary_key=True, related_name="need",
                                verbose_name=_("case"))
    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="needs",
                                   verbose_name=_("enterprise"))
    channel = models.CharField(_("channel"), max_length=8, choices=NeedChannel.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    contact_due = models.DateTimeField(_("contact due"))
    progress_due = models.DateTimeField(_("progress report due"))
    close_due = models.DateTimeField(_("close due"))
    escalation = models.PositiveSmallIntegerField(_("escalation"), choices=Escalation.choices, default=Escalation.NONE)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    rating = models.CharField(_("enterprise's rating"), max_length=12, blank=True)
    rating_note = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # A promise made on a visit that became this need.
    visit = models.ForeignKey("Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="needs",
                              verbose_name=_("from visit"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["enterprise", "created_at"]), models.Index(fields=["escalation", "close_due"])]
        verbose_name = _("enterprise need")
        verbose_name_plural = _("enterprise needs")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.case_id}"


class NeedTimeLimit(models.Model):
    """The time limit of one of an enterprise need's clocks (policy as data; defaults 1 working hour / 3 / 5 days)."""

    class Clock(models.TextChoices):
        CONTACT = "contact", _("Contact the enterprise")
        PROGRESS = "progress", _("Report progress")
        CLOSE = "close", _("Close (answer)")

    class TimeUnit(models.TextChoices):
        HOURS = "hours", _("hours (around the clock)")
        WORKING_HOURS = "working_hours", _("working hours")
        WORKING_DAYS = "working_days", _("working days")

    clock = models.CharField(_("clock"), max_length=10, choices=Clock.choices, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2)
    time_unit = models.CharField(_("time unit"), max_length=14, choices=TimeUnit.choices)

    class Meta:
        ordering = ["clock"]
        verbose_name = _("enterprise need time limit")
        verbose_name_plural = _("enterprise need time limits")

    def __str__(self) -> str:
        return f"{self.get_clock_display()}: {self.amount} {self.get_time_unit_display()}"


# Zhongshan's bar (the issue): contact within 1 working hour, a progress report within 3 working days, closed in 5.
DEFAULT_LIMITS: dict[str, tuple[Decimal, str]] = {
    "contact": (Decimal(1), "working_hours"),
    "progress": (Decimal(3), "working_days"),
    "close": (Decimal(5), "working_days"),
}


class Visit(models.Model):
    """走访: a 包保 official or 专班 member visited an enterprise — who, what was asked, what was promised."""

    enterprise = models.ForeignKey("org.Enterprise", on_delete=models.PROTECT, related_name="visits",
                                   verbose_name=_("enterprise"))
    visited_on = models.DateField(_("date"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("visited by"))
    met = models.CharField(_("met with"), max_length=100, blank=True)
    asked = models.TextField(_("what was asked"), blank=True)
    promised = models.TextField(_("what was promised"), blank=True)
    promise_due = models.DateField(_("promised by"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "visited_on"])]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.visited_on}"
