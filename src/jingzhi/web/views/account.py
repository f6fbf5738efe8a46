"""The signed-in user's own account: change the password, the second factor; and the page a locked sign-in gets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.errors import ApplicationError
from jingzhi.org import security
from jingzhi.web.signin import second_factor_due
from jingzhi.web.views.common import apply_error, safe_next


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("current password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=gettext_lazy("new password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=gettext_lazy("new password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class OtpForm(forms.Form):
    otp_token = forms.CharField(label=gettext_lazy("six-digit code"), max_length=8,
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


def _policy_help() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return [str(t) for t in password_validators_help_texts()]


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the page every user with an initial password is sent to first."""
    user: Any = request.user
    form = PasswordChangeForm(request.POST or None)
    error = ""
    if request.method == "POST":
        try:
            security.password_change(actor=user, old_password=request.POST.get("old_password", ""),
                                     new_password=request.POST.get("new_password1", ""),
                                     new_password_again=request.POST.get("new_password2", ""))
        except ApplicationError as e:
            form.is_valid()
            error = apply_error(form, e)
        else:
            user.refresh_from_db()
            update_session_auth_hash(request, user)  # the other sessions of this user end; this one goes on
            messages.success(request, _("Your password was changed."))
            return redirect(safe_next(request, "/"))
    context = {"form": form, "form_error": error, "forced": user.must_change_password,
               "policy": _policy_help(), "next": request.GET.get("next") or request.POST.get("next", "")}
    return render(request, "web/auth/password_change.html", context, status=400 if error else 200)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in for the roles that need it; enrols an authenticator first if there is none."""
    from django_otp import login as otp_login

    user: Any = request.user
    if not second_factor_due(user):
        return redirect(safe_next(request, "/"))
    device = security.otp_device_for(user, confirmed=True)
    enrolling = device is None
    if enrolling:
        device = security.otp_enrolment_start(actor=user)
    form = OtpForm(request.POST or None)
    error = ""
    if request.method == "POST":
        token = request.POST.get("otp_token", "")
        try:
            if enrolling:
                device = security.otp_enrolment_confirm(actor=user, token=token)
            else:
                device = security.otp_check(actor=user, token=token, ip=request.META.get("REMOTE_ADDR", ""))
        except ApplicationError as e:
            form.is_valid()
            error = apply_error(form, e)
        else:
            otp_login(request, device)
            return redirect(safe_next(request, "/"))
    context: dict[str, Any] = {"form": form, "form_error": error, "enrolling": enrolling,
                               "next": request.GET.get("next") or request.POST.get("next", "")}
    if enrolling:
        context["secret"] = security.otp_secret_text(device)
        context["qr_svg"] = _qr_svg(device.config_url)
    return render(request, "web/auth/otp.html", context, status=400 if error else 200)


def _qr_svg(data: str) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here (no service on the internet)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes calls this instead of the sign-in page while a username+address or an address is locked."""
    from axes.models import AccessAttempt

    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    ip = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
    latest = AccessAttempt.objects.filter(ip_address=ip).order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    until = (latest or timezone.now()) + cool_off
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    context = {"until": timezone.localtime(until), "minutes": minutes, "admin": request.path.startswith("/admin/")}
    return render(request, "web/auth/locked.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
