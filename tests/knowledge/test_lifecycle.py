"""An article's life (draft → review → published → archived), who may do what, who sees what, versions, flags."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.knowledge.models import Article, ArticleVersion, Status
from jingzhi.knowledge.services import article_create, article_flag_sweep, article_transition, article_update

pytestmark = pytest.mark.django_db


def test_draft_review_publish_by_the_responsible_units_head(city: Any) -> None:
    a = article_create(actor=city.handler, title="  住房公积金贷款额度 ", answer="最高60万元。", unit=city.housing)
    assert (a.status, a.version, a.title) == (Status.DRAFT, 1, "住房公积金贷款额度")
    with pytest.raises(PermissionDenied):  # a handler writes, only the head publishes
        article_transition(actor=city.handler, article=a, action="publish")
    a = article_transition(actor=city.handler, article=a, action="submit")
    assert a.status == Status.REVIEW
    with pytest.raises(ValidationFailed):  # returning needs a reason
        article_transition(actor=city.unit_head, article=a, action="return")
    a = article_transition(actor=city.unit_head, article=a, action="return", note="写清楚额度的计算方法")
    assert a.status == Status.DRAFT
    a = article_update(actor=city.handler, article=a, answer="最高60万元，按缴存余额的15倍计算。", expected_version=1)
    assert a.version == 2
    with pytest.raises(InvalidTransition):  # a stale page
        article_update(actor=city.handler, article=a, answer="x", expected_version=1)
    a = article_transition(actor=city.handler, article=a, action="submit")
    a = article_transition(actor=city.unit_head, article=a, action="publish")
    assert a.status == Status.PUBLISHED and a.published_at is not None
    with pytest.raises(PermissionDenied):  # a published article is changed by its reviewers only
        article_update(actor=city.handler, article=a, answer="随便改")
    a = article_update(actor=city.unit_head, article=a, answer="最高60万元。", review_due=date(2027, 6, 30))
    assert (a.status, a.version) == (Status.PUBLISHED, 3)
    events = list(ArticleVersion.objects.filter(article=a).values_list("event", flat=True))
    assert events == ["created", "submit", "return", "edited", "submit", "publish", "edited"]
    assert ArticleVersion.objects.get(article=a, event="return").note == "写清楚额度的计算方法"
    with pytest.raises(InvalidTransition):  # published cannot be submitted again
        article_transition(actor=city.handler, article=a, action="submit")
    a = article_transition(actor=city.unit_head, article=a, action="archive")
    assert a.status == Status.ARCHIVED


def test_only_own_unit_writes_and_bad_input_changes_nothing(city: Any) -> None:
    with pytest.raises(PermissionDenied):
        article_create(actor=city.env_handler, title="t", answer="a", unit=city.housing)
    with pytest.raises(PermissionDenied):
        article_create(actor=city.leader, title="t", answer="a", unit=city.housing)
    with pytest.raises(ValidationFailed) as e:
        article_create(actor=city.handler, title=" ", answer="a", unit=city.housing)
    assert "title" in e.value.fields
    with pytest.raises(ValidationFailed) as e:
        article_create(actor=city.handler, title="t", answer="a", unit=city.housing,
                       valid_from=date(2027, 1, 2), valid_to=date(2027, 1, 1))
    assert "valid_to" in e.value.fields
    assert not Article.objects.exists()
    article_create(actor=city.operator, title="运营写的草稿", answer="a", unit=city.housing)  # operators draft for any unit


def test_scoping_drafts_stay_with_the_unit_published_are_shared(city: Any, kb: Any) -> None:
    for user in (city.handler, city.unit_head, city.admin):
        assert Article.objects.visible_to(user).filter(pk=kb.draft.pk).exists()
    for user in (city.env_handler, city.county_handler, city.operator, city.county_leader):
        assert not Article.objects.visible_to(user).filter(pk=kb.draft.pk).exists()
        assert Article.objects.visible_to(user).filter(pk=kb.heat.pk).exists()  # published: everyone signed in
    with pytest.raises(NotFound):  # out of scope is not found, even for a write
        article_transition(actor=city.env_handler, article=kb.draft, action="submit")
    from django.contrib.auth.models import AnonymousUser

    public = set(Article.objects.visible_to(AnonymousUser()).values_list("pk", flat=True))
    assert public == {kb.fund.pk, kb.noise.pk}  # published and public only
    article_update(actor=None, article=kb.fund, valid_to=timezone.localdate() - timedelta(days=1),  # type: ignore[arg-type]
                   valid_from=timezone.localdate() - timedelta(days=30))
    assert set(Article.objects.visible_to(AnonymousUser()).values_list("pk", flat=True)) == {kb.noise.pk}  # expired


def test_expired_and_past_review_articles_are_flagged_to_their_unit_once(city: Any, kb: Any, django_capture_on_commit_callbacks: Any) -> None:
    today = timezone.localdate()
    Article.objects.filter(pk=kb.heat.pk).update(review_due=today - timedelta(days=1))
    Article.objects.filter(pk=kb.noise.pk).update(valid_to=today - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert article_flag_sweep(today=today) == 2
    assert article_flag_sweep(today=today) == 0  # once per reason
    notes = Notification.objects.filter(subject_type="article")
    assert notes.filter(recipient=city.unit_head, message__contains=kb.heat.ref).exists()
    assert notes.filter(recipient=city.env_handler, message__contains=kb.noise.ref).exists()
    assert not notes.filter(recipient=city.env_handler, message__contains=kb.heat.ref).exists()


def test_an_enterprise_user_reads_only_what_the_public_reads(city: Any, kb: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from jingzhi.org.models import Enterprise
    from tests import factories as f

    firm = Enterprise.objects.create(name="测试企业有限公司", credit_code="91211200MA0Y8XQW0E", division=city.county_a)
    member = f.user("enterprise", None, None, username="qiye_t", enterprise=firm)
    assert set(Article.objects.visible_to(member).values_list("pk", flat=True)) == {kb.fund.pk, kb.noise.pk}
    client = Client()
    client.force_login(member)
    door = client.get(reverse("web:home"), follow=True)
    assert door.status_code == 200 and reverse("enterprises:door") in door.content.decode()
    assert f'href="{reverse("knowledge:list")}"' not in door.content.decode()  # no internal knowledge base in its nav
    staff = Client()
    staff.force_login(city.handler)
    assert f'href="{reverse("knowledge:list")}"' in staff.get(reverse("web:home"), follow=True).content.decode()
