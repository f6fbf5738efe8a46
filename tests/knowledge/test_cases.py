"""The knowledge base on cases: a direct answer with an article, an article cited in the description, a draft
from a solved case with its personal data removed."""

from __future__ import annotations

from typing import Any

import pytest

from jingzhi.cases import services as cs
from jingzhi.cases.models import Status
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.knowledge import selectors
from jingzhi.knowledge.models import Article, ArticleUse, Use
from jingzhi.knowledge.models import Status as ArticleStatus
from jingzhi.knowledge.services import article_draft_from_case, case_answer_with_article
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_an_inquiry_is_answered_with_the_article_and_the_article_is_recorded(city: Any, kb: Any) -> None:
    case = CaseFactory(actor=city.operator, kind="inquiry", title="租房能提取公积金吗", content="想问租房提取公积金要带什么")
    case = case_answer_with_article(actor=city.operator, case=case, article=kb.fund)
    assert case.status == Status.CLOSED
    assert kb.fund.answer in case.reply and kb.fund.ref in case.reply  # the reply cites the article and its version
    use = ArticleUse.objects.get(case=case)
    assert (use.article, use.use, use.version, use.actor) == (kb.fund, Use.ANSWERED, kb.fund.version, city.operator)
    figures = {r["unit__name"]: r for r in selectors.usage_by_unit(city.admin)}
    assert figures[city.housing.name]["answered"] == 1


def test_only_an_inquiry_and_only_a_published_article(city: Any, kb: Any) -> None:
    complaint = CaseFactory(actor=city.operator, kind="complaint")
    with pytest.raises(ValidationFailed):
        case_answer_with_article(actor=city.operator, case=complaint, article=kb.fund)
    inquiry = CaseFactory(actor=city.operator, kind="inquiry")
    with pytest.raises(NotFound):  # a draft is not an answer
        case_answer_with_article(actor=city.operator, case=inquiry, article=kb.draft)
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ACCEPTED and not ArticleUse.objects.exists()


def test_an_article_cited_in_the_description_is_recorded_as_a_note(city: Any, kb: Any) -> None:
    case = CaseFactory(actor=city.operator, content=f"夜里工地施工。\n【{kb.noise.ref}《{kb.noise.title}》】 【{kb.draft.ref}】")
    assert list(ArticleUse.objects.filter(case=case).values_list("article", "use")) == [(kb.noise.pk, Use.NOTE)]


def _solved(city: Any, *, satisfaction: str = "satisfied") -> Any:
    case = CaseFactory(
        actor=city.operator, kind="inquiry", title="租房提取公积金咨询", requester_name="王秀兰", address="银州区柴河街7号",
        content="我叫王秀兰，电话13904101234，身份证211202199001011234，住幸福小区3栋2单元501，想问租房怎么提取公积金。")
    case = cs.case_dispatch(case=case, unit=city.housing, assisting=[], actor=city.dispatcher)
    case = cs.case_acknowledge(case=case, actor=city.handler)
    case = cs.case_reply(case=case, actor=city.handler, reply=(
        "网友“A00045581”您好！王秀兰女士：租房提取公积金带身份证、租赁合同到管理中心办理。"
        "如有疑问请致电0410-2345678或13904101234，邮箱wxl@example.com。"))
    case = cs.case_follow_up(case=case, actor=city.operator, contacted=True, resolution="resolved", satisfaction=satisfaction)
    return cs.case_close(case=case, actor=city.operator)


def test_a_solved_case_becomes_a_draft_without_personal_data(city: Any) -> None:
    case = _solved(city)
    article = article_draft_from_case(actor=city.operator, case=case)
    assert (article.status, article.unit, article.source_case) == (ArticleStatus.DRAFT, city.housing, case)
    text = f"{article.title}\n{article.questions}\n{article.answer}"
    for secret in ("王秀兰", "13904101234", "211202199001011234", "0410-2345678", "wxl@example.com", "A00045581",
                   "3栋2单元501", "银州区柴河街7号", "2345678"):
        assert secret not in text, secret
    assert "租赁合同" in article.answer and "租房" in article.questions
    assert article_draft_from_case(actor=city.operator, case=case) == article  # asked twice: the same draft
    assert Article.objects.count() == 1
    assert not Article.objects.visible_to(city.env_handler).filter(pk=article.pk).exists()  # the unit reviews it


def test_only_a_closed_satisfied_case_becomes_a_draft(city: Any) -> None:
    with pytest.raises(ValidationFailed):
        article_draft_from_case(actor=city.operator, case=_solved(city, satisfaction="unsatisfied"))
    open_case = CaseFactory(actor=city.operator)
    with pytest.raises(ValidationFailed):
        article_draft_from_case(actor=city.operator, case=open_case)
    with pytest.raises(NotFound):  # a case out of the actor's view
        article_draft_from_case(actor=city.env_handler, case=open_case)
    assert not Article.objects.exists()


def test_a_reply_citing_an_article_counts_for_the_unit_that_replied(city: Any, kb: Any) -> None:
    case = CaseFactory(actor=city.operator)
    case = cs.case_dispatch(case=case, unit=city.env, assisting=[], actor=city.dispatcher)
    case = cs.case_acknowledge(case=case, actor=city.env_handler)
    cs.case_reply(case=case, actor=city.env_handler, reply=f"夜间施工已查处。依据{kb.noise.ref}。")
    figures = {r["unit__name"]: r for r in selectors.usage_by_unit(city.admin)}
    assert figures[city.env.name]["cited"] == 1 and figures[city.housing.name]["cited"] == 0
