"""Small form building blocks shared by the intake, public and action forms."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks types and sizes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def new_token() -> str:
    """A one-time token for a form: the same submission sent twice carries the same token."""
    return secrets.token_hex(16)


class TokenField(forms.CharField):
    """The hidden one-time token that becomes the case's idempotency key."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.HiddenInput, required=True, **kwargs)
        self.error_messages["required"] = _("This form has expired. Please reload the page and submit again.")

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not _TOKEN.match(value or ""):
            raise forms.ValidationError(_("This form has expired. Please reload the page and submit again."))
        return str(value)


def idempotency_key(namespace: str, token: str) -> str:
    # A namespace keeps tokens from a web form apart from keys that imports or APIs choose.
    return f"{namespace}:{token}"


def textarea(rows: int = 3, **attrs: Any) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})
