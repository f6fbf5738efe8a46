"""The case page: every field, deadlines, units, attachments, the timeline, and a form per allowed action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.campaigns.selectors import campaign_link_of
from jingzhi.cases import selectors, services
from jingzhi.cases.models import Case
from jingzhi.cases.services.privacy import may_reveal
from jingzhi.cases.services.reply_review import open_draft
from jingzhi.cases.services.suspension import pending_suspension
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ApplicationError, NotFound
from jingzhi.dispatch.selectors import latest_suggestion, route_for
from jingzhi.knowledge.reply_services import check_case_reply, reply_send, review_required
from jingzhi.org.access import is_admin, role_of
from jingzhi.org.models import Role, User
from jingzhi.web.forms.actions import ActionForm, ExtensionDecisionForm
from jingzhi.web.signin import stash_notice, stash_take
from jingzhi.web.views.case_actions import ACTIONS
from jingzhi.web.views.common import apply_error, safe_next

# The hotline centre sees what the dispatch classifier suggested; units see only where the case went.
SUGGESTION_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.ADMIN}


def _get_case(number: str, user: Any) -> Case:
    try:
        return selectors.case_get(number=number, user=user)
    except NotFound:
        raise Http404 from None


def _action_forms(case: Case, user: User, actions: list[Action], pending: Any, suspension: Any = None,
                  draft: Any = None) -> dict[str, ActionForm]:
    forms: dict[str, ActionForm] = {}
    for action in actions:
        spec = ACTIONS.get(action)
        if spec is None:  # table actions without a page form (supervise, flag) are done elsewhere
            continue
        if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
            if pending is None:
                continue
            forms[action] = ExtensionDecisionForm(case=case, extension=pending, auto_id=f"id_{action}_%s")
        elif action in (Action.APPROVE_SUSPENSION, Action.REJECT_SUSPENSION):
            if suspension is None:
                continue
            forms[action] = ExtensionDecisionForm(case=case, extension=suspension, auto_id=f"id_{action}_%s")
        elif action in (Action.APPROVE_REPLY, Action.RETURN_REPLY):
            if draft is None:
                continue
            forms[action] = spec.form(case=case, draft=draft, auto_id=f"id_{action}_%s")  # type: ignore[call-arg]
        elif action == Action.SUBMIT_REPLY and draft is not None:  # returned: edit and submit again
            forms[action] = spec.form(case=case, draft=draft, auto_id=f"id_{action}_%s")  # type: ignore[call-arg]
        elif action in (Action.DISPATCH, Action.REDISPATCH):
            forms[action] = _suggested_dispatch_form(case, action)
        else:
            forms[action] = spec.form(case=case, auto_id=f"id_{action}_%s")
    return forms


def _suggested_dispatch_form(case: Case, action: Action) -> ActionForm:
    """The dispatch form with the routing table's suggestion filled in; the dispatcher may change it."""
    suggestion = None if case.category_id else latest_suggestion(case)
    category = suggestion.category if suggestion is not None else case.category
    route = route_for(category=category, division=case.division)
    # The category is prefilled too (the case's own, or the classifier's suggestion): the dispatcher confirms it.
    initial: dict[str, Any] = {"category": category.pk if category is not None else None}
    if route.lead_unit is not None:
        initial |= {"unit": route.lead_unit.code, "assisting": [u.code for u in route.assisting_units]}
    form = ACTIONS[action].form(case=case, initial=initial, auto_id=f"id_{action}_%s")
    if route.lead_unit is not None and suggestion is not None:
        form.fields["unit"].help_text = _("Suggested by the classifier (%(category)s, %(confidence).0f%%): %(reason)s") % {
            "category": suggestion.category or "—", "confidence": suggestion.confidence * 100, "reason": route.reason}
    elif route.lead_unit is not None:
        form.fields["unit"].help_text = _("Suggested by the routing table: %(reason)s") % {"reason": route.reason}
    return form


