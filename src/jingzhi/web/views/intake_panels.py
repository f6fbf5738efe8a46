"""The intake form's live panels (issue 13): the caller's earlier cases, and cases the call probably duplicates.

Each is an htmx fragment of its own (web/intake/_history.html, _duplicates.html), loaded as the operator types;
the intake page only includes the two panel shells.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhi.cases.selectors import requester_history
from jingzhi.core.validators import normalize_phone, validate_id_number, validate_phone
from jingzhi.hotspots.duplicates import duplicate_suggestions
from jingzhi.org.models import Role
from jingzhi.web.views.common import role_required


def _valid(check: object, value: str) -> bool:
    try:
        check(value)  # type: ignore[operator]
    except ValidationError:
        return False
    return True


@role_required(Role.OPERATOR, Role.DISPATCHER)
def intake_history(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the caller's earlier cases, found by the exact phone or ID number typed so far."""
    phone = normalize_phone(request.GET.get("requester_phone", "")[:30])
    id_number = request.GET.get("requester_id_number", "").strip().upper()[:18]
    phone = phone if phone and _valid(validate_phone, phone) else ""
    id_number = id_number if id_number and _valid(validate_id_number, id_number) else ""
    rows, total = ([], 0) if not (phone or id_number) else requester_history(
        user=request.user, phone=phone, id_number=id_number)  # type: ignore[arg-type]
    return render(request, "web/intake/_history.html",
                  {"rows": rows, "total": total, "searched": bool(phone or id_number)})


@role_required(Role.OPERATOR, Role.DISPATCHER)
def intake_duplicates(request: HttpRequest) -> HttpResponse:
    """htmx fragment: open and recently closed cases the call is probably about, with a score and a button each."""
    g = request.GET
    suggestions = duplicate_suggestions(
        user=request.user, title=g.get("title", "")[:200], content=g.get("content", "")[:2000],  # type: ignore[arg-type]
        address=g.get("address", "")[:200], division_code=g.get("division", "")[:20])
    return render(request, "web/intake/_duplicates.html", {
        "suggestions": suggestions, "has_place": bool(g.get("division")),
        "has_text": len(g.get("title", "").strip()) + len(g.get("content", "").strip()) >= 4})
