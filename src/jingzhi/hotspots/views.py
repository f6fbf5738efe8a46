"""Hotspot pages: the list (also a panel on the leader's dashboard and the dispatcher's queue), one hotspot with
its cases on a timeline, and the two actions (dispatch all its cases, open a proactive case)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jingzhi.core.errors import ApplicationError
from jingzhi.core.replicas import reads_from_replica
from jingzhi.hotspots import selectors, services
from jingzhi.hotspots.links import links_for
from jingzhi.org.http import role_required
from jingzhi.org.models import Role, Unit

VIEW_ROLES = (Role.DISPATCHER, Role.LEADER, Role.SUPERVISOR, Role.OPERATOR)
ACT_ROLES = (Role.DISPATCHER, Role.LEADER)


class DispatchAllForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.filter(is_active=True), label=gettext_lazy("Unit"))
    note = forms.CharField(required=False, max_length=500, label=gettext_lazy("Note"))


class ProactiveForm(forms.Form):
    title = forms.CharField(required=False, max_length=200, label=gettext_lazy("Title"))
    content = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                              label=gettext_lazy("What to do"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.filter(is_active=True), required=False,
                                  label=gettext_lazy("Dispatch to unit"))
    reply_due = forms.DateTimeField(required=False, label=gettext_lazy("Its own deadline"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                    help_text=gettext_lazy("Optional: the unit's own deadline instead of the time-limit rules."))


@role_required(*VIEW_ROLES, Role.ADMIN)
@reads_from_replica
def hotspot_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.hotspot_rows(request.user)  # type: ignore[arg-type]
    template = "hotspots/_panel.html" if request.GET.get("panel") else "hotspots/list.html"
    context: dict[str, object] = {"rows": rows[:10] if request.GET.get("panel") else rows}
    # Found → acted on → complaints after: on the list and on the dashboard's panel, where leaders look.
    context["outcomes"] = selectors.hotspot_outcomes(request.user)  # type: ignore[arg-type]
    return render(request, template, context)


@role_required(*VIEW_ROLES, Role.ADMIN)
def hotspot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hotspot = selectors.hotspot_for(request.user, pk)  # type: ignore[arg-type]
    if hotspot is None:
        raise Http404
    from jingzhi.org.access import role_of

    may_act = role_of(request.user) in {*ACT_ROLES, Role.ADMIN}
    return render(request, "hotspots/detail.html", {
        "hotspot": hotspot, "cases": selectors.hotspot_cases(request.user, hotspot),  # type: ignore[arg-type]
        "may_act": may_act, "dispatch_form": DispatchAllForm(), "proactive_form": ProactiveForm(),
        "extra_actions": links_for(hotspot, request.user) if may_act else [],  # type: ignore[arg-type]
        "actions": list(hotspot.actions.select_related("actor")),
    })


def _act(request: HttpRequest, pk: int, form: forms.Form, call: object) -> HttpResponse:
    if selectors.hotspot_for(request.user, pk) is None:  # type: ignore[arg-type]
        raise Http404
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(str(e) for e in errs)}" if label else " ".join(str(e) for e in errs))
        return redirect("hotspots:detail", pk=pk)
    try:
        messages.success(request, call(form.cleaned_data))  # type: ignore[operator]
    except ApplicationError as e:
        messages.error(request, " ".join([str(e.message), *[str(v) for v in e.fields.values()]]))
    return redirect("hotspots:detail", pk=pk)


@require_POST
@role_required(*ACT_ROLES, Role.ADMIN)
def dispatch_all(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict) -> str:
        done = services.hotspot_dispatch_all(actor=request.user, hotspot_id=pk, unit=d["unit"], note=d["note"])  # type: ignore[arg-type]
        return _("%(count)d cases dispatched to %(unit)s.") % {"count": len(done), "unit": d["unit"]}
    return _act(request, pk, DispatchAllForm(request.POST), call)


@require_POST
@role_required(*ACT_ROLES, Role.ADMIN)
def open_proactive(request: HttpRequest, pk: int) -> HttpResponse:
    def call(d: dict) -> str:
        case = services.hotspot_open_proactive(actor=request.user, hotspot_id=pk, title=d["title"],  # type: ignore[arg-type]
                                               content=d["content"], unit=d["unit"], reply_due=d["reply_due"])
        return _("Proactive case %(number)s opened.") % {"number": case.number}
    return _act(request, pk, ProactiveForm(request.POST), call)
