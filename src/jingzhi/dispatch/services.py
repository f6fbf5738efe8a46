"""Writes to the taxonomy and the routing table (administrators, or the system: actor None)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.changes import audit_change, field_changes, snapshot
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.dispatch.models import RoutingRule
from jingzhi.org.guards import admin_required
from jingzhi.org.models import Division, Unit, User
from jingzhi.taxonomy.models import Category


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


ROUTING_FIELDS = ("category", "division", "lead_unit", "assisting_units")


def _routing_snapshot(rule: RoutingRule | None) -> dict[str, Any]:
    if rule is None:
        return dict.fromkeys(ROUTING_FIELDS)
    return {"category": rule.category_id, "division": rule.division.code if rule.division else None,
            "lead_unit": rule.lead_unit.code, "assisting_units": sorted(u.code for u in rule.assisting_units.all())}


def routing_rule_set(
    *, actor: User | None, category: Category, lead_unit: Unit, division: Division | None = None,
    assisting: Sequence[Unit] = (), rule: RoutingRule | None = None,
) -> RoutingRule:
    """Route `category` (in `division`'s subtree, or everywhere) to a lead unit and assisting units.

    Without `rule`, the rule for the same category and division is created or replaced; with `rule`, that rule
    is changed (and may move to another category or division, if no other rule holds that place). Audited.
    """
    admin_required(actor)
    if not lead_unit.is_active:
        msg = _("%(unit)s is inactive and cannot take cases.") % {"unit": lead_unit.name}
        raise ValidationFailed(msg, fields={"lead_unit": msg})
    with transaction.atomic():
        clash = RoutingRule.objects.select_for_update().filter(category=category, division=division).first()
        if rule is not None:
            row = RoutingRule.objects.select_for_update().filter(pk=rule.pk).first()
            if row is None:
                raise ValidationFailed(_("This routing rule no longer exists."))
            if clash is not None and clash.pk != row.pk:
                msg = _("There is already a rule for this category in this division.")
                raise ValidationFailed(msg, fields={"category": msg})
        else:
            row = clash
        before = _routing_snapshot(row)
        created = row is None
        row = row or RoutingRule()
        row.category, row.division, row.lead_unit = category, division, lead_unit
        row.save()
        row.assisting_units.set([u for u in assisting if u.pk != lead_unit.pk])
        changes = field_changes(before, _routing_snapshot(row))
        if created or changes:
            audit_change(actor=actor, action="routing_rule_create" if created else "routing_rule_update",
                         object_type="routing_rule", object_id=row.pk, detail={"changes": changes})
    return row


def routing_rule_delete(*, actor: User | None, rule: RoutingRule) -> None:
    """Remove a routing rule: the category's cases fall back to the next rule up the tree (or the local government)."""
    admin_required(actor)
    with transaction.atomic():
        row = RoutingRule.objects.select_for_update().filter(pk=rule.pk).first()
        if row is None:
            return
        before = _routing_snapshot(row)
        row.delete()
        audit_change(actor=actor, action="routing_rule_delete", object_type="routing_rule", object_id=rule.pk,
                     detail={"before": before})


def category_save(
    *, actor: User | None, category: Category | None, name: str, parent: Category | None, is_public: bool
) -> Category:
    """Add a category under `parent` (three levels at most) or rename, move or hide one. Audited."""
    admin_required(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 60:
        errors["name"] = _("Enter a name of at most 60 characters.")
    level = (parent.level + 1) if parent is not None else 1
    if level > 3:
        errors["parent"] = _("A category path has one to three levels.")
    if category is not None and parent is not None:
        node: Category | None = parent
        while node is not None:
            if node.pk == category.pk:
                errors["parent"] = _("A category cannot sit under itself or under one of its own categories.")
                break
            node = node.parent
        if category.children.exists() and level != category.level:
            errors["parent"] = _("A category with sub-categories cannot change its level.")
    same_name = Category.objects.filter(parent=parent, name=name)
    if category is not None:
        same_name = same_name.exclude(pk=category.pk)
    if not errors and same_name.exists():
        errors["name"] = _("There is already a category of this name here.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    fields = ("name", "parent", "level", "is_public")
    with transaction.atomic():
        row = Category.objects.select_for_update().filter(pk=category.pk).first() if category is not None else None
        before = snapshot(row, fields)
        created = row is None
        row = row or Category()
        row.name, row.parent, row.level, row.is_public = name, parent, level, is_public
        row.save()
        changes = field_changes(before, snapshot(row, fields))
        if created or changes:
            audit_change(actor=actor, action="category_create" if created else "category_update", object_type="category",
                         object_id=row.pk, detail={"changes": changes})
    return row
