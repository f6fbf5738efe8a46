"""Admin for policy matching: dishonesty records through their service; policies, versions, matches and grants
read-only (the catalogue is kept in its own pages, where every edit is a new version)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from jingzhi.core.admin import ServiceModelForm, ServiceSavedAdmin
from jingzhi.matching.models import DishonestyRecord, Grant, Policy, PolicyVersion
from jingzhi.matching.services.records import dishonesty_record_save


class DishonestyRecordForm(ServiceModelForm):
    class Meta:
        model = DishonestyRecord
        fields = ["enterprise", "authority", "listed_on", "removed_on", "note"]

    def call_service(self) -> DishonestyRecord:
        return dishonesty_record_save(actor=self.request_user, row=self.instance if self.instance.pk else None,
                                      enterprise=self.value("enterprise"), authority=self.value("authority") or "",
                                      listed_on=self.value("listed_on"), removed_on=self.value("removed_on"),
                                      note=self.value("note") or "")


@admin.register(DishonestyRecord)
class DishonestyRecordAdmin(ServiceSavedAdmin):
    form = DishonestyRecordForm
    list_display = ["enterprise", "authority", "listed_on", "removed_on"]
    raw_id_fields = ["enterprise"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a listing ends with its removal date; the history stays


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "issuer", "status", "created_at"]
    list_filter = ["status"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["title", "number", "level", "valid_from", "valid_to", "no_application"]


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "policy", "period", "amount", "status"]
    list_filter = ["status"]

from jingzhi.matching.programmes import admin as _programmes_admin  # noqa: E402, F401 — registers its models
