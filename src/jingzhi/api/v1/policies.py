"""Policy matching over REST (issue 15, ADR 027): the catalogue, an enterprise's matches with their traces, 免申即享
grants (list, decide, confirm the account, pay) and applications (create by the enterprise, list, decide, pay).

Scoping is the pages' own rule (matching.access, matching.benefits_access): outside it an object is 404; a role
that may not act is 403; writes go through the same services. Account numbers are masked except for the
enterprise itself. Creates and payments are idempotent by nature (one application and one payment per
enterprise, policy and year): a retry answers 200 with the first result.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.enterprises.access import enterprises_visible_to
from jingzhi.matching import access
from jingzhi.matching.benefits_access import applications_visible_to, is_own_enterprise, mask_account
from jingzhi.matching.models import Grant, Policy
from jingzhi.matching.models_benefits import Application, GrantConfirmation, PayeeAccount
from jingzhi.matching.rules import describe, source_label
from jingzhi.matching.services.accounts import AccountInput, grant_confirm_account
from jingzhi.matching.services.applications import application_decide, application_submit, is_overdue
from jingzhi.matching.services.grants import grant_decide
from jingzhi.matching.services.matching import matches_for_enterprise
from jingzhi.matching.services.payments import application_pay, grant_pay
from jingzhi.org.access import role_of
from jingzhi.org.models import Role, User

TAGS = ["policies"]
# What a grant's or an application's answer reads, fetched with it (a list costs the same however long it is).
GRANT_RELATED = ("enterprise", "version", "unit", "confirmation__account", "payment")
APPLICATION_RELATED = ("enterprise", "version", "unit", "account", "payment")
KEY_HEADER = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                              description="Optional (≤ 64 printable characters). The operation is idempotent anyway: "
                                          "a retry returns the first result with 200.")


# ------------------------------------------------------------------------------------------------ serializers


class VersionOut(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    level = serializers.CharField()
    document_number = serializers.CharField()
    summary = serializers.CharField()
    no_application = serializers.BooleanField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)
    benefit_kind = serializers.CharField()
    benefit_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    benefit_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    benefit_base = serializers.CharField()
    benefit_cap = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    conditions = serializers.ListField(child=serializers.DictField(), help_text="{field, op, value}, all must hold.")
    conditions_text = serializers.SerializerMethodField()

    def get_conditions_text(self, v: Any) -> list[str]:
        return [describe(c) for c in v.conditions]


class PolicyOut(serializers.Serializer):
    id = serializers.IntegerField()
    issuer = serializers.CharField(source="issuer.code")
    status = serializers.CharField()
    current = VersionOut(allow_null=True)


class TraceRowOut(serializers.Serializer):
    field = serializers.CharField()
    op = serializers.CharField()
    value = serializers.JSONField()
    text = serializers.CharField()
    actual = serializers.JSONField(allow_null=True)
    source = serializers.CharField()
    source_text = serializers.CharField()
    as_of = serializers.CharField(allow_blank=True)
    ok = serializers.BooleanField()
    gap = serializers.CharField(allow_blank=True, allow_null=True)


class MatchOut(serializers.Serializer):
    policy = serializers.IntegerField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    no_application = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=["qualified", "near", "not"])
    missing = serializers.DictField(allow_null=True, help_text="For a near miss: the condition and by how much.")
    trace = TraceRowOut(many=True)


class AccountOut(serializers.Serializer):
    account_name = serializers.CharField()
    bank = serializers.CharField()
    account_number = serializers.CharField(help_text="Masked (**** 1234) except for the enterprise itself.")
    contact_name = serializers.CharField()
    confirmed_at = serializers.DateTimeField()


class PaymentOut(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_on = serializers.DateField()
    reference = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class GrantOut(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = serializers.IntegerField(source="enterprise_id")
    enterprise_name = serializers.CharField(source="enterprise.name")
    policy = serializers.IntegerField(source="policy_id")
    version = serializers.IntegerField(source="version.number")
    unit = serializers.CharField(source="unit.code")
    period = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=Grant.Status.choices)
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    account = AccountOut(source="account_out", allow_null=True,
                         help_text="The account the enterprise confirmed; null until it does.")
    payment = PaymentOut(source="payment_out", allow_null=True)


class ApplicationOut(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = serializers.IntegerField(source="enterprise_id")
    enterprise_name = serializers.CharField(source="enterprise.name")
    policy = serializers.IntegerField(source="policy_id")
    version = serializers.IntegerField(source="version.number")
    unit = serializers.CharField(source="unit.code")
    period = serializers.IntegerField()
    outcome = serializers.CharField(help_text="qualified or near, when submitted.")
    missing = serializers.DictField()
    statement = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="By the rules.")
    approved_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=Application.Status.choices)
    reason = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decide_due = serializers.DateTimeField(help_text="7 working days after submission (the city's calendar).")
    pay_due = serializers.DateTimeField(allow_null=True, help_text="60 days after approval.")
    overdue = serializers.BooleanField(source="overdue_now")
    account = AccountOut(source="account_out")
    payment = PaymentOut(source="payment_out", allow_null=True)


class AccountIn(serializers.Serializer):
    account_name = serializers.CharField(max_length=200, help_text="The enterprise's own name.")
    bank = serializers.CharField(max_length=200)
    account_number = serializers.CharField(max_length=64, help_text="8–32 digits; spaces and hyphens are ignored.")
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=40)

    def account(self) -> AccountInput:
        d = self.validated_data
        return AccountInput(d["account_name"], d["bank"], d["account_number"], d["contact_name"], d["contact_phone"])


class GrantDecideIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ApplicationIn(serializers.Serializer):
    policy = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    statement = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)
    account = AccountIn()


class ApplicationDecideIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accept", "approve", "reject"])
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None,
                                      help_text="Approved amount (10,000 yuan); default: the amount by the rules.")


class PayIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=60)


def _page(child: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    fields = {"count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
              "previous": serializers.URLField(allow_null=True), "results": child(many=True)}
    return type(name, (serializers.Serializer,), fields)


PolicyPage = _page(PolicyOut, "PolicyPage")
GrantPage = _page(GrantOut, "GrantPage")
ApplicationPage = _page(ApplicationOut, "ApplicationPage")


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# ------------------------------------------------------------------------------------------------ helpers


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> Any:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body


def _need_role(request: Request, roles: frozenset[str] | set[str]) -> None:
    if role_of(request.user) not in roles:
        raise PermissionDenied(_("Your role may not use this."))


def _account(user: Any, account: PayeeAccount | None) -> dict[str, Any] | None:
    if account is None:
        return None
    own = is_own_enterprise(user, account.enterprise_id)
    return {"account_name": account.account_name, "bank": account.bank,
            "account_number": account.account_number if own else mask_account(account.account_number),
            "contact_name": account.contact_name, "confirmed_at": account.confirmed_at}


def _related(obj: Any, name: str) -> Any:
    """A reverse one-to-one (select_related by the lists), or None where there is none."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _grant_data(user: Any, g: Grant) -> dict[str, Any]:
    conf: GrantConfirmation | None = _related(g, "confirmation")
    g.account_out = _account(user, conf.account if conf else None)  # type: ignore[attr-defined]
    g.payment_out = _related(g, "payment")  # type: ignore[attr-defined]
    return GrantOut(g).data  # type: ignore[return-value]


