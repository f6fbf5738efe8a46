"""Enterprise-need figures page and its Excel export (the office and city oversight)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.workbooks import attach, export_filename
from jingzhi.enterprises.access import OFFICE_ROLES, OVERSIGHT_ROLES
from jingzhi.enterprises.figures import figures, figures_workbook
from jingzhi.org.access import ANALYST_ROLES, has_role
from jingzhi.org.http import role_required

ROLES = (*OFFICE_ROLES, *OVERSIGHT_ROLES)


def _dates(request: HttpRequest) -> tuple[date | None, date | None]:
    def parse(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None
    return parse("start"), parse("end")


NOT_VISITED_SHOWN = 20  # on the page; the export lists them all


@role_required(*ROLES)
def figures_view(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    f = figures(request.user, start=start, end=end)
    return render(request, "enterprises/metrics.html", {
        "f": f, "not_visited_shown": f.not_visited_list[:NOT_VISITED_SHOWN],
        # The 三率 ranking over enterprise needs is the metrics app's page; offered to those who may read it.
        "ranking_url": f"{reverse('metrics:rankings')}?kind=enterprise" if has_role(request.user, ANALYST_ROLES) else "",
    })


@role_required(*ROLES)
def figures_export(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    f = figures(request.user, start=start, end=end)
    filename = export_filename(_("Enterprise-need figures"), "", f.end)
    audit_record(actor=request.user, action="export", object_type="metrics", request=request,
                 detail={"what": "enterprise_needs", "file": filename, "start": f.start, "end": f.end,
                         "not_visited": f.not_visited})
    response = HttpResponse(figures_workbook(f), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    attach(response, filename)
    return response


