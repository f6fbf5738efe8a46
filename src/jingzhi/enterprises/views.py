"""Enterprise service pages: the registry (list, page, form, import/export), visits, the enterprise's own door,
the 专班 boards. Views parse input and call one service; scope comes from the selectors' visibility rules."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.core.errors import ApplicationError, NotFound
from jingzhi.core.http import apply_error
from jingzhi.core.spreadsheets import template_workbook
from jingzhi.enterprises import selectors
from jingzhi.enterprises.access import OFFICE_ROLES, STAFF_ROLES, enterprises_visible_to, is_office, serves
from jingzhi.enterprises.forms import (
    ContactForm,
    EnterpriseForm,
    FiguresForm,
    ImportForm,
    InviteForm,
    NeedForm,
    RateForm,
    VisitForm,
)
from jingzhi.enterprises.services.needs import need_rate, need_submit
from jingzhi.enterprises.services.registry import (
    contact_add,
    enterprise_save,
    enterprise_user_invite,
    figures_set,
)
from jingzhi.enterprises.services.visits import visit_record
from jingzhi.enterprises.spreadsheets import COLUMNS, export_enterprises, import_enterprises
from jingzhi.org.http import role_required
from jingzhi.org.models import EnterpriseTag, Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*STAFF_ROLES)
def enterprise_list(request: HttpRequest) -> HttpResponse:
    q, tag = request.GET.get("q", "").strip()[:100], request.GET.get("tag", "")
    tag = tag if tag in EnterpriseTag.Tag.values else ""
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    rows = selectors.enterprise_rows(request.user, q=q, tag=tag, offset=offset)
    return render(request, "enterprises/list.html", {
        "rows": rows, "q": q, "tag": tag, "tags": EnterpriseTag.Tag.choices, "may_edit": is_office(request.user),
        "next_offset": offset + selectors.PAGE_SIZE if len(rows) == selectors.PAGE_SIZE else None,
        "import_form": ImportForm()})


@role_required(*STAFF_ROLES)
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_for(request.user, pk)
    if enterprise is None:
        raise Http404
    page = selectors.enterprise_page(request.user, enterprise)
    return render(request, "enterprises/detail.html", {
        "page": page, "e": enterprise, "may_edit": is_office(request.user), "may_visit": serves(request.user, enterprise),
        "visit_form": VisitForm(initial={"token": secrets.token_hex(8)}), "invite_form": InviteForm(),
        "figures_form": FiguresForm(), "contact_form": ContactForm(),
        "need_form": NeedForm(initial={"token": secrets.token_hex(8)})})


@role_required(*OFFICE_ROLES)
def enterprise_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    enterprise = None
    if pk is not None:
        enterprise = selectors.enterprise_for(request.user, pk)
        if enterprise is None:
            raise Http404
    initial: dict[str, Any] = {}
    if enterprise is not None:
        initial = {f: getattr(enterprise, f) for f in ("name", "credit_code", "legal_representative", "address",
                                                       "industry", "size", "employees", "description")}
        initial["division"], initial["tags"] = enterprise.division, list(enterprise.tags.values_list("tag", flat=True))
    form = EnterpriseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = enterprise_save(actor=request.user, enterprise=enterprise, name=d["name"],  # type: ignore[arg-type]
                                    credit_code=d["credit_code"], division=d["division"], industry=d["industry"],
                                    legal_representative=d["legal_representative"], address=d["address"],
                                    size=d["size"], employees=d["employees"], description=d["description"], tags=d["tags"])
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Saved."))
            return redirect("enterprises:detail", pk=saved.pk)
    return render(request, "enterprises/form.html", {"form": form, "e": enterprise})


@require_POST
@role_required(*STAFF_ROLES)
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_for(request.user, pk)
    if enterprise is None:
        raise Http404
    form = VisitForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            visit_record(actor=request.user, enterprise=enterprise, visited_on=d["visited_on"], met=d["met"],  # type: ignore[arg-type]
                         asked=d["asked"], promised=d["promised"], promise_due=d["promise_due"],
                         idempotency_key=f"visit-form:{request.user.pk}:{d['token']}" if d["token"] else None)
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
    if form.errors:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(e) for e in errs)
            messages.error(request, f"{label}: {text}" if label else text)
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("enterprises:detail", pk=pk)


@require_POST
@role_required(*OFFICE_ROLES)
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_for(request.user, pk)
    if enterprise is None:
        raise Http404
    form = InviteForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            user = enterprise_user_invite(actor=request.user, enterprise=enterprise, username=d["username"],  # type: ignore[arg-type]
                                          display_name=d["display_name"], phone=d["phone"], password=d["password"])
            messages.success(request, _("%(name)s may now sign in for this enterprise.") % {"name": user.username})
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
    for errs in form.errors.values():
        messages.error(request, " ".join(str(e) for e in errs))
    return redirect("enterprises:detail", pk=pk)


def _form_errors_as_messages(request: HttpRequest, form: Any) -> None:
    """The page is the enterprise's: a form posted from it reports its problems there, each naming its field."""
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        text = " ".join(str(e) for e in errs)
        messages.error(request, f"{label}: {text}" if label else text)


