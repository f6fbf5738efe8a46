"""Admin for programmes: programme offices designated through their service; the rest read-only (programmes, figures
and efforts are kept in their own pages, where every write is a service call with its event)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jingzhi.core.admin import ReadOnlyAdmin, ServiceModelForm, ServiceSavedAdmin
from jingzhi.matching.programmes.models import DivisionFigures, Effort, Programme, ProgrammeOffice
from jingzhi.matching.programmes.services import programme_office_remove, programme_office_set


class ProgrammeOfficeForm(ServiceModelForm):
    class Meta:
        model = ProgrammeOffice
        fields = ["unit", "note"]

    def call_service(self) -> ProgrammeOffice:
        return programme_office_set(actor=self.request_user, unit=self.value("unit"), note=self.value("note") or "",  # type: ignore[no-any-return]
                                    row=self.instance if self.instance.pk else None)


@admin.register(ProgrammeOffice)
class ProgrammeOfficeAdmin(ServiceSavedAdmin):
    form = ProgrammeOfficeForm
    list_display = ["unit", "note"]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        programme_office_remove(actor=request.user, offices=[obj])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        programme_office_remove(actor=request.user, offices=list(queryset))  # type: ignore[arg-type]


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "office", "status", "created_at"]


@admin.register(DivisionFigures)
class DivisionFiguresAdmin(ReadOnlyAdmin):
    list_display = ["division", "year", "source", "entered_by", "entered_at"]


@admin.register(Effort)
class EffortAdmin(ReadOnlyAdmin):
    list_display = ["division", "programme", "official", "deadline", "stage"]
