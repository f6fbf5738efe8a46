"""Excel files of metric tables: one sheet per table, the same rows and numbers the page shows."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook

from jingzhi.core.workbooks import XLSX, append_row, attach, cell, finish_sheet, start_sheet, text_width
from jingzhi.metrics.tables import Table


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
        headers = [str(h) for h in table.headers]
        values = [[c.export_value for c in row] for row in table.rows]
        widths = [min(40, max([text_width(h) + 2, *(text_width(str(r[i])) + 2 for r in values if i < len(r))]))
                  for i, h in enumerate(headers)]
        start_sheet(ws, headers, widths=widths)
        for row in values:
            append_row(ws, row)
        finish_sheet(ws, columns=len(headers), rows=len(values))
        # The scope and period, and the table's note, go below the data so the header stays row 1 (frozen, filtered).
        ws.append([])
        if heading:
            ws.append([cell(ws, heading)])
        if table.note:
            ws.append([cell(ws, str(table.note))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def response(tables: Iterable[Table], filename: str, *, heading: str = "") -> HttpResponse:
    resp = HttpResponse(workbook(tables, heading=heading), content_type=XLSX)
    attach(resp, filename)
    return resp
