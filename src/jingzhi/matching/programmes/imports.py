"""County figures from Excel or CSV: one row per county and year, each through figures_set (the form's service), so a
file cannot do what the form may not. One transaction: any bad row → nothing saved, every bad row listed."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _

from jingzhi.core.errors import PermissionDenied
from jingzhi.core.spreadsheets import Column, ImportResult, InvalidRowError, RowOutcome, SheetRow, import_rows
from jingzhi.matching.programmes import access
from jingzhi.matching.programmes.facts import FLAGS, NUMBERS
from jingzhi.matching.programmes.models import DivisionFigures
from jingzhi.matching.programmes.services import figures_set
from jingzhi.org.models import User

_HEADERS = {
    "population": ("常住人口(万人)", "population"), "gdp": ("地区生产总值(亿元)", "GDP"),
    "primary_share": ("第一产业占比(%)", "primary share"), "grain_output": ("粮食产量(万吨)", "grain output"),
    "cultivated_land": ("耕地面积(万亩)", "cultivated land"), "mechanisation": ("综合机械化率(%)", "mechanisation"),
    "forest_cover": ("森林覆盖率(%)", "forest cover"), "water_length": ("河湖水系长度(公里)", "rivers km"),
    "rural_road_coverage": ("通硬化路行政村比例(%)", "hardened roads"),
    "provincial_demo": ("省级农业现代化示范区", "provincial demo zone"), "water_plan": ("水系规划已批复", "water plan"),
}
COLUMNS: tuple[Column, ...] = (
    Column("division_code", "区划代码", "division code", example="211282", text=True),
    Column("year", "年度", "year", example="2025"),
    Column("source", "数据来源", "source", example="2025年统计公报"),
    *(Column(k, _HEADERS[k][0], _HEADERS[k][1], required=False, example="") for k in (*NUMBERS, *FLAGS)),
)
YES = ("是", "yes", "y", "true", "1", "有")
NO = ("否", "no", "n", "false", "0", "无", "")


def import_division_figures(*, rows_file: IO[bytes] | Any, actor: User) -> ImportResult:
    if not access.is_programme_office(actor):
        raise PermissionDenied(_("Only a programme office enters division figures."))
    visible = access.divisions_visible_to(actor)

    def handle(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        division = visible.filter(code=row.text("division_code")).first()
        if division is not None and not access.may_enter_figures(actor, division):
            division = None
        if division is None:
            errors["division_code"] = _("There is no county with the code “%(code)s”.") % {"code": row.text("division_code")}
        # Only the columns the file has: a figure without a column keeps its value on file.
        values: dict[str, Any] = {k: row.text(k) for k in NUMBERS if k in row.values}
        for k in (f for f in FLAGS if f in row.values):
            word = row.text(k).strip().lower()
            if word not in YES + NO:
                errors[k] = _("Write 是 or 否, not “%(value)s”.") % {"value": row.text(k)}
            values[k] = word in YES
        if errors or division is None:
            raise InvalidRowError(errors)
        existed = DivisionFigures.objects.filter(division=division, year=row.text("year") or 0).exists() \
            if row.text("year").isdigit() else False
        figures_set(actor=actor, division=division, year=row.text("year"), values=values, source=row.text("source"))
        return RowOutcome.UPDATED if existed else RowOutcome.CREATED

    return import_rows(rows_file, columns=COLUMNS, actor=actor, audit_object="division_figures", handle_row=handle)
