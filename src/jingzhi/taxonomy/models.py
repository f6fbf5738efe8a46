"""The category tree (三级分类): below cases, so a case can have a category without knowing about dispatch.

The table keeps its first name (`dispatch_category`): the model moved here from the dispatch app
(ADR 011) and the rows, ids and foreign keys stayed where they were.
"""

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
        db_table = "dispatch_category"
        ordering = ["level", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name
