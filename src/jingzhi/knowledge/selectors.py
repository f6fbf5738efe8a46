"""Reads of the knowledge base that a user sees: who sees which article, search, figures per unit.

Visibility: published articles are shared by every signed-in user (the knowledge of the city is not split by
county); drafts, articles awaiting review and archived ones are seen by their responsible unit (a unit head
also for child units), their author and administrators. Anonymous visitors see published public articles
that are in force today. Outside the scope is *not found*.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from jingzhi.knowledge import search
from jingzhi.knowledge.models import Article, ArticleQuerySet, ArticleUse, Status, Use
from jingzhi.org.access import is_admin, is_signed_in, unit_scope


def in_force() -> Q:
    today = timezone.localdate()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))


def article_scope(user: Any) -> Q:
    """The visibility rule as a filter (ArticleQuerySet.visible_to uses it)."""
    from jingzhi.org.access import role_of
    from jingzhi.org.models import Role

    # An enterprise's own users are outside the government: they read what the public reads.
    if not is_signed_in(user) or role_of(user) == Role.ENTERPRISE:
        return Q(status=Status.PUBLISHED, is_public=True) & in_force()
    if is_admin(user):
        return Q()
    return Q(status=Status.PUBLISHED) | Q(unit__in=unit_scope(user)) | Q(created_by=user)


def _unit_ids(user: Any) -> set[int]:
    return {row["pk"] if isinstance(row, dict) else int(row) for row in unit_scope(user)}


def may_write_for(user: Any, unit: Any) -> bool:
    """A new article for `unit`: its staff, operators and supervisors (who see the questions), administrators."""
    from jingzhi.org.access import role_of

    if is_admin(user):
        return True
    role = role_of(user)
    if role in {"operator", "supervisor"}:
        return True
    return role in {"handler", "unit_head"} and unit.pk in _unit_ids(user)


def may_edit(user: Any, article: Article) -> bool:
    """Writing and submitting: the responsible unit's staff, the author while it is a draft, administrators."""
    if user is None or is_admin(user):  # None: the system (demo loader, CLI)
        return True
    if not is_signed_in(user):
        return False
    in_unit = article.unit_id in _unit_ids(user)
    return in_unit or (article.created_by_id == user.pk and article.status == Status.DRAFT)


def may_review(user: Any, article: Article) -> bool:
    """Publishing, returning, archiving: the head of the responsible unit (or of its parent), administrators."""
    from jingzhi.org.access import role_of

    if user is None or is_admin(user):  # None: the system (demo loader, CLI)
        return True
    if role_of(user) != "unit_head" or not user.unit_id:
        return False
    return article.unit_id in _unit_ids(user)


def article_for(user: Any, pk: int) -> Article | None:
    return Article.objects.visible_to(user).select_related("unit", "category", "source_case").filter(pk=pk).first()


def article_list(user: Any, *, q: str = "", status: str = "", limit: int = 50) -> list[search.Hit]:
    """The list page: a search when there is a query, else the newest articles; both within the user's scope."""
    scope: ArticleQuerySet = Article.objects.visible_to(user)
    if status in Status.values:
        scope = scope.filter(status=status)
    if q.strip():
        return search.search(q, scope, limit=limit)
    return [search.Hit(a, 0.0) for a in scope.select_related("unit", "category")[:limit]]


def public_search(q: str, *, limit: int = 20) -> list[search.Hit]:
    """Published public articles in force, for the public pages."""
    scope = Article.objects.visible_to(None)
    if not q.strip():
        return [search.Hit(a, 0.0) for a in scope.order_by("-published_at")[:limit]]
    return search.search(q, scope, limit=limit)


def intake_scope(user: Any) -> ArticleQuerySet:
    """What may be offered at intake and given as an answer: published articles in force."""
    return Article.objects.visible_to(user).filter(Q(status=Status.PUBLISHED) & in_force())


def intake_suggestions(user: Any, text: str, *, limit: int = 3) -> list[search.Hit]:
    """The top articles for what the operator has typed so far."""
    if len(text.strip()) < 4:
        return []
    return search.search(text, intake_scope(user), limit=limit)


def flagged(user: Any) -> ArticleQuerySet:
    """Published articles of the user's units that are expired or past their review date."""
    today = timezone.localdate()
    return (Article.objects.visible_to(user).filter(status=Status.PUBLISHED)
            .filter(Q(valid_to__lt=today) | Q(review_due__lt=today)))


def usage_by_unit(user: Any) -> list[dict[str, Any]]:
    """Figures per responsible unit: articles, uses at intake, inquiries answered at first contact, cited replies."""
    scope = Article.objects.visible_to(user)
    rows = {r["unit__name"]: {**r, "answered": 0, "noted": 0, "cited": 0} for r in
            scope.values("unit__name").annotate(articles=Count("pk"), published=Count("pk", filter=Q(status=Status.PUBLISHED)))}
    uses = (ArticleUse.objects.filter(article__in=scope.values("pk")).values("article__unit__name", "use")
            .annotate(n=Count("case", distinct=True)))
    key: dict[str, str] = {Use.ANSWERED: "answered", Use.NOTE: "noted"}
    for u in uses:
        row = rows.get(u["article__unit__name"])
        if row is not None and u["use"] in key:
            row[key[u["use"]]] = u["n"]
    # Replies that cite an article (KB-000123), per unit that replied; direct answers at intake are counted above.
    from jingzhi.cases.models import Case

    answered = ArticleUse.objects.filter(use=Use.ANSWERED).values("case_id")
    cited = (Case.objects.visible_to(user).filter(reply__contains="KB-", lead_unit__isnull=False).exclude(pk__in=answered)
             .values("lead_unit__name").annotate(n=Count("pk")))
    for c in cited:
        row = rows.setdefault(c["lead_unit__name"], {"unit__name": c["lead_unit__name"], "articles": 0, "published": 0,
                                                     "answered": 0, "noted": 0, "cited": 0})
        row["cited"] = c["n"]
    return sorted(rows.values(), key=lambda r: (-r["answered"] - r["noted"] - r["cited"], r["unit__name"]))


def article_uses(user: Any, article: Article, limit: int = 20) -> list[ArticleUse]:
    """The cases this article was used on that the user may see."""
    from jingzhi.cases.models import Case

    cases = Case.objects.visible_to(user).values("pk")
    return list(ArticleUse.objects.filter(article=article, case__in=cases).select_related("case").order_by("-at")[:limit])
