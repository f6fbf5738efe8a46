"""Supply ↔ demand pages: the enterprise's door (its listings, a form, suggestions), the staff list and entry form,
a listing's suggestions with their reasons, the introductions board and the figures. Views parse input and call
one service; scope comes from access.py."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from jingzhi.core.errors import ApplicationError, NotFound
from jingzhi.core.http import apply_error
from jingzhi.enterprises.access import (
    OFFICE_ROLES,
    STAFF_ROLES,
    enterprises_visible_to,
    is_enterprise_user,
    is_office,
)
from jingzhi.org.http import role_required
from jingzhi.org.models import Enterprise, Role
from jingzhi.supplydemand import selectors
from jingzhi.supplydemand.access import (
    introductions_visible_to,
    listings_visible_to,
    may_introduce,
    may_publish_for,
)
from jingzhi.supplydemand.forms import AdvanceForm, CloseForm, IntroduceForm, ListingForm
from jingzhi.supplydemand.models import Introduction, Listing, Unit
from jingzhi.supplydemand.services import (
    actions_from,
    introduction_advance,
    introduction_make,
    listing_close,
    listing_create,
)
from jingzhi.supplydemand.suggest import suggestions_for


def _labelled(events: Any) -> list[Any]:
    """Events with their action in the user's language."""
    labels = {"publish": _("Published"), "close": pgettext("supply", "Closed"), "introduce": _("Introduced"), "contact": _("Contacted"),
              "negotiate": _("Negotiating"), "sign": _("Contract signed"), "fail": _("Not concluded")}
    rows = list(events)
    for e in rows:
        e.label = labels.get(e.action, e.action)
    return rows


def reason_lines(reasons: dict[str, Any]) -> list[str]:
    """A suggestion's reasons in the user's language: words, industry, place, capacity, timing."""
    lines = []
    if reasons.get("words"):
        lines.append(_("Matching words: %(words)s") % {"words": "、".join(reasons["words"])})
    if reasons.get("industry"):
        lines.append(_("Industry code agrees up to %(prefix)s") % {"prefix": reasons["industry"]})
    place = reasons.get("place", "")
    lines.append({"county": _("Same county"), "city": _("Same city"), "province": _("Same province")}.get(place, _("Far apart")))
    cap = reasons.get("capacity") or {}
    if cap.get("units_differ"):
        lines.append(_("Capacity not comparable: the units differ"))
    elif cap:
        unit = dict(Unit.choices).get(cap.get("unit", ""), "")
        lines.append(_("Capacity over %(months)s months: %(supply)s of the %(quantity)s %(unit)s wanted") % {
            "months": cap.get("months"), "supply": cap.get("supply"), "quantity": cap.get("quantity"), "unit": unit})
    late = reasons.get("late_days") or 0
    lines.append(_("Available %(days)d days after the date wanted") % {"days": late} if late else _("Available in time"))
    return lines


def _suggestion_rows(listing: Listing) -> list[dict[str, Any]]:
    if not listing.is_current:
        return []
    return [{"s": s, "l": s.listing, "lines": reason_lines(s.reasons)} for s in suggestions_for(listing)]


def _listing_or_404(request: HttpRequest, pk: int) -> Listing:
    listing = selectors.listing_for(request.user, pk)
    if listing is None:
        raise Http404
    return listing


def _save_listing(request: HttpRequest, form: ListingForm, enterprise: Enterprise | None) -> Listing | None:
    """Call the service with the form's fields; its errors go beside their fields. The listing, or None."""
    d = form.cleaned_data
    if enterprise is None:
        form.add_error("enterprise", _("Choose the enterprise."))
        return None
    fields = {k: d.get(k) for k in ("title", "description", "quantity", "unit", "wanted_by", "available_from",
                                    "place_code", "valid_until")}
    if d.get("industry"):
        fields["industry"] = d["industry"]
    token = d.get("token") or ""
    try:
        listing, _created = listing_create(actor=request.user, enterprise=enterprise, kind=d["kind"], fields=fields,  # type: ignore[arg-type]
                                           idempotency_key=f"form:{request.user.pk}:{token}" if token else None)
    except ApplicationError as e:
        form.add_error(None, apply_error(form, e))
        return None
    messages.success(request, _("Published. The suggestions below are worked out from it."))
    return listing


@role_required(Role.ENTERPRISE)
def door(request: HttpRequest) -> HttpResponse:
    """The enterprise's own page: its needs and capabilities, a form for a new one, its introductions."""
    enterprise = enterprises_visible_to(request.user).select_related("division").first()
    if enterprise is None:
        raise Http404
    form = ListingForm(request.POST or None, initial={"token": secrets.token_hex(8), "kind": Listing.Kind.NEED})
    if request.method == "POST" and form.is_valid():
        listing = _save_listing(request, form, enterprise)
        if listing is not None:
            return redirect("supplydemand:detail", pk=listing.pk)
    return render(request, "supplydemand/door.html", {
        "enterprise": enterprise, "form": form, "listings": listings_visible_to(request.user).order_by("-created_at")[:200],
        "introductions": introductions_visible_to(request.user).select_related("need__enterprise", "capability__enterprise")[:50]})


