"""Issue 10 #5/#14: hostile and damaged import files are refused before they are loaded, with a clear message."""

from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhi.core.spreadsheets import SpreadsheetError, read_table
from tests.org.files import csv_file, missing_shared_string_xlsx, sheet_xml, xlsx_bytes, xlsx_with

HEADER = [["代码", "名称", "级别"], ["211202", "银州区", "县/区"]]


def _bomb(size: int) -> SimpleUploadedFile:
    """A small .xlsx whose shared-string table unpacks to `size` bytes (one enormous string)."""
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              b'count="1" uniqueCount="1"><si><t>' + b"A" * size + b"</t></si></sst>")
    body = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return xlsx_with(xlsx_bytes(HEADER), {"xl/sharedStrings.xml": shared, "xl/worksheets/sheet1.xml": sheet_xml(body)})


def _error(upload: Any) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(upload)
    return str(caught.value.message)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    upload = _bomb(30 * 2**20)  # 30 MB of "A" (within the size limits) in a file of a few dozen KB
    assert len(upload.read()) < 200_000
    tracemalloc.start()
    try:
        message = _error(upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "compressed" in message and "200" in message
    assert peak < 10 * 2**20  # the string was never inflated (it alone would be 30 MB)


def test_a_workbook_that_unpacks_past_the_limit_is_refused(settings: Any) -> None:
    settings.JINGZHI_IMPORT = {"MAX_UNCOMPRESSED_BYTES": 2**20}
    # Incompressible text, so that only the total size (not the ratio) gives it away.
    text = os.urandom(600_000).hex().encode()
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b"<si><t>" + text + b"</t></si></sst>")
    message = _error(xlsx_with(xlsx_bytes(HEADER), {"xl/sharedStrings.xml": shared}))
    assert "more than 1 MB" in message


def test_too_many_parts_are_refused(settings: Any) -> None:
    settings.JINGZHI_IMPORT = {"MAX_MEMBERS": 5}
    assert "more than 5 parts" in _error(SimpleUploadedFile("a.xlsx", xlsx_bytes(HEADER)))


def test_a_declared_million_rows_is_refused_unread() -> None:
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c></row>'
    upload = xlsx_with(xlsx_bytes(HEADER), {"xl/worksheets/sheet1.xml": sheet_xml(body, "A1:C1000000")})
    assert "50,000 data rows" in _error(upload)


def test_a_million_empty_rows_do_not_hold_a_worker() -> None:
    # One cell far down, no <dimension>: the reader fills every row in between with an empty one.
    body = ('<row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c></row>'
            '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>')
    upload = xlsx_with(xlsx_bytes(HEADER), {"xl/worksheets/sheet1.xml": sheet_xml(body)})
    started = time.monotonic()
    message = _error(upload)
    assert time.monotonic() - started < 5
    assert "50,000 data rows" in message


def test_a_cell_in_column_xfd_is_refused() -> None:
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>代码</t></is></c><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
    upload = xlsx_with(xlsx_bytes(HEADER), {"xl/worksheets/sheet1.xml": sheet_xml(body)})
    assert "more than 200 columns" in _error(upload)


def test_a_missing_shared_string_is_a_damaged_file_not_a_crash() -> None:
    assert "damaged" in _error(missing_shared_string_xlsx())


def test_csv_limits(settings: Any) -> None:
    settings.JINGZHI_IMPORT = {"MAX_ROWS": 10, "MAX_COLUMNS": 3, "MAX_BYTES": 4000}
    assert "more than 10 data rows" in _error(csv_file([["代码"], *[[str(i)] for i in range(11)]]))
    # Blank lines are read too: a file of empty lines is refused as soon as it passes the limit.
    blank = SimpleUploadedFile("a.csv", "代码\r\n".encode() + b"\r\n" * 1500)
    assert "more than 10 data rows" in _error(blank)
    assert "more than 3 columns" in _error(csv_file([["a", "b", "c", "d"], ["1", "2", "3", "4"]]))
    assert "larger than" in _error(csv_file([["代码"], *[[str(i)] for i in range(9)], ["x" * 5000]]))


def test_within_the_limits_still_reads(settings: Any) -> None:
    settings.JINGZHI_IMPORT = {"MAX_ROWS": 10, "MAX_COLUMNS": 3}
    table = read_table(SimpleUploadedFile("a.xlsx", xlsx_bytes([["代码", "名称", "级别"], *[[str(i), "x", "市"] for i in range(10)]])))
    assert len(table.rows) == 10 and table.headers == ["代码", "名称", "级别"]
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("a.txt", "x")
    assert "not an Excel workbook" in _error(SimpleUploadedFile("a.xlsx", data.getvalue()))
