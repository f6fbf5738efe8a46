"""Assessment policy (editable weights) and the roll-up tables the dashboards read instead of the case table.

A roll-up row holds what happened on one local day for one (division, unit, category): counts of events and the
working-time durations needed for medians. Past days only ever gain facts (events are append-only), so the worker
rebuilds just the days that received new events (see rollup.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricPolicy(models.Model):
    """How the city scores its units (docs/domain.md §6). One row, created with the defaults on first use."""

    response_weight = models.DecimalField(_("weight of the response rate"), max_digits=4, decimal_places=3, default=Decimal("0.1"))
    resolution_weight = models.DecimalField(_("weight of the resolution rate"), max_digits=4, decimal_places=3, default=Decimal("0.5"))
    satisfaction_weight = models.DecimalField(
        _("weight of the satisfaction rate"), max_digits=4, decimal_places=3, default=Decimal("0.4")
    )
    partly_resolved_credit = models.DecimalField(
        _("credit for partly resolved"), max_digits=4, decimal_places=3, default=Decimal("0.5")
    )
    basically_satisfied_credit = models.DecimalField(
        _("credit for basically satisfied"), max_digits=4, decimal_places=3, default=Decimal("0.9")
    )
    min_volume = models.PositiveIntegerField(
        _("minimum follow-ups before a unit is ranked"), default=10,
        help_text=_("Units and divisions with fewer valid follow-ups in the period are listed but not ranked."),
    )

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policy")

    def __str__(self) -> str:
        return str(_("Assessment policy"))


class RollupCounters(models.Model):
    """The counters and durations of one roll-up row (see rollup.COUNTERS)."""

    day = models.DateField(_("day"))
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    received = models.PositiveIntegerField(default=0)  # cases received that day, merged duplicates excluded
    merged = models.PositiveIntegerField(default=0)  # cases received that day that were later merged as duplicates
    emergencies = models.PositiveIntegerField(default=0)  # received, emergency priority
    acknowledged = models.PositiveIntegerField(default=0)
    acknowledged_on_time = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    followed_up = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    # Working seconds from dispatch to acknowledgement / reply, one entry per event, for exact medians and p90.
    ack_seconds = models.JSONField(default=list, blank=True)
    reply_seconds = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True


class DailyRollup(RollupCounters):
    """What happened on one local day for one (case division, unit, category). Rebuilt whole by rollup.rollup_day."""

    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="+", verbose_name=_("division"))
    category = models.ForeignKey(
        "taxonomy.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("category")
    )

    class Meta:
        indexes = [
            models.Index(fields=["day", "division"]),
            models.Index(fields=["unit", "day"]),
        ]
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")

    def __str__(self) -> str:
        return f"{self.day} {self.division_id}/{self.unit_id}/{self.category_id}"


class DailyUnitRollup(RollupCounters):
    """The same day summed per (division at county level or above, unit): what city and county dashboards and rankings read.

    The fine table has a row for nearly every (community, unit, category) that saw a case, close to one row per
    case at city scale; this one has at most counties × units rows a day.
    """

    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="+", verbose_name=_("division"))

    class Meta:
        indexes = [models.Index(fields=["day", "division"]), models.Index(fields=["unit", "day"])]
        verbose_name = _("daily roll-up per unit")
        verbose_name_plural = _("daily roll-ups per unit")

    def __str__(self) -> str:
        return f"{self.day} {self.division_id}/{self.unit_id}"


class DailyCategoryRollup(RollupCounters):
    """The same day summed per (division at county level or above, category): the category breakdowns of city and
    county scopes. `unit` is always empty here."""

    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="+", verbose_name=_("division"))
    category = models.ForeignKey(
        "taxonomy.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("category")
    )

    class Meta:
        indexes = [models.Index(fields=["day", "division"])]
        verbose_name = _("daily roll-up per category")
        verbose_name_plural = _("daily roll-ups per category")

    def __str__(self) -> str:
        return f"{self.day} {self.division_id}/{self.category_id}"


class DailyIntake(models.Model):
    """Cases received on one day per (division, channel, kind): the 30-day trend by channel and kind."""

    day = models.DateField(_("day"))
    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="+", verbose_name=_("division"))
    channel = models.CharField(_("channel"), max_length=12)
    kind = models.CharField(_("kind"), max_length=12)
    received = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "division"])]
        verbose_name = _("daily intake")
        verbose_name_plural = _("daily intake")

    def __str__(self) -> str:
        return f"{self.day} {self.division_id} {self.channel}/{self.kind}: {self.received}"


class OpenSnapshot(models.Model):
    """Open cases now per (division, unit, category): open, overdue, flagged. Refreshed by the worker with the roll-ups."""

    division = models.ForeignKey("org.Division", on_delete=models.CASCADE, related_name="+", verbose_name=_("division"))
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    category = models.ForeignKey(
        "taxonomy.Category", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        indexes = [models.Index(fields=["division"]), models.Index(fields=["unit"])]
        verbose_name = _("open-case snapshot")
        verbose_name_plural = _("open-case snapshots")

    def __str__(self) -> str:
        return f"{self.division_id}/{self.unit_id}/{self.category_id}: {self.open}"


class RollupState(models.Model):
    """The worker's bookmark: the last case event already rolled up, and when the snapshot was taken."""

    last_event_id = models.BigIntegerField(default=0)
    snapshot_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up state")

    def __str__(self) -> str:
        return f"event {self.last_event_id}"
