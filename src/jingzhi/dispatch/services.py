"""Writes to the taxonomy and the routing table."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.errors import ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.dispatch.models import Category, RoutingRule
from jingzhi.org.models import Division, Unit


def category_ensure_path(*, names: Sequence[str]) -> Category:
    """Make sure the path level1 → level2 → level3 exists; returns its last node."""
    clean = [clean_text(n) for n in names if n and clean_text(n)]
    if not clean or len(clean) > 3:
        msg = _("A category path has one to three levels.")
        raise ValidationFailed(msg, fields={"category": msg})
    parent: Category | None = None
    for level, name in enumerate(clean, start=1):
        parent, _created = Category.objects.get_or_create(parent=parent, name=name[:60], defaults={"level": level})
    assert parent is not None
    return parent


def category_tree_import(*, rows: Sequence[Sequence[str]]) -> int:
    """Load level1/level2/level3 paths (the taxonomy file), creating what is missing. Returns the node count."""
    known: dict[tuple[int | None, str], Category] = {(c.parent_id, c.name): c for c in Category.objects.all()}
    with transaction.atomic():
        for names in rows:
            parent: Category | None = None
            for level, raw in enumerate([clean_text(n) for n in names if n and clean_text(n)][:3], start=1):
                key = (parent.pk if parent else None, raw[:60])
                if key not in known:
                    known[key] = Category.objects.create(parent=parent, name=raw[:60], level=level)
                parent = known[key]
    return len(known)


def routing_rule_set(
    *, category: Category, lead_unit: Unit, division: Division | None = None, assisting: Sequence[Unit] = ()
) -> RoutingRule:
    """Route `category` (in `division`'s subtree, or everywhere) to a lead unit and assisting units."""
    with transaction.atomic():
        rule, _created = RoutingRule.objects.update_or_create(
            category=category, division=division, defaults={"lead_unit": lead_unit}
        )
        rule.assisting_units.set([u for u in assisting if u.pk != lead_unit.pk])
    return rule
