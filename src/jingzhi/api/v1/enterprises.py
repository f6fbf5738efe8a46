"""Enterprise service over REST (issue 14): the registry, an enterprise's needs and visits.

Scoping is the pages' own: enterprises through `enterprises_visible_to` (404 outside), needs through the case
visibility rule, writes through the same services. Creates take an Idempotency-Key like cases do.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.api.v1.lookups import division_by_code
from jingzhi.cases.models import Case
from jingzhi.core.errors import NotFound
from jingzhi.enterprises.access import enterprises_visible_to
from jingzhi.enterprises.models import Need, NeedChannel, Visit
from jingzhi.enterprises.services.needs import need_submit
from jingzhi.enterprises.services.registry import enterprise_save
from jingzhi.enterprises.services.visits import visit_record
from jingzhi.org.models import Enterprise, EnterpriseTag

TAGS = ["enterprises"]
KEY_HEADER = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                              description="Any unique string (≤ 64 printable characters); a retry returns the first result with 200.")


class FiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    output = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    rd_spend = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    employees = serializers.IntegerField(allow_null=True)


class EnterpriseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    division = serializers.CharField(source="division.code")
    industry = serializers.CharField()
    size = serializers.CharField()
    employees = serializers.IntegerField(allow_null=True)
    tags = serializers.SerializerMethodField()
    figures = FiguresSerializer(many=True, source="figures.all")

    def get_tags(self, obj: Enterprise) -> list[str]:
        return [t.tag for t in obj.tags.all()]


class EnterpriseWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(max_length=40)
    division = serializers.CharField(max_length=12, help_text="Division code.")
    legal_representative = serializers.CharField(max_length=50, required=False, default="")
    address = serializers.CharField(max_length=200, required=False, default="")
    industry = serializers.CharField(max_length=10, required=False, default="")
    size = serializers.ChoiceField(choices=["", *Enterprise.Size.values], required=False, default="")
    employees = serializers.IntegerField(min_value=0, max_value=9_999_999, required=False, allow_null=True, default=None)
    tags = serializers.ListField(child=serializers.ChoiceField(choices=EnterpriseTag.Tag.values), required=False, default=list)


class NeedSerializer(serializers.Serializer):
    number = serializers.CharField(source="case.number")
    title = serializers.CharField(source="case.title")
    status = serializers.CharField(source="case.status")
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    contact_due = serializers.DateTimeField()
    progress_due = serializers.DateTimeField()
    close_due = serializers.DateTimeField()
    escalation = serializers.IntegerField()
    rating = serializers.CharField()
    reply = serializers.CharField(source="case.reply")


class NeedCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=NeedChannel.values, default=NeedChannel.DIRECT)
    contact_name = serializers.CharField(max_length=50, required=False, default="")
    contact_phone = serializers.CharField(max_length=20)


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_on = serializers.DateField()
    visitor = serializers.CharField(source="visitor.username")
    met = serializers.CharField()
    asked = serializers.CharField()
    promised = serializers.CharField()
    promise_due = serializers.DateField(allow_null=True)


class VisitCreateSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    met = serializers.CharField(max_length=100, required=False, default="")
    asked = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    promised = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    promise_due = serializers.DateField(required=False, allow_null=True, default=None)


def _page(child: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The schema of a numbered page of `child` rows (count, next, previous, results)."""
    fields = {"count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
              "previous": serializers.URLField(allow_null=True), "results": child(many=True)}
    return type(name, (serializers.Serializer,), fields)


EnterprisePage = _page(EnterpriseSerializer, "EnterprisePage")
NeedPage = _page(NeedSerializer, "NeedPage")
VisitPage = _page(VisitSerializer, "VisitPage")


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _enterprise(request: Request, pk: int) -> Enterprise:
    e = enterprises_visible_to(request.user).select_related("division").filter(pk=pk).first()
    if e is None:
        raise NotFound(_("This enterprise does not exist."))
    return e


def _data(e: Enterprise) -> dict[str, Any]:
    e = Enterprise.objects.select_related("division").prefetch_related("tags", "figures").get(pk=e.pk)
    return EnterpriseSerializer(e).data  # type: ignore[return-value]


