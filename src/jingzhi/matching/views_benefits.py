"""Pages from a decision to money (ADR 027): the enterprise confirms its account and applies; the issuing unit
works its application queue, decides and pays. Views parse input and call one service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingzhi.core.errors import ApplicationError
from jingzhi.core.http import apply_error
from jingzhi.enterprises.access import is_enterprise_user
from jingzhi.matching import access
from jingzhi.matching.benefits_access import applications_visible_to, is_own_enterprise, mask_account
from jingzhi.matching.forms_benefits import (
    DECISION_CHOICES,
    AccountForm,
    ApplicationDecideForm,
    ApplyForm,
    PayForm,
)
from jingzhi.matching.models import Grant, Policy
from jingzhi.matching.models_benefits import Application, GrantConfirmation, PayeeAccount, Payment
from jingzhi.matching.rules import describe, source_label
from jingzhi.matching.services.accounts import (
    account_confirm,
    account_reveal,
    current_account,
    grant_confirm_account,
)
from jingzhi.matching.services.applications import (
    OPEN,
    TRANSITIONS,
    application_decide,
    application_submit,
    is_overdue,
    pay_due,
)
from jingzhi.matching.services.matching import decision_trace, explain
from jingzhi.matching.services.payments import application_pay, grant_pay
from jingzhi.org.access import is_admin
from jingzhi.org.http import role_required
from jingzhi.org.models import Enterprise, Role


def _trace_rows(trace: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "text": describe(row), "source_text": source_label(row["source"])} for row in trace]


def account_view(user: Any, account: PayeeAccount | None) -> dict[str, Any] | None:
    """The account as this user may see it: whole for the enterprise itself, the number masked for everyone else."""
    if account is None:
        return None
    own = is_own_enterprise(user, account.enterprise_id)
    return {"pk": account.pk, "account_name": account.account_name, "bank": account.bank,
            "number": account.account_number if own else mask_account(account.account_number),
            "contact_name": account.contact_name, "contact_phone": account.contact_phone if own else
            (account.contact_phone[:3] + "****" + account.contact_phone[-4:] if len(account.contact_phone) > 7 else "****"),
            "confirmed_at": account.confirmed_at, "masked": not own}


def _account_initial(enterprise_id: int) -> dict[str, str]:
    acct = current_account(enterprise_id)
    if acct is None:
        name = Enterprise.objects.filter(pk=enterprise_id).values_list("name", flat=True).first() or ""
        return {"account_name": name}
    return {f: getattr(acct, f) for f in ("account_name", "bank", "account_number", "contact_name", "contact_phone")}


def grant_extras(request: HttpRequest, grant: Grant) -> dict[str, Any]:
    """What the grant page adds for accounts and payments (views.grant_detail includes it)."""
    conf = GrantConfirmation.objects.filter(grant=grant).select_related("account").first()
    payment = Payment.objects.filter(grant=grant).first()
    own = is_own_enterprise(request.user, grant.enterprise_id)
    keeps = access.keeps(request.user, grant.policy)
    return {
        "confirmation": conf, "account": account_view(request.user, conf.account if conf else None), "payment": payment,
        "may_confirm": own and payment is None and grant.status in (Grant.Status.PENDING, Grant.Status.OBJECTED,
                                                                      Grant.Status.APPROVED),
        "account_form": AccountForm(initial=_account_initial(grant.enterprise_id)) if own else None,
        "may_pay": keeps and payment is None and grant.status == Grant.Status.APPROVED and conf is not None,
        "pay_form": PayForm(initial={"amount": grant.amount, "paid_on": timezone.localdate().isoformat()}),
        "may_reveal": keeps and conf is not None,
    }


def flag_unpaid(grants: Iterable[Grant]) -> list[Grant]:
    """Mark approved grants still unpaid past the payment limit (60 days after the decision), for the queue."""
    now, rows = timezone.now(), list(grants)
    for g in rows:
        g.overdue = (g.status == Grant.Status.APPROVED and g.decided_at is not None  # type: ignore[attr-defined]
                     and not hasattr(g, "payment") and now > pay_due(g.decided_at))
    return rows


def _error_text(e: ApplicationError) -> str:
    details = [str(m) for m in e.fields.values() if str(m) != str(e.message)]
    return " ".join([str(e.message), *details])


@require_POST
@role_required(Role.ENTERPRISE)
def grant_account(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access.grants_visible_to(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404
    form = AccountForm(request.POST)
    form.is_valid()
    try:
        grant_confirm_account(actor=request.user, grant=grant, data=form.account())  # type: ignore[arg-type]
    except ApplicationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("Account confirmed. The unit pays the benefit to it once it is approved."))
    return redirect("matching:grant", pk=pk)


@require_POST
@role_required(Role.ENTERPRISE)
def door_account(request: HttpRequest) -> HttpResponse:
    """The door's account form: the enterprise's account, confirmed for each of its grants not yet paid."""
    form = AccountForm(request.POST)
    form.is_valid()
    try:
        _acct, n = account_confirm(actor=request.user, data=form.account())  # type: ignore[arg-type]
    except ApplicationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("Account confirmed for %(n)s benefit(s) not yet paid, and for your next "
                                    "applications.") % {"n": n})
    return redirect("matching:door")


@require_POST
@role_required(*access.POLICY_OFFICE_ROLES)
def grant_pay_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access.grants_visible_to(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404
    form = PayForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    try:
        _pay, created = grant_pay(actor=request.user, grant=grant, amount=d.get("amount"),  # type: ignore[arg-type]
                                  paid_on=d.get("paid_on"), reference=d.get("reference", ""))
    except ApplicationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("Payment recorded.") if created else _("This payment was already recorded."))
    return redirect("matching:grant", pk=pk)


@require_POST
@role_required(*access.POLICY_OFFICE_ROLES)
def reveal(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """htmx: the whole account number for the paying unit; the service writes the reveal to the audit log."""
    if kind == "grant":
        grant = access.grants_visible_to(request.user).filter(pk=pk).select_related("policy").first()
        conf = GrantConfirmation.objects.filter(grant=grant).select_related("account").first() if grant else None
        account, issuer = (conf.account if conf else None), (grant.policy.issuer_id if grant else 0)
    else:
        app = applications_visible_to(request.user).filter(pk=pk).select_related("account", "policy").first()
        account, issuer = (app.account if app else None), (app.policy.issuer_id if app else 0)
    if account is None:
        raise Http404
    try:
        number = account_reveal(actor=request.user, account=account, policy_issuer_id=issuer)  # type: ignore[arg-type]
    except ApplicationError as e:
        return HttpResponse(format_html('<span class="reveal-error">{}</span>', e.message), status=e.status)
    return HttpResponse(format_html('<span class="revealed mono" id="account-number">{}</span>', number))


# ------------------------------------------------------------------------------------------------ applications


@role_required(Role.ENTERPRISE)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise applies for a published policy it qualifies or nearly qualifies for (not 免申即享)."""
    policy = Policy.objects.filter(pk=pk, status=Policy.Status.PUBLISHED).select_related("current", "issuer").first()
    enterprise = Enterprise.objects.filter(pk=getattr(request.user, "enterprise_id", 0) or 0).first()
    if policy is None or policy.current is None or enterprise is None:
        raise Http404
    earlier = Application.objects.filter(enterprise=enterprise, policy=policy, period=timezone.localdate().year).first()
    if earlier is not None and request.method != "POST":
        return redirect("matching:application", pk=earlier.pk)
    form = ApplyForm(request.POST or None, initial=_account_initial(enterprise.pk))
    if request.method == "POST" and form.is_valid():
        try:
            app, created = application_submit(actor=request.user, policy=policy,  # type: ignore[arg-type]
                                              statement=form.cleaned_data["statement"], account=form.account())
        except ApplicationError as e:
            form.add_error(None, apply_error(form, e))
        else:
            messages.success(request, _("Application submitted.") if created else _("You have already applied; here it is."))
            return redirect("matching:application", pk=app.pk)
    result = explain(enterprise, policy.current)
    return render(request, "matching/apply.html", {"policy": policy, "v": policy.current, "form": form,
                                                   "outcome": result.outcome, "trace": _trace_rows(result.trace),
                                                   "enterprise": enterprise})


