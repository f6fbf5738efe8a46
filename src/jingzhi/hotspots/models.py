"""Hotspots kept live as cases arrive: each case's detection features, an inverted index, the groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jingzhi.org.models import User


class CaseSignal(models.Model):
    """What detection read of one case (places, problem vector…), kept so a new case is compared without re-reading."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="hotspot_signal")
    # Cases are grouped only within one county (the division two levels below the city or the case's own).
    scope = models.CharField(_("scope"), max_length=12, db_index=True)
    at = models.DateTimeField(_("received at"))
    features = models.JSONField(_("features"))

    class Meta:
        verbose_name = _("hotspot signal")
        verbose_name_plural = _("hotspot signals")

    def __str__(self) -> str:
        return f"signal of case {self.case_id}"


class SignalKey(models.Model):
    """The inverted index: a place trigram or problem word of a case, in a time bucket of one window."""

    signal = models.ForeignKey(CaseSignal, on_delete=models.CASCADE, related_name="keys")
    scope = models.CharField(max_length=12)
    key = models.CharField(max_length=40)
    bucket = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "bucket"], name="hotspots_key_lookup")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}@{self.bucket}"


class HotspotQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> HotspotQuerySet:
        """Hotspots with at least one case this user may see (the cases' rule decides, nothing else)."""
        from jingzhi.cases.models import Case

        cases = Case.objects.visible_to(user).values("pk")
        return self.filter(merged_into__isnull=True, pk__in=HotspotMember.objects.filter(case__in=cases).values("hotspot_id"))


class Hotspot(models.Model):
    """A group of cases about one problem at one place (or from one group of people) within a time window."""

    division = models.ForeignKey("org.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("division"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    heat = models.FloatField(_("heat"), default=0)
    size = models.PositiveIntegerField(_("cases"), default=0)
    first_at = models.DateTimeField(_("first case"))
    last_at = models.DateTimeField(_("latest case"), db_index=True)
    created_at = models.DateTimeField(_("found at"))
    # Two hotspots that a new case bridges become one: the younger points at the older (nothing is deleted).
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = HotspotQuerySet.as_manager()

    class Meta:
        ordering = ["-heat", "-last_at"]
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")

    def __str__(self) -> str:
        return self.summary


class HotspotMember(models.Model):
    """A case in a hotspot (a case is in at most one)."""

    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="members")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="hotspot_membership")
    joined_at = models.DateTimeField(_("joined at"))

    class Meta:
        verbose_name = _("hotspot case")
        verbose_name_plural = _("hotspot cases")

    def __str__(self) -> str:
        return f"case {self.case_id} in hotspot {self.hotspot_id}"


class HotspotAction(models.Model):
    """Something done about a hotspot (dispatch all, a proactive case, a campaign proposed). Append-only; the
    first one marks the hotspot as acted on, and the complaints after it show whether acting helped."""

    class Kind(models.TextChoices):
        DISPATCH_ALL = "dispatch_all", _("All its cases dispatched")
        PROACTIVE = "proactive", _("Proactive case opened")
        CAMPAIGN = "campaign", _("Campaign proposed")

    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("what was done"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey("org.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("done by"))
    at = models.DateTimeField(_("time"), db_index=True)
    case_number = models.CharField(_("proactive case"), max_length=32, blank=True)  # the proactive case, if any
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("hotspot action")
        verbose_name_plural = _("hotspot actions")

    def __str__(self) -> str:
        return f"{self.hotspot_id} {self.kind} {self.at:%Y-%m-%d}"