@role_required(*STAFF_ROLES)
def listing_list(request: HttpRequest) -> HttpResponse:
    kind, q = request.GET.get("kind", ""), request.GET.get("q", "").strip()[:100]
    try:
        offset = max(0, int(request.GET.get("offset", 0)))
    except ValueError:
        offset = 0
    rows = selectors.listing_rows(request.user, kind=kind, q=q, offset=offset)
    return render(request, "supplydemand/list.html", {
        "rows": rows, "kind": kind, "q": q, "kinds": Listing.Kind.choices, "may_enter": is_office(request.user),
        "next_offset": offset + selectors.PAGE_SIZE if len(rows) == selectors.PAGE_SIZE else None})


@role_required(*OFFICE_ROLES)
def listing_new(request: HttpRequest) -> HttpResponse:
    """The office enters a listing for an enterprise it sees (a call to the enterprise desk, a visit)."""
    visible = enterprises_visible_to(request.user)
    choices = list(visible.order_by("name").values_list("pk", "name")[:2000])
    initial = {"token": secrets.token_hex(8), "kind": Listing.Kind.NEED, "enterprise": request.GET.get("enterprise", "")}
    form = ListingForm(request.POST or None, initial=initial, enterprises=choices)
    if request.method == "POST" and form.is_valid():
        eid = form.cleaned_data.get("enterprise")
        enterprise = visible.filter(pk=eid).first() if eid else None
        listing = _save_listing(request, form, enterprise)
        if listing is not None:
            return redirect("supplydemand:detail", pk=listing.pk)
    return render(request, "supplydemand/form.html", {"form": form})


@role_required(Role.ENTERPRISE, *STAFF_ROLES)
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A listing and its suggestions with their reasons; the office introduces from here."""
    listing = _listing_or_404(request, pk)
    platforms = list(Enterprise.objects.filter(industry__startswith="M").order_by("name").values_list("pk", "name")[:50]) \
        if may_introduce(request.user) else []
    return render(request, "supplydemand/detail.html", {
        "l": listing, "rows": _suggestion_rows(listing), "may_introduce": may_introduce(request.user),
        "may_close": listing.status == Listing.Status.OPEN and may_publish_for(request.user, listing.enterprise_id),
        "introductions": selectors.introductions_of(request.user, listing), "platforms": platforms,
        "close_form": CloseForm(), "events": _labelled(listing.events.select_related("actor")[:50]),
        "is_enterprise": is_enterprise_user(request.user)})


@require_POST
@role_required(Role.ENTERPRISE, *OFFICE_ROLES)
def listing_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        listing_close(actor=request.user, listing=listing, reason=reason)  # type: ignore[arg-type]
    except NotFound as e:
        raise Http404 from e
    except ApplicationError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Closed: it no longer appears in suggestions."))
    return redirect("supplydemand:detail", pk=pk)


@require_POST
@role_required(*OFFICE_ROLES)
def introduce(request: HttpRequest) -> HttpResponse:
    form = IntroduceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a need and a capability to introduce."))
        return redirect("supplydemand:list")
    d = form.cleaned_data
    listings = listings_visible_to(request.user).in_bulk([d["need"], d["capability"]])
    need, capability = listings.get(d["need"]), listings.get(d["capability"])
    if need is None or capability is None:
        raise Http404
    via = Enterprise.objects.filter(pk=d["via"]).first() if d.get("via") else None
    try:
        intro, created = introduction_make(actor=request.user, need=need, capability=capability, note=d["note"], via=via)  # type: ignore[arg-type]
    except ApplicationError as e:
        messages.error(request, str(e))
        return redirect("supplydemand:detail", pk=need.pk)
    messages.success(request, _("Introduced; both enterprises have been notified.") if created
                     else _("These two were introduced already."))
    return redirect("supplydemand:introduction", pk=intro.pk)


@role_required(*STAFF_ROLES)
def introduction_board(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.board(request.user, status=status)[:300]
    return render(request, "supplydemand/board.html", {"rows": rows, "status": status,
                                                        "statuses": Introduction.Status.choices})


@role_required(Role.ENTERPRISE, *STAFF_ROLES)
def introduction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intro = (introductions_visible_to(request.user).select_related("need__enterprise", "capability__enterprise", "made_by", "via")
             .filter(pk=pk).first())
    if intro is None:
        raise Http404
    form = AdvanceForm(request.POST or None)
    if request.method == "POST":
        if not may_introduce(request.user):
            raise DjangoPermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                introduction_advance(actor=request.user, introduction=intro, action=d["action"], value=d["value"],  # type: ignore[arg-type]
                                     signed_on=d["signed_on"], reason=d["reason"])
            except ApplicationError as e:
                form.add_error(None, apply_error(form, e))
            else:
                messages.success(request, _("Step recorded."))
                return redirect("supplydemand:introduction", pk=pk)
    return render(request, "supplydemand/introduction.html", {
        "i": intro, "form": form, "may_advance": may_introduce(request.user) and bool(actions_from(intro.status)),
        "lines": reason_lines(intro.reasons) if intro.reasons else [], "events": _labelled(intro.events.select_related("actor"))})


@role_required(*STAFF_ROLES)
def figures_view(request: HttpRequest) -> HttpResponse:
    return render(request, "supplydemand/figures.html", {"f": selectors.figures(request.user)})
