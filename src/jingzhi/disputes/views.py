"""The register's pages: the list, one dispute with its steps, visits and cases, the new-dispute and from-case
forms, the actions on a dispute, and the figures (also as Excel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.cases.models import Case
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ApplicationError
from jingzhi.core.http import apply_error
from jingzhi.disputes import figures, selectors, services
from jingzhi.disputes.forms import (
    DisputeForm,
    EndForm,
    FromCaseForm,
    LinkCaseForm,
    RiskForm,
    StepForm,
    VisitRecordForm,
    VisitScheduleForm,
)
from jingzhi.disputes.models import DisputeType, Risk, Status
from jingzhi.disputes.services.common import may_act
from jingzhi.disputes.services.register import REGISTER_ROLES
from jingzhi.org.access import has_role
from jingzhi.org.http import role_required
from jingzhi.org.models import Role, Unit

VIEW_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.HANDLER, Role.UNIT_HEAD, Role.SUPERVISOR, Role.LEADER)
ACT_ROLES = (Role.HANDLER, Role.UNIT_HEAD)
FIGURE_ROLES = (Role.UNIT_HEAD, Role.SUPERVISOR, Role.LEADER)


@role_required(*VIEW_ROLES)
def dispute_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.register(request.user, request.GET)  # type: ignore[arg-type]
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "disputes/list.html", {
        "page": page, "disputes": page.object_list, "params": request.GET, "statuses": Status.choices,
        "status": request.GET.get("status", "open"),
        "types": DisputeType.choices, "risks": Risk.choices, "today": timezone.localdate(), "now": timezone.now(),
        "may_register": has_role(request.user, REGISTER_ROLES),
    })


@role_required(*VIEW_ROLES)
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


def _detail(request: HttpRequest, pk: int, forms_: dict[str, forms.Form] | None = None) -> HttpResponse:
    dispute = selectors.dispute_for(request.user, pk)  # type: ignore[arg-type]
    if dispute is None:
        raise Http404
    view = selectors.dispute_view(request.user, dispute)  # type: ignore[arg-type]
    action_forms = {"step": StepForm(), "risk": RiskForm(initial={"risk": dispute.risk}), "end": EndForm(),
                    "visit": VisitScheduleForm(initial={"due": timezone.localdate() + timedelta(days=7)}),
                    "link": LinkCaseForm(), **(forms_ or {})}
    return render(request, "disputes/detail.html", {
        "v": view, "dispute": dispute, "may_act": may_act(request.user, dispute),  # type: ignore[arg-type]
        "forms": action_forms, "record_form": VisitRecordForm(), "today": timezone.localdate(), "now": timezone.now(),
    }, status=400 if forms_ else 200)


@role_required(*REGISTER_ROLES)
def dispute_new(request: HttpRequest) -> HttpResponse:
    form = DisputeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            dispute, _created = services.dispute_register(
                actor=request.user, type=d["type"], summary=d["summary"], description=d["description"],  # type: ignore[arg-type]
                division=d["division"], place=d["place"], station=d["station"], mediator=d["mediator"],
                parties=form.parties(), source=d["source"], risk=d["risk"], idempotency_key=f"web-dispute:{d['token']}")
            messages.success(request, _("Dispute %(number)s registered.") % {"number": dispute.number})
            return redirect("disputes:detail", pk=dispute.pk)
        except ApplicationError as e:
            error = apply_error(form, e)
    return render(request, "disputes/new.html", {"form": form, "error": error}, status=400 if request.method == "POST" else 200)


@role_required(*REGISTER_ROLES)
def dispute_from_case(request: HttpRequest, number: str) -> HttpResponse:
    case = Case.objects.visible_to(request.user).filter(number=number).first()
    if case is None:
        raise Http404
    form = FromCaseForm(request.POST or None, initial={"summary": case.title})
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        others = [services.PartyInput(name=d["other_name"], phone=d["other_phone"])] if d["other_name"] or d["other_phone"] else []
        try:
            dispute, _created = services.dispute_from_case(
                actor=request.user, case_number=case.number, type=d["type"], station=d["station"], risk=d["risk"],  # type: ignore[arg-type]
                summary=d["summary"], mediator=d["mediator"], other_parties=others)
            messages.success(request, _("Dispute %(number)s registered from case %(case)s.") % {
                "number": dispute.number, "case": case.number})
            return redirect("disputes:detail", pk=dispute.pk)
        except ApplicationError as e:
            error = apply_error(form, e)
    return render(request, "disputes/from_case.html", {"form": form, "case": case, "error": error},
                  status=400 if request.method == "POST" else 200)


def _act(request: HttpRequest, pk: int, key: str, form: forms.Form, call: Callable[[dict[str, Any]], str]) -> HttpResponse:
    if selectors.dispute_for(request.user, pk) is None:  # type: ignore[arg-type]
        raise Http404
    if form.is_valid():
        try:
            messages.success(request, call(form.cleaned_data))
            return redirect("disputes:detail", pk=pk)
        except ApplicationError as e:
            if e.status in (403, 404, 409):
                messages.error(request, str(e.message))
                return redirect("disputes:detail", pk=pk)
            messages.error(request, apply_error(form, e))
    return _detail(request, pk, {key: form})


@require_POST
@role_required(*ACT_ROLES)
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict[str, Any]) -> str:
        services.dispute_step_add(actor=request.user, dispute_id=pk, kind=d["kind"], note=d["note"])  # type: ignore[arg-type]
        return _("Step recorded.")
    return _act(request, pk, "step", StepForm(request.POST), call)


@require_POST
@role_required(*ACT_ROLES)
def risk_set(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict[str, Any]) -> str:
        services.dispute_set_risk(actor=request.user, dispute_id=pk, risk=d["risk"], note=d["note"])  # type: ignore[arg-type]
        return _("Risk level saved.")
    return _act(request, pk, "risk", RiskForm(request.POST), call)


@require_POST
@role_required(*ACT_ROLES)
def end(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict[str, Any]) -> str:
        services.dispute_end(actor=request.user, dispute_id=pk, action=d["action"], outcome=d["outcome"])  # type: ignore[arg-type]
        return _("The dispute has ended.")
    return _act(request, pk, "end", EndForm(request.POST), call)


@require_POST
@role_required(*ACT_ROLES)
def visit_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict[str, Any]) -> str:
        services.visit_schedule(actor=request.user, dispute_id=pk, due=d["due"])  # type: ignore[arg-type]
        return _("Visit scheduled.")
    return _act(request, pk, "visit", VisitScheduleForm(request.POST), call)


@require_POST
@role_required(*ACT_ROLES)
def visit_record(request: HttpRequest, pk: int, visit_id: int) -> HttpResponse:
    def call(d: dict[str, Any]) -> str:
        services.visit_record(actor=request.user, dispute_id=pk, visit_id=visit_id, note=d["note"],  # type: ignore[arg-type]
                              stable=d["stable"])
        return _("Visit recorded.")
    return _act(request, pk, "record", VisitRecordForm(request.POST), call)


@require_POST
@role_required(*ACT_ROLES)
def link_case(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict[str, Any]) -> str:
        link = services.dispute_link_case(actor=request.user, dispute_id=pk, case_number=d["case_number"])  # type: ignore[arg-type]
        return _("Case %(number)s linked.") % {"number": link.case.number}
    return _act(request, pk, "link", LinkCaseForm(request.POST), call)


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today.replace(day=1) - timedelta(days=150)
    try:
        end_ = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end_ = today
    if end_ < start or (end_ - start).days > 3660:
        start, end_ = end_ - timedelta(days=180), end_
    return start, end_


@role_required(*FIGURE_ROLES)
def figure_page(request: HttpRequest) -> HttpResponse:
    start, end_ = _period(request)
    stations = figures.station_figures(request.user, start=start, end=end_)  # type: ignore[arg-type]
    if request.GET.get("format") == "xlsx":
        audit_record(actor=request.user, action="export", object_type="dispute_figures",
                     detail={"from": start.isoformat(), "to": end_.isoformat(), "rows": len(stations)}, request=request)
        response = HttpResponse(figures.workbook(stations, start=start, end=end_),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="disputes-{start:%Y%m%d}-{end_:%Y%m%d}.xlsx"'
        return response
    totals = figures.totals(stations)
    types = [(value, label, totals.get(value)) for value, label in DisputeType.choices if value in totals]
    return render(request, "disputes/figures.html", {
        "stations": stations, "total": totals[""], "types": types, "start": start, "end": end_,
        "police": set(Unit.objects.filter(kind=Unit.Kind.POLICE_STATION).values_list("pk", flat=True)),
    })
