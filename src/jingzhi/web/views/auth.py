"""Sign in, sign out, and the home page that sends each role to where it works."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jingzhi.org.access import role_of
from jingzhi.web.context import PAGES, pages_for

# The first page a role works in: leaders start on their dashboard (the truth at a glance), administrators on
# the case list.
HOME_PAGE = {
    "operator": "intake",
    "dispatcher": "dispatch",
    "handler": "unit",
    "unit_head": "unit",
    "supervisor": "supervision",
    "leader": "dashboard",
    "admin": "cases",
    "enterprise": "door",
}


class LoginView(auth_views.LoginView):
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest) -> HttpResponse:
    key = HOME_PAGE.get(role_of(request.user)) or pages_for(request.user)[0]
    return redirect(PAGES[key][0])
