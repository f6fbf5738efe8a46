"""Forms of the campaign pages: they parse input; the services decide."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.campaigns.models import Indicator, Kind, Metric, Stage, SubItem
from jingzhi.org.models import Division, Role, Unit, User

_DATE = forms.DateInput(attrs={"type": "date"})


def _units() -> Any:
    return Unit.objects.filter(is_active=True).order_by("code")


class CampaignForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Campaign kind"), choices=Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    lead_official = forms.ModelChoiceField(
        label=gettext_lazy("Lead official (包保 leader)"),
        queryset=User.objects.filter(is_active=True, role__in=[Role.LEADER, Role.UNIT_HEAD, Role.SUPERVISOR, Role.ADMIN]),
    )
    lead_unit = forms.ModelChoiceField(label=gettext_lazy("Lead unit"), queryset=_units())
    division = forms.ModelChoiceField(label=gettext_lazy("Area"), queryset=Division.objects.exclude(level="community"),
                                      required=False)
    start = forms.DateField(label=gettext_lazy("Start"), widget=_DATE)
    deadline = forms.DateField(label=gettext_lazy("Due by"), widget=_DATE)
    assisting_units = forms.ModelMultipleChoiceField(label=gettext_lazy("Assisting units"), queryset=_units(), required=False,
                                                     widget=forms.SelectMultiple(attrs={"size": 5}))
    members = forms.ModelMultipleChoiceField(label=gettext_lazy("Task force members"), required=False,
                                             queryset=User.objects.filter(is_active=True).order_by("username"),
                                             widget=forms.SelectMultiple(attrs={"size": 5}))
    background = forms.CharField(label=gettext_lazy("Background"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    goal = forms.CharField(label=gettext_lazy("Goal"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    investor = forms.CharField(label=gettext_lazy("Investor (key projects)"), required=False, max_length=120)
    total_investment = forms.DecimalField(label=gettext_lazy("Total investment, 10k yuan (key projects)"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage (key projects)"), choices=[("", "—"), *Stage.choices], required=False)


class MetricForm(forms.Form):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=40, help_text=gettext_lazy("e.g. blocked, certs"))
    label = forms.CharField(label=gettext_lazy("Label"), max_length=40)
    unit_of_measure = forms.CharField(label=gettext_lazy("Unit of measure"), max_length=12, required=False)


_MONTH_LINE = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})月?\s*[=:：,，\s]\s*([-\d.,]+)\s*$")


class IndicatorForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    computation = forms.ChoiceField(label=gettext_lazy("Computation"), choices=Indicator.Computation.choices)
    numerator = forms.ModelChoiceField(label=gettext_lazy("Figure / numerator"), queryset=Metric.objects.none(),
                                       required=False)
    denominator = forms.ModelChoiceField(label=gettext_lazy("Denominator"), queryset=Metric.objects.none(), required=False)
    target = forms.CharField(label=gettext_lazy("Target"))
    unit_of_measure = forms.CharField(label=gettext_lazy("Unit of measure"), max_length=12, required=False)
    direction = forms.ChoiceField(label=gettext_lazy("Direction"), choices=Indicator.Direction.choices)
    baseline = forms.CharField(label=gettext_lazy("Baseline"), required=False, initial="0")
    monthly = forms.CharField(label=gettext_lazy("Monthly plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("One month a line: 2022-06 = 60"))
    is_primary = forms.BooleanField(label=gettext_lazy("Headline indicator"), required=False)

    def __init__(self, *args: Any, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        metrics = Metric.objects.filter(campaign=campaign)
        self.fields["numerator"].queryset = metrics  # type: ignore[attr-defined]
        self.fields["denominator"].queryset = metrics  # type: ignore[attr-defined]

    def clean_monthly(self) -> dict[date, str]:
        plan: dict[date, str] = {}
        for line in (self.cleaned_data.get("monthly") or "").splitlines():
            if not line.strip():
                continue
            match = _MONTH_LINE.match(line)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise forms.ValidationError(_("“%(line)s”: write one month a line, like 2022-06 = 60.") % {"line": line.strip()})
            plan[date(int(match.group(1)), int(match.group(2)), 1)] = match.group(3)
        return plan


class SubItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    division = forms.ModelChoiceField(label=gettext_lazy("Division"), queryset=Division.objects.all())
    responsible_unit = forms.ModelChoiceField(label=gettext_lazy("Responsible unit"), queryset=_units())
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=SubItem.Status.choices)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=120)
    due = forms.DateField(label=gettext_lazy("Due"), widget=_DATE)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx) or CSV"))


class ObstacleForm(forms.Form):
    sub_item = forms.ModelChoiceField(label=gettext_lazy("Sub-item"), queryset=SubItem.objects.none(), required=False)
    title = forms.CharField(label=gettext_lazy("Obstacle"), max_length=200)
    content = forms.CharField(label=gettext_lazy("What is needed, from whom"), widget=forms.Textarea(attrs={"rows": 4}))
    suggested_unit = forms.ModelChoiceField(label=gettext_lazy("Unit whose help is needed"), queryset=_units(), required=False)

    def __init__(self, *args: Any, sub_items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sub_item"].queryset = sub_items  # type: ignore[attr-defined]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Stage.choices)
    planned_on = forms.DateField(label=gettext_lazy("Planned"), widget=_DATE, required=False)
    reached_on = forms.DateField(label=gettext_lazy("Reached on"), widget=_DATE, required=False)


class InvestmentForm(forms.Form):
    month = forms.DateField(label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    planned = forms.DecimalField(label=gettext_lazy("Planned (10k yuan)"), required=False)
    completed = forms.DecimalField(label=gettext_lazy("Completed (10k yuan)"), required=False)
