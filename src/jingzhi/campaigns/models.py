"""Campaigns (攻坚) and key projects: targets, sub-items, milestones, weekly reports, linked obstacle cases.

Changed only by the services in `campaigns/services/`; every change leaves a CampaignEvent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhi.campaigns.querysets import CampaignQuerySet, SubItemQuerySet


class Kind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign (攻坚)")
    KEY_PROJECT = "key_project", _("Key project (重点项目)")


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", _("Under way")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class Stage(models.TextChoices):
    """The stages of an investment project, in order."""

    SIGNED = "signed", _("Signed (签约)")
    LAND = "land", _("Land secured (供地)")
    APPROVED = "approved", _("Approved (审批)")
    STARTED = "started", _("Construction started (开工)")
    IN_PRODUCTION = "in_production", _("In production (投产)")


STAGE_ORDER = [s.value for s in Stage]


class Campaign(models.Model):
    """A key problem the city drives to a finish (攻坚项目), or a key investment project (重点项目)."""

    kind = models.CharField(_("campaign kind"), max_length=12, choices=Kind.choices, default=Kind.CAMPAIGN)
    title = models.CharField(_("title"), max_length=120)
    background = models.TextField(_("background"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    lead_official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_campaigns", verbose_name=_("lead official (包保)")
    )
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="led_campaigns", verbose_name=_("lead unit"))
    assisting_units = models.ManyToManyField("org.Unit", blank=True, related_name="assisted_campaigns",
                                             verbose_name=_("assisting units"))
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="task_forces",
                                     verbose_name=_("task force members"))
    # Where the work happens: the city for a city-wide campaign, a county for a county's project.
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("division"))
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.ACTIVE)
    # Policy as data: when weekly reports fall due, how late before escalation, how close to plan is amber.
    weekly_reports = models.BooleanField(_("weekly reports required"), default=True)
    report_weekday = models.PositiveSmallIntegerField(_("weekly report due on (0 = Monday)"), default=4)
    report_grace_working_days = models.PositiveSmallIntegerField(_("escalate after working days late"), default=1)
    amber_margin = models.DecimalField(_("amber margin (percent of plan)"), max_digits=5, decimal_places=1, default=10)
    # Key projects only.
    investor = models.CharField(_("investor"), max_length=120, blank=True)
    total_investment = models.DecimalField(_("total investment (10k yuan)"), max_digits=14, decimal_places=2, null=True,
                                           blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=0)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "deadline", "pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [models.CheckConstraint(name="campaign_deadline_after_start", condition=models.Q(deadline__gte=models.F("start")))]

    def __str__(self) -> str:
        return self.title


class Metric(models.Model):
    """A number kept per sub-item (e.g. 户数, 受阻户数, 已办证户数); indicators are computed from metrics."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="metrics", verbose_name=_("campaign"))
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=40)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=12, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="metric_key_unique")]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    def __str__(self) -> str:
        return self.label


