"""What every signed-in request passes through (issue 10, 等保 2.0 level 3): session time limits, the forced
password change and the second factor, and keeping a form that arrived after its session had ended.

The time limits are our own middleware rather than django-session-security (its idle check runs in
browser JavaScript, with jQuery) or django-auto-logout (0.5, last released 2022, redirects on expiry and so
loses the POST): both are a few lines here, and the expiry must hand a submitted form to FormStashMiddleware.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from jingzhi.org.access import role_of
from jingzhi.org.signin_log import AUTH_AT, SEEN_AT, session_started

STASH = "jz_form_stash"  # one form kept across a sign-in
STASH_MAX_AGE = 3600  # seconds: an older stash is dropped, not shown
# Paths a signed-in user may still reach while a password change or a second factor is due.
_GATE_OPEN = ("/account/", "/logout/", "/static/", "/i18n/", "/admin/logout/", "/admin/jsi18n/")
# Machine clients carry their own credentials; the gate and the stash are for people in a browser.
_NOT_PAGES = ("/api/", "/open311/", "/static/", "/media/")
# Requests a page makes by itself (the bell's poll, static/jingzhi/bell.js): not the user's activity, so they neither
# refresh the idle clock nor write the session; an open tab must not keep an idle session alive.
PASSIVE_PATHS = ("/notifications/count/",)
_NEVER_KEPT = {"csrfmiddlewaretoken", "password", "password1", "password2", "old_password", "new_password",
               "new_password1", "new_password2", "otp_token"}


class SessionTimeoutMiddleware:
    """Ends a session JINGZHI_SESSION_IDLE_MINUTES after its last request or JINGZHI_SESSION_MAX_HOURS after sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started, seen = request.session.get(AUTH_AT), request.session.get(SEEN_AT)
            idle = settings.JINGZHI_SESSION_IDLE_MINUTES * 60
            lifetime = settings.JINGZHI_SESSION_MAX_HOURS * 3600
            if started is None or seen is None:
                session_started(request.session)
            elif now - seen > idle or now - started > lifetime:
                # Read by the audit handler: a timeout is a sign-out the user did not ask for.
                request.jz_logout_reason = "idle" if now - seen > idle else "max_age"  # type: ignore[attr-defined]
                logout(request)
                messages.info(request, _("Your session ended after a time without activity. Please sign in again."))
            elif now - seen >= 60 and request.path_info not in PASSIVE_PATHS:
                request.session[SEEN_AT] = now
        return self.get_response(request)


def _is_page(request: HttpRequest) -> bool:
    return not request.path.startswith(_NOT_PAGES)


def second_factor_due(user: Any) -> bool:
    """Whether this user's role must sign in with a one-time code and this session has not given one yet."""
    roles = settings.JINGZHI_REQUIRE_2FA_ROLES
    if not roles or role_of(user) not in roles:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


class SignInGateMiddleware:
    """A user with an initial password, or without the second factor their role needs, goes to that page first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _is_page(request) and not request.path.startswith(_GATE_OPEN):
            target = None
            if second_factor_due(user):
                target = "web:otp_verify"
            elif getattr(user, "must_change_password", False):
                target = "web:password_change"
            if target is not None:
                url = resolve_url(target)
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)


class FormStashMiddleware:
    """An anonymous POST that the page answers with "sign in first" keeps its fields for after the sign-in.

    The fields (never the CSRF token, passwords or files) go into the new anonymous session, which survives
    the sign-in; the user is sent back to the page the form was on, which shows them filled in to be checked
    and sent again (`stash_take`). Nothing is ever submitted on the user's behalf.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method != "POST" or response.status_code != 302 or user is None or user.is_authenticated:
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        location = response.get("Location", "")
        # Only "sign in first, then come back" (login_required's ?next=), not the sign-out's plain redirect.
        if not location.startswith(f"{login_url}?") or "next=" not in location or not _is_page(request) \
                or request.headers.get("HX-Request"):
            return response
        page = _form_page(request)
        request.session[STASH] = {
            "action": request.path,
            "page": page,
            "at": int(time.time()),
            "data": {k: request.POST.getlist(k) for k in request.POST if k not in _NEVER_KEPT and "password" not in k},
            "had_files": bool(request.FILES),
        }
        response["Location"] = f"{login_url}?{urlencode({'next': page})}"
        return response


def _form_page(request: HttpRequest) -> str:
    """The page the form was on: the Referer when it is one of ours, else the address the form posted to."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        if parts.path and parts.path != resolve_url(settings.LOGIN_URL):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


@dataclass(frozen=True)
class KeptForm:
    """A form's fields kept across a sign-in: where it posted, what it held, whether files were left behind."""

    action: str
    data: QueryDict
    had_files: bool


def stash_take(request: HttpRequest, *, action: str | Callable[[str], bool]) -> KeptForm | None:
    """The kept fields of a form that posted to `action` (a path, or a test on the path), once; None if none."""
    stash = request.session.get(STASH)
    if not isinstance(stash, dict) or not getattr(request.user, "is_authenticated", False):
        return None
    path = str(stash.get("action", ""))
    if not (action(path) if callable(action) else path == action):
        return None
    del request.session[STASH]
    if int(time.time()) - int(stash.get("at", 0)) > STASH_MAX_AGE:
        return None
    data = QueryDict(mutable=True)
    for key, values in (stash.get("data") or {}).items():
        data.setlist(str(key), [str(v) for v in values])
    return KeptForm(action=path, data=data, had_files=bool(stash.get("had_files")))


def stash_take_for_page(request: HttpRequest) -> KeptForm | None:
    """On the page a kept form was on, any page (GET, not a fragment): the kept fields, once.

    The intake form and the case page read their forms' fields themselves (stash_take, server-side, with the
    form's own errors); every other form gets them back through web/static/jingzhi/kept_form.js, which fills the
    form that posted to the kept action. So every form survives a re-authentication, not only those two.
    """
    if request.method != "GET" or request.headers.get("HX-Request"):
        return None
    stash = request.session.get(STASH) if hasattr(request, "session") else None
    if not isinstance(stash, dict) or urlsplit(str(stash.get("page", ""))).path != request.path:
        return None
    return stash_take(request, action=lambda path: True)


def stash_notice(request: HttpRequest, had_files: bool) -> None:
    """Tell the user the form is theirs from before the sign-in, to check and send again."""
    text = _("Your session had ended, so this form was not sent. What you typed is filled in again: check it and send it.")
    if had_files:
        text += " " + _("Attached files are not kept: attach them again.")
    messages.warning(request, text)

