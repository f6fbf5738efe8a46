"""Batch intake from Excel/CSV (cases/services/importer.py): every row through case_create, all or nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from jingzhi.cases.models import Case, CaseEvent, Channel, Kind, Priority
from jingzhi.cases.services.importer import CASE_COLUMNS, import_cases
from jingzhi.core.errors import PermissionDenied
from jingzhi.core.spreadsheets import template_workbook
from jingzhi.core.validators import id_number_check_char
from tests.org.files import csv_file, errors_by_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids; the Chinese test switches language itself."""
    with translation.override("en"):
        yield

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = ["标题", "内容", "类型", "区划代码", "诉求人", "电话", "身份证号", "地址", "紧急程度", "受理时间", "外部编号"]
ID_17 = "21120219900307123"
GOOD_ID = ID_17 + id_number_check_char(ID_17)
BAD_ID = ID_17 + ("1" if id_number_check_char(ID_17) != "1" else "2")


def _row(title: str = "小区供暖温度不达标", **kw: object) -> list[object]:
    values = {"content": "家里暖气只有十五度。", "kind": "投诉", "division": "211223", "name": "张三", "phone": "13812345678",
              "id": "", "address": "西丰县某小区", "priority": "", "received": "", "external": ""}
    values.update(kw)
    return [title, values["content"], values["kind"], values["division"], values["name"], values["phone"], values["id"],
            values["address"], values["priority"], values["received"], values["external"]]


def test_a_good_file_creates_import_cases_with_their_kinds_priorities_and_times(city):
    upload = xlsx([
        HEADER,
        _row("供暖不热", kind="投诉", received=datetime(2026, 11, 2, 9, 30), external="A-1", id=GOOD_ID),  # noqa: DTZ001 — Excel cells have no zone
        _row("停水", kind="求助", priority="水电气热", received="2026-11-02 10:15", external="A-2"),
        _row("办证咨询", kind="inquiry", priority="一般", phone="", division="211200"),
        _row("企业用电", kind="企业诉求", priority="紧急"),
        _row("邻里纠纷", kind="矛盾纠纷", received="2026年11月3日 8:05"),
    ])
    result = import_cases(rows_file=upload, actor=city.operator)

    assert result.ok, result.errors
    assert (result.rows, result.created) == (5, 5)
    heating = Case.objects.get(title="供暖不热")
    assert (heating.channel, heating.kind, heating.priority) == (Channel.IMPORT, Kind.COMPLAINT, Priority.NORMAL)
    assert heating.created_at == datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)
    assert heating.division == city.county_a
    assert heating.requester_id_number == GOOD_ID
    assert heating.idempotency_key == "import:A-1"
    assert heating.dispatch_due is not None
    assert heating.created_by == city.operator
    water = Case.objects.get(title="停水")
    assert (water.kind, water.priority) == (Kind.HELP, Priority.UTILITIES)
    assert water.created_at == datetime(2026, 11, 2, 10, 15, tzinfo=SHANGHAI)
    assert Case.objects.get(title="企业用电").kind == Kind.ENTERPRISE
    assert Case.objects.get(title="邻里纠纷").created_at == datetime(2026, 11, 3, 8, 5, tzinfo=SHANGHAI)
    assert CaseEvent.objects.filter(action="create", data__channel="import").count() == 5


def test_reimporting_a_file_with_external_ids_creates_no_duplicates(city):
    rows = [HEADER, _row("一", external="X-1"), _row("二", external="X-2")]
    first = import_cases(rows_file=xlsx(rows), actor=city.operator)
    assert first.created == 2

    again = import_cases(rows_file=xlsx([*rows, _row("三", external="X-3")]), actor=city.operator)
    assert again.ok, again.errors
    assert (again.created, again.unchanged) == (1, 2)
    assert Case.objects.count() == 3


