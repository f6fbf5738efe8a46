"""Excel import and export of sub-items: all rows or none, a bad row reported with its row and column."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from jingzhi.campaigns.models import CampaignEvent, SubItem
from jingzhi.campaigns.services import sub_items_import
from jingzhi.campaigns.services.subitems import sub_items_workbook
from jingzhi.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "sub-items.xlsx"
    return out


HEADER = ["名称", "区划代码", "责任单位", "状态", "受阻户数", "已化解户数"]


def test_good_file_creates_and_updates(flagship: Any, city: Any) -> None:
    result = sub_items_import(campaign=flagship.campaign, actor=flagship.registry_head, rows_file=_xlsx([
        HEADER,
        ["银州花园小区", 211223, "XFX", "进行中", 80, 10],
        ["高新家园小区", "211282", "开原市人民政府", "受阻", 120, ""],
    ]))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    new = SubItem.objects.get(campaign=flagship.campaign, name="银州花园小区")
    assert new.division == city.county_a and new.status == "in_progress" and new.metrics["blocked"] == "80"
    assert SubItem.objects.get(pk=flagship.b1.pk).metrics == {"blocked": "120", "resolved": "0", "certs": "0"}
    assert CampaignEvent.objects.filter(action="sub_item_import").count() == 1


def test_a_bad_row_is_reported_and_nothing_is_saved(flagship: Any, city: Any) -> None:
    before = list(SubItem.objects.values_list("name", "metrics"))
    result = sub_items_import(campaign=flagship.campaign, actor=flagship.registry_head, rows_file=_xlsx([
        HEADER,
        ["银州花园小区", "211223", "XFX", "进行中", 80, 10],
        ["龙首山水城", "999999", "XFX", "进行中", "八十", 10],
        ["高新家园小区", "211282", "NOPE", "差不多", 5, 1],
    ]))
    assert not result.ok and result.created == 0
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "区划代码") in found and (4, "责任单位") in found and (4, "状态") in found
    assert any(e.row == 2 for e in result.errors) is False
    assert list(SubItem.objects.values_list("name", "metrics")) == before


def test_bad_number_reports_the_metric_column(flagship: Any, city: Any) -> None:
    result = sub_items_import(campaign=flagship.campaign, actor=flagship.registry_head, rows_file=_xlsx([
        HEADER, ["银州花园小区", "211223", "XFX", "进行中", "-5", 10]]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "受阻户数")]
    assert not SubItem.objects.filter(name="银州花园小区").exists()


def test_missing_column_and_permission(flagship: Any, city: Any) -> None:
    result = sub_items_import(campaign=flagship.campaign, actor=flagship.registry_head, rows_file=_xlsx([
        ["名称", "状态"], ["x", "进行中"]]))
    assert result.errors[0].row is None and "区划代码" in result.errors[0].message
    with pytest.raises(PermissionDenied):
        sub_items_import(campaign=flagship.campaign, actor=city.county_handler, rows_file=_xlsx([HEADER]))


def test_export_round_trips_through_import(flagship: Any, city: Any) -> None:
    data = sub_items_workbook(campaign=flagship.campaign, items=list(SubItem.objects.filter(campaign=flagship.campaign)))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:3] == ("名称", "区划代码", "责任单位") and len(rows) == 4
    f = io.BytesIO(data)
    f.name = "export.xlsx"
    result = sub_items_import(campaign=flagship.campaign, actor=flagship.registry_head, rows_file=f)
    assert result.ok and result.unchanged == 3
