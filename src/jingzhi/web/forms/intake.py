"""The operator's intake form and the citizen's submission form. The service validates; these only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.models import Channel, ContactPreference, Kind, Priority
from jingzhi.org.selectors import division_choices
from jingzhi.web.forms.fields import MultipleFileField, TokenField, textarea

INTAKE_CHANNELS = [(c.value, c.label) for c in (Channel.HOTLINE, Channel.WINDOW, Channel.LETTER)]
PUBLIC_KINDS = [
    (k.value, k.label) for k in (Kind.COMPLAINT, Kind.HELP, Kind.INQUIRY, Kind.SUGGESTION, Kind.REPORT, Kind.PRAISE)
]


def _select(choices: list[tuple[str, Any]], blank: str | Any) -> forms.Select:
    return forms.Select(choices=[("", blank), *choices])


class _CaseFields(forms.Form):
    """Fields both forms share. Plain text fields: the service answers with its own, specific messages."""

    division = forms.CharField(label=_("Division"), required=False)
    address = forms.CharField(label=_("Address"), required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    title = forms.CharField(label=_("Title"), required=False, strip=False)
    content = forms.CharField(label=_("Description"), required=False, strip=False, widget=textarea(6))
    attachments = MultipleFileField(label=_("Attachments"), help_text=_("Photos, PDF, Office documents or audio; at most 10 MB each."))
    token = TokenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].widget = _select(division_choices(), _("— choose the place —"))


class IntakeForm(_CaseFields):
    requester_name = forms.CharField(label=_("Requester's name"), required=False, max_length=50)
    requester_phone = forms.CharField(label=_("Phone"), required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    requester_id_number = forms.CharField(
        label=_("ID number"), required=False, help_text=_("Optional; 18 characters."),
        widget=forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off"}),
    )
    contact_preference = forms.CharField(
        label=_("Contact preference"), required=False, initial=ContactPreference.SMS,
        help_text=_("The case number and the reply are sent by SMS unless the requester asks otherwise."),
        widget=forms.Select(choices=ContactPreference.choices),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=INTAKE_CHANNELS, initial=Channel.HOTLINE)
    kind = forms.CharField(label=_("Kind"), required=False, widget=_select(Kind.choices, _("— choose —")))
    priority = forms.CharField(label=_("Priority"), required=False, initial=Priority.NORMAL, widget=forms.Select(choices=Priority.choices))
    # Sent by a "register as a duplicate" button of the duplicates panel (web/intake/_duplicates.html), not rendered.
    duplicate_of = forms.CharField(required=False, max_length=32)

    field_order = [
        "requester_name", "requester_phone", "requester_id_number", "contact_preference", "channel", "division", "address",
        "kind", "priority", "title", "content", "attachments", "token",
    ]


class PublicSubmitForm(_CaseFields):
    requester_name = forms.CharField(label=_("Your name"), required=False, max_length=50)
    requester_phone = forms.CharField(
        label=_("Your phone"), required=False,
        help_text=_("We call you back on this number. You look up your request with its last four digits."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_preference = forms.CharField(
        label=_("How may we contact you?"), required=False, initial=ContactPreference.SMS,
        help_text=_("We send the case number and our reply by SMS unless you choose otherwise."),
        widget=forms.Select(choices=ContactPreference.choices),
    )
    kind = forms.CharField(label=_("What is it?"), required=False, widget=_select(PUBLIC_KINDS, _("— choose —")))

    field_order = ["kind", "requester_name", "requester_phone", "contact_preference", "division", "address", "title", "content", "attachments", "token"]

    def __init__(self, *args: Any, captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # static/jingzhi/cascade.js turns the one long select into county → township → community; without
        # the script the select works as it is, and the service validates the code either way.
        self.fields["division"].widget.attrs.update({
            "data-cascade": reverse("web:public_divisions"),
            "data-cascade-labels": "|".join(str(x) for x in (
                _("County / district"), _("Township / subdistrict"), _("Community / village"), _("— choose —"))),
        })
        if captcha:  # asked from an address's third submission within the hour on (web/public_doors.py)
            from captcha.fields import CaptchaField

            self.fields["captcha"] = CaptchaField(
                label=_("Characters in the picture"), help_text=_("Type the characters you see; not case-sensitive."),
                error_messages={"invalid": _("The characters do not match the picture. Try the new picture.")},
            )

    def clean_attachments(self) -> list[Any]:
        # Checked here, before the service stores anything: how many files, and how much in all.
        files: list[Any] = self.cleaned_data.get("attachments") or []
        max_files, max_bytes = public_upload_limits()
        if len(files) > max_files:
            raise forms.ValidationError(_("Attach at most %(max)d files (you chose %(n)d).") % {"max": max_files, "n": len(files)})
        total = sum(f.size or 0 for f in files)
        if total > max_bytes:
            raise forms.ValidationError(
                _("The attachments may add up to at most %(max)d MB (yours: %(n).1f MB).")
                % {"max": max_bytes // (1024 * 1024), "n": total / (1024 * 1024)})
        return files

    def clean_kind(self) -> str:
        # The public may not file enterprise needs or disputes here; those have their own channels.
        kind = self.cleaned_data.get("kind") or ""
        if kind and kind not in dict(PUBLIC_KINDS):
            raise forms.ValidationError(_("Choose the kind of request."))
        return kind


def public_upload_limits() -> tuple[int, int]:
    """(number of files, total bytes) one public submission may carry."""
    return settings.JINGZHI_PUBLIC_UPLOAD_MAX_FILES, settings.JINGZHI_PUBLIC_UPLOAD_MAX_BYTES


class PublicLookupForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone_last4 = forms.CharField(
        label=_("Last four digits of your phone"), max_length=4, min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}", "autocomplete": "off"}),
    )
