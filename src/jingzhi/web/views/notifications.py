"""The user's own notifications, and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingzhi.web.selectors import notification_list
from jingzhi.web.services import notification_mark_read

PAGE_SIZE = 50


@login_required
def notification_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "web/notifications/list.html", {"page": page, "notifications": page.object_list})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one (id=…) or all of one's own notifications read; another user's ids simply match nothing."""
    ids = None if request.POST.get("all") else [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    notification_mark_read(user=request.user, ids=ids)  # type: ignore[arg-type]
    return redirect("web:notifications")
