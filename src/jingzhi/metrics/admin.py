"""The assessment policy in the admin: one row for the city, changed through metric_policy_set (which checks the
weights and writes the audit log); the form only shows the service's errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jingzhi.core.admin import ServiceModelForm, ServiceSavedAdmin
from jingzhi.metrics.models import MetricPolicy
from jingzhi.metrics.services import metric_policy_set


class MetricPolicyForm(ServiceModelForm):
    class Meta:
        model = MetricPolicy
        fields = ["response_weight", "resolution_weight", "satisfaction_weight", "partly_resolved_credit",
                  "basically_satisfied_credit", "min_volume"]

    def call_service(self) -> MetricPolicy:
        return metric_policy_set(actor=self.request_user, **{name: self.value(name) for name in self.Meta.fields})


@admin.register(MetricPolicy)
class MetricPolicyAdmin(ServiceSavedAdmin):
    form = MetricPolicyForm
    list_display = ["__str__", "response_weight", "resolution_weight", "satisfaction_weight", "min_volume"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not MetricPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
