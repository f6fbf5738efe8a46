"""The dispute register over REST: list and register (idempotent), one dispute, register from a case, steps,
risk, the end, visits, links to cases, and the figures. Scoping is the register's own rule
(`Dispute.objects.visible_to`): outside it a dispute is 404. Parties are always masked here."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.api.v1.lookups import division_by_code, unit_by_code, user_by_username
from jingzhi.api.v1.serializers import DivisionRef, UnitRef
from jingzhi.core import masking
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.disputes import figures, selectors, services
from jingzhi.disputes.models import Dispute, DisputeType, Risk, Source, Status, Step
from jingzhi.org.models import User

TAGS = ["disputes"]


class PartyOut(serializers.Serializer):
    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()

    def get_name(self, p: Any) -> str:
        return masking.mask_name(p.name)

    def get_phone(self, p: Any) -> str:
        return masking.mask_phone(p.phone)

    def get_id_number(self, p: Any) -> str:
        return masking.mask_id_number(p.id_number)


class DisputeOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    type = serializers.ChoiceField(choices=DisputeType.choices)
    summary = serializers.CharField()
    division = DivisionRef()
    place = serializers.CharField()
    risk = serializers.ChoiceField(choices=Risk.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    station = UnitRef()
    status = serializers.ChoiceField(choices=Status.choices)
    screened_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True, help_text="When it was resolved, referred or closed.")
    escalation_due = serializers.DateTimeField(allow_null=True, help_text="An escalated dispute must be visited or mediated by then.")
    repeat_count = serializers.IntegerField(help_text="Earlier disputes with a party in common.")
    flagged = serializers.BooleanField(help_text="A party or the place had another open dispute at registration.")


class StepOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Step.Kind.choices)
    note = serializers.CharField()
    at = serializers.DateTimeField()


class VisitOut(serializers.Serializer):
    id = serializers.IntegerField()
    due = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    stable = serializers.BooleanField(allow_null=True)
    note = serializers.CharField()


class LinkedCaseOut(serializers.Serializer):
    number = serializers.CharField(source="case.number")
    relation = serializers.CharField(source="link.relation")
    status = serializers.CharField(source="case.status")


class DisputeDetailOut(DisputeOut):
    description = serializers.CharField()
    outcome = serializers.CharField()
    sessions_to_resolve = serializers.IntegerField(allow_null=True)
    parties = PartyOut(many=True, help_text="Masked.")
    steps = StepOut(many=True)
    visits = VisitOut(many=True)
    cases = LinkedCaseOut(many=True, help_text="Linked cases you may see.")


class DisputePageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = DisputeOut(many=True)


class PartyIn(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)


class DisputeIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=DisputeType.choices)
    summary = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=4000, required=False, default="", allow_blank=True)
    division = serializers.CharField(max_length=12, help_text="Division code.")
    place = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    risk = serializers.ChoiceField(choices=Risk.choices, required=False, default=Risk.LOW)
    source = serializers.ChoiceField(choices=Source.choices, required=False, default=Source.SCREENING)
    station = serializers.CharField(max_length=30, help_text="Code of the responsible police station or unit.")
    mediator = serializers.CharField(max_length=150, required=False, default="", allow_blank=True, help_text="Username.")
    parties = PartyIn(many=True, min_length=1, max_length=10)


class FromCaseIn(serializers.Serializer):
    case_number = serializers.CharField(max_length=32)
    type = serializers.ChoiceField(choices=DisputeType.choices)
    station = serializers.CharField(max_length=30)
    risk = serializers.ChoiceField(choices=Risk.choices, required=False, default=Risk.LOW)
    summary = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class StepIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Step.Kind.choices)
    note = serializers.CharField(max_length=4000)


class RiskIn(serializers.Serializer):
    risk = serializers.ChoiceField(choices=Risk.choices)
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class EndIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["resolve", "refer", "close"])
    outcome = serializers.CharField(max_length=4000)


class VisitIn(serializers.Serializer):
    due = serializers.DateField()


class VisitRecordIn(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    stable = serializers.BooleanField()


class CaseLinkIn(serializers.Serializer):
    case_number = serializers.CharField(max_length=32)


class FigureOut(serializers.Serializer):
    screened = serializers.IntegerField()
    resolved = serializers.IntegerField()
    first_mediation = serializers.IntegerField()
    recurred = serializers.IntegerField()
    resolved_rate = serializers.FloatField(allow_null=True)


class StationFigureOut(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="Null: fewer disputes than the ranking needs.")
    station = serializers.CharField()
    total = FigureOut()
    by_type = serializers.DictField(child=FigureOut())


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _detail(dispute: Dispute, user: User) -> dict[str, Any]:
    v = selectors.dispute_view(user, dispute)
    data = {**DisputeOut(dispute).data, "description": dispute.description, "outcome": dispute.outcome,
            "sessions_to_resolve": dispute.sessions_to_resolve, "parties": PartyOut(v.parties, many=True).data,
            "steps": StepOut(v.steps, many=True).data, "visits": VisitOut(v.visits, many=True).data,
            "cases": LinkedCaseOut(v.cases, many=True).data}
    return data


def _visible(user: User, pk: int) -> Dispute:
    found = selectors.dispute_for(user, pk)
    if found is None:
        raise NotFound(_("No such dispute."))
    return found


def _fresh(user: User, pk: int) -> Response:
    return Response(_detail(_visible(user, pk), user))


class Page(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class DisputeListCreate(ApiView):
    @extend_schema(operation_id="disputes_list", tags=TAGS, responses=DisputePageOut, parameters=[
        OpenApiParameter("status", str, enum=[*Status.values, "any"], description="Default: open."),
        OpenApiParameter("type", str, enum=DisputeType.values), OpenApiParameter("risk", int, description="At least."),
        OpenApiParameter("flagged", bool), OpenApiParameter("overdue", bool),
        OpenApiParameter("party", str, description="A party's exact phone or ID number."),
        OpenApiParameter("page", int), OpenApiParameter("page_size", int)])
    def get(self, request: Request) -> Response:
        """The register you may see, highest risk first, with the register page's filters."""
        params = {k: v for k, v in request.query_params.items() if k in {"status", "type", "risk", "flagged", "overdue", "party"}}
        for flag in ("flagged", "overdue"):
            if params.get(flag, "").lower() in {"false", "0", ""}:
                params.pop(flag, None)
        paginator = Page()
        page = paginator.paginate_queryset(selectors.register(_user(request), params), request, view=self)
        return paginator.get_paginated_response(DisputeOut(page, many=True).data)

    @extend_schema(operation_id="disputes_create", tags=TAGS, request=DisputeIn,
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                                description="A retry with the same key returns the same dispute with 200.")],
                   responses={201: DisputeDetailOut, 200: DisputeDetailOut})
    def post(self, request: Request) -> Response:
        """Register a dispute; parties are matched against earlier disputes (repeat count, flag)."""
        raw_key = idempotency_key(request)
        d = _valid(DisputeIn, request)
        user = _user(request)
        mediator = user_by_username(d["mediator"], "mediator") if d["mediator"] else None
        dispute, created = services.dispute_register(
            actor=user, type=d["type"], summary=d["summary"], description=d["description"],
            division=division_by_code(d["division"]), place=d["place"], risk=int(d["risk"]), source=d["source"],
            station=unit_by_code(d["station"], "station"), mediator=mediator,
            parties=[services.PartyInput(**p) for p in d["parties"]],
            idempotency_key=f"api:{user.pk}:{raw_key}" if raw_key else "")
        return Response(_detail(dispute, user), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
                        headers={"Location": reverse("api:dispute_detail", kwargs={"pk": dispute.pk})})


