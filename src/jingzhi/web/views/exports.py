"""Excel export of any workbench list: the same cases, in the same order, as the page shows (all pages)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jingzhi.cases import selectors
from jingzhi.core import masking
from jingzhi.core.audit import audit_record
from jingzhi.core.replicas import reads_from_replica
from jingzhi.core.workbooks import (
    DATETIME_FORMAT,
    XLSX,
    append_row,
    attach,
    export_filename,
    finish_sheet,
    start_sheet,
)
from jingzhi.web import lists
from jingzhi.web.templatetags.jingzhi_web import BADGE_LABELS

CHUNK = 2000


def _columns(now: datetime) -> list[tuple[str, int, Any]]:
    """(header, width in characters, value of a case): what clerks ask for — the request, the reply, the
    category, the deadlines and the requester's verdict. Personal data is masked: exports leave the building."""
    return [
        (_("Case number"), 18, lambda c: c.number),
        (_("Received at"), 17, lambda c: _local(c.created_at)),
        (_("Channel"), 8, lambda c: c.get_channel_display()),
        (_("Kind"), 8, lambda c: c.get_kind_display()),
        (_("Priority"), 8, lambda c: c.get_priority_display()),
        (_("Status"), 8, lambda c: c.get_status_display()),
        (_("Category"), 14, lambda c: c.category.name if c.category else ""),
        (_("Title"), 36, lambda c: c.title),
        (_("Content"), 60, lambda c: c.content),
        (_("Division"), 14, lambda c: c.division.name),
        (_("Lead unit"), 18, lambda c: c.lead_unit.name if c.lead_unit else ""),
        (_("Requester"), 10, lambda c: masking.mask_name(c.requester_name)),
        (_("Phone"), 14, lambda c: masking.mask_phone(c.requester_phone)),
        (_("Dispatch due"), 17, lambda c: _local(c.dispatch_due)),
        (_("Acknowledge due"), 17, lambda c: _local(c.acknowledge_due)),
        (_("Reply due"), 17, lambda c: _local(c.reply_due)),
        (_("Deadline"), 10, lambda c: str(BADGE_LABELS[selectors.sla_badge(c, now=now)])),
        (_("Replied at"), 17, lambda c: _local(c.replied_at)),
        (_("Reply"), 60, lambda c: c.reply),
        (_("Resolution"), 10, lambda c: c.get_resolution_display()),
        (_("Satisfaction"), 10, lambda c: c.get_satisfaction_display()),
        (_("Closed at"), 17, lambda c: _local(c.closed_at)),
        (_("Supervision"), 10, lambda c: c.get_supervision_display()),
    ]


def _local(value: datetime | None) -> datetime | None:
    # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def write_workbook(cases: Any, handle: Any, *, title: str, now: datetime) -> int:
    """Stream the queryset into a write-only workbook; memory stays flat however long the list."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "cases")
    columns = _columns(now)
    start_sheet(ws, [header for header, _w, _v in columns], widths=[width for _h, width, _v in columns])
    rows = 0
    for case in cases.select_related("category", "division", "lead_unit").iterator(chunk_size=CHUNK):
        append_row(ws, [value(case) for _h, _w, value in columns], number_format=DATETIME_FORMAT)
        rows += 1
    finish_sheet(ws, columns=len(columns), rows=rows)
    wb.save(handle)
    return rows


def scope_label(user: Any) -> str:
    """Whose cases these are, for the file name: the unit, else the division, else the whole city."""
    if getattr(user, "unit_id", None):
        return str(user.unit.short_name or user.unit.name)
    if getattr(user, "division_id", None):
        return str(user.division.name)
    return str(_("City-wide"))


@login_required
@reads_from_replica
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """`/cases/export.xlsx?list=<key>&<filters>`: the list the link sits on, filtered the same way."""
    spec = lists.get_spec(request.GET.get("list", "all"))
    if not spec.allows(request.user):
        raise DjangoPermissionDenied
    state = lists.parse_filters(request, spec, request.user)  # type: ignore[arg-type]
    if state.queryset is None:
        return HttpResponse(state.message + " " + " ".join(state.errors.values()), status=400, content_type="text/plain")
    now = timezone.now()
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it, and the OS deletes it
    rows = write_workbook(state.queryset, handle, title=str(spec.title), now=now)
    handle.seek(0)
    filename = export_filename(str(spec.title), scope_label(request.user), timezone.localtime(now))
    audit_record(actor=request.user, action="export", object_type="case_list", object_id=spec.key, request=request,
                 detail={"file": filename, "rows": rows, "query": request.GET.urlencode()[:500]})
    return attach(FileResponse(handle, content_type=XLSX), filename)

