"""Search in Chinese: segmentation, the city's synonyms, typo tolerance, the matching passage; the same on both
databases (this file runs on SQLite and, with DATABASE_URL, on PostgreSQL's full-text index)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.knowledge import selectors
from jingzhi.knowledge.models import Article, SearchTerm
from jingzhi.knowledge.search import search
from jingzhi.knowledge.services import article_update, synonym_save

pytestmark = pytest.mark.django_db


def _top(user: Any, text: str) -> list[int]:
    return [h.article.pk for h in selectors.article_list(user, q=text)]


def test_everyday_words_find_the_article_with_the_passage_marked(city: Any, kb: Any) -> None:
    hits = selectors.intake_suggestions(city.operator, "请问我租房子住，能不能把公积金取出来用？")
    assert hits[0].article == kb.fund
    marked = "".join(piece for piece, on in hits[0].passage if on)
    assert "租房" in marked and "公积金" in marked  # the matching words of the passage are marked
    assert _top(city.operator, "工地晚上施工太吵睡不着")[0] == kb.noise.pk
    assert _top(city.operator, "暖气几号来")[0] == kb.heat.pk


def test_a_typo_is_forgiven(city: Any, kb: Any) -> None:
    # 公积金 mistyped 公基金 and 供暖 as 供援: the character pairs still match.
    assert _top(city.operator, "住房公基金怎么提取")[0] == kb.fund.pk
    assert _top(city.operator, "城区集中供援什么时候开始")[0] == kb.heat.pk


def test_synonyms_are_data_and_reindex_the_base(city: Any, kb: Any) -> None:
    assert kb.heat.pk not in _top(city.operator, "采暖期")
    with pytest.raises(PermissionDenied):
        synonym_save(actor=city.operator, words="供暖 采暖")
    with pytest.raises(ValidationFailed):
        synonym_save(actor=city.admin, words="供暖")
    synonym_save(actor=city.admin, words="供暖 采暖 供热")
    assert _top(city.operator, "采暖期")[0] == kb.heat.pk


def test_search_keeps_to_the_users_scope(city: Any, kb: Any) -> None:
    assert kb.draft.pk in _top(city.handler, "老旧小区加装电梯补贴")
    assert kb.draft.pk not in _top(city.env_handler, "老旧小区加装电梯补贴")  # another unit's draft
    public = [h.article.pk for h in selectors.public_search("供暖什么时候开始")]
    assert kb.heat.pk not in public  # published but not public
    assert [h.article.pk for h in selectors.public_search("租房提取公积金")][0] == kb.fund.pk
    assert search("", Article.objects.visible_to(AnonymousUser())) == []


def test_an_edit_is_searchable_at_once(city: Any, kb: Any) -> None:
    assert kb.heat.pk not in _top(city.operator, "地暖清洗")
    article_update(actor=city.unit_head, article=kb.heat, questions="地暖需要清洗吗")
    assert _top(city.operator, "地暖清洗")[0] == kb.heat.pk


def test_odd_input_gives_no_error(city: Any, kb: Any) -> None:
    for text in ["'\"", "KB-000001 OR 1=1", "a" * 600, "\u0000\u200b", "😀😀", "NEAR(公积金)", "*"]:
        selectors.article_list(city.operator, q=text)
        selectors.public_search(text)


def _df(term: str) -> int:
    return SearchTerm.objects.filter(term=term).values_list("df", flat=True).first() or 0


def test_term_counts_follow_every_write(city: Any, kb: Any) -> None:
    # What the ranking weighs terms by: how many articles hold each term, kept by the services on every write.
    docs, fund = _df(""), _df("公积金")
    assert docs == Article.objects.count() and fund == 1
    article_update(actor=city.unit_head, article=kb.heat, questions="暖气费可以用公积金交吗")
    assert _df("公积金") == 2 and _df("") == docs
    article_update(actor=city.unit_head, article=kb.heat, questions="今年几号开始供暖")
    assert _df("公积金") == 1
    synonym_save(actor=city.admin, words="供暖 采暖 供热")  # re-indexes every article: the counts stay true
    assert _df("") == docs and _df("供暖") == 1 and _df("采暖") == 0


def test_an_article_whose_title_the_question_covers_comes_first(city: Any, kb: Any) -> None:
    # A long answer that shares many of the question's common words does not push out the article whose short
    # title the question states in full (the second stage's coverage share; ADR 018).
    from jingzhi.knowledge.services import article_create
    from tests.knowledge.conftest import publish

    long_answer = "小区物业管理，业主委员会，物业费收取，小区停车，小区绿化，物业服务合同，小区门禁。" * 4
    general = publish(article_create(actor=city.handler, title="物业管理常见问题", answer=long_answer, unit=city.housing))
    lift = publish(article_create(actor=city.handler, title="加装电梯扰民", unit=city.housing,
                                  answer="施工时间为每日8时至18时，噪声超标可向街道反映。"))
    question = "我们小区物业不管，小区正在加装电梯，每天早上6点就开始施工，严重扰民，物业说不归他们管，小区业主很无奈。"
    top = [h.article.pk for h in selectors.intake_suggestions(city.operator, question)]
    assert top[0] == lift.pk and general.pk in top


def test_a_narrow_scope_is_searched_within_itself(city: Any, kb: Any, monkeypatch: Any) -> None:
    # The candidates are first ranked over the whole base and then checked against the scope; when the best of the
    # base are all outside a narrow scope (here the public pages), the scoped query runs (search._candidates).
    from jingzhi.knowledge import search as search_module

    monkeypatch.setattr(search_module, "CANDIDATES", 1)
    monkeypatch.setattr(search_module, "WIDEN", 1)
    question = "城区集中供暖什么时候开始，供暖期间能提取公积金交暖气费吗"
    assert search_module.search(question, selectors.intake_scope(city.operator), limit=1)[0].article == kb.heat
    public = search_module.search(question, Article.objects.visible_to(AnonymousUser()), limit=1)
    assert [h.article for h in public] == [kb.fund]  # heat is not public; the fund article is found, not nothing


def test_the_index_says_which_articles_hold_each_term_and_where(city: Any, kb: Any) -> None:
    # The candidate stage (search._matches) reads per-term matches from the full-text index and the stored lengths;
    # both databases must answer the same: the stored terms, head or not, and the lengths kept on every write.
    from jingzhi.knowledge import search as search_module

    article_update(actor=city.unit_head, article=kb.heat, questions="暖气费可以用公积金交吗")
    heat = Article.objects.get(pk=kb.heat.pk)
    assert heat.search_head_terms == len(heat.search_head.split()) > 0
    assert heat.search_body_terms == len(heat.search_body.split()) > 0
    found = {(i, pk): (head, hl, bl) for i, pk, head, hl, bl in search_module._matches(["公积金", "银行卡"])}
    fund = Article.objects.get(pk=kb.fund.pk)
    assert found[(0, heat.pk)] == (True, heat.search_head_terms, heat.search_body_terms)  # now in heat's questions
    assert found[(0, fund.pk)][0] is True and found[(1, fund.pk)][0] is False  # 银行卡 only in the fund answer
    assert {pk for i, pk in found if i == 1} == {fund.pk}


def test_a_long_description_is_read_up_to_its_first_query_chars(city: Any, kb: Any) -> None:
    # What follows the first QUERY_CHARS characters of a pasted description is not segmented (ADR 018, night):
    # the article it names there is not found, while the same words at the start find it.
    from jingzhi.knowledge import search as search_module

    filler = "，" * search_module.QUERY_CHARS
    assert _top(city.operator, "城区集中供暖什么时候开始" + filler)[0] == kb.heat.pk
    assert kb.heat.pk not in _top(city.operator, filler + "城区集中供暖什么时候开始")


def test_each_body_is_counted_at_index_time_and_kept_on_every_write(city: Any, kb: Any) -> None:
    # The rescoring reads a question's terms from the stored counts instead of the body text (ADR 018, 2026-12-08):
    # they must equal counting the stored body terms, after a write too, and the migration writes the same format.
    import importlib
    from collections import Counter

    from jingzhi.knowledge import search as search_module

    migration = importlib.import_module("jingzhi.knowledge.migrations.0008_search_body_counts")
    article_update(actor=city.unit_head, article=kb.fund, answer="提取公积金带身份证。租房提取公积金带租赁合同，公积金当日到账。")
    for a in Article.objects.all():
        body = Counter(a.search_body.split())
        assert body and a.search_body_counts == search_module.body_counts(a.search_body) == migration.counts(a.search_body)
        wanted = {*list(body)[:5], "不在正文里的词"}
        assert search_module.counted(a.search_body_counts, wanted) == {t: body[t] for t in wanted if t in body}
    fund = Article.objects.get(pk=kb.fund.pk)
    assert search_module.counted(fund.search_body_counts, {"公积金", "租房", "暖气"}) == {"公积金": 3, "租房": 1}
    assert search_module.counted("", {"公积金"}) == {} and search_module.body_counts("") == ""


def test_the_first_stage_chooses_the_rarest_terms_and_reads_their_matches(city: Any, kb: Any, monkeypatch: Any) -> None:
    # One statement on PostgreSQL (counts, choice and matches), two on SQLite: both give the SearchTerm counts, the
    # rarest terms by (count, term) within the budget, and exactly the per-term matches of `_matches`.
    from jingzhi.knowledge import search as search_module

    article_update(actor=city.unit_head, article=kb.heat, questions="暖气费可以用公积金交吗")
    terms = sorted({"公积金", "银行卡", "供热", "暖气", "不在库里的词"})
    stored = dict(SearchTerm.objects.filter(term__in=terms, df__gt=0).values_list("term", "df"))
    assert stored["公积金"] == 2 and "不在库里的词" not in stored
    monkeypatch.setattr(search_module, "CANDIDATE_TERMS", 2)
    df, n, chosen, matches = search_module._first_stage(terms)
    assert df == stored and n == Article.objects.count()
    assert chosen == sorted(stored, key=lambda t: (stored[t], t))[:2] and "公积金" not in chosen  # the commonest is left out
    assert sorted(matches) == sorted(search_module._matches(chosen))
    monkeypatch.setattr(search_module, "CANDIDATE_TERMS", 64)
    monkeypatch.setattr(search_module, "POSTINGS_FLOOR", 3)  # a budget of 3 postings: the rarest terms while they fit
    df, n, chosen, matches = search_module._first_stage(terms)
    spent = [sum(sorted(stored.values())[:k]) for k in range(1, len(stored) + 1)]
    assert len(chosen) == max(1, sum(s <= 3 for s in spent)) and len(chosen) < len(stored)
    assert {(i, pk) for i, pk, *_ in matches} == {(i, pk) for i, pk, *_ in search_module._matches(chosen)}


def test_the_passage_marks_the_words_whatever_their_case(city: Any, kb: Any) -> None:
    # The pattern is built from the question's terms the passage holds (text.highlight); a term in another case in
    # the answer (ETC typed etc) is still marked, and terms the passage lacks are not. (A short sentence is shown with
    # the next one.)
    from jingzhi.knowledge import text

    pieces = text.highlight("高速公路ETC办理请到银行网点。其他问题请拨打热线。", {"etc", "办理", "公积金", "热线"})
    assert [p for p, on in pieces if on] == ["ETC", "办理", "热线"]
    assert "".join(p for p, _on in pieces) == "高速公路ETC办理请到银行网点。其他问题请拨打热线。"
