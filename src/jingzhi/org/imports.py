"""Excel/CSV import of divisions, units and users for administrators.

Each import reads the whole file, sends every row through the same service the admin uses
(division_save, unit_save, user_save), and runs in one transaction: if any row is bad, nothing from
the file is saved and the result lists every bad row with its row number (as Excel shows it), the
column and the message. A row may refer to a parent defined in an earlier row of the same file.
Headers may be written in Chinese or in English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.errors import PermissionDenied
from jingzhi.core.spreadsheets import (
    ChoiceMatcher,
    Column,
    ImportResult,
    InvalidRowError,
    RowOutcome,
    Sheet,
    SheetRow,
    import_rows,
)
from jingzhi.org.access import is_admin
from jingzhi.org.models import Division, Role, Unit, User
from jingzhi.org.services import division_save, unit_save, user_save

DIVISION_COLUMNS: tuple[Column, ...] = (
    Column("code", "代码", "code", example="211202", text=True, aliases=("区划代码", "division_code"),
           help=gettext_lazy("GB/T 2260 code: 6, 9 or 12 digits. An existing code updates that division.")),
    Column("name", "名称", "name", example="银州区", aliases=("区划名称",),
           help=gettext_lazy("The division's name.")),
    Column("level", "级别", "level", example="县/区", aliases=("层级",),
           help=gettext_lazy("省 (province), 市 (city), 县/区 (county or district), 乡镇/街道 (township or subdistrict), "
                             "社区/村 (community or village).")),
    Column("parent_code", "上级代码", "parent_code", required=False, example="211200", text=True,
           aliases=("上级区划代码", "parent"),
           help=gettext_lazy("Code of the division above; empty for the top of the tree. It must exist already "
                             "or be in an earlier row of the same file.")),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "代码", "code", example="ZJJ", text=True, aliases=("单位代码", "unit_code"),
           help=gettext_lazy("The unit's own code, at most 30 characters. An existing code updates that unit.")),
    Column("name", "名称", "name", example="市住房和城乡建设局", aliases=("单位名称",),
           help=gettext_lazy("The unit's full name.")),
    Column("short_name", "简称", "short_name", required=False, example="住建局",
           help=gettext_lazy("Short name shown in lists (optional).")),
    Column("kind", "类型", "kind", required=False, example="部门", aliases=("单位类型", "type"),
           help=gettext_lazy("热线中心, 部门, 县级政府, 乡镇政府, 派出所, 公共事业单位, 法院 or 其他; empty means 部门.")),
    Column("division_code", "区划代码", "division_code", example="211200", text=True, aliases=("所属区划代码", "division"),
           help=gettext_lazy("Code of the division the unit belongs to.")),
    Column("parent_code", "上级单位代码", "parent_code", required=False, example="", text=True,
           aliases=("上级代码", "parent_unit_code", "parent"),
           help=gettext_lazy("Code of the unit above (optional). It must exist already or be in an earlier row.")),
)

USER_COLUMNS: tuple[Column, ...] = (
    Column("username", "用户名", "username", example="zhangsan", text=True, aliases=("账号", "登录名"),
           help=gettext_lazy("The name used to sign in. An existing user name updates that user.")),
    Column("display_name", "姓名", "name", required=False, example="张三", aliases=("display_name",),
           help=gettext_lazy("The person's name.")),
    Column("role", "角色", "role", example="承办人",
           help=gettext_lazy("受理员, 派单员, 承办人, 单位负责人, 督办员, 领导 or 管理员.")),
    Column("unit_code", "单位代码", "unit_code", required=False, example="ZJJ", text=True, aliases=("unit",),
           help=gettext_lazy("Code of the user's unit; needed for operators, dispatchers, handlers and unit heads.")),
    Column("division_code", "区划代码", "division_code", required=False, example="", text=True, aliases=("division",),
           help=gettext_lazy("Code of the division a leader or supervisor oversees; empty means the unit's division.")),
    Column("phone", "手机", "phone", required=False, example="13812345678", text=True, aliases=("手机号", "电话", "mobile"),
           help=gettext_lazy("Mobile or landline number (optional).")),
    Column("password", "初始密码", "password", required=False, example="Change-me-2027", aliases=("initial_password", "密码"),
           help=gettext_lazy("Set only when the user is created (at least 8 characters); existing users keep their "
                             "password. Empty: the user cannot sign in until a password is set.")),
)

LEVEL_ALIASES: Mapping[str, tuple[str, ...]] = {
    Division.Level.PROVINCE: ("省", "省级", "省份", "自治区", "province"),
    Division.Level.CITY: ("市", "市级", "地级", "地级市", "地市", "州", "盟", "city", "prefecture"),
    Division.Level.COUNTY: ("县", "区", "县区", "区县", "县级", "县级市", "县/区", "县(市、区)", "旗", "county", "district"),
    Division.Level.TOWNSHIP: ("乡", "镇", "乡镇", "街道", "乡镇街道", "乡镇/街道", "乡镇(街道)", "乡级", "苏木",
                              "township", "town", "subdistrict"),
    Division.Level.COMMUNITY: ("社区", "村", "村居", "社区村", "社区/村", "社区(村)", "村(社区)", "嘎查", "community", "village"),
}

KIND_ALIASES: Mapping[str, tuple[str, ...]] = {
    Unit.Kind.HOTLINE: ("热线", "热线中心", "市民服务热线", "12345", "hotline"),
    Unit.Kind.DEPARTMENT: ("部门", "职能部门", "委办局", "局", "department"),
    Unit.Kind.COUNTY_GOVERNMENT: ("县级政府", "县政府", "区政府", "县区政府", "县(市、区)政府", "县市区政府"),
    Unit.Kind.TOWNSHIP_GOVERNMENT: ("乡镇政府", "乡镇", "街道", "街道办事处", "乡镇街道", "乡镇(街道)", "乡镇/街道"),
    Unit.Kind.POLICE_STATION: ("派出所", "公安派出所"),
    Unit.Kind.UTILITY: ("公共事业单位", "公共事业", "公用事业", "公用事业单位", "水电气热", "utility"),
    Unit.Kind.COURT: ("法院", "人民法院", "court"),
    Unit.Kind.OTHER: ("其他", "其它", "other"),
}

ROLE_ALIASES: Mapping[str, tuple[str, ...]] = {
    Role.OPERATOR: ("受理", "受理员", "话务员", "接线员", "坐席", "operator"),
    Role.DISPATCHER: ("派单", "派单员", "dispatcher"),
    Role.HANDLER: ("承办人", "承办", "承办员", "办理人", "经办人", "handler"),
    Role.UNIT_HEAD: ("单位负责人", "负责人", "unit head"),
    Role.SUPERVISOR: ("督办", "督办员", "督查", "supervisor"),
    Role.LEADER: ("领导", "leader"),
    Role.ADMIN: ("管理员", "系统管理员", "admin", "administrator"),
}


match_level = ChoiceMatcher(Division.Level, LEVEL_ALIASES)
match_kind = ChoiceMatcher(Unit.Kind, KIND_ALIASES)
match_role = ChoiceMatcher(Role, ROLE_ALIASES)


def require_admin(actor: User | None) -> None:
    """Imports change the organisation: administrators only (None is the system itself, e.g. the CLI)."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only administrators may import."))


