"""The category tree as a spreadsheet: import (level1, level2, level3 per row) and export in the same layout."""

from __future__ import annotations

import io
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from jingzhi.core.errors import PermissionDenied
from jingzhi.core.spreadsheets import Column, ImportResult, InvalidRowError, RowOutcome, SheetRow, import_rows
from jingzhi.dispatch.services import category_ensure_path
from jingzhi.org.access import is_admin
from jingzhi.taxonomy.models import Category

TAXONOMY_COLUMNS = (
    Column("level1", "一级分类", "level 1", example="城乡建设"),
    Column("level2", "二级分类", "level 2", required=False, example="城市建设和市政管理"),
    Column("level3", "三级分类", "level 3", required=False, example="园林绿化环卫"),
)


def import_taxonomy(*, rows_file: IO[bytes] | Any, actor: Any) -> ImportResult:
    """Add the category paths of the file (existing ones are left as they are; nothing is deleted)."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only administrators edit the category tree."))

    def handle(row: SheetRow) -> RowOutcome:
        names = [row.text("level1").strip(), row.text("level2").strip(), row.text("level3").strip()]
        if not names[0]:
            raise InvalidRowError({"level1": str(_("The first level is required."))})
        if names[2] and not names[1]:
            raise InvalidRowError({"level2": str(_("A third level needs a second level."))})
        before = Category.objects.count()
        category_ensure_path(names=[n for n in names if n])
        return RowOutcome.CREATED if Category.objects.count() > before else RowOutcome.UNCHANGED

    return import_rows(rows_file, columns=TAXONOMY_COLUMNS, handle_row=handle, field_columns={"category": "level1"},
                       actor=actor, audit_object="category")


def taxonomy_rows() -> list[tuple[str, str, str]]:
    """Every path that ends in a leaf (a node without children), sorted: the layout import reads."""
    nodes = {c.pk: c for c in Category.objects.all()}
    has_children = {c.parent_id for c in nodes.values() if c.parent_id}
    rows: list[tuple[str, str, str]] = []
    for node in nodes.values():
        if node.pk in has_children:
            continue
        names: list[str] = []
        current: Category | None = node
        while current is not None:
            names.insert(0, current.name)
            current = nodes.get(current.parent_id) if current.parent_id else None
        padded = [*names, "", "", ""]
        rows.append((padded[0], padded[1], padded[2]))
    return sorted(rows)


def export_taxonomy() -> bytes:
    from openpyxl import Workbook

    from jingzhi.core.workbooks import append_row, finish_sheet, start_sheet

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("categories"))[:31])
    start_sheet(sheet, [c.zh for c in TAXONOMY_COLUMNS], widths=[20, 24, 28])
    rows = taxonomy_rows()
    for row in rows:
        append_row(sheet, row)
    finish_sheet(sheet, columns=len(TAXONOMY_COLUMNS), rows=len(rows))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
