"""Reads of the category tree."""

from __future__ import annotations

from django.db.models import QuerySet

from jingzhi.taxonomy.models import Category


def categories_for_choice() -> QuerySet[Category]:
    """Every category with its ancestors joined (for a "level 1 / level 2 / level 3" label), in tree order."""
    return Category.objects.select_related("parent", "parent__parent").order_by(
        "parent__parent__name", "parent__name", "name", "pk")


def category_path(category: Category) -> str:
    """“市容环境 / 环境卫生 / 垃圾清运”: the category with its ancestors (three levels at most)."""
    names = [category.name]
    node = category.parent
    while node is not None and len(names) < 3:
        names.insert(0, node.name)
        node = node.parent
    return " / ".join(names)
