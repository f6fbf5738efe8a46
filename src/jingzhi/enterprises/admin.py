"""Admin for the enterprise service's policy and task forces; every save goes through a service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from jingzhi.core.admin import ServiceModelForm, ServiceSavedAdmin
from jingzhi.enterprises.models import NeedTimeLimit, TaskForce
from jingzhi.enterprises.services.policy import need_time_limit_set
from jingzhi.enterprises.services.taskforces import task_force_save


class NeedTimeLimitForm(ServiceModelForm):
    class Meta:
        model = NeedTimeLimit
        fields = ["clock", "amount", "time_unit"]

    def call_service(self) -> NeedTimeLimit:
        return need_time_limit_set(actor=self.request_user, row=self.instance if self.instance.pk else None,
                                   clock=self.value("clock"), amount=self.value("amount"),
                                   time_unit=self.value("time_unit"))


@admin.register(NeedTimeLimit)
class NeedTimeLimitAdmin(ServiceSavedAdmin):
    form = NeedTimeLimitForm
    list_display = ["clock", "amount", "time_unit"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a clock without a row would silently fall back to the default: change the row instead


class TaskForceForm(ServiceModelForm):
    class Meta:
        model = TaskForce
        fields = ["name", "park", "leader", "meets_on", "visit_every_days", "members", "enterprises"]

    def call_service(self) -> TaskForce:
        return task_force_save(actor=self.request_user, task_force=self.instance if self.instance.pk else None,
                               name=self.value("name"), park=self.value("park") or "", leader=self.value("leader"),
                               meets_on=self.value("meets_on"), visit_every_days=self.value("visit_every_days"),
                               members=list(self.value("members") or []),
                               enterprises=list(self.value("enterprises") or []))


@admin.register(TaskForce)
class TaskForceAdmin(ServiceSavedAdmin):
    form = TaskForceForm
    list_display = ["name", "park", "leader", "meets_on", "visit_every_days"]
    search_fields = ["name", "park"]
    autocomplete_fields = ["leader", "members", "enterprises"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # needs and visits name their task force
