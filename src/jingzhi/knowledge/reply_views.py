"""Reply check pages (ADR 025): the "检查答复" step of the case page's reply form (htmx fragment, or a page when
the form is posted without JavaScript), the board of sent replies, and the unit head's review setting."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.cases import selectors as case_selectors
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import ApplicationError, NotFound
from jingzhi.knowledge import reply_services
from jingzhi.knowledge.models import ReplyLevel, UnitReplyPolicy
from jingzhi.org.http import role_required
from jingzhi.org.models import Role, Unit

REPLIERS = (Role.HANDLER, Role.UNIT_HEAD)
BOARD = (Role.SUPERVISOR, Role.LEADER, Role.UNIT_HEAD)
REPLY_MAX = 20000


@role_required(*REPLIERS)
@require_POST
def reply_check(request: HttpRequest, number: str) -> HttpResponse:
    """Check the draft in the reply form; nothing is saved. Only someone who may reply to the case now."""
    try:
        case = case_selectors.case_get(number=number, user=request.user)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    if Action.REPLY not in case_selectors.allowed_actions(case=case, user=request.user):  # type: ignore[arg-type]
        return HttpResponse(_("You cannot reply to this case now."), status=403)
    draft = (request.POST.get("reply") or "")[:REPLY_MAX]
    if not draft.strip():
        result, error = None, _("Write the reply first, then check it.")
    else:
        result, error = reply_services.check_case_reply(case=case, actor=request.user, reply=draft), ""  # type: ignore[arg-type]
    context = {"case": case, "result": result, "error": error,
               "held": bool(result and result.level == ReplyLevel.RETURN and reply_services.review_required(case.lead_unit))}
    template = "knowledge/_reply_findings.html" if request.headers.get("HX-Request") else "knowledge/reply_check.html"
    return render(request, template, context)


@role_required(*BOARD)
def reply_board(request: HttpRequest) -> HttpResponse:
    """Replies already sent, with their level; filter by level and unit. Unit heads see their own unit's setting."""
    level = request.GET.get("level", "")
    level = level if level in ReplyLevel.values else ""
    unit = None
    unit_code = (request.GET.get("unit") or "")[:30]
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
    rows = reply_services.board_rows(actor=request.user, level=level, unit=unit)  # type: ignore[arg-type]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    user = request.user
    own = user.unit if getattr(user, "role", "") == Role.UNIT_HEAD else None  # type: ignore[union-attr]
    policy = UnitReplyPolicy.objects.filter(unit=own).first() if own is not None else None
    return render(request, "knowledge/reply_board.html", {
        "page": page, "level": level, "levels": ReplyLevel.choices, "unit_code": unit_code if unit else "",
        "own_unit": own, "review_returned": bool(policy and policy.review_returned),
    })


@role_required(Role.UNIT_HEAD)
@require_POST
def reply_policy(request: HttpRequest) -> HttpResponse:
    """The unit head turns the review of 退回修改 replies on or off for their own unit."""
    unit = getattr(request.user, "unit", None)
    if unit is None:
        raise Http404
    try:
        reply_services.unit_reply_policy_set(actor=request.user, unit=unit,  # type: ignore[arg-type]
                                             review_returned=request.POST.get("review_returned") == "on")
    except ApplicationError as e:
        messages.error(request, str(e.message))
        return redirect("knowledge:reply_board")
    messages.success(request, _("Reply review setting saved."))
    return redirect("knowledge:reply_board")
