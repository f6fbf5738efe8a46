"""Admin for the category tree and the routing table (category × division → lead and assisting units)."""

from __future__ import annotations

from django.contrib import admin

from jingzhi.dispatch.models import Category, RoutingRule


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "is_public"]
    list_filter = ["level", "is_public"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "division", "lead_unit"]
    list_filter = ["category__level"]
    search_fields = ["category__name", "division__name", "lead_unit__name"]
    autocomplete_fields = ["category", "division", "lead_unit"]
    filter_horizontal = ["assisting_units"]
    list_select_related = ["category", "division", "lead_unit"]
