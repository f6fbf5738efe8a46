"""Batch intake: cases from an Excel/CSV file, each row through case_create(channel="import"), all or nothing.

A row with an external ID (外部编号) gets the idempotency key "import:<external ID>", so importing the
same file again creates no duplicates: rows already imported are counted as unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.cases import sla
from jingzhi.cases.models import Channel, Kind, Priority
from jingzhi.cases.services.intake import INTAKE_ROLES, case_create
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.spreadsheets import (
    ChoiceMatcher,
    Column,
    ImportResult,
    InvalidRowError,
    RowOutcome,
    Sheet,
    SheetRow,
    cell_datetime,
    import_rows,
)
from jingzhi.org.access import role_of
from jingzhi.org.models import User

CASE_COLUMNS: tuple[Column, ...] = (
    Column("title", "标题", "title", example="小区供暖温度不达标", aliases=("诉求标题", "主题", "留言主题"),
           help=gettext_lazy("A short title, at most 200 characters.")),
    Column("content", "内容", "content", example="家里暖气温度只有十五度，已经反映多次，请尽快处理。",
           aliases=("诉求内容", "留言详情", "描述"), help=gettext_lazy("What the requester asks for.")),
    Column("kind", "类型", "kind", example="投诉", aliases=("诉求类型",),
           help=gettext_lazy("投诉, 求助, 咨询, 建议, 举报, 表扬, 企业诉求 or 矛盾纠纷 (or the English codes: complaint, help, "
                             "inquiry, suggestion, report, praise, enterprise, dispute).")),
    Column("division_code", "区划代码", "division_code", example="211202", text=True, aliases=("division",),
           help=gettext_lazy("Code of the division (place) the request is about.")),
    Column("requester_name", "诉求人", "requester_name", required=False, example="张三",
           aliases=("姓名", "联系人", "来电人", "requester"), help=gettext_lazy("The requester's name (optional).")),
    Column("phone", "电话", "phone", required=False, example="13812345678", text=True,
           aliases=("联系电话", "手机", "手机号", "requester_phone"),
           help=gettext_lazy("Mobile or landline number (optional).")),
    Column("id_number", "身份证号", "id_number", required=False, example="", text=True,
           aliases=("身份证", "身份证号码", "证件号码", "requester_id_number"),
           help=gettext_lazy("18-character resident ID number (optional); its check digit is verified.")),
    Column("address", "地址", "address", required=False, example="银州区工人街道某小区3号楼", aliases=("详细地址",),
           help=gettext_lazy("Where the problem is (optional).")),
    Column("priority", "紧急程度", "priority", required=False, example="一般", aliases=("优先级",),
           help=gettext_lazy("一般, 水电气热, 紧急 or 疑难 (optional; empty means 一般).")),
    Column("received_at", "受理时间", "received_at", required=False, example="2026-11-02 09:30",
           aliases=("来电时间", "留言时间", "创建时间"),
           help=gettext_lazy("When the request came in: an Excel date or text such as 2026-11-02 09:30 (optional; "
                             "empty means the time of the import).")),
    Column("external_id", "外部编号", "external_id", required=False, example="", text=True,
           aliases=("原编号", "原工单编号", "工单编号"),
           help=gettext_lazy("The case's number in the system it comes from (optional). Rows with an external ID "
                             "already imported are skipped, so the same file can be imported again safely.")),
)

KIND_ALIASES: Mapping[str, tuple[str, ...]] = {
    Kind.COMPLAINT: ("投诉",),
    Kind.HELP: ("求助",),
    Kind.INQUIRY: ("咨询",),
    Kind.SUGGESTION: ("建议",),
    Kind.REPORT: ("举报",),
    Kind.PRAISE: ("表扬",),
    Kind.ENTERPRISE: ("企业诉求", "企业"),
    Kind.DISPUTE: ("矛盾纠纷", "纠纷"),
}

PRIORITY_ALIASES: Mapping[str, tuple[str, ...]] = {
    Priority.NORMAL: ("一般", "普通", "正常"),
    Priority.UTILITIES: ("水电气热", "公用事业"),
    Priority.EMERGENCY: ("紧急", "特急", "加急"),
    Priority.COMPLEX: ("疑难", "复杂"),
}

match_kind = ChoiceMatcher(Kind, KIND_ALIASES)
match_priority = ChoiceMatcher(Priority, PRIORITY_ALIASES)

# case_create names its fields after the model; the file names its columns after what people type.
_FIELD_COLUMNS = {
    "division": "division_code",
    "requester_phone": "phone",
    "requester_id_number": "id_number",
    "channel": "",
    "location": "",
    "attachments": "",
}

# Clocks on operators' PCs drift; a few minutes ahead is not "in the future".
_FUTURE_TOLERANCE = timedelta(minutes=10)


def import_cases(*, rows_file: IO[bytes] | Any, actor: User | None) -> ImportResult:
    """Import cases from .xlsx/.csv through case_create(channel="import"); a bad row → nothing saved."""
    if actor is not None and role_of(actor) not in INTAKE_ROLES:
        raise PermissionDenied(_("Only the hotline centre registers cases."))
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()

    def prepare(sheet: Sheet) -> dict[int, dict[str, str]]:
        seen: dict[str, int] = {}
        early: dict[int, dict[str, str]] = {}
        for row in sheet.rows:
            external_id = row.text("external_id")
            if not external_id:
                continue
            if external_id in seen:
                early[row.number] = {"external_id": _("The external ID “%(id)s” already appears in row %(row)d of this file.")
                                     % {"id": external_id, "row": seen[external_id]}}
            else:
                seen[external_id] = row.number
        return early

    def row_function(row: SheetRow) -> RowOutcome:
        errors: dict[str, str] = {}
        raw_kind = row.text("kind")
        kind = match_kind(raw_kind)
        if kind is None:
            errors["kind"] = (_("Unknown kind “%(value)s”.") % {"value": raw_kind} if raw_kind else _("Enter the kind.")) + " " + _(
                "Use 投诉, 求助, 咨询, 建议, 举报, 表扬, 企业诉求 or 矛盾纠纷.")
        raw_priority = row.text("priority")
        priority = match_priority(raw_priority) if raw_priority else Priority.NORMAL
        if priority is None:
            errors["priority"] = _("Unknown priority “%(value)s”. Use 一般, 水电气热, 紧急 or 疑难.") % {"value": raw_priority}
        received_at = None
        raw_received = row.raw("received_at")
        if raw_received not in ("", None):
            try:
                received_at = cell_datetime(raw_received, tz=tz)
            except ValueError as e:
                errors["received_at"] = str(e)
            else:
                if received_at > now + _FUTURE_TOLERANCE:
                    errors["received_at"] = _("The time a request was received cannot be in the future.")
        external_id = row.text("external_id")
        try:
            _case, created = case_create(
                actor=actor,
                channel=Channel.IMPORT,
                kind=kind or "",
                priority=priority or "",
                title=row.text("title"),
                content=row.text("content"),
                division_code=row.text("division_code"),
                requester_name=row.text("requester_name"),
                requester_phone=row.text("phone"),
                requester_id_number=row.text("id_number"),
                address=row.text("address"),
                idempotency_key=f"import:{external_id}" if external_id else None,
                received_at=received_at,
            )
        except ValidationFailed as e:
            # Our own messages about kind and priority are more precise than case_create's.
            raise InvalidRowError({**e.fields, **errors}) from None
        if errors:
            raise InvalidRowError(errors)  # the row's savepoint takes the case back out
        return RowOutcome.CREATED if created else RowOutcome.UNCHANGED

    # Read the calendar and the time-limit rules once for the whole file, not once per row.
    with sla.frozen_policy():
        return import_rows(
            rows_file, columns=CASE_COLUMNS, handle_row=row_function, field_columns=_FIELD_COLUMNS, prepare=prepare,
            actor=actor, audit_object="case",
        )
