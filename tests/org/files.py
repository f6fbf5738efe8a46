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


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_with(base: bytes, replace: dict[str, bytes], *, name: str = "import.xlsx") -> SimpleUploadedFile:
    """The workbook `base` with some of its parts replaced (hand-written XML: damaged or hostile files)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = replace.get(info.filename, source.read(info.filename))
            if info.filename == "[Content_Types].xml" and SHARED in replace and b"sharedStrings" not in content:
                # openpyxl writes its strings inline; a shared-string table must be declared to be read.
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                          b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            target.writestr(info.filename, content)
        for filename, content in replace.items():
            if filename not in source.namelist():
                target.writestr(filename, content)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


SHARED = "xl/sharedStrings.xml"
SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet_xml(body: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}>{dim}<sheetData>{body}</sheetData></worksheet>'.encode()


def missing_shared_string_xlsx() -> SimpleUploadedFile:
    """A header row, then a cell pointing at shared string 9999 of a table that has a handful."""
    base = xlsx_bytes([["代码", "名称", "级别"], ["211202", "银州区", "县/区"]])
    body = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>9999</v></c><c r="B2" t="s"><v>9998</v></c></row>')
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              "<si><t>代码</t></si><si><t>名称</t></si><si><t>级别</t></si></sst>").encode()
    return xlsx_with(base, {"xl/worksheets/sheet1.xml": sheet_xml(body), SHARED: shared})
