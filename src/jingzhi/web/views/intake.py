"""The operator's intake form (受理) with a live preview of the deadlines the case would get."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases import sla
from jingzhi.cases.models import Kind, Priority
from jingzhi.cases.services import case_create
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.org.models import Role
from jingzhi.web.forms.fields import idempotency_key, new_token
from jingzhi.web.forms.intake import IntakeForm
from jingzhi.web.signin import stash_notice, stash_take
from jingzhi.web.templatetags.jingzhi_web import shortdt
from jingzhi.web.views.common import apply_error, role_required

INTAKE_NAMESPACE = "intake"


@role_required(Role.OPERATOR, Role.DISPATCHER)
def intake(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        kept = stash_take(request, action=request.path)
        if kept is not None:  # sent after the session had ended: shown again, filled in, never sent by itself
            stash_notice(request, kept.had_files)
            initial = {key: kept.data.get(key) for key in kept.data}
            initial.setdefault("token", new_token())
            form = IntakeForm(initial=initial)
        else:
            form = IntakeForm(initial={"token": new_token(), "priority": Priority.NORMAL})
        return render(request, "web/intake/form.html", {"form": form})
    form = IntakeForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            case, created = case_create(
                actor=request.user,  # type: ignore[arg-type]
                channel=data["channel"],
                kind=data["kind"],
                priority=data["priority"],
                title=data["title"],
                content=data["content"],
                division_code=data["division"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                contact_preference=data["contact_preference"],
                requester_id_number=data["requester_id_number"],
                address=data["address"],
                attachments=data["attachments"],
                idempotency_key=idempotency_key(INTAKE_NAMESPACE, data["token"]),
                duplicate_of=data["duplicate_of"],
                recognise_resubmit=True,
            )
        except PermissionDenied as e:
            raise DjangoPermissionDenied(str(e.message)) from None
        except ValidationFailed as e:
            error = apply_error(form, e)
        else:
            if case.merged_into is not None:  # registered as a duplicate: the caller is given the original's number
                messages.success(request, _("Registered as a duplicate (%(number)s) of case %(original)s. "
                                            "Tell the caller the case number %(original)s.") % {
                    "number": case.number, "original": case.merged_into.number})
                return redirect("web:case_detail", number=case.merged_into.number)
            if created and case.lead_unit is not None:
                messages.success(request, _("Case %(number)s registered and dispatched automatically to %(unit)s.") % {
                    "number": case.number, "unit": case.lead_unit})
            elif created:
                reply = sla.preview(kind=case.kind, priority=case.priority, start=case.created_at)["reply"]
                messages.success(
                    request,
                    _("Case %(number)s registered. Dispatch by %(dispatch)s; reply due about %(reply)s once dispatched.")
                    % {"number": case.number, "dispatch": shortdt(case.dispatch_due), "reply": shortdt(reply)},
                )
            else:
                messages.info(request, _("This form was already submitted: case %(number)s.") % {"number": case.number})
            return redirect("web:case_detail", number=case.number)
    else:
        error = _("Please correct the marked fields.")
    return render(request, "web/intake/form.html", {"form": form, "form_error": error}, status=400)


@role_required(Role.OPERATOR, Role.DISPATCHER)
def intake_preview(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the dispatch and reply deadlines for the kind and priority chosen so far."""
    kind, priority = request.GET.get("kind", ""), request.GET.get("priority", "")
    deadlines = None
    if kind in Kind.values and priority in Priority.values:
        deadlines = sla.preview(kind=kind, priority=priority, start=timezone.now())
    return render(request, "web/intake/_preview.html", {"deadlines": deadlines})
