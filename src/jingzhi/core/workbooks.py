"""Writing .xlsx files that leave the building: text a user typed is written as text, never as a formula.

A sub-item named `=HYPERLINK("http://…","点击")` would otherwise be saved as a live formula (openpyxl turns
any string starting with "=" into one) and run in the Excel of whoever opens the export. Every export appends
its rows through `append_row`, which writes each string as a string cell (data_type "s") and marks it with
Excel's quote prefix (the invisible apostrophe Excel itself sets when you type '=1): the visible text stays
exactly what was stored, and Excel keeps it text even when someone edits the cell later. Prefixing a real
apostrophe or a space would change the text people see and re-import; we do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openpyxl.cell.cell import (
    Cell,
    WriteOnlyCell,  # type: ignore[attr-defined]
)

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
    elif isinstance(value, datetime) and number_format:
        c.number_format = number_format
    return c


def append_row(ws: Any, values: Iterable[Any], *, number_format: str = "") -> None:
    """ws.append(values), with every string written as text (see the module's docstring)."""
    ws.append([v if isinstance(v, Cell) else cell(ws, v, number_format=number_format) for v in values])