class _Tracker:
    """Which codes the file defines in which rows, and which rows failed: for precise messages about parents."""

    def __init__(self) -> None:
        self.rows_of: dict[str, list[int]] = {}
        self.failed: dict[str, int] = {}

    def prepare(self, sheet: Sheet, *, key: str, column: str) -> dict[int, dict[str, str]]:
        early: dict[int, dict[str, str]] = {}
        for row in sheet.rows:
            code = row.text(key)
            if not code:
                continue
            rows = self.rows_of.setdefault(code, [])
            if rows:
                early[row.number] = {column: _("“%(code)s” already appears in row %(row)d of this file.")
                                     % {"code": code, "row": rows[0]}}
            rows.append(row.number)
        return early

    def handle(self, key: str, function: Callable[[SheetRow], RowOutcome]) -> Callable[[SheetRow], RowOutcome]:
        def handle_row(row: SheetRow) -> RowOutcome:
            try:
                return function(row)
            except Exception:
                self.failed.setdefault(row.text(key), row.number)
                raise

        return handle_row

    def missing(self, code: str, *, row: int, what: str) -> str:
        """Why a parent (or a unit, a division) with this code cannot be found, as helpfully as possible."""
        if code in self.failed:
            return _("“%(code)s” (row %(row)d) has errors, so it cannot be used here.") % {"code": code, "row": self.failed[code]}
        later = [n for n in self.rows_of.get(code, []) if n > row]
        if later:
            return _("“%(code)s” is defined further down, in row %(row)d; put it above the rows that refer to it.") % {
                "code": code, "row": later[0]}
        return _("There is no %(what)s with the code “%(code)s”.") % {"what": what, "code": code}


def _division_by_code(code: str) -> Division | None:
    return Division.objects.filter(code=code).first()


