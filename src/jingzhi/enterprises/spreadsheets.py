"""一企一档 in Excel: the import (whole-file check: one bad row → nothing saved, every bad row listed) and the export.

Each row goes through the same services as the page (enterprise_save, figures_set), so a file cannot do what
the form may not. Headers may be Chinese or English; tags are separated by 、 , ; or spaces.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.audit import audit_record
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
from jingzhi.enterprises.services.registry import enterprise_save, figures_set, office_required
from jingzhi.org.models import Division, Enterprise, EnterpriseTag, User

COLUMNS: tuple[Column, ...] = (
    Column("credit_code", "统一社会信用代码", "credit code", example="91211200663742195W", text=True,
           aliases=("信用代码", "credit_code"), help=gettext_lazy("18 characters with the check character. An existing "
                                                               "code updates that enterprise.")),
    Column("name", "企业名称", "name", example="莱尼线束系统(铁岭)有限公司", aliases=("名称",),
           help=gettext_lazy("The enterprise's registered name.")),
    Column("division_code", "区划代码", "division code", example="211202", text=True, aliases=("division",),
           help=gettext_lazy("Code of the division the enterprise is in.")),
    Column("legal_representative", "法定代表人", "legal representative", required=False, example="张三"),
    Column("address", "地址", "address", required=False, example="银州区工业园"),
    Column("industry", "行业代码", "industry", required=False, example="C3670", text=True, aliases=("国民经济行业",),
           help=gettext_lazy("GB/T 4754 code: a section letter and up to four digits.")),
    Column("size", "规模", "size", required=False, example="大型", help=gettext_lazy("大型, 中型, 小型 or 微型.")),
    Column("employees", "从业人数", "employees", required=False, example="1200", aliases=("职工人数",)),
    Column("tags", "标签", "tags", required=False, example="规上、重点企业",
           help=gettext_lazy("专精特新, 小巨人, 高新技术企业, 科技型中小企业, 雏鹰, 瞪羚, 规上, 重点企业.")),
    Column("year", "年度", "year", required=False, example="2025", help=gettext_lazy("The year of the figures below.")),
    Column("output", "产值(万元)", "output", required=False, example="52000", aliases=("产值",)),
    Column("tax", "税收(万元)", "tax", required=False, example="3100", aliases=("税收", "纳税")),
    Column("rd_spend", "研发投入(万元)", "R&D spend", required=False, example="1500", aliases=("研发投入",)),
)

SIZE_ALIASES: Mapping[str, tuple[str, ...]] = {
    Enterprise.Size.LARGE: ("大型", "大", "large"), Enterprise.Size.MEDIUM: ("中型", "中", "medium"),
    Enterprise.Size.SMALL: ("小型", "小", "small"), Enterprise.Size.MICRO: ("微型", "微", "micro"),
}
TAG_ALIASES: Mapping[str, tuple[str, ...]] = {
    EnterpriseTag.Tag.SPECIALISED: ("专精特新",), EnterpriseTag.Tag.LITTLE_GIANT: ("小巨人", "专精特新小巨人"),
    EnterpriseTag.Tag.HIGH_TECH: ("高新技术企业", "高新", "高企"), EnterpriseTag.Tag.TECH_SME: ("科技型中小企业", "科小"),
    EnterpriseTag.Tag.EAGLET: ("雏鹰", "雏鹰企业"), EnterpriseTag.Tag.GAZELLE: ("瞪羚", "瞪羚企业"),
    EnterpriseTag.Tag.ABOVE_SCALE: ("规上", "规模以上"), EnterpriseTag.Tag.KEY: ("重点企业", "重点"),
}
match_size = ChoiceMatcher(Enterprise.Size, SIZE_ALIASES)
match_tag = ChoiceMatcher(EnterpriseTag.Tag, TAG_ALIASES)
_SPLIT = re.compile(r"[、,，;；\s]+")


def _prepare(sheet: Sheet) -> dict[int, dict[str, str]]:
    """A credit code twice in one file: the later rows are bad, naming the first."""
    first: dict[str, int] = {}
    bad: dict[int, dict[str, str]] = {}
    for row in sheet.rows:
        code = row.text("credit_code").upper()
        if code in first:
            bad[row.number] = {"credit_code": _("“%(code)s” already appears in row %(row)d of this file.")
                               % {"code": code, "row": first[code]}}
        elif code:
            first[code] = row.number
    return bad


def import_enterprises(*, rows_file: IO[bytes] | Any, actor: User | None) -> ImportResult:
    """Import the registry (and one year's figures per row). One transaction: any bad row → nothing saved."""
    office_required(actor)

    def handle(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        division = Division.objects.filter(code=row.text("division_code")).first()
        if division is None:
            errors["division_code"] = _("There is no division with the code “%(code)s”.") % {"code": row.text("division_code")}
        size = match_size(row.text("size")) if row.text("size") else ""
        if size is None:
            errors["size"] = _("Unknown size “%(value)s”: use 大型, 中型, 小型 or 微型.") % {"value": row.text("size")}
        tags = []
        for word in (w for w in _SPLIT.split(row.text("tags")) if w):
            tag = match_tag(word)
            if tag is None:
                errors["tags"] = _("Unknown tag “%(value)s”.") % {"value": word}
            else:
                tags.append(tag)
        if errors:
            raise InvalidRowError(errors)
        existing = Enterprise.objects.filter(credit_code=row.text("credit_code").upper()).first()
        enterprise = enterprise_save(
            actor=actor, enterprise=existing, name=row.text("name"), credit_code=row.text("credit_code"),
            division=division, legal_representative=row.text("legal_representative"), address=row.text("address"),
            industry=row.text("industry"), size=size or "", employees=row.text("employees"), tags=tags,
        )
        if row.text("year"):
            figures_set(actor=actor, enterprise=enterprise, year=row.text("year"), output=row.text("output"),
                        tax=row.text("tax"), rd_spend=row.text("rd_spend"), employees=row.text("employees"))
        return RowOutcome.CREATED if existing is None else RowOutcome.UPDATED

    return import_rows(rows_file, columns=COLUMNS, actor=actor, audit_object="enterprise", handle_row=handle,
                       prepare=_prepare, field_columns={"division": "division_code", "employees": "employees"})


def export_enterprises(*, actor: User, enterprises: Any) -> bytes:
    """The registry as the user sees it, one row per enterprise with its latest year's figures (audited)."""
    import openpyxl

    from jingzhi.core.workbooks import append_row

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _("Enterprises")
    append_row(ws, [c.label() for c in COLUMNS])
    rows = enterprises.select_related("division").prefetch_related("tags", "figures")
    n = 0
    for e in rows.iterator(chunk_size=500):
        figures = max(e.figures.all(), key=lambda f: f.year, default=None)
        labels = {v: str(aliases[0]) for v, aliases in TAG_ALIASES.items()}
        sizes = {v: str(aliases[0]) for v, aliases in SIZE_ALIASES.items()}
        append_row(ws, [e.credit_code, e.name, e.division.code, e.legal_representative, e.address, e.industry,
                        sizes.get(e.size, ""), e.employees, "、".join(labels[t.tag] for t in e.tags.all()),
                        figures.year if figures else None, figures.output if figures else None,
                        figures.tax if figures else None, figures.rd_spend if figures else None])
        n += 1
    out = io.BytesIO()
    wb.save(out)
    audit_record(actor=actor, action="export", object_type="enterprise", detail={"rows": n})
    return out.getvalue()
