"""Reading import files (core/spreadsheets.py): what counts as a spreadsheet, row numbers, clear file errors."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from jingzhi.core import spreadsheets
from jingzhi.core.spreadsheets import MAX_ROWS, SpreadsheetError, read_sheet, read_table, template_workbook
from jingzhi.org.imports import (
    DIVISION_COLUMNS,
    UNIT_COLUMNS,
    USER_COLUMNS,
    import_divisions,
    import_units,
    import_users,
)
from jingzhi.org.models import Division, User
from tests.org.files import csv_file, xlsx


def _file_error(result) -> str:
    assert not result.ok
    assert [e.row for e in result.errors] == [None]
    return result.errors[0].message


def test_row_numbers_are_the_ones_excel_shows_even_with_blank_rows():
    table = read_table(xlsx([["代码", "名称"], ["1", "a"], [None, None], ["3", "c"]]))
    assert [number for number, _values in table.rows] == [2, 4]
    assert table.rows[1][1] == {"代码": "3", "名称": "c"}


def test_xlsx_numbers_become_the_text_people_typed_and_dates_stay_dates():
    from datetime import datetime

    excel_time = datetime(2027, 1, 1, 9, 30)  # noqa: DTZ001 — Excel cells have no zone
    table = read_table(xlsx([["code", "when", "ratio"], [211200, excel_time, 0.5]]))
    values = table.rows[0][1]
    assert values["code"] == "211200" and values["when"] == excel_time and values["ratio"] == "0.5"


def test_tab_separated_and_semicolon_csv():
    assert read_table(csv_file([["代码", "名称"], ["1", "a"]], delimiter="\t")).rows[0][1]["名称"] == "a"
    assert read_table(csv_file([["代码", "名称"], ["1", "a"]], delimiter=";")).rows[0][1]["名称"] == "a"


def test_utf16_csv_as_excel_saves_unicode_text():
    upload = SimpleUploadedFile("x.txt", "代码\t名称\r\n1\t铁岭\r\n".encode("utf-16"))
    assert read_table(upload).rows[0][1]["名称"] == "铁岭"


def test_headers_with_both_languages_or_a_required_star_are_understood():
    sheet = read_sheet(csv_file([["代码*", "名称 (name)", "级别/level"], ["211200", "铁岭市", "市"]]), columns=DIVISION_COLUMNS)
    assert sheet.rows[0].values == {"code": "211200", "name": "铁岭市", "level": "市"}


@pytest.mark.django_db
def test_not_a_spreadsheet(city):
    png = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert "not a spreadsheet" in _file_error(import_divisions(rows_file=png, actor=city.admin))

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    fake = SimpleUploadedFile("report.xlsx", docx.getvalue())
    assert "not an Excel workbook" in _file_error(import_divisions(rows_file=fake, actor=city.admin))

    old = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xls" in _file_error(import_divisions(rows_file=old, actor=city.admin))


@pytest.mark.django_db
def test_empty_files(city):
    assert "empty" in _file_error(import_divisions(rows_file=SimpleUploadedFile("a.csv", b""), actor=city.admin))
    assert "empty" in _file_error(import_divisions(rows_file=SimpleUploadedFile("a.csv", b"\r\n ,,\r\n"), actor=city.admin))
    assert "no data rows" in _file_error(import_divisions(rows_file=xlsx([["代码", "名称", "级别"]]), actor=city.admin))


@pytest.mark.django_db
def test_a_missing_required_column_is_named(city):
    result = import_divisions(rows_file=xlsx([["代码", "名称"], ["211202", "银州区"]]), actor=city.admin)
    message = _file_error(result)
    assert "级别" in message and "level" in message
    assert result.errors[0].column == "level"  # the header in the user's language
    with translation.override("zh-hans"):
        chinese = import_divisions(rows_file=xlsx([["代码", "名称"], ["211202", "银州区"]]), actor=city.admin)
    assert chinese.errors[0].column == "级别"


@pytest.mark.django_db
def test_a_column_given_twice_is_refused(city):
    message = _file_error(import_divisions(rows_file=xlsx([["代码", "code", "名称", "级别"], ["1", "1", "a", "市"]]),
                                           actor=city.admin))
    assert "twice" in message


@pytest.mark.django_db
def test_too_many_rows(city):
    rows = [["代码", "名称", "级别"]] + [[str(211200000 + i), "x", "市"] for i in range(MAX_ROWS + 1)]
    message = _file_error(import_divisions(rows_file=csv_file(rows), actor=city.admin))
    assert "50,000" in message
    assert Division.objects.count() == 3


def test_exactly_the_limit_is_accepted():
    rows = [["代码"]] + [[str(i)] for i in range(MAX_ROWS)]
    assert len(read_table(csv_file(rows)).rows) == MAX_ROWS


def test_an_unreadable_encoding_is_reported(monkeypatch):
    # Bytes that are neither UTF-8 nor GB18030 (an invalid GB18030 lead/trail pair).
    with pytest.raises(SpreadsheetError):
        read_table(SimpleUploadedFile("a.csv", b"\x81\x20\x81\x20,\xff\r\n"))


def test_template_has_the_header_an_example_and_notes():
    with translation.override("zh-hans"):
        content = template_workbook(DIVISION_COLUMNS, title="区划")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == ["代码*", "名称*", "级别*", "上级代码"]
    assert [c.value for c in sheet[2]] == ["211202", "银州区", "县/区", "211200"]
    assert len(workbook.worksheets) == 2


def test_template_headers_follow_the_language():
    with translation.override("en"):
        content = template_workbook(USER_COLUMNS)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].value == "username*"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_downloaded_templates_import_as_they_are(city, language):
    with translation.override(language):
        for columns, function in ((DIVISION_COLUMNS, import_divisions), (UNIT_COLUMNS, import_units),
                                  (USER_COLUMNS, import_users)):
            upload = SimpleUploadedFile("template.xlsx", template_workbook(columns))
            result = function(rows_file=upload, actor=city.admin)
            assert result.ok, result.errors
    assert Division.objects.filter(code="211202").exists()
    assert User.objects.get(username="zhangsan").check_password("Change-me-2027")


def test_the_row_limit_is_one_constant():
    assert spreadsheets.MAX_ROWS == 50_000