class EnterpriseListCreate(ApiView):
    @extend_schema(operation_id="enterprises_list", tags=TAGS, responses=EnterprisePage,
                   parameters=[OpenApiParameter("q", str, description="Part of the name, or the credit code."),
                               OpenApiParameter("tag", str, enum=EnterpriseTag.Tag.values)])
    def get(self, request: Request) -> Response:
        """The enterprises you may see, by name."""
        qs = enterprises_visible_to(request.user).select_related("division").prefetch_related("tags", "figures").order_by("name")
        q, tag = request.query_params.get("q", "")[:100], request.query_params.get("tag", "")
        if q:
            qs = qs.filter(name__icontains=q) | qs.filter(credit_code=q.upper())
        if tag:
            qs = qs.filter(tags__tag=tag)
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(EnterpriseSerializer(page, many=True).data)

    @extend_schema(operation_id="enterprises_create", tags=TAGS, request=EnterpriseWriteSerializer, parameters=[KEY_HEADER],
                   responses={201: EnterpriseSerializer, 200: EnterpriseSerializer})
    def post(self, request: Request) -> Response:
        """Register an enterprise (the enterprise service office). A retry with the same key returns it (200)."""
        key = idempotency_key(request)
        data = EnterpriseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if key:
            # The credit code is the enterprise's identity: a retry finds the row the first call made.
            same = enterprises_visible_to(request.user).filter(credit_code=d["credit_code"].strip().upper(), name=d["name"].strip()).first()
            if same is not None:
                return Response(_data(same), status=status.HTTP_200_OK)
        e = enterprise_save(actor=request.user, enterprise=None, name=d["name"], credit_code=d["credit_code"],  # type: ignore[arg-type]
                            division=division_by_code(d["division"], field="division"),
                            legal_representative=d["legal_representative"], address=d["address"],
                            industry=d["industry"], size=d["size"], employees=d["employees"], tags=d["tags"])
        return Response(_data(e), status=status.HTTP_201_CREATED)


class EnterpriseDetail(ApiView):
    @extend_schema(operation_id="enterprises_retrieve", tags=TAGS, responses=EnterpriseSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One enterprise with its tags and yearly figures; outside your scope it is 404."""
        return Response(_data(_enterprise(request, pk)))


class NeedListCreate(ApiView):
    @extend_schema(operation_id="enterprise_needs_list", tags=TAGS, responses=NeedPage)
    def get(self, request: Request, pk: int) -> Response:
        """The enterprise's needs you may see (the case visibility rule), newest first."""
        e = _enterprise(request, pk)
        qs = (Need.objects.filter(enterprise=e, case__in=Case.objects.visible_to(request.user))
              .select_related("case").order_by("-created_at"))
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(NeedSerializer(page, many=True).data)

    @extend_schema(operation_id="enterprise_needs_create", tags=TAGS, request=NeedCreateSerializer,
                   parameters=[KEY_HEADER], responses={201: NeedSerializer, 200: NeedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Register a need of this enterprise; with an Idempotency-Key a retry returns the first need (200)."""
        key = idempotency_key(request)
        e = _enterprise(request, pk)
        data = NeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        need, created = need_submit(actor=request.user, enterprise=e, title=d["title"], content=d["content"],  # type: ignore[arg-type]
                                    channel=d["channel"], contact_name=d["contact_name"], contact_phone=d["contact_phone"],
                                    idempotency_key=f"api:{request.user.pk}:{key}" if key else None)
        return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class VisitListCreate(ApiView):
    @extend_schema(operation_id="enterprise_visits_list", tags=TAGS, responses=VisitPage)
    def get(self, request: Request, pk: int) -> Response:
        """The enterprise's visits, newest first."""
        e = _enterprise(request, pk)
        if getattr(request.user, "role", "") == "enterprise":
            raise NotFound(_("This enterprise does not exist."))
        qs = Visit.objects.filter(enterprise=e).select_related("visitor").order_by("-visited_on", "-pk")
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(VisitSerializer(page, many=True).data)

    @extend_schema(operation_id="enterprise_visits_create", tags=TAGS, request=VisitCreateSerializer,
                   parameters=[KEY_HEADER], responses={201: VisitSerializer, 200: VisitSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Record a visit (包保 officials, 专班 members, the office); a promise with a date becomes a need."""
        key = idempotency_key(request)
        e = _enterprise(request, pk)
        data = VisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        full_key = f"api:{request.user.pk}:{key}" if key else None
        existed = bool(full_key) and Visit.objects.filter(idempotency_key=full_key).exists()
        visit = visit_record(actor=request.user, enterprise=e, visited_on=d["visited_on"], met=d["met"],  # type: ignore[arg-type]
                             asked=d["asked"], promised=d["promised"], promise_due=d["promise_due"], idempotency_key=full_key)
        return Response(VisitSerializer(visit).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


