"""Page forms for accounts, applications and payments: they parse input; the services check it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingzhi.matching.services.accounts import AccountInput


class AccountForm(forms.Form):
    account_name = forms.CharField(label=_("Account name"), max_length=200, required=False)
    bank = forms.CharField(label=_("Bank and branch"), max_length=200, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=64, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)

    def account(self) -> AccountInput:
        d = self.cleaned_data
        return AccountInput(d.get("account_name", ""), d.get("bank", ""), d.get("account_number", ""),
                            d.get("contact_name", ""), d.get("contact_phone", ""))


class ApplyForm(AccountForm):
    statement = forms.CharField(label=_("What you apply for, in your words"), max_length=4000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))


DECISION_CHOICES = [("accept", _("Accept (受理)")), ("approve", _("Approve")), ("reject", _("Reject"))]


class ApplicationDecideForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES)
    amount = forms.CharField(label=_("Approved amount (10,000 yuan)"), max_length=20, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PayForm(forms.Form):
    amount = forms.CharField(label=_("Amount paid (10,000 yuan)"), max_length=20, required=False)
    paid_on = forms.CharField(label=_("Paid on"), max_length=20, required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)
