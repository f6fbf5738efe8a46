"""The live unread count (issue 11): /notifications/count/ answers cheaply with the user's own count, is no activity
for the session, and the bell polls it; and each user's own choice of channel for deadline reminders."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhi.core.models import Notification, NotificationPreference
from jingzhi.org.signin_log import SEEN_AT
from jingzhi.web.signin import PASSIVE_PATHS
from tests.web.test_sessions import age, signed_in

pytestmark = pytest.mark.django_db

URL = "/notifications/count/"


def test_the_url_is_the_one_the_session_middleware_treats_as_passive() -> None:
    assert reverse("web:notifications_count") == URL and URL in PASSIVE_PATHS


def test_anonymous_gets_401_json_not_a_sign_in_page() -> None:
    response = Client().get(URL)
    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize("role", ["operator", "dispatcher", "handler", "unit_head", "env_handler", "county_handler",
                                  "supervisor", "leader", "county_leader", "admin"])
def test_every_role_sees_only_its_own_unread_count(city: Any, client_for: Any, role: str) -> None:
    user = getattr(city, role)
    others = [u for u in (city.handler, city.env_handler, city.county_handler, city.leader) if u.pk != user.pk]
    for other in others:  # other units, another county, another role: none of theirs is counted
        Notification.objects.create(recipient=other, kind="info", message="别人的")
    Notification.objects.create(recipient=user, kind="info", message="一")
    Notification.objects.create(recipient=user, kind="info", message="二")
    Notification.objects.create(recipient=user, kind="info", message="已读", read_at="2026-01-01T00:00:00Z")
    response = client_for(user).get(URL)
    assert response.status_code == 200 and response.json() == {"unread": 2}
    assert response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_the_count_is_one_query_besides_session_and_user(city: Any, client_for: Any) -> None:
    client = client_for(city.handler)
    client.get(URL)  # the session's first request records its start
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len([q for q in sql if "core_notification" in q]) == 1
    assert len(sql) <= 3, "\n".join(sql)  # the session, the user, the count
    assert not any(q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")) for q in sql)


def test_polling_is_not_activity_the_idle_limit_still_ends_the_session(city: Any) -> None:
    client = signed_in("handler")
    age(client, idle=10 * 60, since_sign_in=20 * 60)
    seen = client.session[SEEN_AT]
    expiry = Session.objects.get().expire_date
    response = client.get(URL)
    assert response.status_code == 200 and "sessionid" not in response.cookies  # no session write
    assert client.session[SEEN_AT] == seen and Session.objects.get().expire_date == expiry
    # A page is activity: the same request to a page moves the idle clock.
    client.get(reverse("web:notifications"))
    assert client.session[SEEN_AT] > seen
    # Idle past the limit: the poll finds the session ended and stops (401), it does not revive it.
    age(client, idle=31 * 60, since_sign_in=40 * 60)
    assert client.get(URL).status_code == 401
    assert client.get(reverse("web:notifications")).status_code == 302


def test_post_is_refused(city: Any, client_for: Any) -> None:
    assert client_for(city.handler).post(URL).status_code == 405


def test_the_bell_polls_with_a_static_script_and_works_without_it(city: Any, client_for: Any) -> None:
    Notification.objects.create(recipient=city.handler, kind="info", message="一")
    html = client_for(city.handler).get(reverse("web:notifications")).content.decode()
    assert f'data-count-url="{URL}"' in html and 'data-count-every="60"' in html
    assert "jingzhi/bell.js" in html  # a static file (the CSP allows 'self'), no inline script
    assert '<span class="count"' in html  # the count of the page's own load, for a browser without JavaScript
    assert "jingzhi/bell.js" not in Client().get(reverse("web:login")).content.decode()


def test_the_poll_interval_is_a_setting(city: Any, client_for: Any, settings: Any) -> None:
    settings.JINGZHI_NOTIFICATION_POLL_SECONDS = 120
    assert 'data-count-every="120"' in client_for(city.handler).get(reverse("web:notifications")).content.decode()


def test_the_script_is_served(city: Any) -> None:
    from django.contrib.staticfiles import finders

    path = finders.find("jingzhi/bell.js")
    assert path is not None
    source = open(path, encoding="utf-8").read()  # noqa: SIM115, PTH123
    assert "data-count-url" in source and "response.ok" in source and "visibilitychange" in source


# ------------------------------------------------------------------------------- reminder channel


PREF = "web:notifications_preference"


def test_a_user_chooses_sms_for_deadline_reminders(city: Any, client_for: Any) -> None:
    city.handler.phone = "13800138001"
    city.handler.save(update_fields=["phone"])
    client = client_for(city.handler)
    assert client.post(reverse(PREF), {"channel": "sms"}).status_code == 302
    assert NotificationPreference.objects.get(user=city.handler).channel == "sms"
    html = client.get(reverse("web:notifications")).content.decode()
    assert '<option value="sms" selected>' in html
    assert not NotificationPreference.objects.exclude(user=city.handler).exists()  # only one's own


def test_sms_without_a_phone_number_is_refused_clearly(city: Any, client_for: Any) -> None:
    client = client_for(city.env_handler)
    response = client.post(reverse(PREF), {"channel": "sms"}, follow=True)
    assert "no phone number" in response.content.decode()
    assert client.post(reverse(PREF), {"channel": "email"}, follow=True).status_code == 200
    assert client.post(reverse(PREF), {"channel": "pigeon"}, follow=True).status_code == 200
    assert not NotificationPreference.objects.exists()


def test_anonymous_cannot_set_a_preference(city: Any) -> None:
    response = Client().post(reverse(PREF), {"channel": "in_app"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert Client().get(reverse(PREF)).status_code in (302, 405)
    assert not NotificationPreference.objects.exists()

