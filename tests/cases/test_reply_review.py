"""Issue 11, point 3: the unit head reviews replies before they go out, files go with the reply, and 中止 waits for
a supervisor's approval. Services only (the pages: tests/web/test_reply_review.py; races: test_concurrency.py)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingzhi.cases import selectors
from jingzhi.cases import services as s
from jingzhi.cases.models import (
    Attachment,
    Case,
    ReplyDraft,
    ReplyReviewPolicy,
    Status,
    Supervision,
    SuspensionRequest,
)
from jingzhi.cases.services.review_policy import reply_review_policy_set
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from jingzhi.core.models import AuditLog, Notification
from tests import factories as f
from tests.cases.helpers import MINUTE, MONDAY, case_in, events, fresh, last_event, sh

pytestmark = pytest.mark.django_db

LATER = MONDAY + timedelta(hours=2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def reviewing(city: Any) -> ReplyReviewPolicy:
    return reply_review_policy_set(actor=city.unit_head, unit=city.housing, review_replies=True)


def submit(city: Any, case: Case, text: str = "已联系供热公司检修，室温已恢复。", **kw: Any) -> ReplyDraft:
    return s.case_submit_reply(case=case, actor=city.handler, reply=text, outcome="resolved", at=kw.pop("at", LATER), **kw)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a service and its after-commit work (the notifications), as a real request would."""

    def run(call: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def notified(kind_text: str) -> list[str]:
    return sorted(n.recipient.username for n in Notification.objects.select_related("recipient") if kind_text in n.message)


# ---- the policy ---------------------------------------------------------------------------------------------------------


def test_the_policy_is_off_by_default_and_only_the_units_head_or_an_administrator_changes_it(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    assert selectors.allowed_actions(case=case, user=city.handler).count(Action.REPLY) == 1
    for outsider in (city.handler, f.user("unit_head", city.env, username="env_head"), city.supervisor):
        with pytest.raises(PermissionDenied):
            reply_review_policy_set(actor=outsider, unit=city.housing, review_replies=True)
    assert not ReplyReviewPolicy.objects.exists()
    reviewing(city)
    assert AuditLog.objects.filter(action="reply_review_policy_update", object_id=str(city.housing.pk)).count() == 1
    reply_review_policy_set(actor=city.admin, unit=city.housing, review_replies=True)  # no change: no audit row
    assert AuditLog.objects.filter(action="reply_review_policy_update").count() == 1
    actions = selectors.allowed_actions(case=case, user=city.handler)
    assert Action.SUBMIT_REPLY in actions and Action.REPLY not in actions
    head = selectors.allowed_actions(case=case, user=city.unit_head)
    assert Action.REPLY in head and Action.SUBMIT_REPLY not in head  # the reviewer replies directly


def test_without_review_a_handler_cannot_submit_and_with_it_cannot_reply_directly(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with pytest.raises(InvalidTransition):
        submit(city, case)
    reviewing(city)
    before = fresh(case).version
    with pytest.raises(InvalidTransition, match="reviewed"):
        s.case_reply(case=case, actor=city.handler, reply="已处理", outcome="resolved", at=LATER)
    assert (fresh(case).status, fresh(case).version) == (Status.HANDLING, before)


# ---- the round trip -------------------------------------------------------------------------------------------------------


def test_submit_return_resubmit_approve(city: Any, committed: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING)
    draft = committed(lambda: submit(city, case, "已处理。"))
    row = fresh(case)
    assert (row.status, row.reply, row.replied_at) == (Status.HANDLING, "", None)  # nothing went out yet
    assert notified("waits for your review") == ["unithead"]
    assert Action.SUBMIT_REPLY not in selectors.allowed_actions(case=case, user=city.handler)  # one at a time
    assert {Action.APPROVE_REPLY, Action.RETURN_REPLY} <= set(selectors.allowed_actions(case=case, user=city.unit_head))
    assert list(selectors.review_queue(user=city.unit_head)) == [draft]

    with pytest.raises(ValidationFailed) as exc:
        s.reply_return(draft=draft, actor=city.unit_head, reason=" ", at=LATER)
    assert set(exc.value.fields) == {"reason"}
    committed(lambda: s.reply_return(draft=draft, actor=city.unit_head, reason="请写明检修时间和室温。", at=LATER + MINUTE))
    draft.refresh_from_db()
    assert (draft.state, draft.decision_note) == (ReplyDraft.State.RETURNED, "请写明检修时间和室温。")
    assert notified("was returned") == ["handler"]
    assert list(selectors.review_queue(user=city.unit_head)) == []
    assert Action.SUBMIT_REPLY in selectors.allowed_actions(case=case, user=city.handler)

    again = submit(city, case, "11月4日已检修，室温18度。", at=LATER + 2 * MINUTE)
    assert (again.pk, again.rounds, again.state) == (draft.pk, 2, ReplyDraft.State.PENDING)  # the same draft, edited
    approved = committed(lambda: s.reply_approve(draft=again, actor=city.unit_head, note="同意", at=LATER + 3 * MINUTE))
    row = fresh(case)
    assert approved.state == ReplyDraft.State.APPROVED
    # It went out exactly as a direct reply: status, text, outcome, time, the follow-up clock, supervision reset.
    assert (row.status, row.reply, row.outcome, row.replied_at) == (
        Status.REPLIED, "11月4日已检修，室温18度。", "resolved", LATER + 3 * MINUTE)
    assert row.follow_up_due is not None and row.follow_up_due > row.replied_at and row.supervision == Supervision.NONE
    tail = [(a, fr, to) for a, fr, to in events(case)][-4:]
    assert tail == [("submit_reply", "handling", "handling"), ("return_reply", "handling", "handling"),
                    ("submit_reply", "handling", "handling"), ("reply", "handling", "replied")]
    reply = last_event(case)
    assert (reply.actor, reply.note, reply.data["written_by"], reply.data["reviewed"], reply.data["rounds"]) == (
        city.unit_head, "11月4日已检修，室温18度。", "handler", True, 2)
    assert notified("approved and sent") == ["handler"]


def test_the_submitted_text_stays_out_of_the_history_until_it_goes_out(city: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING)
    submit(city, case, "草稿：内部措辞")
    assert last_event(case).note == ""


def test_a_decided_draft_cannot_be_decided_again(city: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING)
    draft = submit(city, case)
    s.reply_approve(draft=draft, actor=city.unit_head, at=LATER)
    with pytest.raises(InvalidTransition):  # the case has moved on (replied) as well
        s.reply_approve(draft=draft, actor=city.unit_head, at=LATER)
    assert [a for a, _f, _t in events(case)].count("reply") == 1


def test_a_second_submission_while_one_waits_is_refused(city: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING)
    submit(city, case)
    with pytest.raises(InvalidTransition, match="already waiting"):
        submit(city, case, "第二稿")
    assert ReplyDraft.objects.filter(case=case).count() == 1


def test_only_the_lead_units_head_decides(city: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING, assisting=(city.env,))
    draft = submit(city, case)
    for actor in (city.handler, city.supervisor, f.user("unit_head", city.env, username="env_head")):
        with pytest.raises(PermissionDenied):
            s.reply_approve(draft=draft, actor=actor, at=LATER)
    draft.refresh_from_db()
    assert draft.state == ReplyDraft.State.PENDING and fresh(case).status == Status.HANDLING


def test_a_transfer_or_the_heads_own_reply_lapses_the_draft(city: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING)
    draft = submit(city, case)
    s.case_reply(case=case, actor=city.unit_head, reply="由科长直接答复。", outcome="explained", at=LATER)
    draft.refresh_from_db()
    assert draft.state == ReplyDraft.State.LAPSED
    other = case_in(city, Status.HANDLING)
    draft = submit(city, other)
    s.case_transfer(case=other, unit=city.env, actor=city.dispatcher, reason="涉及环保", at=LATER)
    draft.refresh_from_db()
    assert draft.state == ReplyDraft.State.LAPSED


# ---- files with the reply -------------------------------------------------------------------------------------------------


def test_a_direct_reply_keeps_its_files(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    s.case_reply(case=case, actor=city.handler, reply="已修复，见照片。", outcome="resolved", at=LATER,
                 attachments=[upload("维修后.png", PNG), upload("检测报告.pdf", PDF), upload("说明.docx", docx())])
    files = Attachment.objects.filter(case=case).order_by("pk")
    assert [(a.name, a.purpose, a.draft_id, a.uploaded_by) for a in files] == [
        ("维修后.png", "reply", None, city.handler), ("检测报告.pdf", "reply", None, city.handler),
        ("说明.docx", "reply", None, city.handler)]
    assert last_event(case).data["files"] == ["维修后.png", "检测报告.pdf", "说明.docx"]


@pytest.mark.parametrize(("files", "message"), [
    ([upload("run.exe", b"MZ" + b"0" * 10)], "accepted file type"),
    ([upload("photo.png", b"MZ" + b"0" * 10)], "not the kind of file"),  # a program renamed to .png
    ([upload("report.docx", b"PK\x03\x04" + b"0" * 10)], "not the kind of file"),  # a zip that is no document
    ([upload("empty.pdf", b"")], "not the kind of file"),
    ([upload(f"{i}.png", PNG) for i in range(6)], "at most 5 files"),
])
def test_files_are_checked_by_name_content_number_and_size_and_nothing_changes(
    city: Any, files: list[Any], message: str
) -> None:
    case = case_in(city, Status.HANDLING)
    version = fresh(case).version
    with pytest.raises(ValidationFailed, match=message) as exc:
        s.case_reply(case=case, actor=city.handler, reply="已修复", outcome="resolved", at=LATER, attachments=files)
    assert set(exc.value.fields) == {"attachments"}
    assert (fresh(case).version, Attachment.objects.count()) == (version, 0)


def test_the_size_limits_are_settings(city: Any, settings: Any) -> None:
    settings.JINGZHI_REPLY_ATTACHMENTS = {"MAX_FILES": 5, "MAX_BYTES": 50, "MAX_TOTAL_BYTES": 1000}
    case = case_in(city, Status.HANDLING)
    with pytest.raises(ValidationFailed, match="larger than"):
        s.case_reply(case=case, actor=city.handler, reply="已修复", outcome="resolved", at=LATER,
                     attachments=[upload("big.png", PNG)])
    settings.JINGZHI_REPLY_ATTACHMENTS = {"MAX_FILES": 5, "MAX_BYTES": 1000, "MAX_TOTAL_BYTES": 100}
    with pytest.raises(ValidationFailed, match="add up to at most"):
        s.case_reply(case=case, actor=city.handler, reply="已修复", outcome="resolved", at=LATER,
                     attachments=[upload("a.png", PNG), upload("b.png", PNG)])
    assert fresh(case).status == Status.HANDLING and not Attachment.objects.exists()


def test_files_of_a_draft_are_the_units_until_approved(city: Any) -> None:
    reviewing(city)
    case = case_in(city, Status.HANDLING)
    draft = submit(city, case, attachments=[upload("现场.png", PNG)])
    (attachment,) = Attachment.objects.filter(case=case)
    assert attachment.draft == draft
    assert selectors.attachment_visible(attachment=attachment, user=city.unit_head)
    assert selectors.attachment_visible(attachment=attachment, user=city.admin)
    assert not selectors.attachment_visible(attachment=attachment, user=city.operator)
    s.reply_approve(draft=draft, actor=city.unit_head, at=LATER)
    attachment.refresh_from_db()
    assert selectors.attachment_visible(attachment=attachment, user=city.operator)
    assert last_event(case).data["files"] == ["现场.png"]


# ---- 中止 under the supervisor's approval ---------------------------------------------------------------------------------


def _ask(city: Any, case: Case, at: Any = LATER) -> SuspensionRequest:
    return s.case_request_suspension(case=case, actor=city.handler, reason="等待群众提供房产证", resume_by=at.date() + timedelta(days=5),
                                     at=at)


def test_a_request_stops_nothing_until_a_supervisor_approves(city: Any, committed: Any) -> None:
    case = case_in(city, Status.HANDLING)  # complaint dispatched Mon 09:10: reply due Wed 2024-11-13 17:30
    request = committed(lambda: _ask(city, case, at=sh(2024, 11, 8, 9, 0)))
    row = fresh(case)
    assert (row.status, row.paused_at) == (Status.HANDLING, None)
    assert notified("asks to suspend") == ["supervisor"]
    assert list(selectors.supervision_board(user=city.supervisor)["suspensions"]) == [request]
    assert Action.REQUEST_SUSPENSION not in selectors.allowed_actions(case=case, user=city.handler)
    committed(lambda: s.suspension_approve(request=request, actor=city.supervisor, at=sh(2024, 11, 8, 13, 0)))
    row = fresh(case)
    assert (row.status, row.paused_at) == (Status.SUSPENDED, sh(2024, 11, 8, 13, 0))  # paused from the approval
    assert events(case)[-2:] == [("request_suspension", "handling", "handling"), ("suspend", "handling", "suspended")]
    assert last_event(case).data["resume_by"] == "2024-11-13"
    assert notified("approved; the reply clock") == ["handler", "unithead"]
    assert list(selectors.supervision_board(user=city.supervisor)["suspensions"]) == []
    s.case_resume(case=case, actor=city.handler, at=sh(2024, 11, 11, 9, 0))  # resume is as it was
    # Paused Friday 13:00–17:30 and Monday 08:30–09:00: five working hours later than before.
    assert fresh(case).reply_due == sh(2024, 11, 14, 13, 30)


def test_a_rejected_request_leaves_the_case_handling_and_needs_a_reason(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    request = _ask(city, case)
    with pytest.raises(ValidationFailed):
        s.suspension_reject(request=request, actor=city.supervisor, note="", at=LATER)
    s.suspension_reject(request=request, actor=city.supervisor, note="材料可自行调取", at=LATER)
    assert (fresh(case).status, fresh(case).paused_at) == (Status.HANDLING, None)
    assert last_event(case).action == "reject_suspension"
    with pytest.raises(InvalidTransition, match="already been decided"):
        s.suspension_approve(request=request, actor=city.supervisor, at=LATER)
    assert fresh(case).status == Status.HANDLING


def test_a_unit_cannot_suspend_on_its_own_and_a_request_needs_a_date(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    request = _ask(city, case)
    for actor in (city.handler, city.unit_head, city.leader):
        with pytest.raises(PermissionDenied):
            s.suspension_approve(request=request, actor=actor, at=LATER)
    with pytest.raises(InvalidTransition, match="already waiting"):
        _ask(city, case)
    other = case_in(city, Status.HANDLING)
    for resume_by in (None, LATER.date() - timedelta(days=1), LATER.date() + timedelta(days=181)):
        with pytest.raises(ValidationFailed) as exc:
            s.case_request_suspension(case=other, actor=city.handler, reason="等待", resume_by=resume_by, at=LATER)
        assert set(exc.value.fields) == {"resume_by"}
    assert not SuspensionRequest.objects.filter(case=other).exists()


def test_a_pending_request_lapses_when_the_unit_replies(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    request = _ask(city, case)
    s.case_reply(case=case, actor=city.handler, reply="群众已提供材料并办结。", outcome="resolved", at=LATER + MINUTE)
    request.refresh_from_db()
    assert request.state == SuspensionRequest.State.LAPSED
    assert list(selectors.supervision_board(user=city.supervisor)["suspensions"]) == []