@role_required(*access.VIEW_ROLES)
def application_queue(request: HttpRequest) -> HttpResponse:
    """The policy office: its unit's applications; other staff (leaders, the hotline centre): those in their scope
    (the visibility rule); open ones first by their decision due date, overdue flagged."""
    qs = applications_visible_to(request.user).select_related("enterprise", "version", "unit")
    if not is_admin(request.user) and access.is_policy_office(request.user):
        qs = qs.filter(unit_id=getattr(request.user, "unit_id", 0) or 0)
    now = timezone.now()
    rows = list(qs.filter(status__in=[*OPEN, Application.Status.APPROVED]).order_by("decide_due")[:300])
    for a in rows:
        a.overdue = is_overdue(a, now)  # type: ignore[attr-defined]
    return render(request, "matching/applications.html", {
        "open": rows, "closed": qs.filter(status__in=[Application.Status.REJECTED, Application.Status.PAID])[:50]})


def _application_for(request: HttpRequest, pk: int) -> Application:
    app = (applications_visible_to(request.user).select_related("enterprise", "policy", "version", "unit", "snapshot",
                                                                "account").filter(pk=pk).first())
    if app is None:
        raise Http404
    return app


@role_required(*access.VIEW_ROLES, Role.ENTERPRISE)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_for(request, pk)
    keeps = access.keeps(request.user, app.policy)
    actions = [a for a in ("accept", "approve", "reject") if (app.status, a) in TRANSITIONS]
    decide_form = ApplicationDecideForm(initial={"amount": app.amount})
    field = decide_form.fields["action"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = [c for c in DECISION_CHOICES if c[0] in actions]  # only the steps the table allows now
    return render(request, "matching/application.html", {
        "a": app, "trace": _trace_rows(decision_trace(app.version, app.snapshot)),
        "missing": {**app.missing, "text": describe(app.missing)} if app.missing else None,
        "account": account_view(request.user, app.account), "overdue": is_overdue(app),
        "payment": Payment.objects.filter(application=app).first(), "may_decide": keeps and bool(actions),
        "decide_form": decide_form, "may_pay": keeps and app.status == Application.Status.APPROVED,
        "pay_form": PayForm(initial={"amount": app.approved_amount, "paid_on": timezone.localdate().isoformat()}),
        "may_reveal": keeps, "events": app.events.select_related("actor")})


@require_POST
@role_required(*access.POLICY_OFFICE_ROLES)
def application_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_for(request, pk)
    form = ApplicationDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept, approve or reject."))
        return redirect("matching:application", pk=pk)
    d = form.cleaned_data
    try:
        application_decide(actor=request.user, application=app, action=d["action"], reason=d["reason"],  # type: ignore[arg-type]
                           amount=d["amount"])
    except ApplicationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("matching:application", pk=pk)


@require_POST
@role_required(*access.POLICY_OFFICE_ROLES)
def application_pay_view(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application_for(request, pk)
    form = PayForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    try:
        _pay, created = application_pay(actor=request.user, application=app, amount=d.get("amount"),  # type: ignore[arg-type]
                                        paid_on=d.get("paid_on"), reference=d.get("reference", ""))
    except ApplicationError as e:
        messages.error(request, _error_text(e))
    else:
        messages.success(request, _("Payment recorded.") if created else _("This payment was already recorded."))
    return redirect("matching:application", pk=pk)


def door_extras(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any]:
    """What the enterprise's door adds: its account and its applications."""
    if not is_enterprise_user(request.user):
        return {}
    apps = applications_visible_to(request.user).filter(enterprise=enterprise).select_related("version")
    applied = {a.policy_id: a.pk for a in apps}
    return {"account": account_view(request.user, current_account(enterprise.pk)), "applications": apps,
            "applied": applied, "is_door": True, "account_form": AccountForm(initial=_account_initial(enterprise.pk))}
