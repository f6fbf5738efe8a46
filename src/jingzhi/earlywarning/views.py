"""Early-warning pages: the index (my tasks; for the duty office the warnings, CAP upload and manual entry), the duty
board (refreshes itself by htmx polling), the after-event report, sites, and an official's task on the phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.http import apply_error
from jingzhi.core.spreadsheets import template_workbook
from jingzhi.earlywarning import imports, selectors, services, taskflow
from jingzhi.earlywarning.access import DUTY_ROLES, may_finish_preparation, may_issue, may_watch
from jingzhi.earlywarning.models import TaskStatus, WarningLevel, WarningType
from jingzhi.earlywarning.preparations import NOTE_MAX, preparations_for
from jingzhi.earlywarning.preparations import preparation_done as mark_done
from jingzhi.org.http import allowed_by, role_required
from jingzhi.org.models import Division, Role


class CapUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CAP 1.2 file (.xml)"))


class ManualWarningForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    warning_type = forms.ChoiceField(choices=WarningType.choices, label=gettext_lazy("Type"))
    level = forms.ChoiceField(choices=WarningLevel.choices, label=gettext_lazy("Level"))
    headline = forms.CharField(max_length=200, label=gettext_lazy("Headline"))
    divisions = forms.ModelMultipleChoiceField(
        queryset=Division.objects.filter(level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP]),
        label=gettext_lazy("Divisions"))


class _PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (a phone's camera or gallery); the service checks their types and sizes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=_PhotosInput(attrs={"multiple": True, "accept": "image/*"}), required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    situation = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Situation on site"))
    people_moved = forms.IntegerField(min_value=0, max_value=100000, initial=0, label=gettext_lazy("People moved"))
    hazard = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             label=gettext_lazy("Hazard found (becomes a case for the emergency unit)"))
    photos = PhotosField(label=gettext_lazy("Photos"), help_text=gettext_lazy("JPEG, PNG, GIF or WebP; at most 6, 10 MB each."))


class PreparationDoneForm(forms.Form):
    note = forms.CharField(max_length=NOTE_MAX, label=gettext_lazy("What was prepared"),
                           widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. 32 boilers checked, 3 repaired")}))


def _index_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    import uuid

    user = request.user
    preparations = list(preparations_for(user)[:30])  # type: ignore[arg-type]
    failed = extra.pop("preparation_failed", None)
    return {
        "preparations": [(p, may_finish_preparation(user, p) and p.done_at is None,
                          failed[1] if failed and failed[0] == p.pk else PreparationDoneForm(auto_id=f"id_prep{p.pk}_%s"))
                         for p in preparations],
        "tasks": selectors.my_tasks(user)[:50],
        "warnings": selectors.warnings_for(user)[:30] if may_watch(user) else [],
        "may_watch": may_watch(user), "may_issue": may_issue(user),
        "cap_form": extra.pop("cap_form", CapUploadForm()),
        "manual_form": extra.pop("manual_form", ManualWarningForm(initial={"token": uuid.uuid4().hex})),
        **extra,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "earlywarning/index.html", _index_context(request))


@login_required
@require_POST
def preparation_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit marks a seasonal preparation task done (earlywarning.preparations decides who may)."""
    form = PreparationDoneForm(request.POST, auto_id=f"id_prep{pk}_%s")
    if form.is_valid():
        try:
            mark_done(actor=request.user, task_id=pk, note=form.cleaned_data["note"])  # type: ignore[arg-type]
        except NotFound as e:
            raise Http404 from e
        except PermissionDenied as e:
            raise DjangoPermissionDenied(str(e.message)) from e
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Preparation marked done."))
            return redirect("earlywarning:index")
    return render(request, "earlywarning/index.html", _index_context(request, preparation_failed=(pk, form)), status=400)


@require_POST
@allowed_by(may_issue)
def cap_upload(request: HttpRequest) -> HttpResponse:
    form = CapUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            outcome = services.warning_import_cap(actor=request.user, data=form.cleaned_data["file"].read())  # type: ignore[arg-type]
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("%(id)s: %(status)s; tasks created %(created)d, changed %(changed)d, ended %(ended)d.") % {
                "id": outcome.identifier, "status": outcome.status, "created": outcome.created, "changed": outcome.changed,
                "ended": outcome.ended})
            return redirect("earlywarning:board", pk=outcome.warning.pk)
    return render(request, "earlywarning/index.html", _index_context(request, cap_form=form), status=400)