def import_divisions(*, rows_file: IO[bytes] | Any, actor: User | None) -> ImportResult:
    """Import divisions (代码, 名称, 级别, 上级代码); parents first. One transaction: a bad row → nothing saved."""
    require_admin(actor)
    tracker = _Tracker()

    def row_function(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        raw_level = row.text("level")
        level = match_level(raw_level)
        if level is None:
            errors["level"] = (_("Unknown level “%(value)s”.") % {"value": raw_level} if raw_level else _("Enter the level.")) + " " + _(
                "Use 省, 市, 县/区, 乡镇/街道 or 社区/村.")
        parent = None
        parent_code = row.text("parent_code")
        if parent_code:
            parent = _division_by_code(parent_code)
            if parent is None:
                errors["parent_code"] = tracker.missing(parent_code, row=row.number, what=_("division"))
        if errors:
            raise InvalidRowError(errors)
        assert level is not None
        code, name = row.text("code"), row.text("name")
        existing = _division_by_code(code)
        if existing is not None and (existing.name, existing.level, existing.parent_id) == (
                name, level, parent.pk if parent else None):
            return RowOutcome.UNCHANGED
        division_save(actor=actor, code=code, name=name, level=level, parent=parent)
        return RowOutcome.CREATED if existing is None else RowOutcome.UPDATED

    return import_rows(
        rows_file,
        columns=DIVISION_COLUMNS,
        actor=actor,
        audit_object="division",
        handle_row=tracker.handle("code", row_function),
        field_columns={"parent": "parent_code"},
        prepare=lambda sheet: tracker.prepare(sheet, key="code", column="code"),
    )


def import_units(*, rows_file: IO[bytes] | Any, actor: User | None) -> ImportResult:
    """Import units (代码, 名称, 简称, 类型, 区划代码, 上级单位代码); parents first. A bad row → nothing saved."""
    require_admin(actor)
    tracker = _Tracker()

    def row_function(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        raw_kind = row.text("kind")
        kind = match_kind(raw_kind) if raw_kind else Unit.Kind.DEPARTMENT
        if kind is None:
            errors["kind"] = _("Unknown kind of unit “%(value)s”. Use 热线中心, 部门, 县级政府, 乡镇政府, 派出所, "
                               "公共事业单位, 法院 or 其他.") % {"value": raw_kind}
        division = None
        division_code = row.text("division_code")
        if not division_code:
            errors["division_code"] = _("Enter the code of the unit's division.")
        else:
            division = _division_by_code(division_code)
            if division is None:
                errors["division_code"] = _("There is no division with the code “%(code)s”.") % {"code": division_code}
        parent = None
        parent_code = row.text("parent_code")
        if parent_code:
            parent = Unit.objects.filter(code=parent_code).first()
            if parent is None and parent_code != row.text("code"):
                errors["parent_code"] = tracker.missing(parent_code, row=row.number, what=_("unit"))
            elif parent is None:
                errors["parent_code"] = _("A unit cannot be its own parent.")
        if errors:
            raise InvalidRowError(errors)
        assert kind is not None and division is not None
        code, name, short_name = row.text("code"), row.text("name"), row.text("short_name")
        existing = Unit.objects.filter(code=code).first()
        if existing is not None and (existing.name, existing.short_name, existing.kind, existing.division_id,
                                     existing.parent_id, existing.is_active) == (
                name, short_name, kind, division.pk, parent.pk if parent else None, True):
            return RowOutcome.UNCHANGED
        unit_save(actor=actor, code=code, name=name, short_name=short_name, kind=kind, division=division, parent=parent)
        return RowOutcome.CREATED if existing is None else RowOutcome.UPDATED

    return import_rows(
        rows_file,
        columns=UNIT_COLUMNS,
        actor=actor,
        audit_object="unit",
        handle_row=tracker.handle("code", row_function),
        field_columns={"parent": "parent_code", "division": "division_code"},
        prepare=lambda sheet: tracker.prepare(sheet, key="code", column="code"),
    )


def import_users(*, rows_file: IO[bytes] | Any, actor: User | None) -> ImportResult:
    """Import users (用户名, 姓名, 角色, 单位代码, 区划代码, 手机, 初始密码). A bad row → nothing saved."""
    require_admin(actor)
    tracker = _Tracker()

    def row_function(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        raw_role = row.text("role")
        role = match_role(raw_role)
        if role is None:
            errors["role"] = (_("Unknown role “%(value)s”.") % {"value": raw_role} if raw_role else _("Enter the role.")) + " " + _(
                "Use 受理员, 派单员, 承办人, 单位负责人, 督办员, 领导 or 管理员.")
        unit = None
        if unit_code := row.text("unit_code"):
            unit = Unit.objects.filter(code=unit_code).first()
            if unit is None:
                errors["unit_code"] = _("There is no unit with the code “%(code)s”.") % {"code": unit_code}
        division = None
        if division_code := row.text("division_code"):
            division = _division_by_code(division_code)
            if division is None:
                errors["division_code"] = _("There is no division with the code “%(code)s”.") % {"code": division_code}
        if errors:
            raise InvalidRowError(errors)
        assert role is not None
        username = row.text("username")
        existing = User.objects.filter(username=username).first()
        password = row.text("password") or None
        user_save(
            actor=actor,
            username=username,
            role=role,
            display_name=row.text("display_name"),
            unit=unit,
            division=division,
            phone=row.text("phone"),
            # An initial password: a re-import must not reset the passwords people have chosen since.
            password=password if existing is None else None,
            is_active=existing.is_active if existing is not None else True,
        )
        return RowOutcome.CREATED if existing is None else RowOutcome.UPDATED

    return import_rows(
        rows_file,
        columns=USER_COLUMNS,
        actor=actor,
        audit_object="user",
        handle_row=tracker.handle("username", row_function),
        field_columns={"unit": "unit_code", "division": "division_code"},
        prepare=lambda sheet: tracker.prepare(sheet, key="username", column="username"),
    )
