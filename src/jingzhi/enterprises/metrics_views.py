"""Enterprise-need figures page and its Excel export (the office and city oversight)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhi.core.audit import audit_record
from jingzhi.enterprises.access import OFFICE_ROLES, OVERSIGHT_ROLES
from jingzhi.enterprises.figures import figures, figures_workbook
from jingzhi.org.http import role_required

ROLES = (*OFFICE_ROLES, *OVERSIGHT_ROLES)


def _dates(request: HttpRequest) -> tuple[date | None, date | None]:
    def parse(name: str) -> date | None:
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None
    return parse("start"), parse("end")


@role_required(*ROLES)
def figures_view(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    return render(request, "enterprises/metrics.html", {"f": figures(request.user, start=start, end=end)})


@role_required(*ROLES)
def figures_export(request: HttpRequest) -> HttpResponse:
    start, end = _dates(request)
    f = figures(request.user, start=start, end=end)
    audit_record(actor=request.user, action="export", object_type="metrics", detail={"what": "enterprise_needs",
                                                                                     "start": f.start, "end": f.end})
    response = HttpResponse(figures_workbook(f), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="enterprise-needs.xlsx"'
    return response


