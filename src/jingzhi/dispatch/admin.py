"""Admin for the category tree (with Excel import/export), the routing table, and the dispatch models."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.admin import ImportAdminMixin, ReadOnlyAdmin, import_page
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ApplicationError
from jingzhi.dispatch import registry, taxonomy
from jingzhi.dispatch.models import (
    Category,
    ClassifierModel,
    DispatchCorrection,
    DispatchSettings,
    DispatchSuggestion,
    RoutingRule,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(Category)
class CategoryAdmin(ImportAdminMixin, admin.ModelAdmin):
    list_display = ["name", "level", "parent", "is_public"]
    list_filter = ["level", "is_public"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    change_list_template = "admin/dispatch/category_change_list.html"
    import_columns = taxonomy.TAXONOMY_COLUMNS
    import_title = gettext_lazy("Import the category tree")
    import_template_filename = "jingzhi-categories-template.xlsx"
    run_import = import_page(taxonomy.import_taxonomy)

    def get_urls(self) -> list[URLPattern]:
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="dispatch_category_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        response = HttpResponse(taxonomy.export_taxonomy(), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(True, "jingzhi-categories.xlsx")
        audit_record(actor=request.user, action="export", object_type="category_tree", request=request,
                     detail={"file": "jingzhi-categories.xlsx"})
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {**(extra_context or {}), "export_url": reverse("admin:dispatch_category_export")})


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "division", "lead_unit"]
    list_filter = ["category__level"]
    search_fields = ["category__name", "division__name", "lead_unit__name"]
    autocomplete_fields = ["category", "division", "lead_unit"]
    filter_horizontal = ["assisting_units"]
    list_select_related = ["category", "division", "lead_unit"]


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    """Models are written by training (CLI or the button here); the admin activates, rolls back and retrains."""

    list_display = ["version", "is_active", "level", "macro_f1", "created_at", "activated_at"]
    readonly_fields = ["version", "path", "sha256", "metadata", "level", "is_active", "created_at", "created_by", "activated_at"]
    actions = ["activate"]
    change_list_template = "admin/dispatch/classifiermodel_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=gettext_lazy("macro-F1 (cross-validation)"))
    def macro_f1(self, obj: ClassifierModel) -> Any:
        return (obj.metadata.get("cross_validation") or {}).get("macro_f1", "—")

    @admin.action(description=gettext_lazy("Activate the selected model (also to roll back)"))
    def activate(self, request: HttpRequest, queryset: QuerySet[ClassifierModel]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one model to activate."), messages.ERROR)
            return
        try:
            row = registry.model_activate(actor=request.user, model=queryset.get())  # type: ignore[arg-type]
        except ApplicationError as e:
            self.message_user(request, str(e.message), messages.ERROR)
        else:
            self.message_user(request, _("Model %(version)s is now active.") % {"version": row.version})

    def get_urls(self) -> list[URLPattern]:
        return [path("train/", self.admin_site.admin_view(self.train_view), name="dispatch_classifiermodel_train"),
                *super().get_urls()]

    def train_view(self, request: HttpRequest) -> HttpResponse:
        """POST: train a model on the city's closed and corrected cases (level from the form) and register it."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:dispatch_classifiermodel_changelist"))
        try:
            row = registry.model_train_from_cases(
                actor=request.user, level=int(request.POST.get("level") or 1),  # type: ignore[arg-type]
                activate=request.POST.get("activate") == "on",
            )
        except (ApplicationError, ValueError) as e:
            self.message_user(request, str(getattr(e, "message", e)), messages.ERROR)
        else:
            self.message_user(request, _("Model %(version)s trained on %(n)s cases.") % {
                "version": row.version, "n": row.metadata.get("training", {}).get("n")})
        return HttpResponseRedirect(reverse("admin:dispatch_classifiermodel_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {**(extra_context or {}), "train_url": reverse("admin:dispatch_classifiermodel_train")})


@admin.register(DispatchSettings)
class DispatchSettingsAdmin(admin.ModelAdmin):
    list_display = ["target_precision", "auto_dispatch", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DispatchSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: DispatchSettings, form: Any, change: bool) -> None:
        registry.settings_update(actor=request.user, target_precision=obj.target_precision,  # type: ignore[arg-type]
                                 auto_dispatch=obj.auto_dispatch)


@admin.register(DispatchSuggestion)
class DispatchSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["case", "category", "confidence", "threshold", "lead_unit", "auto_dispatched", "model", "created_at"]
    list_filter = ["auto_dispatched", "model"]
    list_select_related = ["case", "category", "lead_unit", "model"]
    search_fields = ["case__number"]


@admin.register(DispatchCorrection)
class DispatchCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "suggested_label", "from_unit", "to_unit", "model", "created_at"]
    list_filter = ["kind", "model"]
    list_select_related = ["case", "from_unit", "to_unit", "model"]
    search_fields = ["case__number"]