@require_POST
@role_required(*OFFICE_ROLES)
def figures_add(request: HttpRequest, pk: int) -> HttpResponse:
    """One year's figures (output, tax, R&D, employees); a year entered again replaces its figures."""
    enterprise = selectors.enterprise_for(request.user, pk)
    if enterprise is None:
        raise Http404
    form = FiguresForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            figures_set(actor=request.user, enterprise=enterprise, year=d["year"], output=d["output"],  # type: ignore[arg-type]
                        tax=d["tax"], rd_spend=d["rd_spend"], employees=d["employees"])
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
    if form.errors:
        _form_errors_as_messages(request, form)
    else:
        messages.success(request, _("Figures of %(year)s saved.") % {"year": form.cleaned_data["year"]})
    return redirect(f"{reverse('enterprises:detail', args=[pk])}#figures")


@require_POST
@role_required(*OFFICE_ROLES)
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A contact person (personal data: shown masked; the entry is audited)."""
    enterprise = selectors.enterprise_for(request.user, pk)
    if enterprise is None:
        raise Http404
    form = ContactForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            contact_add(actor=request.user, enterprise=enterprise, name=d["name"], phone=d["phone"],  # type: ignore[arg-type]
                        position=d["position"])
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
    if form.errors:
        _form_errors_as_messages(request, form)
    else:
        messages.success(request, _("Contact person added."))
    return redirect(f"{reverse('enterprises:detail', args=[pk])}#contacts")


@role_required(*OFFICE_ROLES)
def registry_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_enterprises(rows_file=form.cleaned_data["file"], actor=request.user)  # type: ignore[arg-type]
    return render(request, "enterprises/import.html", {"form": form, "result": result})


@role_required(*OFFICE_ROLES)
def registry_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(template_workbook(COLUMNS, title=_("Enterprises")), "enterprises-template.xlsx")


@role_required(*STAFF_ROLES)
def registry_export(request: HttpRequest) -> HttpResponse:
    data = export_enterprises(actor=request.user, enterprises=enterprises_visible_to(request.user))  # type: ignore[arg-type]
    return _xlsx(data, "enterprises.xlsx")


# ------------------------------------------------------------------------------------- the enterprise's door


@role_required(Role.ENTERPRISE)
def door(request: HttpRequest) -> HttpResponse:
    """The enterprise's own door: its needs and their state, and a form for a new one."""
    enterprise = enterprises_visible_to(request.user).first()
    if enterprise is None:
        raise Http404
    form = NeedForm(request.POST or None, initial={"token": secrets.token_hex(8), "contact_name": request.user,
                                                 "contact_phone": getattr(request.user, "phone", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            need, _created = need_submit(
                actor=request.user, enterprise=enterprise, title=d["title"], content=d["content"],  # type: ignore[arg-type]
                channel="portal", contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                idempotency_key=f"door:{request.user.pk}:{d['token']}" if d["token"] else None)
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Need %(number)s received. You can follow every step here.") % {"number": need.case.number})
            return redirect("enterprises:door_need", number=need.case.number)
    return render(request, "enterprises/door.html", {"enterprise": enterprise, "needs": selectors.door_needs(request.user),
                                                     "form": form})


@role_required(Role.ENTERPRISE, *STAFF_ROLES)
def door_need(request: HttpRequest, number: str) -> HttpResponse:
    view = selectors.need_view(request.user, number)
    if view is None:
        raise Http404
    form = RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            need_rate(actor=request.user, number=number, rating=form.cleaned_data["rating"],  # type: ignore[arg-type]
                      note=form.cleaned_data["note"])
        except NotFound as e:
            raise Http404 from e
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("enterprises:door_need", number=number)
    return render(request, "enterprises/need.html", {"view": view, "form": form,
                                                     "may_rate": request.user.role == Role.ENTERPRISE})  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------ task forces


@role_required(*STAFF_ROLES)
def task_force_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.task_forces_visible_to(request.user).select_related("leader").order_by("name")
    return render(request, "enterprises/task_forces.html", {"rows": rows})


@role_required(*STAFF_ROLES)
def task_force_board(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.board(request.user, pk)
    if b is None:
        raise Http404
    return render(request, "enterprises/board.html", {"b": b})


