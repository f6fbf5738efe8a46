"""Issue 10, finding #2: repeated wrong passwords lock the sign-in (django-axes), and every sign-in event is audited."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingzhi.core.models import AuditLog

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123"


def attempt(client: Client, username: str, password: str, *, url: str | None = None, ip: str = "10.0.0.1",
            **extra: Any) -> Any:
    return client.post(url or reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def actions(**filters: Any) -> list[str]:
    return list(AuditLog.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def test_five_wrong_passwords_lock_the_account_on_that_address_even_for_the_right_password(city: Any) -> None:
    client = Client()
    for _ in range(4):
        response = attempt(client, "dispatcher", "wrong-guess-1")
        assert response.status_code == 200 and not signed_in(client)
    response = attempt(client, "dispatcher", "wrong-guess-5")
    assert response.status_code == 429
    assert "this account is locked" in response.content.decode()
    response = attempt(client, "dispatcher", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    assert "Try again after" in response.content.decode()
    assert actions() == ["login_failed"] * 5 + ["lockout", "login_failed"]
    blocked = AuditLog.objects.filter(action="login_failed").order_by("id").last()
    assert blocked is not None
    assert blocked.detail["username"] == "dispatcher" and blocked.detail["ip"] == "10.0.0.1" and blocked.detail["locked"]
    assert blocked.object_id == str(city.dispatcher.pk)
    everything = json.dumps(list(AuditLog.objects.values_list("detail", flat=True)))
    assert "wrong-guess" not in everything and PASSWORD not in everything


def test_the_lock_message_is_in_chinese_by_default(city: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    client = Client()
    for _ in range(5):
        response = attempt(client, "dispatcher", "wrong-guess-1")
    assert response.status_code == 429
    assert "已被锁定" in response.content.decode()


def test_the_limit_and_the_cool_off_are_settings(city: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    assert attempt(client, "dispatcher", "wrong-guess-1").status_code == 200
    assert attempt(client, "dispatcher", "wrong-guess-2").status_code == 200
    assert attempt(client, "dispatcher", "wrong-guess-3").status_code == 429
    # After the cool-off (default 15 minutes) the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = attempt(client, "dispatcher", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert actions(actor=city.dispatcher) == ["login"]


def test_a_lock_does_not_stop_other_people_or_the_same_person_elsewhere(city: Any) -> None:
    for _ in range(5):
        attempt(Client(), "dispatcher", "wrong-guess-1", ip="10.0.0.1")
    elsewhere = Client()
    assert attempt(elsewhere, "dispatcher", PASSWORD, ip="10.0.0.2").status_code == 302 and signed_in(elsewhere)
    colleague = Client()
    assert attempt(colleague, "operator", PASSWORD, ip="10.0.0.3").status_code == 302 and signed_in(colleague)


def test_one_guess_for_each_of_many_users_locks_the_address(city: Any) -> None:
    for username in ("operator", "handler", "unithead", "supervisor", "leader"):
        attempt(Client(), username, "Spring-2026!", ip="10.0.0.9")
    client = Client()
    assert attempt(client, "dispatcher", PASSWORD, ip="10.0.0.9").status_code == 429 and not signed_in(client)


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(city: Any) -> None:
    client = Client()
    for n in range(5):
        attempt(client, "dispatcher", "wrong-guess-1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = attempt(client, "dispatcher", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77")
    assert response.status_code == 429 and not signed_in(client)


def test_the_admin_sign_in_is_locked_too(city: Any) -> None:
    client = Client()
    url = reverse("admin:login")
    for _ in range(5):
        response = attempt(client, "admin", "wrong-guess-1", url=url)
    assert response.status_code == 429
    assert attempt(client, "admin", PASSWORD, url=url).status_code == 429 and not signed_in(client)
    assert AuditLog.objects.filter(action="lockout", detail__path=url).count() == 1


def test_an_administrator_unlocks_and_the_unlock_is_audited(city: Any) -> None:
    for _ in range(5):
        attempt(Client(), "dispatcher", "wrong-guess-1")
    admin = Client()
    admin.force_login(city.admin)
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(reverse("admin:axes_accessattempt_changelist"),
                          {"action": "unlock", "_selected_action": [str(i) for i in ids]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    unlock = AuditLog.objects.get(action="login_unlocked")
    assert unlock.actor == city.admin and unlock.detail["username"] == "dispatcher" and unlock.detail["ip"] == "10.0.0.1"
    client = Client()
    assert attempt(client, "dispatcher", PASSWORD).status_code == 302 and signed_in(client)


def test_only_administrators_reach_the_lockout_list(city: Any) -> None:
    client = Client()
    client.force_login(city.supervisor)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_sign_in_and_sign_out_are_audited_with_the_address(city: Any) -> None:
    client = Client()
    assert attempt(client, "handler", PASSWORD, ip="10.1.2.3").status_code == 302
    client.post(reverse("web:logout"), REMOTE_ADDR="10.1.2.3")
    rows = list(AuditLog.objects.order_by("id").values_list("actor__username", "action", "detail__ip"))
    assert rows == [("handler", "login", "10.1.2.3"), ("handler", "logout", "10.1.2.3")]


def test_a_success_before_the_limit_clears_the_count(city: Any) -> None:
    client = Client()
    for _ in range(4):
        attempt(client, "dispatcher", "wrong-guess-1")
    assert attempt(client, "dispatcher", PASSWORD).status_code == 302
    client.post(reverse("web:logout"))
    for _ in range(4):
        assert attempt(client, "dispatcher", "wrong-guess-1").status_code == 200


def test_signing_in_to_ones_own_account_does_not_wipe_the_guesses_at_others(city: Any) -> None:
    attacker = Client()
    for _ in range(3):
        attempt(attacker, "dispatcher", "wrong-guess-1")
    assert attempt(attacker, "operator", PASSWORD).status_code == 302  # the attacker's own, valid account
    attacker.post(reverse("web:logout"), REMOTE_ADDR="10.0.0.1")
    attempt(attacker, "dispatcher", "wrong-guess-4")
    assert attempt(attacker, "dispatcher", "wrong-guess-5").status_code == 429


def test_the_lockout_list_speaks_chinese(city: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    for _ in range(5):
        attempt(Client(), "dispatcher", "wrong-guess-1")
    admin = Client()
    admin.force_login(city.admin)
    html = admin.get(reverse("admin:axes_accessattempt_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录失败次数" in html and "解除所选登录锁定" in html and "dispatcher" in html
