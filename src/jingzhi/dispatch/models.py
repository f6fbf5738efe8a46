"""Categories (the 3-level taxonomy), the routing table, and the dispatch classifier's models, settings and record."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingzhi.taxonomy.models import Category


class RoutingRule(models.Model):
    """Where a category's cases go. A rule with a division applies to that division's subtree; the most specific wins."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("category"))
    division = models.ForeignKey(
        "org.Division", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("division")
    )
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit"))
    assisting_units = models.ManyToManyField("org.Unit", blank=True, related_name="+", verbose_name=_("assisting units"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "division"], name="routing_unique_category_division")]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} @ {self.division or '*'} → {self.lead_unit}"


class ClassifierModel(models.Model):
    """A trained dispatch classifier on disk (see dispatch/classifier/artifact.py); at most one is active."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    path = models.CharField(_("model file"), max_length=500)
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    level = models.PositiveSmallIntegerField(_("category level"), default=1)
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="classifier_one_active")
        ]
        verbose_name = _("dispatch model")
        verbose_name_plural = _("dispatch models")

    def __str__(self) -> str:
        return self.version


class DispatchSettings(models.Model):
    """How sure the classifier must be before a case is dispatched without a person (one row, pk=1)."""

    auto_dispatch = models.BooleanField(_("dispatch automatically above the threshold"), default=True)
    target_precision = models.DecimalField(
        _("target precision"), max_digits=4, decimal_places=3, default=Decimal("0.980"),
        help_text=_("Share of automatic dispatches that must be right, judged on held-out data."),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("dispatch settings")
        verbose_name_plural = _("dispatch settings")

    def __str__(self) -> str:
        return f"{self.target_precision}"


class DispatchSuggestion(models.Model):
    """What the classifier proposed for a case at intake, and whether the case was dispatched on it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="dispatch_suggestions", verbose_name=_("case"))
    model = models.ForeignKey(ClassifierModel, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("model"))
    ranked = models.JSONField(_("ranked categories"), default=list)  # [{"label", "confidence", "category_id"}]
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("category"))
    confidence = models.FloatField(_("confidence"))
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lead unit"))
    route_reason = models.CharField(_("route"), max_length=200, blank=True)
    auto_dispatched = models.BooleanField(_("dispatched automatically"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispatch suggestion")
        verbose_name_plural = _("dispatch suggestions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.category} ({self.confidence:.2f})"


class DispatchCorrection(models.Model):
    """A dispatch that turned out wrong (回退 or 转办): evidence for accuracy figures and the next training set."""

    class Kind(models.TextChoices):
        RETURN = "return", _("Returned (回退)")
        TRANSFER = "transfer", _("Transferred (转办)")
        REDISPATCH = "redispatch", _("Re-dispatched after a return")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="dispatch_corrections", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    model = models.ForeignKey(
        ClassifierModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections", verbose_name=_("model")
    )
    suggested_label = models.CharField(_("suggested category"), max_length=200, blank=True)
    from_unit = models.ForeignKey("org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("from unit"))
    to_unit = models.ForeignKey("org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("to unit"))
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispatch correction")
        verbose_name_plural = _("dispatch corrections")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