def _render_case(
    request: HttpRequest, case: Case, *, failed: tuple[str, ActionForm] | None = None, error: str = "", status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = selectors.case_with_related(case)
    actions = selectors.allowed_actions(case=case, user=user)
    pending = selectors.pending_extension(case=case)
    suspension = pending_suspension(case=case)
    draft = open_draft(case=case)
    # The draft in the making is the unit's own until it goes out: others see neither it nor its files.
    if draft is not None and not (is_admin(user) or user.unit_id == draft.unit_id):
        draft = None
    forms = _action_forms(case, user, actions, pending, suspension, draft)
    if failed is not None:
        forms[failed[0]] = failed[1]
    action_forms = [(key, TRANSITIONS[Action(key)].label, form) for key, form in forms.items()]
    timeline = list(selectors.case_timeline(case=case))
    context = {
        "case": case,
        "now": timezone.now(),
        "timeline": timeline,
        "action_forms": action_forms,
        "failed_action": failed[0] if failed else "",
        "action_error": error,
        "pending_extension": pending,
        "pending_suspension": suspension,
        "draft": draft,
        "attachments": selectors.case_attachments(case=case, user=user),
        "may_reveal": may_reveal(case=case, actor=user),
        "clock": selectors.running_clock(case),
        "dispatch_suggestion": latest_suggestion(case) if role_of(user) in SUGGESTION_ROLES else None,
        "campaign_link": campaign_link_of(case=case, user=user),
        "instructions": selectors.case_instructions(timeline=timeline),
        "duplicates": selectors.case_duplicates(case=case, user=user),
        **(extra or {}),
    }
    return render(request, "web/cases/detail.html", context, status=status)


@login_required
def case_print(request: HttpRequest, number: str) -> HttpResponse:
    """打印工单: the case as an A4 work order (personal data masked as on the page), without buttons."""
    case = selectors.case_with_related(_get_case(number, request.user))
    timeline = list(selectors.case_timeline(case=case))
    return render(request, "web/cases/print.html", {
        "case": case, "timeline": timeline, "now": timezone.now(),
        "instructions": selectors.case_instructions(timeline=timeline),
        "duplicates": selectors.case_duplicates(case=case, user=request.user),  # type: ignore[arg-type]
    })


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _get_case(number, request.user)
    # An action form sent after the session had ended comes back filled in, to be checked and sent again.
    base = case_url(number)
    kept = stash_take(request, action=lambda path: path.startswith(base) and path != base)
    if kept is not None:
        action = kept.action[len(base):].strip("/")
        spec = ACTIONS.get(action)
        if spec is not None and action in selectors.allowed_actions(case=case, user=request.user):  # type: ignore[arg-type]
            stash_notice(request, kept.had_files)
            form = spec.form(case=case, data=kept.data, auto_id=f"id_{action}_%s")
            return _render_case(request, case, failed=(action, form))
    return _render_case(request, case)


@login_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Parse one action's form and call its service; errors come back on the case page with nothing changed."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    case = _get_case(number, request.user)
    form = spec.form(data=request.POST, files=request.FILES, auto_id=f"id_{action}_%s")
    if not form.is_valid():
        if "version" in form.errors or "request" in form.errors or "draft" in form.errors:
            error = _("This form is incomplete. Reload the page and try again.")
        else:
            error = _("Please correct the marked fields.")
        return _render_case(request, case, failed=(action, form), error=error, status=400)
    extra: dict[str, Any] = {}
    try:
        if action == Action.REPLY:
            # The reply goes out through the reply check and the unit's review gate (knowledge, ADR 025), which calls
            # cases' case_reply itself; a refused reply comes back with its findings.
            extra = _send_reply(case, request.user, form.cleaned_data)  # type: ignore[arg-type]
        else:
            spec.run(case, request.user, form.cleaned_data)  # type: ignore[arg-type]
    except NotFound as e:
        if e.fields:
            return _render_case(request, case, failed=(action, form), error=apply_error(form, e), status=400)
        raise Http404 from None
    except ApplicationError as e:
        if action == Action.REPLY:
            extra = _reply_findings(case, request.user, form.cleaned_data.get("reply", ""))  # type: ignore[arg-type]
        return _render_case(request, case, failed=(action, form), error=apply_error(form, e), status=e.status, extra=extra)
    case = _get_case(number, request.user) if action != Action.MERGE else case
    messages.success(request, spec.done(case))
    return redirect(safe_next(request, case_url(number)))


def _send_reply(case: Case, user: User, data: dict[str, Any]) -> dict[str, Any]:
    reply_send(case=case, actor=user, reply=data.get("reply", ""), outcome=data.get("outcome", "") or "",
               expected_version=int(data["version"]), attachments=data.get("attachments") or ())
    return {}


def _reply_findings(case: Case, user: User, reply: str) -> dict[str, Any]:
    """The check of the refused draft, shown under the reply form."""
    if not (reply or "").strip():
        return {}
    try:
        result = check_case_reply(case=case, actor=user, reply=reply)
    except ApplicationError:
        return {}
    return {"reply_check": result, "reply_held": result.level == "return" and review_required(case.lead_unit)}


def case_url(number: str) -> str:
    return reverse("web:case_detail", args=[number])


@login_required
@require_POST
def case_reveal(request: HttpRequest, number: str, field: str) -> HttpResponse:
    """htmx: swap a masked value for the clear one; the service writes the reveal to the audit log."""
    case = _get_case(number, request.user)
    try:
        value = services.case_reveal(case=case, actor=request.user, field=field)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except ApplicationError as e:
        return HttpResponse(format_html('<span class="reveal-error">{}</span>', e.message), status=e.status)
    return HttpResponse(format_html('<span class="revealed" data-field="{}">{}</span>', field, value or "—"))


@login_required
def attachment_download(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """A case's file, only for users who may see the case."""
    case = _get_case(number, request.user)
    attachment = case.attachments.select_related("draft").filter(pk=pk).first()
    # A file of a reply still under review is the lead unit's until approved: others get the same 404.
    if attachment is None or not selectors.attachment_visible(attachment=attachment, user=request.user):  # type: ignore[arg-type]
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    audit_record(actor=request.user, action="attachment_download", object_type="attachment", object_id=attachment.pk,
                 request=request, detail={"case": case.number, "name": attachment.name, "size": attachment.size})
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
