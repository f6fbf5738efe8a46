"""The knowledge pages and endpoints: who gets what (access matrix), and the intake answer through the web."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.cases.models import Case, Status
from jingzhi.knowledge.models import Article, ArticleUse, Use
from jingzhi.knowledge.models import Status as ArticleStatus
from jingzhi.web.forms.fields import new_token

pytestmark = pytest.mark.django_db


def _matrix(city: Any, kb: Any) -> list[tuple[str, str, dict[str, int]]]:
    """(method, url, {user: expected status}); "anon" is a visitor who is not signed in (302 to the login page)."""
    draft, fund = kb.draft.pk, kb.fund.pk
    return [
        ("get", reverse("knowledge:list"), {"anon": 302, "operator": 200, "leader": 200, "env_handler": 200}),
        ("get", reverse("knowledge:detail", args=[fund]), {"anon": 302, "county_leader": 200, "env_handler": 200}),
        ("get", reverse("knowledge:detail", args=[draft]), {"anon": 302, "handler": 200, "env_handler": 404,
                                                            "county_handler": 404, "operator": 404}),
        ("get", reverse("knowledge:detail", args=[99999]), {"handler": 404}),
        ("get", reverse("knowledge:edit", args=[draft]), {"anon": 302, "handler": 200, "env_handler": 404}),
        ("get", reverse("knowledge:edit", args=[fund]), {"handler": 403, "unit_head": 200, "env_handler": 403}),
        ("get", reverse("knowledge:new"), {"anon": 302, "handler": 200, "leader": 403, "dispatcher": 403}),
        ("post", reverse("knowledge:act", args=[draft, "submit"]), {"anon": 302, "env_handler": 404, "leader": 404}),
        ("post", reverse("knowledge:act", args=[fund, "archive"]), {"handler": 403, "env_handler": 403}),
        ("post", reverse("knowledge:act", args=[fund, "explode"]), {"admin": 404}),
        ("get", reverse("knowledge:act", args=[draft, "submit"]), {"handler": 405}),
        ("get", reverse("knowledge:figures"), {"anon": 302, "leader": 200}),
        ("get", reverse("knowledge:synonyms"), {"anon": 302, "operator": 403, "admin": 200}),
        ("get", reverse("knowledge:intake_suggest") + "?title=公积金", {"anon": 302, "operator": 200, "dispatcher": 200,
                                                                         "handler": 403, "leader": 403}),
        ("post", reverse("knowledge:from_case"), {"anon": 302, "leader": 403, "dispatcher": 403}),
        ("post", reverse("web:intake_answer"), {"anon": 302, "dispatcher": 403, "handler": 403, "operator": 400}),
        ("get", reverse("knowledge:public_list"), {"anon": 200}),
        ("get", reverse("knowledge:public_detail", args=[fund]), {"anon": 200}),
        ("get", reverse("knowledge:public_detail", args=[kb.heat.pk]), {"anon": 404}),  # not public
        ("get", reverse("knowledge:public_detail", args=[draft]), {"anon": 404}),
    ]


def test_access_matrix(city: Any, kb: Any) -> None:
    failures = []
    for method, url, expected in _matrix(city, kb):
        for who, status in expected.items():
            client = Client()
            if who != "anon":
                client.force_login(getattr(city, who))
            response = getattr(client, method)(url)
            if response.status_code != status:
                failures.append((method, url, who, status, response.status_code))
    assert not failures
    kb.draft.refresh_from_db()
    assert kb.draft.status == ArticleStatus.DRAFT  # nothing the refused requests asked for happened


def test_pages_show_search_results_with_the_passage_marked(city: Any, kb: Any, client_for: Any) -> None:
    client = client_for(city.operator)
    body = client.get(reverse("knowledge:list"), {"q": "租房提取公积金"}).content.decode()
    assert kb.fund.title in body and "<mark>" in body
    body = client.get(reverse("knowledge:intake_suggest"), {"title": "公积金", "content": "租房能提取吗", "kind": "inquiry"}).content.decode()
    assert kb.fund.title in body and reverse("web:intake_answer") in body
    anon = Client().get(reverse("knowledge:public_list"), {"q": "供暖 公积金"}).content.decode()
    assert kb.fund.title in anon and kb.heat.title not in anon


def test_writing_and_review_through_the_pages(city: Any, client_for: Any) -> None:
    handler, head = client_for(city.handler), client_for(city.unit_head)
    bad = handler.post(reverse("knowledge:new"), {"title": "", "answer": "", "unit": city.housing.pk})
    assert bad.status_code == 400 and not Article.objects.exists()
    r = handler.post(reverse("knowledge:new"), {"title": "廉租房申请条件", "answer": "家庭人均收入低于标准。", "unit": city.housing.pk})
    article = Article.objects.get()
    assert r.status_code == 302
    handler.post(reverse("knowledge:act", args=[article.pk, "submit"]), {"version": article.version})
    head.post(reverse("knowledge:act", args=[article.pk, "publish"]), {"version": article.version})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    r = head.post(reverse("knowledge:edit", args=[article.pk]), {"title": "廉租房申请条件", "answer": "新答案", "version": 1})
    assert r.status_code == 302
    r = head.post(reverse("knowledge:edit", args=[article.pk]), {"title": "廉租房申请条件", "answer": "又一个", "version": 1})
    assert r.status_code == 400  # a stale version: the page says so, nothing changes
    article.refresh_from_db()
    assert (article.answer, article.version) == ("新答案", 2)


def _intake(city: Any, **extra: Any) -> dict[str, Any]:
    return {"token": new_token(), "channel": "hotline", "kind": "inquiry", "priority": "normal", "division": city.city.code,
            "requester_phone": "13812345678", "title": "租房提取公积金", "content": "请问租房能不能提取公积金", **extra}


def test_the_intake_form_answers_an_inquiry_with_an_article(city: Any, kb: Any, client_for: Any) -> None:
    client = client_for(city.operator)
    data = _intake(city, kb_article=kb.fund.pk)
    r = client.post(reverse("web:intake_answer"), data)
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.status == Status.CLOSED and kb.fund.ref in case.reply
    assert ArticleUse.objects.filter(case=case, article=kb.fund, use=Use.ANSWERED).count() == 1
    again = client.post(reverse("web:intake_answer"), data)  # the same form sent twice: still one case
    assert again.status_code == 302 and Case.objects.count() == 1
    r = client.post(reverse("web:intake_answer"), _intake(city, kind="complaint", kb_article=kb.fund.pk))
    assert r.status_code == 400 and "咨询" in r.content.decode() and Case.objects.count() == 1
    r = client.post(reverse("web:intake_answer"), _intake(city, kb_article=kb.draft.pk))
    assert r.status_code == 400 and Case.objects.count() == 1


def test_a_solved_case_becomes_a_draft_from_the_list_page(city: Any, client_for: Any) -> None:
    from tests.knowledge.test_cases import _solved

    case = _solved(city)
    r = client_for(city.handler).post(reverse("knowledge:from_case"), {"number": case.number})
    article = Article.objects.get(source_case=case)
    assert r.status_code == 302 and r["Location"] == reverse("knowledge:detail", args=[article.pk])
    r = client_for(city.env_handler).post(reverse("knowledge:from_case"), {"number": case.number}, follow=True)
    assert Article.objects.count() == 1 and r.status_code == 200
