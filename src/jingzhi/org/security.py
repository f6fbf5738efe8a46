"""Writes about signing in (issue 10): changing one's password, unlocking a locked sign-in, the TOTP second factor.

Every one of them is audited through `audit_record`; no password or one-time code is ever written there.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.org.access import is_admin
from jingzhi.org.models import User
from jingzhi.org.passwords import password_problems

TOTP_DEVICE_NAME = "TOTP"


def password_change(*, actor: User, old_password: str, new_password: str, new_password_again: str) -> User:
    """The signed-in user replaces their password; it must meet the policy and differ from the old one."""
    errors: dict[str, str] = {}
    if not actor.check_password(old_password or ""):
        errors["old_password"] = _("This is not your current password.")
    if (new_password or "") != (new_password_again or ""):
        errors["new_password2"] = _("The two new passwords differ.")
    elif not new_password:
        errors["new_password1"] = _("Enter a new password.")
    elif old_password and new_password == old_password:
        errors["new_password1"] = _("The new password must differ from the current one.")
    elif problems := password_problems(new_password, actor):
        errors["new_password1"] = problems
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(actor=user, action="password_changed", object_type="user", object_id=user.pk,
                     detail={"username": user.username})
    return user


def login_unlock(*, actor: User, attempt_ids: Iterable[int]) -> int:
    """An administrator lifts sign-in lockouts (django-axes' attempt rows); each lifted row is audited."""
    from axes.models import AccessAttempt

    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators may unlock sign-ins."))
    with transaction.atomic():
        attempts = list(AccessAttempt.objects.select_for_update().filter(pk__in=list(attempt_ids)))
        for attempt in attempts:
            audit_record(actor=actor, action="login_unlocked", object_type="user", object_id=attempt.username or "",
                         detail={"username": attempt.username or "", "ip": attempt.ip_address or "",
                                 "failures": attempt.failures_since_start})
        AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return len(attempts)


def otp_device_for(user: User, *, confirmed: bool | None = True) -> Any:
    """The user's TOTP device (confirmed, or the one being enrolled), or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-pk").first()


def otp_enrolment_start(*, actor: User) -> Any:
    """A new, unconfirmed TOTP device for the signed-in user (or the one already waiting for its first code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if otp_device_for(actor, confirmed=True) is not None:
        raise ValidationFailed(_("You already have an authenticator. Ask an administrator to reset it."))
    device = otp_device_for(actor, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def otp_secret_text(device: Any) -> str:
    """The key as people type it into an authenticator app: base32, in groups of four."""
    key = base64.b32encode(bytes(device.bin_key)).decode("ascii").rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def otp_enrolment_confirm(*, actor: User, token: str) -> Any:
    """The first right code from the app confirms the device; audited `otp_enrolled`."""
    device = otp_device_for(actor, confirmed=False)
    if device is None:
        raise ValidationFailed(_("Start the set-up again."))
    if not device.verify_token((token or "").strip()):
        audit_record(actor=actor, action="otp_failed", object_type="user", object_id=actor.pk,
                     detail={"username": actor.username, "step": "enrolment"})
        msg = _("The code is not right. Check the time on your phone and enter the newest code.")
        raise ValidationFailed(msg, fields={"otp_token": msg})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=actor, action="otp_enrolled", object_type="user", object_id=actor.pk,
                 detail={"username": actor.username})
    return device


def otp_check(*, actor: User, token: str, ip: str = "") -> Any:
    """The second step of a sign-in: the code must match the user's confirmed device (which throttles guesses)."""
    device = otp_device_for(actor, confirmed=True)
    if device is None:
        raise ValidationFailed(_("You have no authenticator yet."))
    if not device.verify_token((token or "").strip()):
        audit_record(actor=actor, action="otp_failed", object_type="user", object_id=actor.pk,
                     detail={"username": actor.username, "ip": ip, "step": "sign-in"})
        msg = _("The code is not right, or too many codes were tried: wait a little and enter the newest code.")
        raise ValidationFailed(msg, fields={"otp_token": msg})
    audit_record(actor=actor, action="otp_verified", object_type="user", object_id=actor.pk,
                 detail={"username": actor.username, "ip": ip})
    return device


def otp_devices_reset(*, actor: User, users: Iterable[User]) -> int:
    """An administrator removes users' authenticators (a lost phone); they enrol again at the next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators may reset a second factor."))
    count = 0
    with transaction.atomic():
        for user in users:
            deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
            count += deleted
            audit_record(actor=actor, action="otp_reset", object_type="user", object_id=user.pk,
                         detail={"username": user.username, "devices": deleted})
    return count
