"""Excel/CSV import of divisions, units and users: all or nothing, every bad row named by number and column."""

from __future__ import annotations

import pytest

from jingzhi.core.errors import PermissionDenied
from jingzhi.org.imports import import_divisions, import_units, import_users
from jingzhi.org.models import Division, Role, Unit, User
from tests.org.files import csv_file, errors_by_row, xlsx

pytestmark = pytest.mark.django_db

DIVISION_HEADER = ["代码", "名称", "级别", "上级代码"]


# ------------------------------------------------------------------------------------------------ divisions


def test_divisions_import_from_xlsx_with_parents_defined_earlier_in_the_file(city):
    upload = xlsx([
        DIVISION_HEADER,
        ["210000", "辽宁省", "省", ""],
        [211202, "银州区", "区", 211200],  # numbers as Excel stores them
        ["211202001", "红旗街道", "街道", "211202"],
        ["211202001001", "工人社区", "社区", "211202001"],
    ])
    result = import_divisions(rows_file=upload, actor=city.admin)

    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 4, 0, 0)
    community = Division.objects.get(code="211202001001")
    assert community.level == Division.Level.COMMUNITY
    assert community.path == "/211200/211202/211202001/211202001001/"
    assert Division.objects.get(code="211202").parent == city.city


def test_reimporting_the_same_divisions_changes_nothing_and_a_changed_name_updates(city):
    rows = [DIVISION_HEADER, ["211202", "银州区", "county", "211200"]]
    assert import_divisions(rows_file=xlsx(rows), actor=city.admin).created == 1

    again = import_divisions(rows_file=xlsx(rows), actor=city.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    renamed = import_divisions(rows_file=xlsx([DIVISION_HEADER, ["211202", "银州区（新）", "县", "211200"]]), actor=city.admin)
    assert (renamed.created, renamed.updated) == (0, 1)
    assert Division.objects.get(code="211202").name == "银州区（新）"


def test_a_broken_division_file_saves_nothing_and_names_every_bad_row_and_column(city):
    upload = xlsx([
        DIVISION_HEADER,
        ["211202", "银州区", "区", "211200"],  # row 2: fine
        ["211203", "清河区", "区", "219999"],  # row 3: unknown parent
        ["211204", "调兵山市", "直辖市", "211200"],  # row 4: unknown level
        ["211202001", "红旗街道", "社区", "211202"],  # row 5: a community cannot sit under a county
        ["21120", "短代码", "区", "211200"],  # row 6: the code has 5 digits
        ["211205", "铁岭县", "县", "211200"],  # row 7: fine
    ])
    result = import_divisions(rows_file=upload, actor=city.admin)

    assert not result.ok
    assert result.bad_rows == [3, 4, 5, 6]
    by_row = errors_by_row(result)
    assert [c for c, _m in by_row[3]] == ["上级代码"]
    assert "219999" in by_row[3][0][1]
    assert [c for c, _m in by_row[4]] == ["级别"]
    assert "直辖市" in by_row[4][0][1]
    assert [c for c, _m in by_row[5]] == ["级别"]
    assert [c for c, _m in by_row[6]] == ["代码"]
    assert (result.created, result.updated) == (0, 0)
    assert not Division.objects.filter(code__in=["211202", "211205", "211202001"]).exists()


def test_a_parent_below_its_child_or_with_errors_is_explained(city):
    result = import_divisions(rows_file=xlsx([
        DIVISION_HEADER,
        ["211202001", "红旗街道", "乡镇", "211202"],  # row 2: its parent is in row 3
        ["211202", "银州区", "区", "211200"],
        ["211299", "坏区", "村", "211200"],  # row 4: bad level
        ["211299001", "坏街道", "街道", "211299"],  # row 5: its parent (row 4) failed
        ["211202", "银州区", "区", "211200"],  # row 6: the same code again
    ]), actor=city.admin)

    by_row = errors_by_row(result)
    assert "row 3" in by_row[2][0][1]
    assert by_row[2][0][0] == "上级代码"
    assert "row 4" in by_row[5][0][1]
    assert by_row[6][0][0] == "代码" and "row 3" in by_row[6][0][1]
    assert not Division.objects.filter(code="211202").exists()


def test_english_headers_in_any_order_and_english_levels(city):
    upload = csv_file([
        ["parent_code", "Name", "LEVEL", "code"],
        ["211200", "Yinzhou", "district", "211202"],
    ])
    result = import_divisions(rows_file=upload, actor=city.admin)
    assert result.ok, result.errors
    assert Division.objects.get(code="211202").name == "Yinzhou"


def test_gbk_csv_is_read(city):
    upload = csv_file([DIVISION_HEADER, ["211202", "银州区", "县区", "211200"]], encoding="gbk")
    result = import_divisions(rows_file=upload, actor=city.admin)
    assert result.ok, result.errors
    assert Division.objects.get(code="211202").name == "银州区"


def test_utf8_csv_with_bom_is_read(city):
    upload = csv_file([DIVISION_HEADER, ["211202", "银州区", "区", "211200"]], encoding="utf-8-sig")
    assert import_divisions(rows_file=upload, actor=city.admin).ok


def test_moving_a_division_by_import_moves_its_subtree(city):
    import_divisions(rows_file=xlsx([
        DIVISION_HEADER,
        ["211202", "银州区", "区", "211200"],
        ["211202001", "红旗街道", "街道", "211202"],
    ]), actor=city.admin)
    result = import_divisions(rows_file=xlsx([
        DIVISION_HEADER,
        ["210000", "辽宁省", "省", ""],
        ["211200", "铁岭市", "市", "210000"],
    ]), actor=city.admin)
    assert result.ok, result.errors
    assert Division.objects.get(code="211202001").path == "/210000/211200/211202/211202001/"


def test_only_administrators_import(city):
    with pytest.raises(PermissionDenied):
        import_divisions(rows_file=xlsx([DIVISION_HEADER, ["211202", "银州区", "区", "211200"]]), actor=city.handler)


# ---------------------------------------------------------------------------------------------------- units

UNIT_HEADER = ["代码", "名称", "简称", "类型", "区划代码", "上级单位代码"]


def test_units_import_with_kinds_as_people_write_them(city):
    result = import_units(rows_file=xlsx([
        UNIT_HEADER,
        ["GAJ", "市公安局", "公安局", "部门", "211200", ""],
        ["GAJ-YZ", "银州派出所", "", "派出所", "211200", "GAJ"],
        ["SW", "市水务集团", "水务", "公共事业单位", "211200", ""],
        ["KYS", "开原市人民政府", "", "县级政府", "211282", ""],
        ["QT", "其他单位", "", "", "211200", ""],
    ]), actor=city.admin)

    assert result.ok, result.errors
    assert result.created == 5
    station = Unit.objects.get(code="GAJ-YZ")
    assert station.kind == Unit.Kind.POLICE_STATION and station.parent.code == "GAJ"
    assert Unit.objects.get(code="KYS").division == city.county_b
    assert Unit.objects.get(code="QT").kind == Unit.Kind.DEPARTMENT


def test_a_broken_unit_file_saves_nothing(city):
    result = import_units(rows_file=xlsx([
        UNIT_HEADER,
        ["GAJ", "市公安局", "", "部门", "211200", ""],
        ["SW", "市水务集团", "", "自来水", "211200", ""],  # row 3: unknown kind
        ["YZ", "银州派出所", "", "派出所", "299999", "GAJ"],  # row 4: unknown division
        ["XX", "", "", "部门", "211200", "NOPE"],  # row 5: unknown parent
    ]), actor=city.admin)

    by_row = errors_by_row(result)
    assert result.bad_rows == [3, 4, 5]
    assert by_row[3][0][0] == "类型"
    assert by_row[4][0][0] == "区划代码" and "299999" in by_row[4][0][1]
    assert by_row[5][0][0] == "上级单位代码"
    assert not Unit.objects.filter(code="GAJ").exists()


def test_missing_unit_name_is_reported_by_the_service_on_its_column(city):
    result = import_units(rows_file=xlsx([UNIT_HEADER, ["GAJ", "", "", "部门", "211200", ""]]), actor=city.admin)
    assert [(e.row, e.column) for e in result.errors] == [(2, "名称")]


# ---------------------------------------------------------------------------------------------------- users

USER_HEADER = ["用户名", "姓名", "角色", "单位代码", "区划代码", "手机", "初始密码"]


def test_users_import_and_can_sign_in_with_the_initial_password(city, client):
    result = import_users(rows_file=xlsx([
        USER_HEADER,
        ["zhangsan", "张三", "承办人", "ZJJ", "", "13812345678", "Tieling-2027"],
        ["lisi", "李四", "领导", "", "211223", "", ""],
        ["wangwu", "王五", "dispatcher", "SZX", "", "024-12345678", "Tieling-2027"],
    ]), actor=city.admin)

    assert result.ok, result.errors
    zhang = User.objects.get(username="zhangsan")
    assert (zhang.role, zhang.unit, zhang.division, zhang.phone) == (Role.HANDLER, city.housing, city.city, "13812345678")
    assert zhang.check_password("Tieling-2027")
    assert User.objects.get(username="lisi").division == city.county_a
    assert not User.objects.get(username="lisi").has_usable_password()
    assert client.login(username="wangwu", password="Tieling-2027")


def test_reimporting_users_keeps_the_passwords_they_chose(city):
    rows = [USER_HEADER, ["zhangsan", "张三", "承办人", "ZJJ", "", "", "Tieling-2027"]]
    import_users(rows_file=xlsx(rows), actor=city.admin)
    user = User.objects.get(username="zhangsan")
    user.set_password("my-own-secret-9")
    user.save()

    result = import_users(rows_file=xlsx([USER_HEADER, ["zhangsan", "张三丰", "单位负责人", "ZJJ", "", "", "Tieling-2027"]]),
                          actor=city.admin)
    assert (result.created, result.updated) == (0, 1)
    user.refresh_from_db()
    assert user.check_password("my-own-secret-9")
    assert (user.display_name, user.role) == ("张三丰", Role.UNIT_HEAD)


def test_a_broken_user_file_saves_nothing_and_names_each_problem(city):
    result = import_users(rows_file=xlsx([
        USER_HEADER,
        ["zhangsan", "张三", "承办人", "ZJJ", "", "13812345678", "Tieling-2027"],
        ["lisi", "李四", "承办人", "", "", "", ""],  # row 3: a handler needs a unit
        ["wangwu", "王五", "承办人", "ZJJ", "", "1381234567", ""],  # row 4: invalid phone
        ["zhaoliu", "赵六", "厨师", "ZJJ", "", "", ""],  # row 5: unknown role
        ["sunqi", "孙七", "承办人", "NOPE", "", "", ""],  # row 6: unknown unit
        ["zhouba", "周八", "承办人", "ZJJ", "", "", "short"],  # row 7: password too short
    ]), actor=city.admin)

    by_row = errors_by_row(result)
    assert result.bad_rows == [3, 4, 5, 6, 7]
    assert by_row[3][0][0] == "单位代码"
    assert by_row[4][0][0] == "手机"
    assert by_row[5][0][0] == "角色" and "厨师" in by_row[5][0][1]
    assert by_row[6][0][0] == "单位代码" and "NOPE" in by_row[6][0][1]
    assert by_row[7][0][0] == "初始密码"
    assert not User.objects.filter(username="zhangsan").exists()


def test_an_import_refers_to_units_from_a_previous_import(city):
    assert import_units(rows_file=xlsx([UNIT_HEADER, ["GAJ", "市公安局", "", "部门", "211200", ""]]), actor=city.admin).ok
    result = import_users(rows_file=csv_file([USER_HEADER, ["police1", "刘警官", "承办人", "GAJ", "", "", ""]], encoding="gbk"),
                          actor=city.admin)
    assert result.ok, result.errors
    assert User.objects.get(username="police1").unit.code == "GAJ"