@require_POST
@allowed_by(may_issue)
def manual_create(request: HttpRequest) -> HttpResponse:
    form = ManualWarningForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            outcome = services.warning_create(actor=request.user, warning_type=d["warning_type"], level=d["level"],  # type: ignore[arg-type]
                                              headline=d["headline"], divisions=list(d["divisions"]),
                                              idempotency_key=d["token"] or "")
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Warning issued; %(created)d tasks delivered.") % {"created": outcome.created})
            return redirect("earlywarning:board", pk=outcome.warning.pk)
    return render(request, "earlywarning/index.html", _index_context(request, manual_form=form), status=400)


@allowed_by(may_watch)
def board(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_for(request.user, pk)
    if warning is None:
        raise Http404
    context = {"board": selectors.duty_board(request.user, warning), "warning": warning,
               "may_issue": may_issue(request.user)}
    partial = bool(getattr(request, "htmx", False)) or request.GET.get("partial")
    return render(request, "earlywarning/_board.html" if partial else "earlywarning/board.html", context)


@require_POST
@allowed_by(may_issue)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        outcome = services.warning_cancel(actor=request.user, warning_id=pk)  # type: ignore[arg-type]
    except ApplicationError as e:
        if e.status == 404:
            raise Http404 from None
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("Warning cancelled; %(ended)d tasks ended.") % {"ended": outcome.ended})
    return redirect("earlywarning:board", pk=pk)


@allowed_by(may_watch)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    warning = selectors.warning_for(request.user, pk)
    if warning is None:
        raise Http404
    lines = selectors.after_event_report(request.user, warning)
    return render(request, "earlywarning/report.html", {"warning": warning, "lines": lines,
                                                        "late": sum(1 for x in lines if x.late_ack or x.late_onsite)})


class SitesImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel or CSV file"))


@allowed_by(may_issue)
def sites_import(request: HttpRequest) -> HttpResponse:
    """Upload danger sites from Excel: the whole file is checked; one bad row saves nothing and every bad row is listed."""
    form = SitesImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.sites_import(actor=request.user, rows_file=form.cleaned_data["file"])  # type: ignore[arg-type]
    status = 400 if (request.method == "POST" and (result is None or not result.ok)) else 200
    return render(request, "earlywarning/sites_import.html", {"form": form, "result": result}, status=status)


@allowed_by(may_issue)
def sites_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(imports.COLUMNS, title=_("Danger sites")),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="danger-sites-template.xlsx"'
    return response


@role_required(*DUTY_ROLES, Role.ADMIN, Role.UNIT_HEAD, Role.HANDLER)
def sites(request: HttpRequest) -> HttpResponse:
    rows = selectors.sites_for(request.user).prefetch_related("officials__responsibility__official")[:500]
    return render(request, "earlywarning/sites.html", {"sites": rows, "may_issue": may_issue(request.user)})


@login_required
def task_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo of an on-site report, only for those who may see the task."""
    found = selectors.task_for(request.user, pk)
    item = found.photos.filter(pk=photo).first() if found is not None else None
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    audit_record(actor=request.user, action="warning_photo_download", object_type="task_photo", object_id=item.pk,
                 request=request, detail={"task": pk, "name": item.name, "size": item.size})
    return FileResponse(handle, filename=item.name)


@login_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.task_for(request.user, pk)
    if found is None:
        raise Http404
    return render(request, "earlywarning/task.html", {"task": found, "own": found.official_id == request.user.pk,
                                                      "form": ReportForm(), "events": found.events.select_related("actor")})


@require_POST
@login_required
def task_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    try:
        if step == "acknowledge":
            taskflow.task_acknowledge(actor=request.user, task_id=pk)  # type: ignore[arg-type]
        elif step in (TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE):
            taskflow.task_progress(actor=request.user, task_id=pk, to=step)  # type: ignore[arg-type]
        elif step == "report":
            form = ReportForm(request.POST, request.FILES)
            found = selectors.task_for(request.user, pk)
            if found is None:
                raise Http404
            if form.is_valid():
                d = form.cleaned_data
                try:
                    taskflow.task_report(actor=request.user, task_id=pk,  # type: ignore[arg-type]
                                         report=taskflow.Report(situation=d["situation"], people_moved=d["people_moved"],
                                                                hazard=d["hazard"], photos=d["photos"]))
                except ValidationFailed as e:
                    form.add_error(None, apply_error(form, e))
            if not form.is_valid():
                return render(request, "earlywarning/task.html", {"task": found, "own": True, "form": form,
                                                                  "events": found.events.all()}, status=400)
        else:
            raise Http404
    except ApplicationError as e:
        if e.status == 404:
            raise Http404 from None
        if e.status == 403:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied from None
        messages.error(request, str(e.message))
    return redirect("earlywarning:task", pk=pk)
