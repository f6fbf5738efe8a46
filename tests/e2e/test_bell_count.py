"""Issue 11, point 10 in a real browser: the bell's unread count follows new notifications without a page reload,
under the Content-Security-Policy (a static script, no inline code), and stops asking once the session has ended."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from jingzhi.core.models import Notification
from tests.e2e.test_session_expiry import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_new_notifications_without_a_reload(live_server: Any, browser: Any, city: Any,
                                                            settings: Any) -> None:
    settings.JINGZHI_NOTIFICATION_POLL_SECONDS = 10  # the shortest the script accepts
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=300).read()
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    polls: list[int] = []
    page.on("response", lambda r: polls.append(r.status) if "/notifications/count/" in r.url else None)

    page.goto(f"{live_server.url}/login/")
    sign_in(page, "handler")
    page.goto(f"{live_server.url}/notifications/")
    bell = page.locator("a.bell")
    assert bell.locator(".count").count() == 0
    url = page.url

    Notification.objects.create(recipient=city.handler, kind="reminder", message="催办：工单即将到期")
    Notification.objects.create(recipient=city.env_handler, kind="reminder", message="别人的")  # not counted
    bell.locator(".count").wait_for(state="visible", timeout=30000)
    assert bell.locator(".count").inner_text() == "1" and page.url == url  # no reload
    assert "1" in (bell.locator(".count").get_attribute("aria-label") or "")

    Notification.objects.filter(recipient=city.handler).update(read_at=timezone.now())
    bell.locator(".count").wait_for(state="detached", timeout=30000)

    # The session ends: the next poll gets 401 and the script stops asking.
    Session.objects.all().delete()
    page.wait_for_timeout(12000)
    assert polls and polls[-1] == 401
    seen = len(polls)
    page.wait_for_timeout(12000)
    assert len(polls) == seen
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    context.close()
