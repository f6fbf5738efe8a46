"""Page forms of enterprise service: they parse input only; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.models import Satisfaction
from jingzhi.enterprises.models import NeedChannel
from jingzhi.org.models import Division, Enterprise, EnterpriseTag


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=40)
    division = forms.ModelChoiceField(queryset=Division.objects.all(), label=_("Division"))
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    industry = forms.CharField(label=_("Industry (GB/T 4754)"), max_length=10, required=False)
    size = forms.ChoiceField(label=_("Size"), choices=[("", "—"), *Enterprise.Size.choices], required=False)
    employees = forms.CharField(label=_("Employees"), max_length=10, required=False)
    tags = forms.MultipleChoiceField(label=_("Tags"), choices=EnterpriseTag.Tag.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class NeedForm(forms.Form):
    title = forms.CharField(label=_("What do you need?"), max_length=200)
    content = forms.CharField(label=_("Details"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    channel = forms.ChoiceField(label=_("Channel"), choices=NeedChannel.choices, initial=NeedChannel.DESK, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Your rating of the answer"), choices=Satisfaction.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Comment"), max_length=500, required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    met = forms.CharField(label=_("Met with"), max_length=100, required=False)
    asked = forms.CharField(label=_("What was asked"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    promised = forms.CharField(label=_("What was promised"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    promise_due = forms.DateField(label=_("Promised by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class InviteForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))


class FiguresForm(forms.Form):
    """One year's figures; text fields, so that the service names what is wrong with a figure (checks.amount)."""

    year = forms.CharField(label=_("Year"), max_length=4)
    output = forms.CharField(label=_("Output (10,000 yuan)"), max_length=20, required=False)
    tax = forms.CharField(label=_("Tax paid (10,000 yuan)"), max_length=20, required=False)
    rd_spend = forms.CharField(label=_("R&D spend (10,000 yuan)"), max_length=20, required=False)
    employees = forms.CharField(label=_("Employees"), max_length=10, required=False)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Person's name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    position = forms.CharField(label=_("Position"), max_length=50, required=False)