class Indicator(models.Model):
    """A target the campaign answers for: a count, a sum, or a ratio (percent) of two sums over the sub-items."""

    class Computation(models.TextChoices):
        COUNT = "count", _("Count of sub-items")
        SUM = "sum", _("Sum over sub-items")
        RATIO = "ratio", _("Ratio of two sums (%)")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=60)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=12, blank=True)
    computation = models.CharField(_("computation"), max_length=8, choices=Computation.choices)
    # count: sub-items whose numerator metric is above zero (no metric: sub-items that are done);
    # sum: the numerator metric summed; ratio: numerator sum ÷ denominator sum × 100.
    numerator = models.ForeignKey(Metric, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("numerator / metric"))
    denominator = models.ForeignKey(Metric, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("denominator"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, default=0)
    is_primary = models.BooleanField(_("headline indicator"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "order", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class MonthlyTarget(models.Model):
    """The plan: the value an indicator should have reached by the end of a month."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="monthly_targets",
                                  verbose_name=_("indicator"))
    month = models.DateField(_("month"))  # always the first day of the month
    value = models.DecimalField(_("planned value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [models.UniqueConstraint(fields=["indicator", "month"], name="monthly_target_unique")]
        verbose_name = _("monthly target")
        verbose_name_plural = _("monthly targets")

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m}: {self.value}"


class SubItem(models.Model):
    """A place or object the work is done on, e.g. one residential community, with its own numbers and unit."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sub_items", verbose_name=_("campaign"))
    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("division"))
    responsible_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="campaign_sub_items",
                                         verbose_name=_("responsible unit"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    # Current value of each of the campaign's metrics, keyed by Metric.key; weekly reports move them.
    metrics = models.JSONField(_("figures"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SubItemQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "division__path", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="sub_item_name_unique")]
        verbose_name = _("sub-item")
        verbose_name_plural = _("sub-items")

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A dated step of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("campaign"))
    title = models.CharField(_("title"), max_length=120)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "due", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """One responsible unit's weekly report: figures for its sub-items, what happened, what blocks it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports", verbose_name=_("campaign"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    week = models.DateField(_("week (Monday)"))
    narrative = models.TextField(_("progress"))
    obstacles = models.TextField(_("obstacles"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                     verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    on_time = models.BooleanField(_("on time"), default=True)
    # A correction is a new version with its reason; the earlier versions stay, no longer current (issue 11 #6).
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    amendment_reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        ordering = ["campaign", "-week", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "week"], condition=models.Q(is_current=True),
                                    name="report_once_per_week"),
            models.UniqueConstraint(fields=["campaign", "unit", "week", "version"], name="report_version_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "week"])]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.unit} {self.week}"


class ReportLine(models.Model):
    """One figure in a report: a sub-item's metric as it stood that week (cumulative, not the week's delta)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="lines", verbose_name=_("report"))
    sub_item = models.ForeignKey(SubItem, on_delete=models.CASCADE, related_name="report_lines", verbose_name=_("sub-item"))
    metric = models.CharField(_("metric"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "sub_item", "metric"], name="report_line_unique")]

    def __str__(self) -> str:
        return f"{self.sub_item_id} {self.metric}={self.value}"


class CampaignCase(models.Model):
    """An obstacle raised as a case (e.g. a court's help with a sealed property), linked back to the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="case_links", verbose_name=_("campaign"))
    sub_item = models.ForeignKey(SubItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="case_links",
                                 verbose_name=_("sub-item"))
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="campaign_link", verbose_name=_("case"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                  verbose_name=_("raised by"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.case_id}"


class StageRecord(models.Model):
    """When a key project reached (or is planned to reach) a stage."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stage_records", verbose_name=_("project"))
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    reached_on = models.DateField(_("reached"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "stage"], name="stage_record_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.stage}"


class MonthlyInvestment(models.Model):
    """A key project's investment plan and what was completed in one month (10k yuan)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="investments", verbose_name=_("project"))
    month = models.DateField(_("month"))
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2, default=0)
    completed = models.DecimalField(_("completed"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["campaign", "month"]
        constraints = [models.UniqueConstraint(fields=["campaign", "month"], name="monthly_investment_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.month:%Y-%m}"


class ReportNotice(models.Model):
    """A reminder or escalation sent for one unit's missing weekly report; its uniqueness makes the job idempotent."""

    class Level(models.TextChoices):
        REMINDED = "reminded", _("Reminded")
        ESCALATED = "escalated", _("Escalated")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="report_notices")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    level = models.CharField(max_length=10, choices=Level.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "week", "level"], name="report_notice_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.unit_id} {self.week} {self.level}"


class CampaignEvent(models.Model):
    """The campaign's history: who changed what and when. Append-only."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events", verbose_name=_("campaign"))
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                              verbose_name=_("actor"))
    data = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.action}"
