"""Writes to the knowledge base: the article's lifecycle, drafts from solved cases, answers at intake, synonyms.

Lifecycle (TRANSITIONS): draft → review (submit) → published (publish) or back to draft (return); any → archived.
The responsible unit writes, its head reviews and publishes; administrators may do everything. Every change
saves an `ArticleVersion` row (the article's append-only history) and re-indexes the article.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, FollowUp, Kind, Satisfaction
from jingzhi.cases.models import Status as CaseStatus
from jingzhi.cases.services import case_answer_directly
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.knowledge import search, selectors
from jingzhi.knowledge.models import Article, ArticleUse, ArticleVersion, Status, Synonym, Use
from jingzhi.knowledge.privacy import scrub
from jingzhi.org.models import Role, Unit, User
from jingzhi.taxonomy.models import Category

TITLE_MAX, TEXT_MAX = 200, 20000
# action → (from statuses, to status, who: "edit" = may_edit, "review" = may_review)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.REVIEW, "edit"),
    "publish": (frozenset({Status.DRAFT, Status.REVIEW}), Status.PUBLISHED, "review"),
    "return": (frozenset({Status.REVIEW}), Status.DRAFT, "review"),
    "archive": (frozenset({Status.DRAFT, Status.REVIEW, Status.PUBLISHED}), Status.ARCHIVED, "review"),
}
_CITATION = re.compile(r"KB-(\d{6})")


def _lock(article: Article | int, actor: User | None) -> Article:
    pk = article if isinstance(article, int) else article.pk
    scope = Article.objects.all() if actor is None else Article.objects.visible_to(actor)
    found = scope.select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Article not found."))
    return found


def _text(value: str, field: str, *, required: str = "", max_len: int = TEXT_MAX, multiline: bool = True) -> str:
    cleaned = clean_text(value or "", multiline=multiline)
    if required and not cleaned:
        raise ValidationFailed(required, fields={field: required})
    if len(cleaned) > max_len:
        msg = _("At most %(max)d characters.") % {"max": max_len}
        raise ValidationFailed(msg, fields={field: msg})
    return cleaned


def _dates(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        msg = _("The end of validity is before its start.")
        raise ValidationFailed(msg, fields={"valid_to": msg})


def _version(article: Article, *, actor: User | None, event: str, note: str = "", at: datetime) -> None:
    ArticleVersion.objects.create(
        article=article, number=article.version, title=article.title, questions=article.questions, answer=article.answer,
        sources=article.sources, saved_by=actor, saved_at=at, event=event, note=note)


def article_create(
    *, actor: User | None, title: str, answer: str, unit: Unit, questions: str = "", category: Category | None = None,
    sources: str = "", valid_from: date | None = None, valid_to: date | None = None, review_due: date | None = None,
    is_public: bool = False, source_case: Case | None = None, at: datetime | None = None,
) -> Article:
    """A new draft article for `unit`; its staff, operators and supervisors may write one, the unit reviews it."""
    if actor is not None and not selectors.may_write_for(actor, unit):
        raise PermissionDenied(_("You may write articles only for your own unit."))
    title = _text(title, "title", required=_("Give the article a title."), max_len=TITLE_MAX, multiline=False)
    answer = _text(answer, "answer", required=_("Write the answer."))
    _dates(valid_from, valid_to)
    at = at or timezone.now()
    with transaction.atomic():
        article = Article.objects.create(
            title=title, questions=_text(questions, "questions"), answer=answer, unit=unit, category=category,
            sources=_text(sources, "sources"), valid_from=valid_from, valid_to=valid_to, review_due=review_due,
            is_public=is_public, source_case=source_case, created_by=actor, created_at=at, updated_at=at)
        _version(article, actor=actor, event="created", at=at)
        search.index_articles([article])
    return article


def article_update(
    *, actor: User, article: Article, expected_version: int | None = None, at: datetime | None = None, **changes: Any,
) -> Article:
    """Change an article's text or facts; a new version. A published article is changed only by its reviewers."""
    allowed = {"title", "questions", "answer", "category", "sources", "valid_from", "valid_to", "review_due", "is_public"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    at = at or timezone.now()
    with transaction.atomic():
        article = _lock(article, actor)
        may = selectors.may_review(actor, article) if article.status == Status.PUBLISHED else selectors.may_edit(actor, article)
        if not may or article.status == Status.ARCHIVED:
            raise PermissionDenied(_("You may not change this article."))
        if expected_version is not None and article.version != expected_version:
            raise InvalidTransition(_("This article was changed by someone else a moment ago. Reload the page and try again."))
        if "title" in changes:
            changes["title"] = _text(changes["title"], "title", required=_("Give the article a title."), max_len=TITLE_MAX, multiline=False)
        if "answer" in changes:
            changes["answer"] = _text(changes["answer"], "answer", required=_("Write the answer."))
        for f in ("questions", "sources"):
            if f in changes:
                changes[f] = _text(changes[f], f)
        for f, value in changes.items():
            setattr(article, f, value)
        _dates(article.valid_from, article.valid_to)
        article.version += 1
        article.updated_at = at
        article.flag_sent = ""
        article.save()
        _version(article, actor=actor, event="edited", at=at)
        search.index_articles([article])
    return article


def article_transition(
    *, actor: User, article: Article, action: str, note: str = "", expected_version: int | None = None,
    at: datetime | None = None,
) -> Article:
    """Submit for review, publish, return to draft or archive, as TRANSITIONS allows; the unit is told."""
    if action not in TRANSITIONS:
        raise ValidationFailed(_("Unknown action."))
    sources, target, who = TRANSITIONS[action]
    at = at or timezone.now()
    with transaction.atomic():
        article = _lock(article, actor)
        allowed = selectors.may_review(actor, article) if who == "review" else selectors.may_edit(actor, article)
        if not allowed:
            raise PermissionDenied(_("Your role or unit may not do this to this article."))
        if article.status not in sources or (expected_version is not None and article.version != expected_version):
            raise InvalidTransition(_("This article has moved on since you opened it. Reload the page and try again."))
        if action == "return":
            note = _text(note, "note", required=_("Say what must change."), max_len=2000)
        if action == "publish" and article.valid_to and article.valid_to < timezone.localdate():
            msg = _("The article is no longer valid; change its validity first.")
            raise ValidationFailed(msg, fields={"valid_to": msg})
        article.status = target
        article.updated_at = at
        fields = ["status", "updated_at"]
        if target == Status.PUBLISHED:
            article.published_at = at
            fields.append("published_at")
        article.save(update_fields=fields)
        _version(article, actor=actor, event=action, note=note, at=at)
        if action in {"submit", "return"}:
            _tell_unit(article, _("Article %(ref)s “%(title)s”: %(what)s") % {
                "ref": article.ref, "title": article.title,
                "what": _("awaiting your review") if action == "submit" else _("returned to draft: %(note)s") % {"note": note}})
    return article


def _tell_unit(article: Article, message: str) -> None:
    unit_id = article.unit_id
    notify_after_commit(
        recipients=lambda: User.objects.filter(unit_id=unit_id, is_active=True, role__in=[Role.UNIT_HEAD, Role.HANDLER])
        .values_list("pk", flat=True),
        kind="info", message=message, subject_type="article", subject_ref=article.ref)


def article_draft_from_case(*, actor: User, case: Case, at: datetime | None = None) -> Article:
    """A draft article from a closed case with a satisfied follow-up: question from the case, answer from the reply.

    Personal data is removed (privacy.scrub); the draft goes to the case's lead unit for review. Asking twice
    for the same case returns the first draft.
    """
    from jingzhi.cases.models import Case as CaseModel

    visible = CaseModel.objects.visible_to(actor).filter(pk=case.pk).select_related("lead_unit").first()
    if visible is None:
        raise NotFound(_("Case not found."))
    case = visible
    existing = Article.objects.filter(source_case=case).first()
    if existing is not None:
        return existing
    last = FollowUp.objects.filter(case=case).order_by("-created_at").first()
    if case.status != CaseStatus.CLOSED or case.lead_unit is None or not case.reply or last is None \
            or last.satisfaction != Satisfaction.SATISFIED:
        raise ValidationFailed(_("Only a closed case whose requester was satisfied with the reply can become an article."))
    question, answer = draft_text(title=case.title, content=case.content, reply=case.reply,
                                  names=[case.requester_name], places=[case.address])
    try:
        return article_create(actor=actor, title=question.splitlines()[0][:TITLE_MAX], questions=question, answer=answer,
                              unit=case.lead_unit, category=case.category, source_case=case, at=at)
    except IntegrityError:  # pragma: no cover - a concurrent second request; the first draft stands
        return Article.objects.get(source_case=case)


def draft_text(*, title: str, content: str, reply: str, names: list[str], places: list[str]) -> tuple[str, str]:
    """(question forms, answer) of a draft, personal data removed; pure, so the demo and benchmark use it too."""
    question = scrub(title, names=names, places=places).strip()
    detail = scrub(content, names=names, places=places).strip()
    if detail:
        question += "\n" + re.sub(r"\s+", " ", detail)[:300]
    return question, scrub(reply, names=names, places=places).strip()


def citation(article: Article) -> str:
    return _("(Answer from the knowledge base: %(ref)s “%(title)s”, version %(v)d.)") % {
        "ref": article.ref, "title": article.title, "v": article.version}


def case_answer_with_article(*, actor: User, case: Case, article: Article, at: datetime | None = None) -> Case:
    """直接办结 with an article: the inquiry is answered with the article's answer and closed; the article is recorded."""
    at = at or timezone.now()
    with transaction.atomic():
        found = selectors.intake_scope(actor).filter(pk=article.pk).first()
        if found is None:
            raise NotFound(_("Article not found."))
        if case.kind != Kind.INQUIRY:
            msg = _("Only an inquiry (咨询) is answered directly from the knowledge base; choose the kind “inquiry”.")
            raise ValidationFailed(msg, fields={"kind": msg})
        case = case_answer_directly(case=case, actor=actor, reply=f"{found.answer}\n\n{citation(found)}", at=at)
        ArticleUse.objects.get_or_create(article=found, case=case, use=Use.ANSWERED,
                                         defaults={"version": found.version, "actor": actor, "at": at})
    return case


def case_cited_articles(case: Case) -> bool:
    """Case-created hook: a description citing articles (KB-000123, inserted from the intake panel) records them."""
    refs = {int(m) for m in _CITATION.findall(case.content or "")}
    if not refs:
        return False
    actor = case.created_by if case.created_by_id else None
    for article in Article.objects.filter(pk__in=refs, status=Status.PUBLISHED):
        ArticleUse.objects.get_or_create(article=article, case=case, use=Use.NOTE,
                                         defaults={"version": article.version, "actor": actor, "at": case.created_at})
    return False


def article_flag_sweep(*, today: date | None = None) -> int:
    """Tell each responsible unit once about its published articles that expired or are past their review date."""
    today = today or timezone.localdate()
    sent = 0
    rows = Article.objects.filter(status=Status.PUBLISHED).filter(
        models_q_expired(today)).only("pk", "title", "unit_id", "valid_to", "review_due", "flag_sent")
    for article in rows:
        reason = "expired" if article.valid_to and article.valid_to < today else "review"
        key = f"{reason}:{(article.valid_to if reason == 'expired' else article.review_due)}"
        with transaction.atomic():
            locked = _lock(article.pk, None)
            if locked.flag_sent == key:
                continue
            locked.flag_sent = key
            locked.save(update_fields=["flag_sent"])
            what = _("no longer valid") if reason == "expired" else _("past its review date")
            _tell_unit(locked, _("Article %(ref)s “%(title)s”: %(what)s") % {"ref": locked.ref, "title": locked.title, "what": what})
            sent += 1
    return sent


def models_q_expired(today: date) -> Any:
    from django.db.models import Q

    return Q(valid_to__lt=today) | Q(review_due__lt=today)


def synonym_save(*, actor: User | None, words: str, group: Synonym | None = None) -> Synonym:
    """Add or change one synonym group (administrators); every article is re-indexed with the new list."""
    from jingzhi.org.guards import admin_required

    admin_required(actor)
    parts = [w for w in re.split(r"[\s,，、]+", clean_text(words or "")) if w]
    if len(parts) < 2:
        msg = _("Give at least two words, separated by spaces or commas.")
        raise ValidationFailed(msg, fields={"words": msg})
    with transaction.atomic():
        row = group or Synonym()
        row.words = " ".join(dict.fromkeys(parts))
        row.save()
        transaction.on_commit(search.synonyms_changed)
    search.synonyms_changed()
    search.reindex_all()
    return row
