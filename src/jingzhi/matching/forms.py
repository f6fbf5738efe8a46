"""Page forms of policy matching: they parse input only; the services check it (and name every bad condition)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.matching.models import Level, PolicyVersion
from jingzhi.matching.rules import BENEFIT_BASES, FIELDS, OPS
from jingzhi.org.models import Unit

CONDITION_ROWS_EXTRA = 3


class PolicyForm(forms.Form):
    issuer = forms.ModelChoiceField(queryset=Unit.objects.filter(is_active=True), label=_("Issuing unit"), required=False)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *Level.choices], required=False)
    document_number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.ChoiceField(label=_("Target"), choices=PolicyVersion.Target.choices, required=False)
    no_application = forms.BooleanField(label=_("免申即享: qualifying enterprises get it without applying"), required=False)
    valid_from = forms.CharField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.CharField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    benefit_kind = forms.ChoiceField(label=_("Benefit"), choices=PolicyVersion.BenefitKind.choices, required=False)
    benefit_amount = forms.CharField(label=_("Amount (10,000 yuan)"), max_length=20, required=False)
    benefit_rate = forms.CharField(label=_("Rate (%)"), max_length=10, required=False)
    benefit_base = forms.ChoiceField(label=_("Of the figure"), required=False,
                                     choices=[("", "—"), *[(b, FIELDS[b].label) for b in BENEFIT_BASES]])
    benefit_cap = forms.CharField(label=_("Cap (10,000 yuan)"), max_length=20, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def condition_choices() -> dict[str, Any]:
    """The fields and operators the condition rows offer (the form has no free code anywhere)."""
    return {"fields": [(k, spec.label) for k, spec in FIELDS.items()],
            "ops": [(k, label) for k, label in OPS.items()]}


def conditions_from_post(data: Any) -> list[dict[str, Any]]:
    """The condition rows of the form (cond-N-field / -op / -value), blank rows skipped; checked by the service."""
    rows = []
    for i in range(100):
        field = (data.get(f"cond-{i}-field") or "").strip()
        if f"cond-{i}-field" not in data:
            break
        if not field:
            continue
        rows.append({"field": field, "op": (data.get(f"cond-{i}-op") or "").strip(),
                     "value": (data.get(f"cond-{i}-value") or "").strip()})
    return rows


def condition_rows(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Existing conditions as editable rows (lists joined by commas), plus a few blank rows."""
    rows = []
    for c in conditions:
        value = c.get("value")
        if isinstance(value, list):
            value = ", ".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        rows.append({"field": c.get("field", ""), "op": c.get("op", ""), "value": value})
    return rows + [{"field": "", "op": "", "value": ""}] * CONDITION_ROWS_EXTRA


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ObjectForm(forms.Form):
    reason = forms.CharField(label=_("Why do you object?"), max_length=300)
