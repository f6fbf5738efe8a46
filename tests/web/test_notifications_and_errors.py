"""Notifications (own only, mark read), the error pages in the house look, and the language switch."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.core.models import Notification
from tests.web.helpers import case_in

pytestmark = pytest.mark.django_db


def test_dispatch_notifies_the_unit_and_the_nav_counts_it(
    city: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in(city, "dispatched", unit=city.housing)
    client = client_for(city.handler)
    assert Notification.objects.filter(recipient=city.handler, read_at__isnull=True).count() == 1
    html = client.get(reverse("web:notifications")).content.decode()
    assert case.number in html
    assert '<span class="count"' in html  # the unread count in the top bar


def test_mark_one_and_mark_all_read(city: Any, client_for: Any) -> None:
    n1 = Notification.objects.create(recipient=city.handler, kind="info", message="一")
    Notification.objects.create(recipient=city.handler, kind="info", message="二")
    theirs = Notification.objects.create(recipient=city.env_handler, kind="info", message="三")
    client = client_for(city.handler)
    assert client.post(reverse("web:notifications_read"), {"id": [n1.pk, theirs.pk]}).status_code == 302
    assert Notification.objects.filter(recipient=city.handler, read_at__isnull=True).count() == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None  # another user's notification is untouched
    client.post(reverse("web:notifications_read"), {"all": "1"})
    assert Notification.objects.filter(recipient=city.handler, read_at__isnull=True).count() == 0
    assert "三" not in client.get(reverse("web:notifications")).content.decode()


def test_404_page_uses_the_house_look(city: Any, client_for: Any) -> None:
    response = client_for(city.admin).get("/cases/TL19990101-000001/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "jingzhi/app.css" in html and "404" in html


def test_403_page_uses_the_house_look(city: Any, client_for: Any) -> None:
    response = client_for(city.handler).get(reverse("web:intake"))
    assert response.status_code == 403
    assert "jingzhi/app.css" in response.content.decode()


def test_500_template_renders_without_a_request() -> None:
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "500" in html and "jingzhi/app.css" in html


def test_login_page_and_sign_in(city: Any) -> None:
    client = Client()
    html = client.get(reverse("web:login")).content.decode()
    assert 'name="username"' in html and "jingzhi/app.css" in html
    response = client.post(reverse("web:login"), {"username": "dispatcher", "password": "test-pass-123"})
    assert response.status_code == 302
    assert client.get(reverse("web:home"))["Location"] == reverse("web:dispatch_queue")
    response = client.post(reverse("web:login"), {"username": "dispatcher", "password": "wrong"})
    assert "form-error" in Client().post(reverse("web:login"), {"username": "x", "password": "y"}).content.decode()


def test_sign_out(city: Any, client_for: Any) -> None:
    client = client_for(city.operator)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert client.get(reverse("web:intake")).status_code == 302


def test_language_switch(city: Any, client_for: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default
    client = client_for(city.operator)
    assert 'lang="zh-hans"' in client.get(reverse("web:intake")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("web:intake")})
    assert response.status_code == 302
    assert 'lang="en"' in client.get(reverse("web:intake")).content.decode()


def test_nav_shows_the_pages_of_the_role(city: Any, client_for: Any) -> None:
    html = client_for(city.dispatcher).get(reverse("web:case_list")).content.decode()
    assert f'href="{reverse("web:dispatch_queue")}"' in html
    assert f'href="{reverse("web:unit_queue")}"' not in html
    html = client_for(city.handler).get(reverse("web:case_list")).content.decode()
    assert f'href="{reverse("web:unit_queue")}"' in html and f'href="{reverse("web:intake")}"' not in html
