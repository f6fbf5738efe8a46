"""Read-only admin views of campaigns and their history: changes go through the campaign pages (services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jingzhi.campaigns.models import Campaign, CampaignEvent, ProgressReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "lead_official", "lead_unit", "status", "start", "deadline", "is_demo")
    list_filter = ("kind", "status", "is_demo")
    search_fields = ("title", "investor")


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "unit", "week", "submitted_by", "submitted_at", "on_time")
    list_filter = ("on_time",)
    list_select_related = ("campaign", "unit", "submitted_by")


@admin.register(CampaignEvent)
class CampaignEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "campaign", "action", "actor")
    list_filter = ("action",)
    list_select_related = ("campaign", "actor")