def _application_data(user: Any, a: Application) -> dict[str, Any]:
    a.overdue_now = is_overdue(a)  # type: ignore[attr-defined]
    a.account_out = _account(user, a.account)  # type: ignore[attr-defined]
    a.payment_out = _related(a, "payment")  # type: ignore[attr-defined]
    return ApplicationOut(a).data  # type: ignore[return-value]


def _grant(request: Request, pk: int) -> Grant:
    g = (access.grants_visible_to(request.user).select_related(*GRANT_RELATED, "policy").filter(pk=pk).first())
    if g is None:
        raise NotFound(_("This grant does not exist."))
    return g


def _application(request: Request, pk: int) -> Application:
    a = applications_visible_to(request.user).select_related(*APPLICATION_RELATED, "policy").filter(pk=pk).first()
    if a is None:
        raise NotFound(_("This application does not exist."))
    return a


# ------------------------------------------------------------------------------------------------ policies


class PolicyList(ApiView):
    @extend_schema(operation_id="policies_list", tags=TAGS, responses=PolicyPage, parameters=[
        OpenApiParameter("status", str, enum=Policy.Status.values), OpenApiParameter("page", int),
        OpenApiParameter("page_size", int)])
    def get(self, request: Request) -> Response:
        """The catalogue: published policies, and drafts of your own unit only."""
        _need_role(request, access.VIEW_ROLES)
        qs = access.policies_visible_to(request.user).select_related("current", "issuer").order_by("-pk")
        wanted = request.query_params.get("status", "")
        if wanted in Policy.Status.values:
            qs = qs.filter(status=wanted)
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(PolicyOut(page, many=True).data)


