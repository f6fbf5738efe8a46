"""The register's forms: they parse input only; the services decide."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.disputes.models import DisputeType, Risk, Source, Step
from jingzhi.disputes.querysets import AREA_UNIT_KINDS
from jingzhi.disputes.services import PartyInput
from jingzhi.org.models import Division, Unit, User
from jingzhi.org.selectors import division_choices

PARTY_SLOTS = 3
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def new_token() -> str:
    return secrets.token_hex(16)


def _mediators() -> Any:
    return User.objects.filter(is_active=True, unit__kind__in=AREA_UNIT_KINDS).order_by("unit__code", "username")


class DisputeFields(forms.Form):
    """What a dispute is: type, risk, who answers for it. Shared by the new-dispute and the from-case forms."""

    type = forms.ChoiceField(label=_("Type"), choices=DisputeType.choices)
    risk = forms.TypedChoiceField(label=_("Risk"), choices=Risk.choices, coerce=int, initial=Risk.LOW)
    station = forms.ModelChoiceField(label=_("Responsible station or unit"), queryset=Unit.objects.filter(is_active=True))
    mediator = forms.ModelChoiceField(label=_("Mediator"), queryset=User.objects.none(), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediator"].queryset = _mediators()  # type: ignore[attr-defined]
        self.fields["station"].queryset = Unit.objects.filter(is_active=True).order_by("-kind", "code")  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("token", new_token())

    def clean_token(self) -> str:
        token = self.cleaned_data.get("token") or ""
        if not _TOKEN.match(token):
            raise forms.ValidationError(_("This form has expired. Please reload the page and submit again."))
        return token


class DisputeForm(DisputeFields):
    summary = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label=_("Found by"), choices=Source.choices, initial=Source.SCREENING)
    division = forms.ChoiceField(label=_("Division"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False,
                            help_text=_("With the house number, so that a later case at the same address is flagged."))
    field_order = ["type", "summary", "description", "risk", "source", "division", "place", "station", "mediator"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = division_choices()  # type: ignore[attr-defined]
        for i in range(PARTY_SLOTS):
            self.fields[f"party_{i}_name"] = forms.CharField(label=_("Party %(n)d: name") % {"n": i + 1}, max_length=50,
                                                             required=False)
            self.fields[f"party_{i}_phone"] = forms.CharField(label=_("Party %(n)d: phone") % {"n": i + 1}, max_length=30,
                                                              required=False)
            self.fields[f"party_{i}_id_number"] = forms.CharField(label=_("Party %(n)d: ID number") % {"n": i + 1},
                                                                  max_length=30, required=False)

    def clean_division(self) -> Division:
        found = Division.objects.filter(code=self.cleaned_data.get("division")).first()
        if found is None:
            raise forms.ValidationError(_("Choose a division."))
        return found

    def parties(self) -> list[PartyInput]:
        d = self.cleaned_data
        return [PartyInput(name=d.get(f"party_{i}_name", ""), phone=d.get(f"party_{i}_phone", ""),
                           id_number=d.get(f"party_{i}_id_number", "")) for i in range(PARTY_SLOTS)]


class FromCaseForm(DisputeFields):
    summary = forms.CharField(label=_("Summary"), max_length=200, required=False,
                              help_text=_("Empty: the case's title."))
    other_name = forms.CharField(label=_("Other party: name"), max_length=50, required=False)
    other_phone = forms.CharField(label=_("Other party: phone"), max_length=30, required=False)


class StepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=Step.Kind.choices)
    note = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RiskForm(forms.Form):
    risk = forms.TypedChoiceField(label=_("Risk"), choices=Risk.choices, coerce=int)
    note = forms.CharField(label=_("Why"), max_length=1000, required=False)


class EndForm(forms.Form):
    action = forms.ChoiceField(label=_("End"), choices=[("resolve", _("Resolved")), ("refer", _("Referred to court or arbitration")),
                                                        ("close", _("Closed unresolved"))])
    outcome = forms.CharField(label=_("Outcome"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class VisitScheduleForm(forms.Form):
    due = forms.DateField(label=_("Visit on"), widget=forms.DateInput(attrs={"type": "date"}))


class VisitRecordForm(forms.Form):
    note = forms.CharField(label=_("What the visit found"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    stable = forms.TypedChoiceField(label=_("Parties at peace?"), choices=[("1", _("Yes")), ("0", _("No"))],
                                    coerce=lambda v: v == "1")


class LinkCaseForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=32)
