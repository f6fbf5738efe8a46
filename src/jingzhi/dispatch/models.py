"""Categories (the 3-level taxonomy) and the routing table: category × division → lead and assisting units."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A node of the category tree (level 1–3). Leaves open to the public are Open311 services."""

    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    is_public = models.BooleanField(_("open to the public"), default=True)

    class Meta:
        ordering = ["level", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


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
