"""Admin for supply ↔ demand: read-only (listings and introductions are written by their services and pages)."""

from __future__ import annotations

from django.contrib import admin

from jingzhi.core.admin import ReadOnlyAdmin
from jingzhi.supplydemand.models import Introduction, Listing, SupplyEvent


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "enterprise", "quantity", "unit", "place_name", "valid_until", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "enterprise__name"]


@admin.register(Introduction)
class IntroductionAdmin(ReadOnlyAdmin):
    list_display = ["need", "capability", "status", "contract_value", "made_at"]
    list_filter = ["status"]


@admin.register(SupplyEvent)
class SupplyEventAdmin(ReadOnlyAdmin):
    list_display = ["action", "listing", "introduction", "actor", "at"]
