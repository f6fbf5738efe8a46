"""Knowledge base pages: list and search, one article with its versions and uses, writing, review, figures,
the intake panel (an htmx fragment beside the intake form) and the public pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.cases.models import Case, Kind
from jingzhi.core.errors import ApplicationError
from jingzhi.core.http import apply_error
from jingzhi.knowledge import selectors, services
from jingzhi.knowledge.forms import ArticleForm, FromCaseForm, NoteForm, SynonymForm
from jingzhi.knowledge.models import Status, Synonym
from jingzhi.org.access import has_role
from jingzhi.org.http import role_required
from jingzhi.org.models import Role

EVERYONE: tuple[str, ...] = ()  # any signed-in role
WRITERS = (Role.OPERATOR, Role.SUPERVISOR, Role.HANDLER, Role.UNIT_HEAD)
INTAKE = (Role.OPERATOR, Role.DISPATCHER)
ACTION_LABELS = {"submit": _("Submit for review"), "publish": _("Publish"), "return": _("Return to draft"), "archive": _("Archive")}


def _q(request: HttpRequest) -> str:
    return (request.GET.get("q") or "")[:500]


@role_required(*EVERYONE)
def article_list(request: HttpRequest) -> HttpResponse:
    q, status = _q(request), request.GET.get("status", "")
    user = request.user
    return render(request, "knowledge/list.html", {
        "hits": selectors.article_list(user, q=q, status=status), "q": q, "status": status,
        "statuses": Status.choices, "flagged": selectors.flagged(user).filter(unit__in=_own_units(user))[:20],
        "from_case_form": FromCaseForm(), "may_write": has_role(user, WRITERS),
    })


def _own_units(user: Any) -> Any:
    from jingzhi.org.access import unit_scope

    return unit_scope(user)


@role_required(*EVERYONE)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_for(request.user, pk)
    if article is None:
        raise Http404
    user = request.user
    actions = []
    for action, (sources, _target, who) in services.TRANSITIONS.items():
        allowed = selectors.may_review(user, article) if who == "review" else selectors.may_edit(user, article)
        if allowed and article.status in sources:
            actions.append((action, ACTION_LABELS[action]))
    may_change = (selectors.may_review(user, article) if article.status == Status.PUBLISHED
                  else selectors.may_edit(user, article)) and article.status != Status.ARCHIVED
    return render(request, "knowledge/detail.html", {
        "article": article, "actions": actions, "may_change": may_change, "note_form": NoteForm(),
        "versions": article.versions.select_related("saved_by").order_by("-saved_at", "-pk")[:20],
        "uses": selectors.article_uses(user, article), "divisions": article.divisions.all(),
    })


def _article_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("title", "questions", "answer", "category", "sources", "valid_from", "valid_to",
                                 "review_due", "is_public")}


@role_required(*WRITERS)
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, initial={"unit": getattr(request.user, "unit_id", None)})
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(actor=request.user, unit=form.cleaned_data["unit"],  # type: ignore[arg-type]
                                              **_article_fields(form.cleaned_data))
        except ApplicationError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("Draft %(ref)s saved.") % {"ref": article.ref})
            return redirect("knowledge:detail", pk=article.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge/form.html", {"form": form, "article": None}, status=status)


@role_required(*EVERYONE)
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_for(request.user, pk)
    if article is None:
        raise Http404
    initial = {f: getattr(article, f) for f in ("title", "questions", "answer", "category", "sources", "valid_from",
                                                "valid_to", "review_due", "is_public")}
    form = ArticleForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(actor=request.user, article=article,  # type: ignore[arg-type]
                                    expected_version=_int(request.POST.get("version")), **_article_fields(form.cleaned_data))
        except ApplicationError as e:
            if e.__class__.__name__ == "PermissionDenied":
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied from None
            apply_error(form, e)
        else:
            messages.success(request, _("Article %(ref)s saved as version %(v)d.") % {"ref": article.ref, "v": article.version + 1})
            return redirect("knowledge:detail", pk=article.pk)
    elif request.method != "POST" and not (selectors.may_review(request.user, article) if article.status == Status.PUBLISHED
                                           else selectors.may_edit(request.user, article)):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    status = 400 if request.method == "POST" else 200
    return render(request, "knowledge/form.html", {"form": form, "article": article}, status=status)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@role_required(*EVERYONE)
def article_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = selectors.article_for(request.user, pk)
    if article is None or action not in services.TRANSITIONS:
        raise Http404
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        services.article_transition(actor=request.user, article=article, action=action,  # type: ignore[arg-type]
                                    note=form.cleaned_data.get("note") or "", expected_version=form.cleaned_data.get("version"))
    except ApplicationError as e:
        if e.__class__.__name__ == "PermissionDenied":
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied from None
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("%(ref)s: %(what)s.") % {"ref": article.ref, "what": ACTION_LABELS[action]})
    return redirect("knowledge:detail", pk=pk)


@require_POST
@role_required(*WRITERS)
def draft_from_case(request: HttpRequest) -> HttpResponse:
    form = FromCaseForm(request.POST)
    if form.is_valid():
        case = Case.objects.visible_to(request.user).filter(number=form.cleaned_data["number"].strip()).first()
        if case is None:
            messages.error(request, _("No case with this number in your view."))
            return redirect("knowledge:list")
        try:
            article = services.article_draft_from_case(actor=request.user, case=case)  # type: ignore[arg-type]
        except ApplicationError as e:
            messages.error(request, str(e.message))
            return redirect("knowledge:list")
        messages.success(request, _("Draft %(ref)s written from case %(number)s; personal data removed.") % {
            "ref": article.ref, "number": case.number})
        return redirect("knowledge:detail", pk=article.pk)
    messages.error(request, _("Give the number of a closed case."))
    return redirect("knowledge:list")


@role_required(*EVERYONE)
def figures(request: HttpRequest) -> HttpResponse:
    return render(request, "knowledge/figures.html", {"rows": selectors.usage_by_unit(request.user)})


@role_required(Role.ADMIN)
def synonyms(request: HttpRequest) -> HttpResponse:
    form = SynonymForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.synonym_save(actor=request.user, words=form.cleaned_data["words"])  # type: ignore[arg-type]
        except ApplicationError as e:
            apply_error(form, e)
        else:
            messages.success(request, _("Synonyms saved; the articles were indexed again."))
            return redirect("knowledge:synonyms")
    return render(request, "knowledge/synonyms.html", {"form": form, "groups": Synonym.objects.all()},
                  status=400 if form.errors else 200)


@role_required(*INTAKE)
def intake_suggest(request: HttpRequest) -> HttpResponse:
    """htmx fragment beside the intake form: the top 3 articles for the title and description typed so far."""
    text = f"{request.GET.get('title', '')[:200]}\n{request.GET.get('content', '')[:2000]}"
    hits = selectors.intake_suggestions(request.user, text)
    return render(request, "knowledge/_intake_hits.html", {
        "hits": hits, "typed": bool(text.strip()), "is_inquiry": request.GET.get("kind") == Kind.INQUIRY})


def public_list(request: HttpRequest) -> HttpResponse:
    q = _q(request)
    return render(request, "knowledge/public_list.html", {"hits": selectors.public_search(q), "q": q, "tab": "knowledge"})


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.article_for(None, pk)
    if article is None:
        raise Http404
    return render(request, "knowledge/public_detail.html", {"article": article, "tab": "knowledge"})
