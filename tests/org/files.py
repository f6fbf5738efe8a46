"""Spreadsheet files built in the test: .xlsx with openpyxl, .csv in any encoding, as uploads."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile


def xlsx(rows: Sequence[Sequence[Any]], name: str = "import.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def csv_file(rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", name: str = "import.csv", delimiter: str = ",") -> SimpleUploadedFile:
    text = "\r\n".join(delimiter.join(str(v) for v in row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def errors_by_row(result: Any) -> dict[int | None, list[tuple[str, str]]]:
    out: dict[int | None, list[tuple[str, str]]] = {}
    for error in result.errors:
        out.setdefault(error.row, []).append((error.column, error.message))
    return out
