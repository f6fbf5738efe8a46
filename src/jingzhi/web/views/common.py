"""What the page modules share: role gates, turning service errors into form errors, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from jingzhi.core.errors import ApplicationError
from jingzhi.org.access import has_role


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in required; then only these roles (and administrators) see the page, others get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if roles and not has_role(request.user, roles):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


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
