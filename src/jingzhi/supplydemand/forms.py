"""Page forms of supply ↔ demand: they parse input only; the services check it and name every bad field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingzhi.supplydemand.models import Listing, Unit
from jingzhi.supplydemand.places import place_choices

DATE = forms.DateInput(attrs={"type": "date"})


class ListingForm(forms.Form):
    # Choices are shown as lists but parsed as text: the service checks every field at once and names each.
    kind = forms.CharField(label=pgettext_lazy("supply", "Kind"), required=False, widget=forms.RadioSelect(choices=Listing.Kind.choices))
    enterprise = forms.IntegerField(label=_("Enterprise"), required=False, widget=forms.Select)
    title = forms.CharField(label=_("Product"), max_length=100, required=False)
    description = forms.CharField(label=pgettext_lazy("supply", "Description"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    quantity = forms.CharField(label=_("Quantity (a need: in all; a capability: per month)"), max_length=20, required=False)
    unit = forms.CharField(label=_("Unit"), required=False, widget=forms.Select(choices=[("", "—"), *Unit.choices]))
    wanted_by = forms.CharField(label=_("Wanted by (a need)"), required=False, widget=DATE)
    available_from = forms.CharField(label=_("Available from (a capability)"), required=False, widget=DATE)
    place_code = forms.CharField(label=_("Place"), required=False, widget=forms.Select)
    industry = forms.CharField(label=_("Industry (GB/T 4754, optional)"), max_length=10, required=False)
    valid_until = forms.CharField(label=_("Open until"), required=False, widget=DATE)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, enterprises: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place_code"].widget.choices = [("", _("The enterprise's own place")), *place_choices()]
        if enterprises is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].widget.choices = [("", "—"), *enterprises]


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why close it?"), max_length=200, required=False)


class IntroduceForm(forms.Form):
    need = forms.IntegerField(widget=forms.HiddenInput)
    capability = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    via = forms.IntegerField(label=_("Through a service platform"), required=False, widget=forms.Select)


class AdvanceForm(forms.Form):
    action = forms.ChoiceField(label=pgettext_lazy("supply", "Step"), choices=[("contact", _("Contacted")), ("negotiate", _("Negotiating")),
                                                         ("sign", _("Contract signed")), ("fail", _("Not concluded"))])
    value = forms.CharField(label=_("Contract value (10,000 yuan)"), max_length=20, required=False)
    signed_on = forms.CharField(label=_("Contract date"), required=False, widget=DATE)
    reason = forms.CharField(label=_("Why not concluded"), max_length=300, required=False)
