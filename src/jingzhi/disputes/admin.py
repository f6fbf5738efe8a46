"""Admin for the dispute register's policy: escalation limits and follow-up visit days, saved through their services
(audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from jingzhi.core.admin import ServiceModelForm, ServiceSavedAdmin
from jingzhi.disputes.models import EscalationLimit, FollowUpVisitDay
from jingzhi.disputes.services.policy import escalation_limit_set, follow_up_day_set


class EscalationLimitForm(ServiceModelForm):
    class Meta:
        model = EscalationLimit
        fields = ["risk", "hours"]

    def call_service(self) -> EscalationLimit:
        return escalation_limit_set(actor=self.request_user, row=self.instance if self.instance.pk else None,
                                    risk=self.value("risk"), hours=self.value("hours"))


@admin.register(EscalationLimit)
class EscalationLimitAdmin(ServiceSavedAdmin):
    form = EscalationLimitForm
    list_display = ["risk", "hours"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a level without a row would silently fall back to the default: change the row instead


class FollowUpVisitDayForm(ServiceModelForm):
    class Meta:
        model = FollowUpVisitDay
        fields = ["days_after", "is_active"]

    def call_service(self) -> FollowUpVisitDay:
        return follow_up_day_set(actor=self.request_user, row=self.instance if self.instance.pk else None,
                                 days_after=self.value("days_after"), is_active=self.value("is_active"))


@admin.register(FollowUpVisitDay)
class FollowUpVisitDayAdmin(ServiceSavedAdmin):
    form = FollowUpVisitDayForm
    list_display = ["days_after", "is_active"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # switch a day off instead: the change stays in the audit log
