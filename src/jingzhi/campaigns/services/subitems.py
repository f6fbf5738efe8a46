"""Sub-items: create or update one, and import a whole sheet of them (all rows or none)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.campaigns.models import Campaign, Metric, SubItem
from jingzhi.campaigns.services.common import lock_campaign, record, require_manage
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.spreadsheets import (
    ChoiceMatcher,
    Column,
    ImportResult,
    InvalidRowError,
    RowOutcome,
    SheetRow,
    import_rows,
)
from jingzhi.core.validators import clean_text
from jingzhi.org.models import Division, Unit, User

BASE_COLUMNS = (
    Column("name", "名称", "name", example="自来水公司家属楼", aliases=("小区", "小区名称", "对象"),
           help=gettext_lazy("The place or object, e.g. the residential community (unique within the campaign).")),
    Column("division", "区划代码", "division code", example="211202001", text=True, aliases=("区划", "division"),
           help=gettext_lazy("GB/T 2260 code of the division it lies in.")),
    Column("unit", "责任单位", "responsible unit", example="BDC", aliases=("责任单位代码", "unit code"),
           help=gettext_lazy("Code or full name of the responsible unit.")),
    Column("status", "状态", "status", required=False, example="进行中",
           help=gettext_lazy("未开始 / 进行中 / 受阻 / 已完成 (default: 未开始).")),
    Column("note", "备注", "note", required=False, example="",
           help=gettext_lazy("Anything worth knowing (at most 300 characters).")),
)
_STATUS = ChoiceMatcher(SubItem.Status, aliases={
    "not_started": ("未开始",), "in_progress": ("进行中",), "blocked": ("受阻",), "done": ("已完成", "完成"),
})


def columns_for(campaign: Campaign) -> tuple[Column, ...]:
    """The import/export columns: the fixed ones, then one per metric of the campaign."""
    metrics = tuple(
        Column(f"m_{m.key}", m.label, m.key, required=False, example="0",
               help=gettext_lazy("A whole number or decimal, not negative."))
        for m in Metric.objects.filter(campaign=campaign)
    )
    return BASE_COLUMNS + metrics


def _clean_metrics(campaign: Campaign, metrics: Mapping[str, object], errors: dict[str, str]) -> dict[str, str]:
    keys = set(Metric.objects.filter(campaign=campaign).values_list("key", flat=True))
    cleaned: dict[str, str] = {}
    for key, raw in metrics.items():
        if key not in keys:
            errors[f"metrics.{key}"] = _("The campaign has no figure “%(key)s”.") % {"key": key}
            continue
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            errors[f"metrics.{key}"] = _("“%(value)s” is not a number.") % {"value": raw}
            continue
        if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
            errors[f"metrics.{key}"] = _("Enter a number that is not negative.")
            continue
        cleaned[key] = str(value.normalize()) if value != value.to_integral() else str(int(value))
    return cleaned


def sub_item_upsert(
    *, campaign: Campaign, actor: User, name: str, division: Division | None, responsible_unit: Unit | None,
    status: str = SubItem.Status.NOT_STARTED, metrics: Mapping[str, object] | None = None, note: str = "",
) -> tuple[SubItem, bool]:
    """Create a sub-item, or update the one of the same name. Returns (sub_item, created)."""
    require_manage(campaign, actor)
    name, note = clean_text(name), clean_text(note, multiline=True)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > 100:
        errors["name"] = _("The name may have at most 100 characters.")
    if division is None:
        errors["division"] = _("Choose the division.")
    elif not division.path.startswith(campaign.division.path):
        errors["division"] = _("%(division)s lies outside the campaign's area (%(area)s).") % {
            "division": division.name, "area": campaign.division.name}
    if responsible_unit is None:
        errors["responsible_unit"] = _("Choose the responsible unit.")
    if status not in SubItem.Status.values:
        errors["status"] = _("Unknown status.")
    if len(note) > 300:
        errors["note"] = _("The note may have at most 300 characters.")
    cleaned = _clean_metrics(campaign, metrics or {}, errors)
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        lock_campaign(campaign, actor=actor)
        item = SubItem.objects.select_for_update().filter(campaign=campaign, name=name).first()
        created = item is None
        if item is None:
            item = SubItem(campaign=campaign, name=name)
        item.division, item.responsible_unit = division, responsible_unit  # type: ignore[assignment]
        item.status, item.note = status, note
        item.metrics = {**(item.metrics or {}), **cleaned}
        item.save()
        record(campaign, action="sub_item", actor=actor, data={"name": name, "created": created, "status": status})
    return item, created


def sub_items_import(*, campaign: Campaign, actor: User, rows_file: IO[bytes] | Any) -> ImportResult:
    """Import sub-items from .xlsx/.csv; any bad row is reported by row and column and nothing is saved."""
    require_manage(campaign, actor)
    columns = columns_for(campaign)
    metric_keys = [c.key[2:] for c in columns if c.key.startswith("m_")]
    divisions = {d.code: d for d in Division.objects.filter(path__startswith=campaign.division.path)}
    units_by_code = {u.code: u for u in Unit.objects.filter(is_active=True)}
    units_by_name = {u.name: u for u in units_by_code.values()}
    seen: dict[str, int] = {}

    def handle_row(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        name = row.text("name").strip()
        if name in seen:
            errors["name"] = _("“%(name)s” is already in row %(row)d.") % {"name": name, "row": seen[name]}
        seen.setdefault(name, row.number)
        code = row.text("division").strip()
        division = divisions.get(code)
        if division is None:
            errors["division"] = _("There is no division with the code “%(code)s” in %(area)s.") % {
                "code": code, "area": campaign.division.name}
        unit_text = row.text("unit").strip()
        unit = units_by_code.get(unit_text) or units_by_name.get(unit_text)
        if unit is None:
            errors["unit"] = _("There is no unit “%(unit)s”.") % {"unit": unit_text}
        status_text = row.text("status").strip()
        status = _STATUS(status_text) if status_text else SubItem.Status.NOT_STARTED
        if status is None:
            errors["status"] = _("“%(value)s” is not a status: use 未开始, 进行中, 受阻 or 已完成.") % {"value": status_text}
        if errors:
            raise InvalidRowError(errors)
        before = SubItem.objects.filter(campaign=campaign, name=name).values("division_id", "responsible_unit_id",
                                                                            "status", "metrics", "note").first()
        item, created = sub_item_upsert(
            campaign=campaign, actor=actor, name=name, division=division, responsible_unit=unit, status=status or "",
            metrics={k: row.text(f"m_{k}") for k in metric_keys}, note=row.text("note"),
        )
        if created:
            return RowOutcome.CREATED
        after = {"division_id": item.division_id, "responsible_unit_id": item.responsible_unit_id,
                 "status": item.status, "metrics": item.metrics, "note": item.note}
        return RowOutcome.UNCHANGED if before == after else RowOutcome.UPDATED

    field_columns = {"responsible_unit": "unit", **{f"metrics.{k}": f"m_{k}" for k in metric_keys}}
    result = import_rows(rows_file, columns=columns, handle_row=handle_row, field_columns=field_columns,
                         actor=actor, audit_object="sub_item", audit_object_id=f"campaign:{campaign.pk}")
    if result.ok:
        record(campaign, action="sub_item_import", actor=actor,
               data={"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    return result


def sub_items_workbook(*, campaign: Campaign, items: list[SubItem]) -> bytes:
    """The sub-items as an .xlsx in the import layout, so an export can be edited and imported again."""
    import io

    import openpyxl

    from jingzhi.core.workbooks import append_row, finish_sheet, start_sheet

    columns = columns_for(campaign)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Sub-items")[:31]
    start_sheet(sheet, [c.zh for c in columns], widths=[30, 14, 14, 8, 30])
    labels = {"not_started": "未开始", "in_progress": "进行中", "blocked": "受阻", "done": "已完成"}
    for item in items:
        row: list[Any] = [item.name, item.division.code, item.responsible_unit.code, labels[item.status], item.note]
        for c in columns[len(BASE_COLUMNS):]:
            value = (item.metrics or {}).get(c.key[2:], "")
            row.append(float(value) if value not in ("", None) else "")
        append_row(sheet, row)
    finish_sheet(sheet, columns=len(columns), rows=len(items))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
