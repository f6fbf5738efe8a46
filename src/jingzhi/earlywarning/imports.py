"""Danger sites from Excel (or CSV): one row a site, its 包保 officials in one cell ("username:level; …").

Through core.spreadsheets.import_rows: any bad row (named by its Excel row number and column) and nothing from the
file is saved. Each row goes through site_upsert and site_assign_official, as a site entered by hand.
"""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.spreadsheets import (
    ChoiceMatcher,
    Column,
    ImportResult,
    InvalidRowError,
    RowOutcome,
    SheetRow,
    import_rows,
)
from jingzhi.earlywarning import services
from jingzhi.earlywarning.access import may_issue
from jingzhi.earlywarning.models import DangerSite, OfficialLevel, RiskLevel, SiteType
from jingzhi.org.models import Division, Unit, User

COLUMNS = [
    Column("code", "点位编码", "code", example="XF-LV-01", text=True),
    Column("name", "点位名称", "name", example="寇河西丰段险工险段"),
    Column("site_type", "类型", "type", example="险工险段", aliases=("点位类型", "site_type")),
    Column("division_code", "区划代码", "division_code", example="211223100", text=True),
    Column("address", "地址", "address", required=False, example="西丰镇寇河左岸K3+200"),
    Column("latitude", "纬度", "latitude", required=False, example="42.738"),
    Column("longitude", "经度", "longitude", required=False, example="124.727"),
    Column("risk_level", "风险等级", "risk_level", required=False, example="高"),
    Column("emergency_unit", "应急责任单位代码", "emergency_unit", required=False, example="SLJ", text=True),
    Column("officials", "包保责任人", "officials", required=False, example="xf_xfz:乡镇级; leader_xf:县区级",
           help=gettext_lazy("username:level, several separated by semicolons")),
]


# The file's words in Chinese whatever the user's language (the template's example values are Chinese).
SITE_TYPES = ChoiceMatcher(SiteType, {"levee": ["险工险段", "险工", "堤防"], "reservoir": ["水库"], "low_village": ["低洼村屯", "低洼地"],
                                      "old_building": ["老旧房屋", "危旧房"], "construction": ["在建工地", "工地"],
                                      "geohazard": ["地质灾害隐患点", "地灾隐患点"]})
RISKS = ChoiceMatcher(RiskLevel, {"low": ["低"], "medium": ["中"], "high": ["高"]})
LEVELS = ChoiceMatcher(OfficialLevel, {"township": ["乡镇级", "乡镇"], "county": ["县区级", "县级", "区级"], "city": ["市级"]})


def _number(row: SheetRow, key: str, errors: dict[str, str]) -> float | None:
    text = row.text(key).strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors[key] = _("Not a number.")
        return None


def sites_import(*, actor: User, rows_file: IO[bytes] | Any) -> ImportResult:
    """Create or change danger sites (by code) and their 包保 officials from a spreadsheet."""
    if not may_issue(actor):
        services._require_issuer(actor)

    def handle(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        site_type = SITE_TYPES(row.text("site_type"))
        if site_type is None:
            errors["site_type"] = _("Unknown site type.")
        risk = RISKS(row.text("risk_level")) if row.text("risk_level") else RiskLevel.MEDIUM
        if risk is None:
            errors["risk_level"] = _("Unknown risk level.")
        division = Division.objects.filter(code=row.text("division_code").strip()).first()
        if division is None:
            errors["division_code"] = _("No division has this code.")
        unit = None
        if row.text("emergency_unit").strip():
            unit = Unit.objects.filter(code=row.text("emergency_unit").strip()).first()
            if unit is None:
                errors["emergency_unit"] = _("No unit has this code.")
        lat, lon = _number(row, "latitude", errors), _number(row, "longitude", errors)
        officials: list[tuple[User, str]] = []
        for part in [p.strip() for p in row.text("officials").replace("；", ";").split(";") if p.strip()]:
            username, _sep, level_text = part.replace("：", ":").partition(":")
            user = User.objects.filter(username=username.strip(), is_active=True).first()
            level = LEVELS(level_text.strip())
            if user is None or level is None:
                errors["officials"] = _("“%(part)s” is not username:level of an active user.") % {"part": part[:40]}
                break
            officials.append((user, level))
        if errors:
            raise InvalidRowError(errors)
        existed = DangerSite.objects.filter(code=row.text("code").strip()).exists()
        site = services.site_upsert(actor=actor, code=row.text("code"), name=row.text("name"), site_type=site_type or "",
                                    division=division, address=row.text("address"), latitude=lat, longitude=lon,  # type: ignore[arg-type]
                                    risk_level=risk or RiskLevel.MEDIUM, emergency_unit=unit)
        for user, level in officials:
            services.site_assign_official(actor=actor, site=site, official=user, level=level)
        return RowOutcome.UPDATED if existed else RowOutcome.CREATED

    return import_rows(rows_file, columns=COLUMNS, handle_row=handle, actor=actor, audit_object="danger_site",
                       field_columns={"code": "code", "name": "name", "latitude": "latitude"})
