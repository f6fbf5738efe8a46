"""The audit log (core) in the admin; here because "administrator" is org.access's word: search, filter (actor, action, object, outcome, dates, IP), export to Excel.

Read-only, and for administrators only: no add, change or delete, whatever Django permissions say.
The export is itself written to the audit log.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from jingzhi.core.audit import audit_record
from jingzhi.core.audit_actions import action_choices, action_label, object_label
from jingzhi.core.models import AuditLog
from jingzhi.core.workbooks import XLSX, append_row, attach, export_filename, finish_sheet, start_sheet
from jingzhi.org.access import is_admin


class InputFilter(admin.ListFilter):
    """A filter of typed values (text or dates) in the admin's side bar, kept in the query string."""

    template = "admin/jingzhi/input_filter.html"
    inputs: tuple[tuple[str, Any, str], ...] = ()  # (parameter, label, input type)

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        self.values: dict[str, str] = {}
        for name, _label, _kind in self.inputs:
            if name in params:
                raw = params.pop(name)
                value = raw[-1] if isinstance(raw, list) else raw
                if str(value).strip():
                    self.values[name] = str(value).strip()
        self.request_params = request.GET

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return [name for name, _label, _kind in self.inputs]

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        keep = [(k, v) for k, v in self.request_params.items() if k not in self.expected_parameters() and k != "p"]
        yield {
            "inputs": [{"name": n, "label": str(label), "type": kind, "value": self.values.get(n, "")}
                       for n, label, kind in self.inputs],
            "keep": keep,
        }


class TextFilter(InputFilter):
    title = gettext_lazy("actor, object, IP")
    inputs = (
        ("actor", gettext_lazy("actor (user name)"), "text"),
        ("object", gettext_lazy("object (type or id)"), "text"),
        ("ip", gettext_lazy("IP address"), "text"),
    )

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        if "actor" in self.values:
            queryset = queryset.filter(actor_username__icontains=self.values["actor"])
        if "object" in self.values:
            value = self.values["object"]
            queryset = queryset.filter(Q(object_id__icontains=value) | Q(object_type__iexact=value))
        if "ip" in self.values:
            queryset = queryset.filter(ip__startswith=self.values["ip"])
        return queryset


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DateRangeFilter(InputFilter):
    title = gettext_lazy("date range")
    inputs = (("since", gettext_lazy("first day"), "date"), ("until", gettext_lazy("last day"), "date"))

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        for name, value in self.values.items():
            try:
                day = date.fromisoformat(value)
            except ValueError:
                continue  # a malformed date filters nothing; the field shows what was typed
            if name == "since":
                queryset = queryset.filter(created_at__gte=_local_midnight(day))
            else:
                queryset = queryset.filter(created_at__lt=_local_midnight(day + timedelta(days=1)))
        return queryset


class ActionFilter(admin.SimpleListFilter):
    title = gettext_lazy("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        known = dict(action_choices())
        for name in AuditLog.objects.values_list("action", flat=True).distinct():
            known.setdefault(name, action_label(name))
        return sorted(known.items(), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("object type")
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        present = AuditLog.objects.values_list("object_type", flat=True).distinct()
        return sorted(((name, object_label(name)) for name in present), key=lambda c: c[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        return queryset.filter(object_type=self.value()) if self.value() else queryset


def _columns() -> list[tuple[str, Any]]:
    return [
        (_("ID"), lambda r: r.pk),
        (_("Time"), lambda r: timezone.localtime(r.created_at).replace(tzinfo=None)),
        (_("Actor"), lambda r: r.actor_username or _("system")),
        (_("Action"), lambda r: action_label(r.action)),
        (_("Object type"), lambda r: object_label(r.object_type)),
        (_("Object"), lambda r: r.object_id),
        (_("Outcome"), lambda r: r.get_outcome_display()),
        (_("IP address"), lambda r: r.ip or ""),
        (_("Detail"), lambda r: _json(r.detail)),
        (_("Hash"), lambda r: r.hash),
    ]


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action_name", "object_name", "object_id", "outcome", "ip"]
    list_filter = [ActionFilter, "outcome", ObjectTypeFilter, DateRangeFilter, TextFilter]
    search_fields = ["object_id", "actor_username", "action"]
    date_hierarchy = "created_at"
    change_list_template = "admin/jingzhi/auditlog_change_list.html"
    readonly_fields = ("created_at", "actor_username", "action_name", "object_name", "object_id", "outcome", "ip",
                       "detail", "prev_hash", "hash")
    fields = readonly_fields
    actions = None

    @admin.display(description=gettext_lazy("actor"), ordering="actor_username")
    def actor_name(self, obj: AuditLog) -> str:
        return obj.actor_username or _("system")

    @admin.display(description=gettext_lazy("action"), ordering="action")
    def action_name(self, obj: AuditLog) -> str:
        return action_label(obj.action)

    @admin.display(description=gettext_lazy("object type"), ordering="object_type")
    def object_name(self, obj: AuditLog) -> str:
        return object_label(obj.object_type)

    # Administrators look; nobody adds, changes or deletes (the database refuses it as well).
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="core_auditlog_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        query = request.GET.urlencode()
        export_url = reverse("admin:core_auditlog_export") + (f"?{query}" if query else "")
        return super().changelist_view(request, {**(extra_context or {}), "export_url": export_url})

    def export_view(self, request: HttpRequest) -> FileResponse:
        """The rows the list shows with the same filters and search, all pages, as .xlsx."""
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).order_by("id")
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(_("Audit log"))[:31])
        columns = _columns()
        start_sheet(ws, [header for header, _value in columns], widths=[8, 19, 12, 18, 14, 14, 8, 15, 60, 20])
        count = 0
        for row in rows.iterator(chunk_size=2000):
            append_row(ws, [value(row) for _header, value in columns], number_format="yyyy-mm-dd hh:mm:ss")
            count += 1
        finish_sheet(ws, columns=len(columns), rows=count)
        handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it
        wb.save(handle)
        handle.seek(0)
        filename = export_filename(str(_("Audit log")), "", timezone.localtime())
        audit_record(actor=request.user, action="audit_export", object_type="audit_log", request=request,
                     detail={"file": filename, "rows": count, "query": request.GET.urlencode()[:500]})
        return attach(FileResponse(handle, content_type=XLSX), filename)  # type: ignore[return-value]
