"""Danger sites, warnings (hand-entered or CAP 1.2), warning rules as data, and the inspection tasks they fan out.

A warning covers areas; every site in an area gets, for each of its 包保 officials, one task per the matching rule:
deliver, 叫应 (acknowledge within the rule's window, else escalate), go on site, report. Every step is a TaskEvent
with its time, so the after-event report is read from the events, not reconstructed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jingzhi.org.models import User


class SiteType(models.TextChoices):
    LEVEE = "levee", _("Dangerous levee section (险工险段)")
    RESERVOIR = "reservoir", _("Reservoir")
    LOW_VILLAGE = "low_village", _("Low-lying village")
    OLD_BUILDING = "old_building", _("Old building")
    CONSTRUCTION = "construction", _("Construction site")
    GEOHAZARD = "geohazard", _("Geological hazard point")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class OfficialLevel(models.TextChoices):
    """The 包保 level of an official for a site; escalation goes from township to county to city."""

    TOWNSHIP = "township", _("Township level")
    COUNTY = "county", _("County level")
    CITY = "city", _("City level")


ESCALATION_ORDER = [OfficialLevel.TOWNSHIP, OfficialLevel.COUNTY, OfficialLevel.CITY]


class WarningType(models.TextChoices):
    HEAVY_RAIN = "heavy_rain", _("Heavy rain")
    FLOOD = "flood", _("Flood")
    TYPHOON = "typhoon", _("Typhoon")
    BLIZZARD = "blizzard", _("Blizzard")
    COLD_WAVE = "cold_wave", _("Cold wave")
    GEOHAZARD = "geohazard", _("Geological hazard")


class WarningLevel(models.TextChoices):
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


class SiteQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> SiteQuerySet:
        from jingzhi.earlywarning.access import site_filter

        return self.filter(site_filter(user))


class DangerSite(models.Model):
    """A place that needs someone on site when a warning comes: 险工险段, a reservoir, a low-lying village…"""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    site_type = models.CharField(_("type"), max_length=20, choices=SiteType.choices)
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("division"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    # WGS 84 degrees, as CAP polygons and circles give them.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    emergency_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name=_("emergency unit"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["division__path", "name"]
        verbose_name = _("danger site")
        verbose_name_plural = _("danger sites")

    def __str__(self) -> str:
        return self.name


class SiteOfficial(models.Model):
    """A site's 包保 official at one level. The official and the duty itself are org's Responsibility row (site type),
    so the 包保 register stays one list; this row adds which site it is and at which level (ADR 016)."""

    site = models.ForeignKey(DangerSite, on_delete=models.CASCADE, related_name="officials")
    responsibility = models.ForeignKey("org.Responsibility", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("responsibility (包保)"))
    level = models.CharField(_("level"), max_length=10, choices=OfficialLevel.choices)

    class Meta:
        verbose_name = _("site official (包保)")
        verbose_name_plural = _("site officials (包保)")
        constraints = [models.UniqueConstraint(fields=["site", "responsibility"], name="earlywarning_site_official_once")]

    def __str__(self) -> str:
        return f"{self.responsibility_id} → {self.site_id} ({self.level})"


class WarningRule(models.Model):
    """Type × level × site type → what must happen. A blank site type matches every site type; the most specific wins."""

    warning_type = models.CharField(_("warning type"), max_length=20, choices=WarningType.choices)
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    site_type = models.CharField(_("site type"), max_length=20, choices=SiteType.choices, blank=True)
    ack_minutes = models.PositiveIntegerField(_("acknowledge within (minutes)"), default=10)
    onsite_minutes = models.PositiveIntegerField(_("on site within (minutes)"), default=120)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        constraints = [models.UniqueConstraint(fields=["warning_type", "level", "site_type"], name="earlywarning_rule_once")]

    def __str__(self) -> str:
        return f"{self.warning_type}/{self.level}/{self.site_type or '*'}"


class WarningQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> WarningQuerySet:
        from jingzhi.earlywarning.access import warning_filter

        return self.filter(warning_filter(user))


class Warning(models.Model):  # noqa: A001 — the domain's word; never imported as a bare name next to the stdlib module
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CAP = "cap", _("CAP message")

    # CAP's <identifier> (or a generated one for a hand-entered warning); <references> name it.
    identifier = models.CharField(_("identifier"), max_length=200, unique=True)
    sender = models.CharField(_("sender"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    warning_type = models.CharField(_("type"), max_length=20, choices=WarningType.choices)
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    headline = models.CharField(_("headline"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    effective_at = models.DateTimeField(_("effective"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Identifiers of the CAP messages applied to this warning (the alert, then each Update / Cancel).
    messages = models.JSONField(_("messages"), default=list)
    divisions = models.ManyToManyField("org.Division", related_name="+", verbose_name=_("divisions"))
    created_at = models.DateTimeField(_("created"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = WarningQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return self.headline


class WarningArea(models.Model):
    """One <area> of a warning as received: names, GB/T 2260 codes, polygons and circles (all used for matching)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="areas")
    description = models.CharField(_("area"), max_length=300)
    geocodes = models.JSONField(default=list)
    polygons = models.JSONField(default=list)  # [[[lat, lon], …], …]
    circles = models.JSONField(default=list)  # [[lat, lon, radius_km], …]

    def __str__(self) -> str:
        return self.description


