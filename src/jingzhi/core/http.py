"""Request helpers that the pages of every app share (web, dispatch, metrics, campaigns, …).

They live down here, not in web, so that a feature app's views never import an app above it (ADR 011).
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from jingzhi.core.errors import ApplicationError


def apply_error(form: forms.Form, error: ApplicationError) -> str:
    """Put each field message next to its field; return what is left for the top of the form."""
    leftovers: list[str] = []
    for name, message in error.fields.items():
        if name in form.fields and not isinstance(form.fields[name].widget, forms.HiddenInput):
            form.add_error(name, str(message))
        else:
            leftovers.append(str(message))
    top = str(error.message)
    if leftovers and all(m != top for m in leftovers):
        top = " ".join([top, *leftovers])
    return top


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
