"""Issue 11, point 3 in the browser: the unit head turns on reply review; the handler replies with a photo; the head
returns it with what to change; the handler edits and resubmits; the head approves and the reply goes out. Then
a 中止 request decided on the supervision board. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import struct
import urllib.request
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.cases.models import Attachment, Case, ReplyDraft, Status
from tests.e2e.test_case_lifecycle import Site
from tests.web.helpers import case_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(width: int = 8, height: int = 8) -> bytes:
    """A real (tiny, grey) PNG, as a phone's photo would be one."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _submit(site: Any, number: str, text: str, *, photo: bool) -> Any:
    page = site.page_for("handler")
    page.goto(f"{site.base}/cases/{number}/")
    panel = page.locator("#action-submit_reply")
    assert panel.count() == 1, "the handler is not offered to submit the reply for review"
    assert page.locator("#action-reply").count() == 0  # no direct reply in a reviewing unit
    panel.locator("summary").click()
    panel.locator("[name=outcome][value=resolved]").check()
    panel.locator("[name=reply]").fill(text)
    if photo:
        panel.locator("[name=attachments]").set_input_files(
            files=[{"name": "维修后现场.png", "mimeType": "image/png", "buffer": png()}])
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert page.locator(".form-error, .errorlist").count() == 0, page.locator(".form-error, .errorlist").all_inner_texts()
    return page


def test_reply_review_round_trip_and_a_suspension(live_server: Any, browser: Any, screenshot_dir: Path, city: Any) -> None:
    site = Site(browser, live_server.url, screenshot_dir)
    urllib.request.urlopen(f"{live_server.url}/login/", timeout=300).read()
    case = case_in(city, "handling", title="小区供暖温度不达标")

    # The unit head turns the review on for the unit.
    head = site.page_for("unithead")
    head.goto(f"{live_server.url}/queue/unit/settings/")
    head.locator("[name=review_replies]").check()
    with head.expect_navigation():
        head.locator("section.panel form button[type=submit]").click()
    assert head.locator(".form-error").count() == 0

    # The handler replies with a photo: it goes to the head, not to the requester.
    _submit(site, case.number, "已联系供热公司检修。", photo=True)
    assert Case.objects.get(pk=case.pk).status == Status.HANDLING
    draft = ReplyDraft.objects.get(case=case)
    assert Attachment.objects.get(case=case).draft == draft

    # The head sees it in the queue's review tab, opens it and returns it with what to change.
    head.goto(f"{live_server.url}/queue/unit/reviews/")
    assert case.number in head.locator("table.data tbody").inner_text()
    site.shot(head, "reply-review-queue")
    with head.expect_navigation():
        head.locator("a", has_text="审核").last.click()
    assert "已联系供热公司检修。" in head.locator("#reply-draft").inner_text()
    assert head.locator("a", has_text="维修后现场.png").count() == 1
    panel = head.locator("#action-return_reply")
    panel.locator("summary").click()
    panel.locator("[name=reason]").fill("请写明检修时间和检修后的室温。")
    with head.expect_navigation():
        panel.locator("button[type=submit]").click()
    draft.refresh_from_db()
    assert draft.state == ReplyDraft.State.RETURNED

    # The handler sees why, edits the reply (the form comes back filled in) and submits it again.
    handler = site.page_for("handler")
    handler.goto(f"{live_server.url}/cases/{case.number}/")
    assert "请写明检修时间和检修后的室温。" in handler.locator("#reply-draft").inner_text()
    handler.locator("#action-submit_reply summary").click()
    assert handler.locator("#action-submit_reply [name=reply]").input_value() == "已联系供热公司检修。"
    site.shot(handler, "reply-review-returned")
    _submit(site, case.number, "12月6日已联系供热公司检修，检修后室温18度。", photo=False)
    draft.refresh_from_db()
    assert (draft.state, draft.rounds) == (ReplyDraft.State.PENDING, 2)

    # The head approves: the reply goes out and the case waits for the follow-up.
    head.goto(f"{live_server.url}/cases/{case.number}/")
    panel = head.locator("#action-approve_reply")
    panel.locator("summary").click()
    site.shot(head, "reply-review-approve")
    with head.expect_navigation():
        panel.locator("button[type=submit]").click()
    row = Case.objects.get(pk=case.pk)
    assert (row.status, row.reply) == (Status.REPLIED, "12月6日已联系供热公司检修，检修后室温18度。")
    assert row.follow_up_due is not None
    timeline = head.locator("ol.timeline").inner_text()
    assert "已审核" in timeline
    # The operator, who calls the requester back, now sees the reply and its photo.
    operator = site.page_for("operator")
    operator.goto(f"{live_server.url}/cases/{case.number}/")
    assert operator.locator("a", has_text="维修后现场.png").count() == 1

    # 中止: the handler asks, the clock keeps running until the supervisor approves on the board.
    other = case_in(city, "handling", title="楼道漏水需业主配合")
    handler.goto(f"{live_server.url}/cases/{other.number}/")
    panel = handler.locator("#action-request_suspension")
    panel.locator("summary").click()
    panel.locator("[name=reason]").fill("等待业主提供入户时间")
    panel.locator("[name=resume_by]").fill((timezone.localdate() + timedelta(days=3)).isoformat())
    with handler.expect_navigation():
        panel.locator("button[type=submit]").click()
    assert Case.objects.get(pk=other.pk).status == Status.HANDLING
    supervisor = site.page_for("supervisor")
    supervisor.goto(f"{live_server.url}/supervision/?tab=suspensions")
    row_text = supervisor.locator("table.data tbody").inner_text()
    assert other.number in row_text and "等待业主提供入户时间" in row_text
    site.shot(supervisor, "suspension-requests-board")
    with supervisor.expect_navigation():
        supervisor.locator("table.data tbody button", has_text="批准").first.click()
    assert Case.objects.get(pk=other.pk).status == Status.SUSPENDED
