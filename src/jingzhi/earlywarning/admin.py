"""Admin for early warning. Warning rules and seasonal expectations are edited here, each save through a service
(rules.py: validated, audited); sites, warnings and tasks are read-only (pages, API, CLI change them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jingzhi.core.admin import ServiceModelForm, ServiceSavedAdmin
from jingzhi.earlywarning.models import DangerSite, InspectionTask, SeasonalRule, Warning, WarningRule
from jingzhi.earlywarning.rules import rule_save, seasonal_rule_save


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


class WarningRuleForm(ServiceModelForm):
    # One item a line, rather than the JSON list the row keeps.
    checklist = forms.CharField(label=_("checklist"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("One item a line."))

    class Meta:
        model = WarningRule
        fields = ["warning_type", "level", "site_type", "ack_minutes", "onsite_minutes", "checklist", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["checklist"] = "\n".join(self.instance.checklist or [])

    def call_service(self) -> WarningRule:
        return rule_save(actor=self.request_user, rule=self.instance if self.instance.pk else None,
                         warning_type=self.value("warning_type"), level=self.value("level"),
                         site_type=self.value("site_type") or "", ack_minutes=self.value("ack_minutes"),
                         onsite_minutes=self.value("onsite_minutes"), checklist=self.cleaned_data.get("checklist", ""),
                         is_active=self.value("is_active"))


@admin.register(WarningRule)
class WarningRuleAdmin(ServiceSavedAdmin):
    form = WarningRuleForm
    list_display = ("warning_type", "level", "site_type", "ack_minutes", "onsite_minutes", "is_active")
    list_filter = ("warning_type", "level", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tasks name their rule: switch it off instead


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "headline", "warning_type", "level", "status", "sent_at")
    list_filter = ("warning_type", "level", "status")


@admin.register(InspectionTask)
class InspectionTaskAdmin(ReadOnlyAdmin):
    list_display = ("warning", "site", "official", "level", "status", "ack_due_at")
    list_filter = ("status", "level")


class SeasonalRuleForm(ServiceModelForm):
    class Meta:
        model = SeasonalRule
        fields = ["name", "start_month", "start_day", "lead_days", "unit", "instructions", "is_active"]

    def call_service(self) -> SeasonalRule:
        return seasonal_rule_save(actor=self.request_user, rule=self.instance if self.instance.pk else None,
                                  name=self.value("name"), start_month=self.value("start_month"),
                                  start_day=self.value("start_day"), lead_days=self.value("lead_days"),
                                  unit=self.value("unit"), instructions=self.value("instructions"),
                                  is_active=self.value("is_active"))


@admin.register(SeasonalRule)
class SeasonalRuleAdmin(ServiceSavedAdmin):
    form = SeasonalRuleForm
    list_display = ("name", "start_month", "start_day", "lead_days", "unit", "is_active")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # preparation tasks name their rule: switch it off instead
