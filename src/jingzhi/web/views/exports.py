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
from jingzhi.core.workbooks import append_row
from jingzhi.web import lists
from jingzhi.web.templatetags.jingzhi_web import BADGE_LABELS

CHUNK = 2000


def _columns(now: datetime) -> list[tuple[str, Any]]:
    """(header, value of a case). Personal data is masked: exports leave the building."""
    return [
        (_("Case number"), lambda c: c.number),
        (_("Received at"), lambda c: _local(c.created_at)),
        (_("Channel"), lambda c: c.get_channel_display()),
        (_("Kind"), lambda c: c.get_kind_display()),
        (_("Priority"), lambda c: c.get_priority_display()),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Title"), lambda c: c.title),
        (_("Division"), lambda c: c.division.name),
        (_("Lead unit"), lambda c: c.lead_unit.name if c.lead_unit else ""),
        (_("Requester"), lambda c: masking.mask_name(c.requester_name)),
        (_("Phone"), lambda c: masking.mask_phone(c.requester_phone)),
        (_("Dispatch due"), lambda c: _local(c.dispatch_due)),
        (_("Reply due"), lambda c: _local(c.reply_due)),
        (_("Deadline"), lambda c: str(BADGE_LABELS[selectors.sla_badge(c, now=now)])),
        (_("Supervision"), lambda c: c.get_supervision_display()),
    ]


def _local(value: datetime | None) -> datetime | None:
    # Excel has no time zones: write the local (Asia/Shanghai) wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def write_workbook(cases: Any, handle: Any, *, title: str, now: datetime) -> int:
    """Stream the queryset into a write-only workbook; memory stays flat however long the list."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "cases")
    columns = _columns(now)
    append_row(ws, [header for header, _value in columns])
    rows = 0
    for case in cases.iterator(chunk_size=CHUNK):
        append_row(ws, [value(case) for _header, value in columns], number_format="yyyy-mm-dd hh:mm")
        rows += 1
    wb.save(handle)
    return rows


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
    filename = f"{spec.key}-{timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    audit_record(actor=request.user, action="export", object_type="case_list", object_id=spec.key, request=request,
                 detail={"file": filename, "rows": rows, "query": request.GET.urlencode()[:500]})
    return FileResponse(
        handle, as_attachment=True, filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

