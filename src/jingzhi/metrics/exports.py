"""Excel files of metric tables: one sheet per table, the same rows and numbers the page shows."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook

from jingzhi.core.workbooks import append_row
from jingzhi.metrics.tables import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(tables: Iterable[Table], *, heading: str = "") -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        name = str(table.title)[:28] or table.key
        while name in used:
            name = name[:26] + "_" + str(len(used))
        used.add(name)
        ws = wb.create_sheet(title=name.replace("/", "-").replace(":", "-"))
        if heading:
            append_row(ws, [heading])
        append_row(ws, [str(h) for h in table.headers])
        for row in table.rows:
            append_row(ws, [cell.export_value for cell in row])
        if table.note:
            ws.append([])
            append_row(ws, [str(table.note)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def response(tables: Iterable[Table], filename: str, *, heading: str = "") -> HttpResponse:
    resp = HttpResponse(workbook(tables, heading=heading), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
