"""Admin for the dispute register's policy: the escalation limits, saved through their service (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from jingzhi.core.admin import ServiceModelForm, ServiceSavedAdmin
from jingzhi.disputes.models import EscalationLimit
from jingzhi.disputes.services.policy import escalation_limit_set


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
