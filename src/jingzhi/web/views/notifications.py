"""The user's own notifications, marking them read, the live unread count and the choice of reminder channel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingzhi.core.errors import ValidationFailed
from jingzhi.core.models import NotificationPreference
from jingzhi.web.selectors import notification_list, notification_unread_count
from jingzhi.web.services import notification_mark_read, notification_preference_set

PAGE_SIZE = 50


@login_required
def notification_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    pref = NotificationPreference.objects.filter(user=request.user).values_list("channel", flat=True).first()  # type: ignore[misc]
    return render(request, "web/notifications/list.html", {
        "page": page, "notifications": page.object_list,
        "preference": pref or NotificationPreference.Channel.IN_APP,
        "preference_choices": NotificationPreference.Channel.choices,
    })


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one (id=…) or all of one's own notifications read; another user's ids simply match nothing."""
    ids = None if request.POST.get("all") else [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    notification_mark_read(user=request.user, ids=ids)  # type: ignore[arg-type]
    return redirect("web:notifications")


@login_required
@require_POST
def notification_preference(request: HttpRequest) -> HttpResponse:
    """Save one's own choice of channel for deadline reminders (the bell always; SMS or e-mail besides)."""
    try:
        notification_preference_set(actor=request.user, channel=request.POST.get("channel", ""))  # type: ignore[arg-type]
    except ValidationFailed as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("Your choice for deadline reminders is saved."))
    return redirect("web:notifications")


@require_GET
def notification_count(request: HttpRequest) -> HttpResponse:
    """The live unread count the bell polls (static/jingzhi/bell.js): one query, no session write.

    Anonymous (or a session that has just ended) → 401 JSON rather than a redirect to the sign-in page, so the
    script stops polling instead of parsing a login form. The session middleware does not count the poll as
    activity (web/signin.py), so an open tab does not keep an idle session alive.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in first.")}, status=401)
    return JsonResponse({"unread": notification_unread_count(user=request.user)})  # type: ignore[arg-type]
