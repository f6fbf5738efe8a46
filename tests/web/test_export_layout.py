"""Issue 11 #8: exports a clerk can use — widths, a bold frozen filtered header, dates as dates, the columns
people ask for, and a Chinese file name with the scope and the date (RFC 5987 filename*)."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jingzhi.core.workbooks import attach, export_filename
from tests.web.helpers import case_in

pytestmark = pytest.mark.django_db


def _utf8_name(disposition: str) -> str:
    assert "filename*=UTF-8''" in disposition, disposition
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


def test_file_name_is_chinese_with_scope_and_date_and_an_ascii_fallback() -> None:
    name = export_filename("工单列表", "银州区", date(2026, 12, 7))
    assert name == "工单列表-银州区-20261207.xlsx"
    assert export_filename("a/b:c", "", date(2026, 1, 2)) == "a_b_c-20260102.xlsx"
    header = attach(HttpResponse(), name)["Content-Disposition"]
    assert header.startswith('attachment; filename="') and _utf8_name(header) == name
    header.encode("latin-1")  # the header itself stays ASCII


def test_case_export_has_the_layout_and_the_columns_people_ask_for(city: Any, client_for: Any) -> None:
    case = case_in(city, "replied", title="楼道灯坏了", content="三单元楼道灯不亮已一周")
    response = client_for(city.admin).get(reverse("web:case_export") + "?list=all")
    assert response.status_code == 200
    name = _utf8_name(response["Content-Disposition"])
    assert name.endswith(f"-{timezone.localdate():%Y%m%d}.xlsx"), name
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    headers = [c.value for c in ws[1]]
    for wanted in ("Content", "Reply", "Category", "Satisfaction", "Acknowledge due", "Reply due", "Closed at"):
        assert wanted in headers, wanted
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(headers)).column_letter}2"
    assert ws.column_dimensions["I"].width >= 40  # the content column is wide enough to read
    row = {h: c for h, c in zip(headers, ws[2], strict=True)}
    assert row["Content"].value == "三单元楼道灯不亮已一周"
    assert row["Reply"].value == case.reply and case.reply
    assert isinstance(row["Received at"].value, datetime) and row["Received at"].number_format == "yyyy-mm-dd hh:mm"


def test_unit_export_is_named_after_the_unit(city: Any, client_for: Any) -> None:
    case_in(city, "handling", unit=city.housing)
    response = client_for(city.unit_head).get(reverse("web:case_export") + "?list=unit")
    assert response.status_code == 200
    unit = city.unit_head.unit
    assert (unit.short_name or unit.name) in _utf8_name(response["Content-Disposition"])


def test_metrics_export_keeps_the_header_on_row_one(city: Any, client_for: Any) -> None:
    response = client_for(city.leader).get("/metrics/?format=xlsx")
    assert response.status_code == 200
    assert _utf8_name(response["Content-Disposition"]).endswith(".xlsx")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref and all(c.font.b for c in ws[1] if c.value)
