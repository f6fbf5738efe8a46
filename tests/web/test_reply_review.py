"""Issue 11, point 3 on the pages: the unit head's review of replies (the queue tab, the setting, approve/return on
the case page), files with the reply (uploaded, listed, downloaded only through the checked view) and 中止 requested
by the unit and decided on the supervision board; each with its access matrix (anonymous, wrong role, other unit,
other county)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingzhi.cases import services as s
from jingzhi.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    ReplyDraft,
    ReplyReviewPolicy,
    Status,
    SuspensionRequest,
)
from jingzhi.cases.services.review_policy import reply_review_policy_set
from jingzhi.core.models import AuditLog
from tests import factories as f
from tests.web.helpers import case_in, fresh

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _post(client: Client, case: Case, action: str, **data: Any) -> Any:
    return client.post(reverse("web:case_action", args=[case.number, action]), {"version": fresh(case).version, **data})


def _people(city: Any) -> dict[str, Any]:
    return {
        "env_head": f.user("unit_head", city.env, username="head_env"),
        "county_supervisor": f.user("supervisor", city.hotline, city.county_b, username="sup_ky"),
    }


def _reviewing(city: Any) -> None:
    reply_review_policy_set(actor=city.unit_head, unit=city.housing, review_replies=True)


def _snapshot(case: Case) -> tuple[int, int, int, int]:
    return (fresh(case).version, CaseEvent.objects.filter(case=case).count(), ReplyDraft.objects.filter(case=case).count(),
            SuspensionRequest.objects.filter(case=case).count())


# ---- the access matrix of every new endpoint ---------------------------------------------------------------------------


def _submitted(city: Any) -> tuple[Case, ReplyDraft]:
    _reviewing(city)
    case = case_in(city, "handling")
    return case, s.case_submit_reply(case=case, actor=city.handler, reply="已检修。", outcome="resolved")


def _asked(city: Any) -> tuple[Case, SuspensionRequest]:
    case = case_in(city, "handling")
    return case, s.case_request_suspension(case=case, actor=city.handler, reason="等待材料",
                                           resume_by=timezone.localdate() + timedelta(days=5))


# action → (make the case, data, who may, wrong role, other unit or other county)
MATRIX: dict[str, tuple[Any, Any, str, str, str]] = {
    "submit_reply": (lambda c: (_reviewing(c), case_in(c, "handling"))[1], lambda p: {"reply": "已检修。", "outcome": "resolved"},
                     "handler", "supervisor", "env_handler"),
    "approve_reply": (lambda c: _submitted(c), lambda p: {"draft": p.pk, "note": ""}, "unit_head", "handler", "env_head"),
    "return_reply": (lambda c: _submitted(c), lambda p: {"draft": p.pk, "reason": "请补充"}, "unit_head", "supervisor",
                     "env_head"),
    "request_suspension": (lambda c: case_in(c, "handling"),
                           lambda p: {"reason": "等待材料", "resume_by": (timezone.localdate() + timedelta(days=3)).isoformat()},
                           "handler", "supervisor", "county_supervisor"),
    "approve_suspension": (lambda c: _asked(c), lambda p: {"request": p.pk, "note": ""}, "supervisor", "unit_head",
                           "county_supervisor"),
    "reject_suspension": (lambda c: _asked(c), lambda p: {"request": p.pk, "note": "无需中止"}, "supervisor", "handler",
                          "county_supervisor"),
}


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_each_new_action_answers_its_access_matrix(city: Any, client_for: Any, action: str) -> None:
    make, data_of, allowed, wrong_role, outsider = MATRIX[action]
    made = make(city)
    case, prepared = made if isinstance(made, tuple) else (made, None)
    data = data_of(prepared)
    people = {**_people(city), "handler": city.handler, "unit_head": city.unit_head, "supervisor": city.supervisor,
              "env_handler": city.env_handler}
    before = _snapshot(case)

    anonymous = Client().post(reverse("web:case_action", args=[case.number, action]), data)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert _post(client_for(people[wrong_role]), case, action, **data).status_code == 403
    assert _post(client_for(people[outsider]), case, action, **data).status_code == 404
    assert _snapshot(case) == before

    response = _post(client_for(people[allowed]), case, action, **data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CaseEvent.objects.filter(case=case).count() > before[1]


@pytest.mark.parametrize("url_name", ["web:review_queue", "web:review_policy"])
def test_the_heads_pages_answer_their_access_matrix(city: Any, client_for: Any, url_name: str) -> None:
    url = reverse(url_name)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for wrong in (city.handler, city.supervisor, city.operator):
        assert client_for(wrong).get(url).status_code == 403
    assert client_for(city.unit_head).get(url).status_code == 200


def test_another_units_head_neither_sees_nor_changes_this_units_reviews(city: Any, client_for: Any) -> None:
    case, draft = _submitted(city)
    env_head = _people(city)["env_head"]
    page = client_for(env_head).get(reverse("web:review_queue")).content.decode()
    assert case.number not in page
    # The setting page changes the head's own unit only: the other unit's stays as it was.
    client_for(env_head).post(reverse("web:review_policy"), {"review_replies": ""})
    assert ReplyReviewPolicy.objects.get(unit=city.housing).review_replies is True
    assert client_for(city.unit_head).get(reverse("web:review_queue")).content.decode().count(case.number) >= 1


# ---- the round trip on the pages -----------------------------------------------------------------------------------------


def test_the_head_turns_review_on_and_a_reply_goes_round(city: Any, client_for: Any) -> None:
    head, handler = client_for(city.unit_head), client_for(city.handler)
    response = head.post(reverse("web:review_policy"), {"review_replies": "on"})
    assert response.status_code == 302 and ReplyReviewPolicy.objects.get(unit=city.housing).review_replies
    assert AuditLog.objects.filter(action="reply_review_policy_update").exists()
    case = case_in(city, "handling")
    page = handler.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert reverse("web:case_action", args=[case.number, "submit_reply"]) in page
    assert reverse("web:case_action", args=[case.number, "reply"]) not in page
    assert 'enctype="multipart/form-data"' in page

    photo = SimpleUploadedFile("维修后.png", PNG, content_type="image/png")
    assert _post(handler, case, "submit_reply", reply="已检修。", outcome="resolved", attachments=[photo]).status_code == 302
    draft = ReplyDraft.objects.get(case=case)
    queue = head.get(reverse("web:review_queue")).content.decode()
    assert case.number in queue
    assert "Replies to review" in head.get(reverse("web:unit_queue")).content.decode()
    page = head.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "Reply under review" in page and "已检修。" in page and "维修后.png" in page

    response = _post(head, case, "return_reply", draft=draft.pk, reason="")
    assert response.status_code == 400 and "Say what the handler should change." in response.content.decode()
    assert _post(head, case, "return_reply", draft=draft.pk, reason="请写明室温。").status_code == 302
    page = handler.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "请写明室温。" in page and "Returned for changes" in page
    assert _post(handler, case, "submit_reply", reply="已检修，室温18度。", outcome="resolved").status_code == 302
    assert _post(head, case, "approve_reply", draft=draft.pk, note="").status_code == 302
    row = fresh(case)
    assert (row.status, row.reply) == (Status.REPLIED, "已检修，室温18度。")
    # A second click on the same approval (the page it came from is stale) changes nothing.
    assert _post(head, case, "approve_reply", draft=draft.pk, note="").status_code == 409
    assert CaseEvent.objects.filter(case=case, action="reply").count() == 1


# ---- files: shown to who may see the case, downloaded only through the checked view -------------------------------------


def test_reply_files_are_listed_and_downloaded_only_by_who_may_see_them(city: Any, client_for: Any) -> None:
    _reviewing(city)
    case = case_in(city, "handling")
    name = "现场.png"
    draft = s.case_submit_reply(case=case, actor=city.handler, reply="见照片。", outcome="resolved",
                                attachments=[SimpleUploadedFile(name, PNG)])
    attachment = Attachment.objects.get(case=case)
    url = reverse("web:attachment", args=[case.number, attachment.pk])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_for(city.county_handler).get(url).status_code == 404  # other county
    assert client_for(city.env_handler).get(url).status_code == 404  # other unit
    # Under review: the operator sees the case, not yet the draft's file (nor the file in the list).
    assert client_for(city.operator).get(url).status_code == 404
    assert name not in client_for(city.operator).get(reverse("web:case_detail", args=[case.number])).content.decode()
    response = client_for(city.unit_head).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditLog.objects.filter(action="attachment_download", object_id=str(attachment.pk)).exists()
    s.reply_approve(draft=draft, actor=city.unit_head)
    assert client_for(city.operator).get(url).status_code == 200
    assert name in client_for(city.operator).get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert not str(attachment.file.url).startswith(url)  # the storage's own URL is never what the page links


def test_a_bad_file_on_the_page_is_a_clear_error_and_nothing_is_sent(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    exe = SimpleUploadedFile("照片.jpg", b"MZ" + b"\0" * 64)
    response = _post(client_for(city.handler), case, "reply", reply="已处理", outcome="resolved", attachments=[exe])
    assert response.status_code == 400 and "is not the kind of file its name says" in response.content.decode()
    assert fresh(case).status == Status.HANDLING and not Attachment.objects.exists()


# ---- 中止 on the supervision board --------------------------------------------------------------------------------------


def test_suspension_requests_wait_on_the_supervision_board(city: Any, client_for: Any) -> None:
    case = case_in(city, "handling")
    handler, supervisor = client_for(city.handler), client_for(city.supervisor)
    page = handler.get(reverse("web:case_detail", args=[case.number])).content.decode()
    assert "Request suspension (中止)" in page and reverse("web:case_action", args=[case.number, "suspend"]) not in page
    response = _post(handler, case, "request_suspension", reason="等待群众提供房产证", resume_by="")
    assert response.status_code == 400 and "expected resume date" in response.content.decode()
    resume_by = (timezone.localdate() + timedelta(days=4)).isoformat()
    assert _post(handler, case, "request_suspension", reason="等待群众提供房产证", resume_by=resume_by).status_code == 302
    assert fresh(case).status == Status.HANDLING
    board = supervisor.get(reverse("web:supervision") + "?tab=suspensions").content.decode()
    assert case.number in board and "等待群众提供房产证" in board and resume_by in board
    other_county = client_for(_people(city)["county_supervisor"]).get(reverse("web:supervision") + "?tab=suspensions")
    assert case.number not in other_county.content.decode()
    request = SuspensionRequest.objects.get(case=case)
    board_url = reverse("web:supervision") + "?tab=suspensions"
    response = _post(supervisor, case, "approve_suspension", request=request.pk, note="", next=board_url)
    assert response.status_code == 302 and response["Location"] == board_url
    assert fresh(case).status == Status.SUSPENDED
    assert "No suspension requests are waiting." in supervisor.get(board_url).content.decode()
