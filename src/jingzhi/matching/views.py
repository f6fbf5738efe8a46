"""Policy matching pages: the catalogue and its form (the policy office), a policy's matches, the 免申即享 review
queue, and the enterprise's own page of matched policies and benefits. Views parse input and call one service."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.core.errors import ApplicationError
from jingzhi.core.http import apply_error
from jingzhi.enterprises.access import enterprises_visible_to, is_enterprise_user
from jingzhi.matching import access, views_benefits
from jingzhi.matching.benefits_access import applications_visible_to
from jingzhi.matching.coverage import coverage
from jingzhi.matching.forms import (
    DecideForm,
    ObjectForm,
    PolicyForm,
    condition_choices,
    condition_rows,
    conditions_from_post,
)
from jingzhi.matching.models import Grant, Policy
from jingzhi.matching.rules import describe, source_label
from jingzhi.matching.services.applications import OPEN
from jingzhi.matching.services.grants import grant_decide, grant_object
from jingzhi.matching.services.matching import decision_trace, matches_for_enterprise
from jingzhi.matching.services.policies import (
    CONTENT,
    policy_create,
    policy_publish,
    policy_revise,
    policy_withdraw,
)
from jingzhi.org.access import is_admin
from jingzhi.org.http import role_required
from jingzhi.org.models import Enterprise, Role


def _policy_for(request: HttpRequest, pk: int) -> Policy:
    policy = access.policies_visible_to(request.user).select_related("current", "issuer").filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


@role_required(*access.VIEW_ROLES)
def policy_list(request: HttpRequest) -> HttpResponse:
    policies = (access.policies_visible_to(request.user).select_related("current", "issuer")
                .annotate(qualified=Count("matches", filter=Q(matches__outcome="qualified")),
                          near=Count("matches", filter=Q(matches__outcome="near"))))
    unit_id = getattr(request.user, "unit_id", None)
    pending = access.grants_visible_to(request.user).filter(status=Grant.Status.PENDING, unit_id=unit_id).count() \
        if unit_id else 0
    # Coverage (the leaders' figures, ADR 027): per county within the user's scope.
    figures = coverage(request.user)
    return render(request, "matching/list.html", {"policies": policies, "may_create": access.is_policy_office(request.user),
                                                  "pending": pending, "coverage": figures})


@role_required(*access.POLICY_OFFICE_ROLES)
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = _policy_for(request, pk) if pk is not None else None
    if policy is not None and not access.keeps(request.user, policy):
        raise Http404  # not the issuing unit: the form does not exist for it
    if not access.is_policy_office(request.user):
        raise Http404
    version = policy.current if policy else None
    initial: dict[str, Any] = {"token": secrets.token_hex(8)}
    conditions: list[dict[str, Any]] = []
    if version is not None:
        initial.update({k: getattr(version, k) for k in CONTENT if k != "conditions"})
        for k in ("valid_from", "valid_to"):
            initial[k] = initial[k].isoformat() if initial[k] else ""
        conditions = version.conditions
    form = PolicyForm(request.POST or None, initial=initial)
    condition_error = ""
    if request.method == "POST":
        conditions = conditions_from_post(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            content = {k: d.get(k) for k in CONTENT if k != "conditions"}
            content["conditions"] = conditions
            try:
                if policy is None:
                    token = d.get("token") or ""
                    policy, _created = policy_create(actor=request.user, issuer=d.get("issuer"), content=content,  # type: ignore[arg-type]
                                                     idempotency_key=f"policy-form:{request.user.pk}:{token}" if token else None)
                else:
                    policy_revise(actor=request.user, policy=policy, content=content)  # type: ignore[arg-type]
            except ApplicationError as e:
                condition_error = str(e.fields.get("conditions", ""))  # also shown above the condition rows
                form.add_error(None, apply_error(form, e))
            else:
                messages.success(request, _("Saved."))
                return redirect("matching:detail", pk=policy.pk)
    return render(request, "matching/form.html", {
        "form": form, "policy": policy, "rows": condition_rows(conditions), "condition_error": condition_error, "choices": condition_choices(),
        "pick_issuer": is_admin(request.user) and policy is None})


@role_required(*access.VIEW_ROLES)
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy_for(request, pk)
    version = policy.current
    matches = (access.matches_visible_to(request.user).filter(policy=policy).select_related("enterprise", "version")
               .order_by("outcome", "enterprise__name")[:300])
    return render(request, "matching/detail.html", {
        "policy": policy, "v": version, "conditions": [describe(c) for c in (version.conditions if version else [])],
        "versions": policy.versions.all(), "matches": matches, "events": policy.events.select_related("actor")[:50],
        "keeps": access.keeps(request.user, policy)})


@require_POST
@role_required(*access.POLICY_OFFICE_ROLES)
def policy_state(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    policy = _policy_for(request, pk)
    try:
        if action == "publish":
            policy_publish(actor=request.user, policy=policy)  # type: ignore[arg-type]
            messages.success(request, _("Published; matching runs in the background."))
        else:
            policy_withdraw(actor=request.user, policy=policy, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
            messages.success(request, _("Withdrawn."))
    except ApplicationError as e:
        messages.error(request, str(e))
    return redirect("matching:detail", pk=pk)


@role_required(*access.VIEW_ROLES)
def grant_queue(request: HttpRequest) -> HttpResponse:
    """The 免申即享 review queue of the user's unit (an administrator: every unit's), and decided grants below."""
    qs = access.grants_visible_to(request.user).select_related("enterprise", "policy__current", "version", "unit",
                                                               "confirmation", "payment")
    if not is_admin(request.user):
        qs = qs.filter(unit_id=getattr(request.user, "unit_id", 0) or 0)
    return render(request, "matching/queue.html", {
        "pending": qs.filter(status__in=[Grant.Status.PENDING, Grant.Status.OBJECTED])[:200],
        "decided": views_benefits.flag_unpaid(qs.filter(status__in=[Grant.Status.APPROVED, Grant.Status.REJECTED])[:50]),
        "form": DecideForm(),
        "open_applications": applications_visible_to(request.user).filter(
            unit_id=getattr(request.user, "unit_id", 0) or 0, status__in=OPEN).count()})


@role_required(*access.VIEW_ROLES, Role.ENTERPRISE)
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access.grants_visible_to(request.user).select_related("enterprise", "policy", "version", "unit", "snapshot").filter(pk=pk).first()
    if grant is None:
        raise Http404
    return render(request, "matching/grant.html", {
        "g": grant, "trace": _trace_rows(decision_trace(grant.version, grant.snapshot)), "may_decide": access.keeps(request.user, grant.policy),
        "may_object": is_enterprise_user(request.user) and grant.status == Grant.Status.PENDING,
        "decide_form": DecideForm(), "object_form": ObjectForm(), "events": grant.events.select_related("actor"),
        **views_benefits.grant_extras(request, grant)})


@require_POST
@role_required(*access.POLICY_OFFICE_ROLES)
def grant_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access.grants_visible_to(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("matching:grant", pk=pk)
    try:
        grant_decide(actor=request.user, grant=grant, action=form.cleaned_data["action"],  # type: ignore[arg-type]
                     reason=form.cleaned_data["reason"])
    except ApplicationError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("matching:grant", pk=pk)


@require_POST
@role_required(Role.ENTERPRISE)
def grant_object_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access.grants_visible_to(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404
    form = ObjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you object."))
        return redirect("matching:grant", pk=pk)
    try:
        grant_object(actor=request.user, grant=grant, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
    except ApplicationError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Your objection was sent to the reviewing unit."))
    return redirect("matching:grant", pk=pk)


def _trace_rows(trace: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "text": describe(row), "source_text": source_label(row["source"])} for row in trace]


def _enterprise_page(request: HttpRequest, enterprise: Enterprise, template: str,
                     extra: dict[str, Any] | None = None) -> HttpResponse:
    rows = [{"policy": p, "v": v, "outcome": r.outcome, "trace": _trace_rows(r.trace),
             "missing": {**r.missing, "text": describe(r.missing)} if r.missing else None}
            for p, v, r in matches_for_enterprise(enterprise)]
    grants = access.grants_visible_to(request.user).filter(enterprise=enterprise).select_related(
        "version", "confirmation", "payment")
    return render(request, template, {"enterprise": enterprise, "rows": rows, "grants": grants, **(extra or {})})


@role_required(Role.ENTERPRISE)
def door(request: HttpRequest) -> HttpResponse:
    """The enterprise's own page: the policies it qualifies for, nearly qualifies for and why not; its benefits."""
    enterprise = Enterprise.objects.filter(pk=getattr(request.user, "enterprise_id", 0) or 0).first()
    if enterprise is None:
        raise Http404
    return _enterprise_page(request, enterprise, "matching/door.html", views_benefits.door_extras(request, enterprise))


@role_required(*access.VIEW_ROLES)
def enterprise_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff view of one enterprise's matches (those who see the enterprise in the registry)."""
    enterprise = enterprises_visible_to(request.user).filter(pk=pk).first()
    if enterprise is None:
        raise Http404
    return _enterprise_page(request, enterprise, "matching/enterprise.html")

