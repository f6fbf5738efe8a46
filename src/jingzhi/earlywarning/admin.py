"""Read-only admin views of early warning: changes go through the services (pages, API, CLI)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jingzhi.earlywarning.models import DangerSite, InspectionTask, SeasonalRule, Warning, WarningRule


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DangerSite)
class DangerSiteAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "site_type", "division", "risk_level", "emergency_unit")
    list_filter = ("site_type", "risk_level")
    search_fields = ("code", "name")


@admin.register(WarningRule)
class WarningRuleAdmin(ReadOnlyAdmin):
    list_display = ("warning_type", "level", "site_type", "ack_minutes", "onsite_minutes", "is_active")


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "headline", "warning_type", "level", "status", "sent_at")
    list_filter = ("warning_type", "level", "status")


@admin.register(InspectionTask)
class InspectionTaskAdmin(ReadOnlyAdmin):
    list_display = ("warning", "site", "official", "level", "status", "ack_due_at")
    list_filter = ("status", "level")


@admin.register(SeasonalRule)
class SeasonalRuleAdmin(ReadOnlyAdmin):
    list_display = ("name", "start_month", "start_day", "lead_days", "unit", "is_active")
