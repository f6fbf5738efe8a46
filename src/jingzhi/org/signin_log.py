"""django-axes, told to write every sign-in event to our audit log (issue 10).

`AuditingAxesHandler` is axes' database handler (it works with SQLite and PostgreSQL alike, no cache needed)
plus one `audit_record` per event: `login_failed` (also when refused during a lockout), `lockout` (the failure
that locked), `login`, `logout`. The detail holds the username and client address, never the password.
Only sign-ins over HTTP are recorded (and counted by axes): the test client's force_login() and the shell's
(a bare request without a path) are not.
"""

from __future__ import annotations

import time
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.http import HttpRequest

from jingzhi.core.audit import audit_record

# A session's clocks, read by web.signin.SessionTimeoutMiddleware (idle and absolute limits).
AUTH_AT = "jz_auth_at"  # when this session signed in (epoch seconds)
SEEN_AT = "jz_seen_at"  # the last request (epoch seconds), written at most once a minute


def session_started(session: Any) -> None:
    """Start a new sign-in's clocks (at sign-in; a session without them gets them on its next request)."""
    now = int(time.time())
    session[AUTH_AT] = now
    session[SEEN_AT] = now


def _over_http(request: HttpRequest | None) -> bool:
    return request is not None and bool(getattr(request, "path", ""))


def _detail(request: HttpRequest, username: str, **extra: Any) -> dict[str, Any]:
    return {"username": username, "ip": getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", ""),
            "path": request.path, **extra}


def _user_named(username: str) -> Any:
    from jingzhi.org.models import User

    return User.objects.filter(username=username).first() if username else None


class AuditingAxesHandler(AxesDatabaseHandler):
    """Axes' database handler that also writes each sign-in event to the audit log."""

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        already_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if not _over_http(request):
            return
        username = str((credentials or {}).get("username") or "")[:150]
        user = _user_named(username)
        object_id = user.pk if user is not None else ""
        audit_record(actor=None, action="login_failed", object_type="user", object_id=object_id,
                     detail=_detail(request, username, locked=already_locked,
                                    failures=getattr(request, "axes_failures_since_start", None)))
        if not already_locked and getattr(request, "axes_locked_out", False):
            audit_record(actor=None, action="lockout", object_type="user", object_id=object_id,
                         detail=_detail(request, username, failures=getattr(request, "axes_failures_since_start", None)))

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """A success clears only this username's failures from this address.

        Axes would clear every attempt matching any lockout parameter, the address's included: anyone with
        one valid account could then wipe the count of their guesses at others' accounts by signing in.
        """
        from axes.models import AccessAttempt

        username = (credentials or {}).get("username")
        if not username:
            return 0
        deleted, _rows = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return deleted

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        session = getattr(request, "session", None)
        if session is not None:
            session_started(session)
        if _over_http(request):
            super().user_logged_in(sender, request, user, **kwargs)
            audit_record(actor=user, action="login", object_type="user", object_id=user.pk,
                         detail=_detail(request, user.get_username()))

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if not _over_http(request):
            return
        super().user_logged_out(sender, request, user, **kwargs)
        if user is not None:
            audit_record(actor=user, action="logout", object_type="user", object_id=user.pk,
                         detail=_detail(request, user.get_username(),
                                        reason=getattr(request, "jz_logout_reason", "signed_out")))


class SignInGuardBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in that comes with a request (the web and admin sign-in forms).

    `authenticate()` without a request (the test client's login(), a shell) cannot be attributed to a
    client; axes would raise, so it is left to the password backend alone.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
