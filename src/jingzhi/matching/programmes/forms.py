"""Page forms of programmes: they parse input only; the services check it (and name every bad condition)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.matching.models import Level
from jingzhi.matching.programmes.models import Effort
from jingzhi.matching.rules import DIVISION_FIELDS, OPS
from jingzhi.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"})


class ProgrammeForm(forms.Form):
    office = forms.ModelChoiceField(queryset=Unit.objects.filter(programme_office__isnull=False), required=False,
                                    label=_("Keeping office"))
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=120, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    window_opens = forms.CharField(label=_("Applications open"), required=False, widget=DATE)
    window_closes = forms.CharField(label=_("Applications close"), required=False, widget=DATE)
    funding = forms.CharField(label=_("Funding (10,000 yuan)"), max_length=20, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def condition_choices() -> dict[str, Any]:
    """The division facts and operators the condition rows offer."""
    return {"fields": [(k, spec.label) for k, spec in DIVISION_FIELDS.items()],
            "ops": [(k, label) for k, label in OPS.items() if any(k in s.ops for s in DIVISION_FIELDS.values())]}


class FiguresForm(forms.Form):
    year = forms.CharField(label=_("Year"), max_length=4)
    source = forms.CharField(label=_("Source"), max_length=100, required=False)


class EffortOpenForm(forms.Form):
    official = forms.CharField(label=_("Responsible official (user name)"), max_length=150, required=False)
    deadline = forms.CharField(label=_("Due date"), required=False, widget=DATE)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class EffortStepForm(forms.Form):
    stage = forms.ChoiceField(label=_("Step"), choices=[c for c in Effort.Stage.choices if c[0] != "preparing"])
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.CharField(label=_("Amount won (10,000 yuan)"), max_length=20, required=False)