def test_a_broken_file_saves_nothing_and_reports_every_bad_row(city):
    upload = xlsx([
        HEADER,
        _row("好的一行", external="B-1"),  # row 2: fine
        _row("电话错误", phone="12345"),  # row 3: invalid phone
        _row("身份证错误", id=BAD_ID),  # row 4: wrong check digit
        _row("区划错误", division="999999"),  # row 5: unknown division
        _row("类型错误", kind="抱怨", received="昨天"),  # row 6: unknown kind, unreadable time
        _row("", content=""),  # row 7: no title, no content
        _row("好的另一行"),  # row 8: fine
    ])
    result = import_cases(rows_file=upload, actor=city.operator)

    assert not result.ok
    assert result.bad_rows == [3, 4, 5, 6, 7]
    by_row = errors_by_row(result)
    assert [c for c, _m in by_row[3]] == ["电话"]
    assert [c for c, _m in by_row[4]] == ["身份证号"]
    assert "check digit" in by_row[4][0][1]
    assert [c for c, _m in by_row[5]] == ["区划代码"] and "999999" in by_row[5][0][1]
    assert sorted(c for c, _m in by_row[6]) == sorted(["类型", "受理时间"])
    assert "抱怨" in dict(by_row[6])["类型"]
    assert sorted(c for c, _m in by_row[7]) == sorted(["标题", "内容"])
    assert Case.objects.count() == 0
    assert result.created == 0


def test_the_same_external_id_twice_in_one_file_is_an_error(city):
    result = import_cases(rows_file=xlsx([HEADER, _row("一", external="D-1"), _row("二", external="D-1")]), actor=city.operator)
    assert [(e.row, e.column) for e in result.errors] == [(3, "外部编号")]
    assert Case.objects.count() == 0


def test_a_time_in_the_future_is_refused(city):
    future = (timezone.now() + timezone.timedelta(days=3)).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    result = import_cases(rows_file=xlsx([HEADER, _row(received=future)]), actor=city.operator)
    assert [(e.row, e.column) for e in result.errors] == [(2, "受理时间")]


def test_english_headers_gbk_csv_and_excel_serial_dates(city):
    upload = csv_file([
        ["title", "content", "kind", "division_code", "requester_name", "phone", "received_at", "external_id"],
        ["路灯不亮", "小区路灯坏了。", "report", "211282", "李四", "024-12345678", "46328.5", "C-9"],
    ], encoding="gbk")
    result = import_cases(rows_file=upload, actor=city.operator)

    assert result.ok, result.errors
    case = Case.objects.get(idempotency_key="import:C-9")
    assert (case.kind, case.division, case.requester_phone) == (Kind.REPORT, city.county_b, "024-12345678")
    assert case.created_at == datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI)  # Excel day 46328 is 2026-11-02


def test_only_the_hotline_centre_imports_cases(city):
    with pytest.raises(PermissionDenied):
        import_cases(rows_file=xlsx([HEADER, _row()]), actor=city.handler)


def test_an_administrator_may_import_cases(city):
    assert import_cases(rows_file=xlsx([HEADER, _row()]), actor=city.admin).ok


def test_the_template_lists_every_column_and_a_missing_one_is_named(city):
    upload = SimpleUploadedFile("t.xlsx", template_workbook(CASE_COLUMNS))
    result = import_cases(rows_file=upload, actor=city.operator)
    # The example row points at 211202 (银州区), which this small city does not have; the template's
    # headers are in the user's language (English here), and so is the column named in the error.
    assert [(e.row, e.column) for e in result.errors] == [(2, "division_code")]

    missing = import_cases(rows_file=xlsx([["标题", "内容", "区划代码"], ["a", "b", "211200"]]), actor=city.operator)
    assert [e.row for e in missing.errors] == [None]
    assert "类型" in missing.errors[0].message


def test_row_errors_come_in_the_users_language(city):
    with translation.override("zh-hans"):
        result = import_cases(rows_file=xlsx([HEADER, _row(division="999999")]), actor=city.operator)
    assert [(e.row, e.column) for e in result.errors] == [(2, "区划代码")]
    assert "999999" in result.errors[0].message and "There is no" not in result.errors[0].message