class DisputeFromCase(ApiView):
    @extend_schema(operation_id="disputes_from_case", tags=TAGS, request=FromCaseIn,
                   responses={201: DisputeDetailOut, 200: DisputeDetailOut})
    def post(self, request: Request) -> Response:
        """Turn a hotline case you can see into a dispute (once: a second call returns the first, 200)."""
        d = _valid(FromCaseIn, request)
        user = _user(request)
        dispute, created = services.dispute_from_case(actor=user, case_number=d["case_number"], type=d["type"],
                                                      station=unit_by_code(d["station"], "station"), risk=int(d["risk"]),
                                                      summary=d["summary"])
        return Response(_detail(dispute, user), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DisputeDetail(ApiView):
    @extend_schema(operation_id="disputes_retrieve", tags=TAGS, responses=DisputeDetailOut)
    def get(self, request: Request, pk: int) -> Response:
        """One dispute: masked parties, steps, visits, the linked cases you may see."""
        return _fresh(_user(request), pk)


class DisputeSteps(ApiView):
    @extend_schema(operation_id="disputes_steps_create", tags=TAGS, request=StepIn, responses={201: DisputeDetailOut})
    def post(self, request: Request, pk: int) -> Response:
        """Record a step (visit, mediation session, agreement, referral)."""
        d = _valid(StepIn, request)
        services.dispute_step_add(actor=_user(request), dispute_id=pk, kind=d["kind"], note=d["note"])
        return Response(_detail(_visible(_user(request), pk), _user(request)), status=status.HTTP_201_CREATED)


class DisputeRisk(ApiView):
    @extend_schema(operation_id="disputes_risk", tags=TAGS, request=RiskIn, responses=DisputeDetailOut)
    def post(self, request: Request, pk: int) -> Response:
        """Change the risk level; raising it to high or above escalates."""
        d = _valid(RiskIn, request)
        services.dispute_set_risk(actor=_user(request), dispute_id=pk, risk=int(d["risk"]), note=d["note"])
        return _fresh(_user(request), pk)


class DisputeEnd(ApiView):
    @extend_schema(operation_id="disputes_end", tags=TAGS, request=EndIn, responses=DisputeDetailOut)
    def post(self, request: Request, pk: int) -> Response:
        """Resolve, refer or close the dispute (409 when it has already ended)."""
        d = _valid(EndIn, request)
        services.dispute_end(actor=_user(request), dispute_id=pk, action=d["action"], outcome=d["outcome"])
        return _fresh(_user(request), pk)


class DisputeVisits(ApiView):
    @extend_schema(operation_id="disputes_visits_create", tags=TAGS, request=VisitIn, responses={201: DisputeDetailOut})
    def post(self, request: Request, pk: int) -> Response:
        """Schedule a follow-up visit."""
        d = _valid(VisitIn, request)
        services.visit_schedule(actor=_user(request), dispute_id=pk, due=d["due"])
        return Response(_detail(_visible(_user(request), pk), _user(request)), status=status.HTTP_201_CREATED)


class DisputeVisitRecord(ApiView):
    @extend_schema(operation_id="disputes_visits_record", tags=TAGS, request=VisitRecordIn, responses=DisputeDetailOut)
    def post(self, request: Request, pk: int, visit_id: int) -> Response:
        """Record a follow-up visit (409 when it was recorded already)."""
        d = _valid(VisitRecordIn, request)
        services.visit_record(actor=_user(request), dispute_id=pk, visit_id=visit_id, note=d["note"], stable=d["stable"])
        return _fresh(_user(request), pk)


class DisputeCases(ApiView):
    @extend_schema(operation_id="disputes_cases_link", tags=TAGS, request=CaseLinkIn, responses=DisputeDetailOut)
    def post(self, request: Request, pk: int) -> Response:
        """Link a hotline case you can see to the dispute (a second call changes nothing)."""
        d = _valid(CaseLinkIn, request)
        services.dispute_link_case(actor=_user(request), dispute_id=pk, case_number=d["case_number"])
        return _fresh(_user(request), pk)


def _date(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        msg = _("Give a date as YYYY-MM-DD.")
        raise ValidationFailed(msg, fields={name: msg}) from None


class DisputeFigures(ApiView):
    @extend_schema(operation_id="disputes_figures", tags=TAGS, responses=StationFigureOut(many=True), parameters=[
        OpenApiParameter("from", OpenApiTypes.DATE, description="Screened on or after (default: 180 days ago)."),
        OpenApiParameter("to", OpenApiTypes.DATE, description="Screened on or before (default: today).")])
    def get(self, request: Request) -> Response:
        """Screened, resolved, resolved at first mediation, recurred within 90 days: by station and type, ranked."""
        today = timezone.localdate()
        start, end = _date(request, "from", today - timedelta(days=180)), _date(request, "to", today)
        if end < start or (end - start).days > 3660:
            msg = _("The period runs forward and spans at most ten years.")
            raise ValidationFailed(msg, fields={"to": msg})
        rows = figures.station_figures(_user(request), start=start, end=end)
        return Response(StationFigureOut(rows, many=True).data)


