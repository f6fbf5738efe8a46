"""Reference data over REST: units, divisions, categories, and the routing table's dry run."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1.base import ApiView
from jingzhi.api.v1.serializers import CategorySerializer, DivisionSerializer, RouteSerializer, UnitSerializer
from jingzhi.cases.selectors import units_for_choice
from jingzhi.core.errors import ValidationFailed
from jingzhi.dispatch.selectors import route_for
from jingzhi.org.models import Division
from jingzhi.taxonomy.models import Category


class UnitList(ApiView):
    @extend_schema(operation_id="units_list", responses=UnitSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Active units that take cases."""
        units = units_for_choice().select_related("parent")
        return Response(UnitSerializer(units, many=True).data)


class DivisionList(ApiView):
    @extend_schema(operation_id="divisions_list", responses=DivisionSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The division tree (GB/T 2260 codes), parents before children."""
        return Response(DivisionSerializer(Division.objects.select_related("parent").order_by("path"), many=True).data)


class CategoryList(ApiView):
    @extend_schema(operation_id="categories_list", responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        """The category taxonomy (levels 1–3)."""
        return Response(CategorySerializer(Category.objects.order_by("level", "name", "pk"), many=True).data)


class RoutingDryRun(ApiView):
    @extend_schema(
        operation_id="routing_dry_run",
        parameters=[
            OpenApiParameter("division", str, required=True, description="Division code of the place."),
            OpenApiParameter("category", int, description="Category id (optional: without it, the local fallback)."),
        ],
        responses=RouteSerializer,
    )
    def get(self, request: Request) -> Response:
        """Where the routing table would send a case of this category in this division, and why. Changes nothing."""
        errors: dict[str, str] = {}
        code = (request.query_params.get("division") or "").strip()
        division = Division.objects.filter(code=code).first() if code else None
        if division is None:
            errors["division"] = (_("There is no division with the code “%(code)s”.") % {"code": code[:20]}) if code else _(
                "Choose the division (place) the request is about.")
        category = None
        raw = (request.query_params.get("category") or "").strip()
        if raw:
            category = Category.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 18 else None
            if category is None:
                errors["category"] = _("There is no category with the id %(id)s.") % {"id": raw[:20]}
        if errors:
            raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
        assert division is not None
        route = route_for(category=category, division=division)
        return Response(RouteSerializer({"lead_unit": route.lead_unit, "assisting_units": route.assisting_units,
                                         "reason": route.reason}).data)
