"""Dispatch pages: the intake suggestion fragment, the dry-run page, and the model/settings/accuracy page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.errors import ApplicationError, PermissionDenied
from jingzhi.core.http import apply_error
from jingzhi.dispatch import registry, stats
from jingzhi.dispatch.auto import Proposal, propose
from jingzhi.dispatch.classifier.base import ModelFileError
from jingzhi.dispatch.selectors import route_for
from jingzhi.org.http import role_required
from jingzhi.org.models import Division, Role
from jingzhi.org.selectors import division_choices

TEXT_MAX = 5000


class DryRunForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Request text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    division = forms.ChoiceField(label=gettext_lazy("Division"))
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— choose the place —")), *division_choices()]
        self.fields["division"].choices = choices  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    target_precision = forms.DecimalField(
        label=gettext_lazy("Target precision"), max_digits=4, decimal_places=3,
        help_text=gettext_lazy("For example 0.98: at least 98 of 100 automatic dispatches must be right (judged on held-out data)."),
    )
    auto_dispatch = forms.BooleanField(label=gettext_lazy("Dispatch automatically above the threshold"), required=False)


def _proposal(text: str, division: Division | None) -> tuple[Proposal | None, str]:
    try:
        return propose(text=text, division=division), ""
    except ModelFileError as e:
        return None, _("The active dispatch model cannot be loaded: %(error)s") % {"error": e}


@role_required(Role.OPERATOR, Role.DISPATCHER)
def suggest(request: HttpRequest) -> HttpResponse:
    """htmx fragment on the intake form: top categories with confidences and the route, as the operator types."""
    text = f"{request.GET.get('title', '')} {request.GET.get('content', '')}".strip()[:TEXT_MAX]
    division = Division.objects.filter(code=request.GET.get("division", "")).first()
    proposal, error = _proposal(text, division) if text else (None, "")
    return render(request, "dispatch/_suggestion.html", {"proposal": proposal, "error": error, "has_text": bool(text),
                                                         "division": division})


@role_required(Role.DISPATCHER)
def dry_run(request: HttpRequest) -> HttpResponse:
    """Type a text and a place: see the category the model reads, the route the table gives, and why."""
    form = DryRunForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        division = Division.objects.filter(code=form.cleaned_data["division"]).first()
        text = f"{form.cleaned_data['text']} {form.cleaned_data['address']}".strip()
        proposal, error = _proposal(text, division)
        context.update(proposal=proposal, error=error, division=division, has_text=True)
        if proposal is None and not error:
            context["error"] = _("No dispatch model is active: the route below uses no category.")
            context["plain_route"] = route_for(category=None, division=division) if division else None
    return render(request, "dispatch/dry_run.html", context, status=400 if form.is_bound and not form.is_valid() else 200)


@role_required(Role.DISPATCHER)
def overview(request: HttpRequest) -> HttpResponse:
    """The active model, its threshold at the configured precision, the settings form, accuracy per version."""
    settings_row = registry.settings_get()
    form = SettingsForm(initial={"target_precision": settings_row.target_precision, "auto_dispatch": settings_row.auto_dispatch})
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                registry.settings_update(actor=request.user, target_precision=Decimal(form.cleaned_data["target_precision"]),  # type: ignore[arg-type]
                                         auto_dispatch=form.cleaned_data["auto_dispatch"])
            except ApplicationError as e:
                if isinstance(e, PermissionDenied):
                    raise DjangoPermissionDenied(str(e.message)) from None
                apply_error(form, e)
                status = 400
            else:
                messages.success(request, _("Dispatch settings saved."))
                return redirect("dispatch:overview")
        else:
            status = 400
    active = registry.active_model()
    threshold = load_error = None
    if active is not None:
        try:
            threshold = registry.load_model(active).threshold_for(float(settings_row.target_precision))
        except ModelFileError as e:
            load_error = str(e)
    context = {
        "form": form, "settings": settings_row, "active": active, "threshold": threshold, "load_error": load_error,
        "accuracy": stats.accuracy_by_model(),
        "thresholds": sorted((active.metadata.get("thresholds") or {}).items()) if active else [],
    }
    return render(request, "dispatch/overview.html", context, status=status)
