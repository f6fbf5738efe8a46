"""Supply ↔ demand over REST (issue 15): listings (list, create) and a listing's suggestions.

Scoping is the pages' own (supplydemand.access): an enterprise's key sees its own listings, staff those of the
enterprises the registry shows them; outside that a listing is 404. Creates go through listing_create and take an
Idempotency-Key; suggestions show only the public part of the other enterprise's listing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.core.errors import NotFound
from jingzhi.enterprises.access import enterprises_visible_to
from jingzhi.supplydemand.access import listings_visible_to
from jingzhi.supplydemand.models import Listing, Unit
from jingzhi.supplydemand.services import listing_create
from jingzhi.supplydemand.suggest import suggestions_for

TAGS = ["supply and demand"]
KEY_HEADER = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                              description="Any unique string (≤ 64 printable characters); a retry returns the first listing with 200.")


class ListingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Listing.Kind.values)
    enterprise = serializers.CharField(source="enterprise.name")
    title = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit = serializers.ChoiceField(choices=Unit.values)
    wanted_by = serializers.DateField(allow_null=True)
    available_from = serializers.DateField(allow_null=True)
    place_code = serializers.CharField()
    place_name = serializers.CharField()
    industry = serializers.CharField()
    valid_until = serializers.DateField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class ListingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Listing.Kind.values)
    enterprise = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="The enterprise's id; an enterprise's own key may leave it out.")
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("999999999"))
    unit = serializers.ChoiceField(choices=Unit.values)
    wanted_by = serializers.DateField(required=False, allow_null=True, default=None)
    available_from = serializers.DateField(required=False, allow_null=True, default=None)
    place_code = serializers.CharField(max_length=12, required=False, default="", allow_blank=True,
                                       help_text="GB/T 2260 code; default: the enterprise's division.")
    industry = serializers.CharField(max_length=10, required=False, allow_blank=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class SuggestionSerializer(serializers.Serializer):
    score = serializers.FloatField()
    listing = ListingSerializer()
    words = serializers.ListField(child=serializers.CharField())
    reasons = serializers.DictField()


class ListingPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ListingSerializer(many=True)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ListingListCreate(ApiView):
    @extend_schema(operation_id="listings_list", tags=TAGS, responses=ListingPage,
                   parameters=[OpenApiParameter("kind", str, enum=Listing.Kind.values),
                               OpenApiParameter("q", str, description="Part of the product or enterprise name.")])
    def get(self, request: Request) -> Response:
        """The listings you may see, newest first."""
        qs = listings_visible_to(request.user).select_related("enterprise").order_by("-created_at", "-pk")
        kind, q = request.query_params.get("kind", ""), request.query_params.get("q", "")[:100]
        if kind in Listing.Kind.values:
            qs = qs.filter(kind=kind)
        if q:
            qs = qs.filter(title__icontains=q) | qs.filter(enterprise__name__icontains=q)
        paginator = Pages()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ListingSerializer(page, many=True).data)

    @extend_schema(operation_id="listings_create", tags=TAGS, request=ListingCreateSerializer, parameters=[KEY_HEADER],
                   responses={201: ListingSerializer, 200: ListingSerializer})
    def post(self, request: Request) -> Response:
        """Publish a need or a capability (the enterprise itself, or the service office for any enterprise)."""
        key = idempotency_key(request)
        data = ListingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d: dict[str, Any] = dict(data.validated_data)
        eid = d.pop("enterprise") or getattr(request.user, "enterprise_id", None)
        enterprise = enterprises_visible_to(request.user).filter(pk=eid).first() if eid else None
        if enterprise is None:
            raise NotFound(_("This enterprise does not exist."))
        kind = d.pop("kind")
        if d.get("industry") is None:
            d.pop("industry")
        listing, created = listing_create(actor=request.user, enterprise=enterprise, kind=kind, fields=d,  # type: ignore[arg-type]
                                          idempotency_key=f"api:{request.user.pk}:{key}" if key else None)
        listing = Listing.objects.select_related("enterprise").get(pk=listing.pk)
        return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ListingSuggestions(ApiView):
    @extend_schema(operation_id="listing_suggestions", tags=TAGS, responses=SuggestionSerializer(many=True),
                   parameters=[OpenApiParameter("limit", int, description="At most this many (1–50, default 10).")])
    def get(self, request: Request, pk: int) -> Response:
        """The best counterparts of one of your listings, each with its score and reasons."""
        listing = listings_visible_to(request.user).filter(pk=pk).first()
        if listing is None:
            raise NotFound(_("This listing does not exist."))
        try:
            limit = min(50, max(1, int(request.query_params.get("limit", 10))))
        except ValueError:
            limit = 10
        found = suggestions_for(listing, limit=limit) if listing.is_current else []
        return Response([{"score": s.score, "listing": ListingSerializer(s.listing).data, "words": s.words,
                          "reasons": s.reasons} for s in found])
