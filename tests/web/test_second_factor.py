"""Issue 10: the optional TOTP second factor for the roles named in JINGZHI_REQUIRE_2FA_ROLES, with real codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhi.core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123"


def code(device: TOTPDevice, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (offset: that many 30-second steps later)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + offset)
    return f"{value:0{device.digits}d}"


def after_the_throttle(device: TOTPDevice) -> None:
    """django-otp makes a device wait 2^(n-1) s after n wrong codes; let that time pass."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2 ** device.throttling_failure_count))


def sign_in(username: str) -> Client:
    client = Client()
    assert client.post(reverse("web:login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def two_factor(settings: Any) -> None:
    settings.JINGZHI_REQUIRE_2FA_ROLES = ["admin", "supervisor"]


def test_off_by_default(city: Any) -> None:
    client = sign_in("supervisor")
    assert client.get(reverse("web:supervision")).status_code == 200


def test_a_supervisor_enrols_with_a_real_code_and_then_works(city: Any, two_factor: None) -> None:
    client = sign_in("supervisor")
    response = client.get(reverse("web:supervision"))
    verify = reverse("web:otp_verify")
    assert response.status_code == 302 and response["Location"].startswith(verify)
    page = client.get(response["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=city.supervisor)
    assert not device.confirmed
    assert "<svg" in page and "otpauth" not in page.split("<svg", 1)[0][-200:]  # the QR is drawn inline
    secret = page.split('id="otp-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    wrong = client.post(verify, {"otp_token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert client.get(reverse("web:supervision")).status_code == 302
    assert client.post(verify, {"otp_token": code(device)}).status_code == 400  # throttled: even the right code waits
    device.refresh_from_db()
    after_the_throttle(device)
    done = client.post(verify, {"otp_token": code(device), "next": "/supervision/"})
    assert done.status_code == 302 and done["Location"] == "/supervision/"
    assert client.get(reverse("web:supervision")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert list(AuditLog.objects.filter(actor=city.supervisor).order_by("id").values_list("action", flat=True)) == [
        "login", "otp_failed", "otp_failed", "otp_enrolled"]


def test_a_later_sign_in_asks_for_the_code_and_refuses_a_wrong_one(city: Any, two_factor: None) -> None:
    device = TOTPDevice.objects.create(user=city.admin, name="TOTP", confirmed=True)
    client = sign_in("admin")
    verify = reverse("web:otp_verify")
    page = client.get(verify).content.decode()
    assert 'id="otp-secret"' not in page  # the key is shown at enrolment only
    assert client.post(verify, {"otp_token": code(device, offset=40)}).status_code == 400
    assert client.get(reverse("admin:index")).status_code == 302
    device.refresh_from_db()
    after_the_throttle(device)
    assert client.post(verify, {"otp_token": code(device)}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    actions = list(AuditLog.objects.filter(actor=city.admin).order_by("id").values_list("action", flat=True))
    assert actions == ["login", "otp_failed", "otp_verified"]


def test_other_roles_are_not_asked(city: Any, two_factor: None) -> None:
    client = sign_in("handler")
    assert client.get(reverse("web:unit_queue")).status_code == 200
    assert client.get(reverse("web:otp_verify")).status_code == 302


def test_an_administrator_resets_a_lost_device_and_it_is_audited(city: Any, two_factor: None) -> None:
    TOTPDevice.objects.create(user=city.supervisor, name="TOTP", confirmed=True)
    admin = Client()
    admin.force_login(city.admin)
    TOTPDevice.objects.create(user=city.admin, name="TOTP", confirmed=True)
    # force_login has no second step: verify this admin session with a real code first.
    admin_device = TOTPDevice.objects.get(user=city.admin)
    assert admin.post(reverse("web:otp_verify"), {"otp_token": code(admin_device)}).status_code == 302
    response = admin.post(reverse("admin:org_user_changelist"),
                          {"action": "reset_second_factor", "_selected_action": [str(city.supervisor.pk)]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=city.supervisor).exists()
    reset = AuditLog.objects.get(action="otp_reset")
    assert reset.actor == city.admin and reset.detail == {"username": "supervisor", "devices": 1}
