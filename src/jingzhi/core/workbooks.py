"""Writing .xlsx files that leave the building: text a user typed is written as text, never as a formula.

A sub-item named `=HYPERLINK("http://…","点击")` would otherwise be saved as a live formula (openpyxl turns
any string starting with "=" into one) and run in the Excel of whoever opens the export. Every export appends
its rows through `append_row`, which writes each string as a string cell (data_type "s") and marks it with
Excel's quote prefix (the invisible apostrophe Excel itself sets when you type '=1): the visible text stays
exactly what was stored, and Excel keeps it text even when someone edits the cell later. Prefixing a real
apostrophe or a space would change the text people see and re-import; we do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.http import HttpResponseBase
from openpyxl.cell.cell import (
    Cell,
    WriteOnlyCell,  # type: ignore[attr-defined]
)
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# The characters a spreadsheet program may read as the start of a formula (OWASP "CSV injection"), and the
# tab/CR that some programs strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(ws: Any, value: Any, *, number_format: str = "") -> Cell:
    """One cell for `ws` (write-only or normal): strings as text, datetimes with `number_format`."""
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            c.quotePrefix = True
    elif isinstance(value, datetime):
        c.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        c.number_format = DATE_FORMAT
    return c


def append_row(ws: Any, values: Iterable[Any], *, number_format: str = "") -> None:
    """ws.append(values), with every string written as text (see the module's docstring)."""
    ws.append([v if isinstance(v, Cell) else cell(ws, v, number_format=number_format) for v in values])


# --- What makes an export usable by a clerk: widths, a bold frozen header with filters, a readable file name ---

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def start_sheet(ws: Any, headers: Sequence[Any], *, widths: Sequence[int] = ()) -> None:
    """Column widths (in characters; a Chinese character counts two), a bold header row, frozen below it.

    For a write-only sheet this must run before the first row; `finish_sheet` adds the filter once the
    row count is known.
    """
    for index, header in enumerate(headers):
        width = widths[index] if index < len(widths) else max(10, text_width(str(header)) + 4)
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    row = []
    for header in headers:
        c = cell(ws, str(header))
        c.font = bold
        row.append(c)
    ws.append(row)


def finish_sheet(ws: Any, *, columns: int, rows: int) -> None:
    """The autofilter over the header and the `rows` data rows below it (Excel's 筛选 arrows)."""
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows + 1}"


def text_width(text: str) -> int:
    """Excel's column width for `text`: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def export_filename(what: str, scope: str, when: datetime | date) -> str:
    """"工单列表-银州区-20261207.xlsx": what, for whom, as of when — the name a clerk files it under."""
    parts = [p for p in (what, scope) if p]
    stem = "-".join(_SAFE.sub("_", str(p)).strip("_ .") for p in parts) or "export"
    return f"{stem}-{when:%Y%m%d}.xlsx"


_SAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def attach(response: HttpResponseBase, filename: str) -> HttpResponseBase:
    """Content-Disposition with both an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987 filename*)."""
    # Old clients read the ASCII `filename`; every current browser prefers `filename*` and shows the Chinese.
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "export.xlsx"
    if fallback.startswith("."):
        fallback = "export" + fallback
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response
