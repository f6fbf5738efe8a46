"""The role gate for pages, shared by every app's views (kept below them: ADR 011)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse

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


def allowed_by(rule: Callable[[Any], bool]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in required; then `rule(user)` decides (403 otherwise). Pass the very predicate the service checks
    (e.g. earlywarning.access.may_issue), so the page's gate and the service's permission are one rule."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not rule(request.user):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
