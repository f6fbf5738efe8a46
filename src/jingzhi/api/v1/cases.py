"""Cases over REST: create (idempotent), list with the UI's filters, one case with its timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.api.v1.serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CasePageSerializer,
    CaseSerializer,
)
from jingzhi.cases import selectors
from jingzhi.cases.models import Attachment, Case, ContactPreference, FollowUp, Kind, Status
from jingzhi.cases.services import case_create
from jingzhi.core.errors import ValidationFailed
from jingzhi.org.models import Unit
from jingzhi.taxonomy.models import Category


class CaseCursor(CursorPagination):
    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


FILTER_PARAMETERS = [
    OpenApiParameter("number", str, description="Part of the case number."),
    OpenApiParameter("text", str, description="Words in the title, description or address."),
    OpenApiParameter("status", str, many=True, enum=[*Status.values, "open"], description="One or more statuses; `open` = every open status."),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("unit", str, description="Lead unit code."),
    OpenApiParameter("division", str, description="Division code; its whole subtree matches."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Received on or after (local date)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Received on or before (local date)."),
    OpenApiParameter("overdue", bool, description="Only cases whose running clock has run out."),
    OpenApiParameter("supervision_min", int, enum=[0, 1, 2, 3], description="At least this supervision level."),
]


PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="The opaque cursor from a page's `next` or `previous` link."),
    OpenApiParameter("page_size", int, description="Cases per page (1–200, default 50)."),
]


def case_detail_data(case: Case, user: Any, *, as_written: bool = False) -> dict[str, Any]:
    """The case page's data. `as_written`: the case a create just wrote and nothing has touched since (still
    accepted, so no unit, no helpers, no follow-up): its rows are in hand, so they are not read back (issue 12)."""
    if as_written and case.status == Status.ACCEPTED:
        case._prefetched_objects_cache = {  # type: ignore[attr-defined]
            "assisting_units": Unit.objects.none(), "attachments": Attachment.objects.none(),
            "follow_ups": FollowUp.objects.none(),
        }
    else:
        case = selectors.case_with_related(case)
    timeline = getattr(case, "intake_timeline", None) if as_written else None  # the create's own event (intake.py)
    context = {
        "timeline": timeline if timeline is not None else list(selectors.case_timeline(case=case)),
        "allowed_actions": selectors.allowed_actions(case=case, user=user),
    }
    return CaseDetailSerializer(case, context=context).data  # type: ignore[return-value]


class CaseListCreate(ApiView):
    @extend_schema(operation_id="cases_list", parameters=[*FILTER_PARAMETERS, *PAGE_PARAMETERS], responses=CasePageSerializer)
    def get(self, request: Request) -> Response:
        """The cases you may see, newest first, with the same filters as the case list page."""
        filters = selectors.CaseFilters.parse(request.query_params)
        qs = selectors.case_list(user=request.user, filters=filters).select_related("merged_into")  # type: ignore[arg-type]
        paginator = CaseCursor()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_create",
        request=CaseCreateSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER,
            description="Any unique string (≤ 64 printable characters). A retry with the same key returns the same case with 200.",
        )],
        responses={201: CaseDetailSerializer, 200: CaseDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        """Register a case. With an Idempotency-Key, a retry returns the first case (200) instead of a second one."""
        raw_key = idempotency_key(request)
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        category = None
        if d.get("category") is not None:
            category = Category.objects.filter(pk=d["category"]).first()
            if category is None:
                msg = _("There is no category with the id %(id)s.") % {"id": d["category"]}
                raise ValidationFailed(msg, fields={"category": msg})
        case, created = case_create(
            actor=request.user,  # type: ignore[arg-type]
            channel=d["channel"], kind=d["kind"], priority=d["priority"], title=d["title"], content=d["content"],
            division_code=d["division"], category=category, requester_name=d["requester_name"],
            requester_phone=d["requester_phone"], requester_id_number=d["requester_id_number"], address=d["address"],
            contact_preference=d.get("contact_preference") or ContactPreference.SMS, lat=d.get("lat"), lng=d.get("lng"),
            # Keys are per caller: two integrations that happen to choose the same key never see each other's case.
            idempotency_key=f"api:{request.user.pk}:{raw_key}" if raw_key else None,
        )
        headers = {"Location": reverse("api:case_detail", kwargs={"number": case.number})}
        return Response(case_detail_data(case, request.user, as_written=created),
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
                        headers=headers)


class CaseDetail(ApiView):
    @extend_schema(operation_id="cases_retrieve", responses=CaseDetailSerializer)
    def get(self, request: Request, number: str) -> Response:
        """One case with its timeline and the actions you may take now. A case outside your scope is 404."""
        case = selectors.case_get(number=number, user=request.user)  # type: ignore[arg-type]
        return Response(case_detail_data(case, request.user))
