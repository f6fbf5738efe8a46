"""The workbench lists: the queues of each role, the supervision board, and the general case list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.cases import selectors
from jingzhi.cases.models import Case
from jingzhi.cases.requesters import may_search_requesters
from jingzhi.cases.services import review
from jingzhi.cases.services.review import REASON_LABELS
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.core.errors import ApplicationError
from jingzhi.core.replicas import reads_from_replica
from jingzhi.org.access import role_of
from jingzhi.org.models import Role, User
from jingzhi.org.selectors import unit_staff_for_choice
from jingzhi.web import lists
from jingzhi.web.forms.actions import ActionForm, AssignForm, DispatchForm, PlainForm
from jingzhi.web.views.common import role_required

BAR_FIELDS = frozenset({"status", "kind", "date_from", "date_to"})


def _render_list(request: HttpRequest, spec: lists.CaseListSpec, extra: dict[str, Any] | None = None) -> HttpResponse:
    if not spec.allows(request.user):
        raise DjangoPermissionDenied
    state = lists.parse_filters(request, spec, request.user)  # type: ignore[arg-type]
    page = lists.paginate(request, state.queryset) if state.queryset is not None else None
    query = request.GET.copy()
    for key in ("page", "tab", "list"):
        query.pop(key, None)
    query["list"] = spec.key
    cases = list(page.object_list) if page is not None else []
    if spec.key == "dispatch":  # cases waiting for a dispatcher carry the classifier's suggestion
        from jingzhi.dispatch.selectors import attach_suggestions

        attach_suggestions(cases)
    context = {
        "spec": spec,
        "export_url": f"{reverse('web:case_export')}?{query.urlencode()}",
        "page": page,
        "cases": cases,
        "filter_errors": state.errors,
        "filter_message": state.message,
        # Errors of parameters the filter bar has no field for (a link's category, a page number) are listed
        # under the message, so the reader sees which part of the address is wrong.
        "filter_other_errors": [m for k, m in state.errors.items() if k not in BAR_FIELDS and m != state.message],
        "now": timezone.now(),
        "list_key": spec.key,
        "may_search_requesters": may_search_requesters(request.user),
        "sort": state.sort,
        **lists.filter_choices(),
        **(extra or {}),
    }
    context["bulk_forms"] = _bulk_forms(spec.key, request.user)  # type: ignore[arg-type]
    return render(request, "web/queues/list.html", context, status=400 if state.errors else 200)


def _bulk_forms(list_key: str, user: User) -> list[tuple[str, Any, ActionForm]]:
    """The bulk actions this queue offers this user: (action, label, its form), each sent with the ticked rows."""
    offered: list[tuple[str, Any, ActionForm]] = []
    role = role_of(user)
    if list_key == "dispatch" and role in TRANSITIONS[Action.DISPATCH].roles:
        offered.append((Action.DISPATCH, TRANSITIONS[Action.DISPATCH].label, DispatchForm(auto_id="id_bulk_dispatch_%s")))
    if list_key == "unit" and role in TRANSITIONS[Action.ACKNOWLEDGE].roles:
        offered.append((Action.ACKNOWLEDGE, TRANSITIONS[Action.ACKNOWLEDGE].label, PlainForm(auto_id="id_bulk_ack_%s")))
    if list_key == "unit" and role in TRANSITIONS[Action.ASSIGN].roles and user.unit_id is not None:
        form = AssignForm(auto_id="id_bulk_assign_%s")
        form.fields["assignee"].queryset = unit_staff_for_choice(user.unit_id)  # type: ignore[attr-defined]
        offered.append((Action.ASSIGN, TRANSITIONS[Action.ASSIGN].label, form))
    return offered


@login_required
@reads_from_replica
def case_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, lists.LISTS["all"])


@role_required(Role.DISPATCHER)
def dispatch_queue(request: HttpRequest) -> HttpResponse:
    """Tabs: the queue, and public submissions held for review (issue 10) to release or reject."""
    held = selectors.held_queue(user=request.user)  # type: ignore[arg-type]
    extra = {"dispatch_tab": request.GET.get("tab") or "queue", "held_count": held.count()}
    if extra["dispatch_tab"] == "held":
        page = lists.paginate(request, held)
        return render(request, "web/queues/held.html", {
            "page": page, "cases": list(page.object_list), "reason_labels": REASON_LABELS, **extra})
    return _render_list(request, lists.LISTS["dispatch"], extra)


@role_required(Role.DISPATCHER)
@require_POST
def held_decide(request: HttpRequest, number: str, decision: str) -> HttpResponse:
    """Release a held submission into the queue, or reject it as spam (services/review.py decides and audits)."""
    case = Case.objects.visible_to(request.user).filter(number=number).first()
    if case is None or decision not in ("release", "reject"):
        raise Http404
    try:
        if decision == "release":
            review.case_review_release(case=case, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("%(number)s released to the dispatch queue.") % {"number": number})
        else:
            review.case_review_reject(case=case, actor=request.user, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
            messages.success(request, _("%(number)s rejected as spam.") % {"number": number})
    except ApplicationError as e:
        messages.error(request, str(e.message))
    return redirect(f"{reverse('web:dispatch_queue')}?tab=held")


@role_required(Role.HANDLER, Role.UNIT_HEAD)
def unit_queue(request: HttpRequest) -> HttpResponse:
    extra: dict[str, Any] = {}
    if role_of(request.user) == Role.UNIT_HEAD:  # the head's tabs: the queue, replies to review, the setting
        extra = {"unit_tab": "queue", "review_count": selectors.review_queue(user=request.user).count()}  # type: ignore[arg-type]
    return _render_list(request, lists.LISTS["unit"], extra)


@role_required(Role.OPERATOR, Role.SUPERVISOR)
def follow_up_queue(request: HttpRequest) -> HttpResponse:
    return _render_list(request, lists.LISTS["follow_up"])


@role_required(Role.SUPERVISOR)
def supervision(request: HttpRequest) -> HttpResponse:
    """Tabs: overdue, at risk, flagged (case lists with filters), and extension and suspension requests awaiting a decision."""
    board = selectors.supervision_board(user=request.user)  # type: ignore[arg-type]
    tab = request.GET.get("tab") or "overdue"
    counts = {key: board[key].count() for key in (*lists.BOARD_TABS, "extensions", "suspensions")}
    tabs = [(key, lists.LISTS[key].title, counts[key]) for key in lists.BOARD_TABS]
    extra = {"board_tabs": tabs, "board_tab": tab, "extension_count": counts["extensions"],
             "suspension_count": counts["suspensions"]}
    if tab == "extensions":
        page = lists.paginate(request, board["extensions"])
        return render(
            request, "web/queues/extensions.html",
            {"page": page, "extensions": page.object_list, "now": timezone.now(), **extra},
        )
    if tab == "suspensions":  # 中止 requests waiting for a supervisor (issue 11)
        page = lists.paginate(request, board["suspensions"])
        return render(
            request, "web/queues/suspensions.html",
            {"page": page, "suspensions": page.object_list, "now": timezone.now(), **extra},
        )
    if tab not in lists.BOARD_TABS:
        tab = extra["board_tab"] = "overdue"
    return _render_list(request, lists.LISTS[tab], extra)
