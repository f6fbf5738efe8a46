"""Issue 10, finding #7: sessions end when idle or too old, and a form sent after the end is not lost."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from jingzhi.cases.models import Case, Status
from jingzhi.core.models import AuditLog
from jingzhi.org.signin_log import AUTH_AT, SEEN_AT
from jingzhi.web.signin import STASH
from tests.web.helpers import case_in, fresh

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123"


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def age(client: Client, *, idle: int = 0, since_sign_in: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SEEN_AT] = now - idle
    session[AUTH_AT] = now - since_sign_in
    session.save()


def test_a_session_idle_longer_than_the_limit_ends(city: Any) -> None:
    client = signed_in("operator")
    age(client, idle=31 * 60, since_sign_in=40 * 60)
    response = client.get(reverse("web:case_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    logout = AuditLog.objects.get(action="logout")
    assert logout.actor == city.operator and logout.detail["reason"] == "idle"


def test_a_session_in_use_lives_on_until_its_maximum_age(city: Any, settings: Any) -> None:
    client = signed_in("operator")
    age(client, idle=29 * 60, since_sign_in=11 * 3600)
    assert client.get(reverse("web:case_list")).status_code == 200
    age(client, idle=60, since_sign_in=12 * 3600 + 60)
    response = client.get(reverse("web:case_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert AuditLog.objects.get(action="logout").detail["reason"] == "max_age"


def test_the_limits_are_settings(city: Any, settings: Any) -> None:
    settings.JINGZHI_SESSION_IDLE_MINUTES = 5
    client = signed_in("operator")
    age(client, idle=6 * 60, since_sign_in=6 * 60)
    assert client.get(reverse("web:case_list")).status_code == 302


def test_a_return_sent_after_the_session_ended_comes_back_filled_in_after_sign_in(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    client = signed_in("handler")
    page = reverse("web:case_detail", args=[case.number])
    assert client.get(page).status_code == 200
    Session.objects.all().delete()  # the session ended (expired, or removed by the idle limit)
    reason = "该路段属于公路段养护范围，不属于本单位职责"
    response = client.post(reverse("web:case_action", args=[case.number, "return"]),
                           {"version": case.version, "reason": reason, "password": "must-not-be-kept"},
                           HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={page.replace('/', '%2F')}"
    assert "must-not-be-kept" not in str(Session.objects.get().get_decoded()[STASH])
    assert fresh(case).status == Status.DISPATCHED
    login = client.post(response["Location"], {"username": "handler", "password": PASSWORD, "next": page})
    assert login.status_code == 302 and login["Location"] == page
    html = client.get(page).content.decode()
    assert reason in html
    assert 'id="action-return" open' in html or 'id="action-return"' in html
    assert "Your session had ended" in html
    assert fresh(case).status == Status.DISPATCHED  # shown again, never sent on the user's behalf
    assert reason not in client.get(page).content.decode()  # kept once


def test_an_intake_sent_after_the_session_ended_comes_back_filled_in(city: Any) -> None:
    client = signed_in("operator")
    Session.objects.all().delete()
    text = "小区门口路灯不亮已经两周，晚上出行不便"
    response = client.post(reverse("web:intake"), {"title": "路灯不亮", "content": text, "requester_name": "王女士",
                                                   "kind": "complaint", "priority": "normal", "token": "t" * 32})
    assert response.status_code == 302
    next_page = reverse("web:intake")
    assert response["Location"].startswith(reverse("web:login"))
    client.post(reverse("web:login"), {"username": "operator", "password": PASSWORD, "next": next_page})
    html = client.get(next_page).content.decode()
    assert text in html and "王女士" in html
    assert not Case.objects.exists()


def test_another_users_kept_form_is_not_shown(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    anonymous = Client()
    anonymous.post(reverse("web:case_action", args=[case.number, "return"]), {"version": case.version, "reason": "秘密"})
    other = signed_in("dispatcher")  # a different browser: its own session, no stash
    assert "秘密" not in other.get(reverse("web:case_detail", args=[case.number])).content.decode()


def test_signing_out_keeps_nothing_and_goes_to_the_plain_sign_in_page(city: Any) -> None:
    client = signed_in("operator")
    response = client.post(reverse("web:logout"), HTTP_REFERER="http://testserver/cases/")
    assert response.status_code == 302 and response["Location"] == reverse("web:login")
    assert STASH not in client.session


def test_any_form_page_gets_its_kept_fields_once_and_no_other_page_takes_them(city: Any) -> None:
    """Issue 11.4: forms other than intake and the case actions are refilled in the browser (kept_form.js) from the
    fields the page carries; the page the form was on takes them, once; another page leaves them alone."""
    client = signed_in("operator")
    Session.objects.all().delete()
    page = reverse("knowledge:new")
    response = client.post(page, {"title": "如何办理居住证明", "answer": "携带身份证到社区服务中心办理。"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    client.post(reverse("web:login"), {"username": "operator", "password": PASSWORD, "next": page})
    assert 'id="kept-form"' not in client.get(reverse("web:case_list")).content.decode()  # not the form's page
    html = client.get(page).content.decode()
    kept = json.loads(html.split('id="kept-form" type="application/json">')[1].split("</script>")[0])
    assert kept["action"] == page and kept["fields"]["answer"] == ["携带身份证到社区服务中心办理。"]
    assert "csrfmiddlewaretoken" not in kept["fields"] and "kept_form.js" in html
    assert 'id="kept-form"' not in client.get(page).content.decode()  # once