class PolicyDetail(ApiView):
    @extend_schema(operation_id="policies_retrieve", tags=TAGS, responses=PolicyOut)
    def get(self, request: Request, pk: int) -> Response:
        """One policy with its current version and conditions; another unit's draft is 404."""
        _need_role(request, access.VIEW_ROLES)
        p = access.policies_visible_to(request.user).select_related("current", "issuer").filter(pk=pk).first()
        if p is None:
            raise NotFound(_("This policy does not exist."))
        return Response(PolicyOut(p).data)


class EnterpriseMatches(ApiView):
    @extend_schema(operation_id="enterprise_matches_list", tags=TAGS, responses=MatchOut(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Every policy in force against this enterprise: qualified, near (what is missing) or not, with the trace."""
        e = enterprises_visible_to(request.user).filter(pk=pk).first()
        if e is None:
            raise NotFound(_("This enterprise does not exist."))
        rows = [{"policy": p.pk, "title": v.title, "version": v.number, "no_application": v.no_application,
                 "outcome": r.outcome, "missing": {**r.missing, "text": describe(r.missing)} if r.missing else None,
                 "trace": [{**t, "value": t.get("value"), "text": describe(t), "source_text": source_label(t["source"]),
                            "as_of": t.get("as_of") or "", "gap": t.get("gap")} for t in r.trace]}
                for p, v, r in matches_for_enterprise(e)]
        return Response(MatchOut(rows, many=True).data)


# ------------------------------------------------------------------------------------------------ grants


class GrantList(ApiView):
    @extend_schema(operation_id="grants_list", tags=TAGS, responses=GrantPage, parameters=[
        OpenApiParameter("status", str, enum=Grant.Status.values), OpenApiParameter("page", int),
        OpenApiParameter("page_size", int)])
    def get(self, request: Request) -> Response:
        """免申即享 grants you may see: your unit's queue, the enterprises you see, or your own enterprise's."""
        _need_role(request, {*access.VIEW_ROLES, Role.ENTERPRISE})
        qs = access.grants_visible_to(request.user).select_related(*GRANT_RELATED).order_by("-created_at", "-pk")
        wanted = request.query_params.get("status", "")
        if wanted in Grant.Status.values:
            qs = qs.filter(status=wanted)
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([_grant_data(request.user, g) for g in page])


class GrantDetail(ApiView):
    @extend_schema(operation_id="grants_retrieve", tags=TAGS, responses=GrantOut)
    def get(self, request: Request, pk: int) -> Response:
        """One grant, its account (masked but for the enterprise) and its payment."""
        return Response(_grant_data(request.user, _grant(request, pk)))


class GrantDecide(ApiView):
    @extend_schema(operation_id="grants_decide", tags=TAGS, request=GrantDecideIn, responses=GrantOut)
    def post(self, request: Request, pk: int) -> Response:
        """The issuing unit approves or rejects (a rejection needs its reason); 409 when already decided."""
        d = _valid(GrantDecideIn, request).validated_data
        grant_decide(actor=_user(request), grant=_grant(request, pk), action=d["action"], reason=d["reason"])
        return Response(_grant_data(request.user, _grant(request, pk)))


class GrantAccount(ApiView):
    @extend_schema(operation_id="grants_confirm_account", tags=TAGS, request=AccountIn, responses=GrantOut)
    def post(self, request: Request, pk: int) -> Response:
        """The enterprise confirms or corrects the account the grant is paid to."""
        body = _valid(AccountIn, request)
        grant_confirm_account(actor=_user(request), grant=_grant(request, pk), data=body.account())
        return Response(_grant_data(request.user, _grant(request, pk)))


class GrantPay(ApiView):
    @extend_schema(operation_id="grants_pay", tags=TAGS, request=PayIn, parameters=[KEY_HEADER],
                   responses={201: PaymentOut, 200: PaymentOut})
    def post(self, request: Request, pk: int) -> Response:
        """Record the payment of an approved grant to its confirmed account; a retry of the same payment is 200, a
        second payment for the same enterprise, policy and year 409."""
        idempotency_key(request)
        d = _valid(PayIn, request).validated_data
        pay, created = grant_pay(actor=_user(request), grant=_grant(request, pk), amount=d["amount"],
                                 paid_on=d["paid_on"], reference=d["reference"])
        return Response(PaymentOut(pay).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# ------------------------------------------------------------------------------------------------ applications


class ApplicationListCreate(ApiView):
    @extend_schema(operation_id="applications_list", tags=TAGS, responses=ApplicationPage, parameters=[
        OpenApiParameter("status", str, enum=Application.Status.values), OpenApiParameter("page", int),
        OpenApiParameter("page_size", int)])
    def get(self, request: Request) -> Response:
        """Applications you may see: your unit's, the enterprises you see, or your own enterprise's."""
        _need_role(request, {*access.VIEW_ROLES, Role.ENTERPRISE})
        qs = applications_visible_to(request.user).select_related(*APPLICATION_RELATED).order_by("-submitted_at", "-pk")
        wanted = request.query_params.get("status", "")
        if wanted in Application.Status.values:
            qs = qs.filter(status=wanted)
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([_application_data(request.user, a) for a in page])

    @extend_schema(operation_id="applications_create", tags=TAGS, request=ApplicationIn, parameters=[KEY_HEADER],
                   responses={201: ApplicationOut, 200: ApplicationOut})
    def post(self, request: Request) -> Response:
        """Apply for a published policy (an enterprise user, for its own enterprise); one per policy and year."""
        idempotency_key(request)
        if role_of(request.user) != Role.ENTERPRISE:
            raise PermissionDenied(_("Only an enterprise applies, for itself."))
        d = _valid(ApplicationIn, request).validated_data
        policy = Policy.objects.filter(pk=d["policy"], status=Policy.Status.PUBLISHED).first()
        if policy is None:
            raise NotFound(_("This policy does not exist."), fields={"policy": _("This policy does not exist.")})
        a = d["account"]
        account = AccountInput(a["account_name"], a["bank"], a["account_number"], a["contact_name"], a["contact_phone"])
        app, created = application_submit(actor=_user(request), policy=policy, statement=d["statement"], account=account)
        return Response(_application_data(request.user, _application(request, app.pk)),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ApplicationDetail(ApiView):
    @extend_schema(operation_id="applications_retrieve", tags=TAGS, responses=ApplicationOut)
    def get(self, request: Request, pk: int) -> Response:
        """One application with its clocks, its account (masked but for the enterprise) and its payment."""
        return Response(_application_data(request.user, _application(request, pk)))


class ApplicationDecide(ApiView):
    @extend_schema(operation_id="applications_decide", tags=TAGS, request=ApplicationDecideIn, responses=ApplicationOut)
    def post(self, request: Request, pk: int) -> Response:
        """The issuing unit accepts, approves (with the amount) or rejects (with the reason); 409 out of order."""
        d = _valid(ApplicationDecideIn, request).validated_data
        application_decide(actor=_user(request), application=_application(request, pk), action=d["action"],
                           reason=d["reason"], amount=d["amount"])
        return Response(_application_data(request.user, _application(request, pk)))


class ApplicationPay(ApiView):
    @extend_schema(operation_id="applications_pay", tags=TAGS, request=PayIn, parameters=[KEY_HEADER],
                   responses={201: PaymentOut, 200: PaymentOut})
    def post(self, request: Request, pk: int) -> Response:
        """Record the payment of an approved application; a retry is 200, a second payment 409."""
        idempotency_key(request)
        d = _valid(PayIn, request).validated_data
        pay, created = application_pay(actor=_user(request), application=_application(request, pk), amount=d["amount"],
                                       paid_on=d["paid_on"], reference=d["reference"])
        return Response(PaymentOut(pay).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
