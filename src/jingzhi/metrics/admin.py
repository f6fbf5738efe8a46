"""The assessment policy in the admin: one row for the city, checked before it is saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jingzhi.metrics.models import MetricPolicy


class MetricPolicyForm(forms.ModelForm):
    class Meta:
        model = MetricPolicy
        fields = ["response_weight", "resolution_weight", "satisfaction_weight", "partly_resolved_credit",
                  "basically_satisfied_credit", "min_volume"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(name) for name in ("response_weight", "resolution_weight", "satisfaction_weight")]
        if all(w is not None for w in weights):
            if any(w < 0 for w in weights):  # type: ignore[operator]
                raise forms.ValidationError(_("Weights cannot be negative."))
            if sum(weights) != Decimal("1"):  # type: ignore[arg-type]
                raise forms.ValidationError(_("The three weights must add up to 1."))
        for name in ("partly_resolved_credit", "basically_satisfied_credit"):
            value = data.get(name)
            if value is not None and not (0 <= value <= 1):
                self.add_error(name, _("Enter a value between 0 and 1."))
        return data


@admin.register(MetricPolicy)
class MetricPolicyAdmin(admin.ModelAdmin):
    form = MetricPolicyForm
    list_display = ["__str__", "response_weight", "resolution_weight", "satisfaction_weight", "min_volume"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not MetricPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