class TaskStatus(models.TextChoices):
    NOT_ACKNOWLEDGED = "pending", _("Not acknowledged")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ON_THE_WAY = "on_the_way", _("On the way")
    ON_SITE = "on_site", _("On site")
    REPORTED = "reported", _("Reported")
    ENDED = "ended", _("Ended")


OPEN_STATUSES = [TaskStatus.NOT_ACKNOWLEDGED, TaskStatus.ACKNOWLEDGED, TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE]


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> TaskQuerySet:
        from jingzhi.earlywarning.access import task_filter

        return self.filter(task_filter(user))


class InspectionTask(models.Model):
    """One official's job at one site for one warning: 叫应, go, look, report."""

    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="tasks")
    site = models.ForeignKey(DangerSite, on_delete=models.PROTECT, related_name="tasks")
    official = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("official"))
    level = models.CharField(_("level"), max_length=10, choices=OfficialLevel.choices)
    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=15, choices=TaskStatus.choices, default=TaskStatus.NOT_ACKNOWLEDGED,
                              db_index=True)
    checklist = models.JSONField(_("checklist"), default=list)
    created_at = models.DateTimeField(_("delivered"))
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    onsite_due_at = models.DateTimeField(_("on site by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    on_the_way_at = models.DateTimeField(_("on the way"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("on site"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The on-site report.
    situation = models.TextField(_("situation"), blank=True)
    people_moved = models.PositiveIntegerField(_("people moved"), default=0)
    hazard = models.TextField(_("hazard found"), blank=True)
    hazard_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")
        constraints = [models.UniqueConstraint(fields=["warning", "site", "official"], name="earlywarning_task_once")]
        indexes = [models.Index(fields=["status", "ack_due_at"], name="earlywarning_task_due")]

    def __str__(self) -> str:
        return f"task {self.pk}"


class TaskEvent(models.Model):
    """Every call, acknowledgement, step and escalation of a task, with its time (the after-event report reads these)."""

    class Kind(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ON_THE_WAY = "on_the_way", _("On the way")
        ON_SITE = "on_site", _("On site")
        REPORTED = "reported", _("Reported")
        ESCALATED = "escalated", _("Escalated")
        CHANGED = "changed", _("Changed by an update")
        ENDED = "ended", _("Ended")

    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at}"


class TaskPhoto(models.Model):
    """A photo the official took on site, sent with the on-site report; stored under MEDIA_ROOT like case attachments."""

    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="photos", verbose_name=_("task"))
    file = models.FileField(_("file"), upload_to="warning-photos/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("on-site photo")
        verbose_name_plural = _("on-site photos")

    def __str__(self) -> str:
        return self.name


class SeasonalRule(models.Model):
    """A calendar expectation (heating complaints from November 1, flooding in July–August): `lead_days` before
    the season starts, a preparation task goes to the unit."""

    name = models.CharField(_("name"), max_length=100)
    start_month = models.PositiveSmallIntegerField(_("season starts (month)"))
    start_day = models.PositiveSmallIntegerField(_("season starts (day)"), default=1)
    lead_days = models.PositiveSmallIntegerField(_("days ahead"), default=14)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    instructions = models.CharField(_("what to prepare"), max_length=300)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("seasonal expectation")
        verbose_name_plural = _("seasonal expectations")

    def __str__(self) -> str:
        return self.name


class PreparationTask(models.Model):
    """One season's preparation task raised from a SeasonalRule (once per rule and year)."""

    rule = models.ForeignKey(SeasonalRule, on_delete=models.PROTECT, related_name="tasks")
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    season_starts = models.DateField(_("season starts"))
    raised_at = models.DateTimeField(_("raised"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("done by"))
    done_note = models.CharField(_("what was done"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("preparation task")
        verbose_name_plural = _("preparation tasks")
        constraints = [models.UniqueConstraint(fields=["rule", "year"], name="earlywarning_preparation_once")]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.year}"
