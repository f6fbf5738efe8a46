"""Admin for the category tree (with Excel import/export), the routing table, and the dispatch models."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core.admin import (
    ImportAdminMixin,
    ReadOnlyAdmin,
    ServiceModelForm,
    ServiceSavedAdmin,
    import_page,
)
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import ApplicationError
from jingzhi.core.workbooks import attach, export_filename
from jingzhi.dispatch import registry, taxonomy
from jingzhi.dispatch.models import (
    Category,
    ClassifierModel,
    DispatchCorrection,
    DispatchSettings,
    DispatchSuggestion,
    RoutingRule,
)
from jingzhi.dispatch.services import category_save, routing_rule_delete, routing_rule_set
from jingzhi.org.admin import ServiceDeletedAdmin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CategoryForm(ServiceModelForm):
    class Meta:
        model = Category
        fields = ["name", "parent", "is_public"]

    def call_service(self) -> Category:
        return category_save(actor=self.request_user, category=self.instance if self.instance.pk else None,
                             name=self.value("name"), parent=self.value("parent"), is_public=self.value("is_public"))


@admin.register(Category)
class CategoryAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = CategoryForm
    readonly_fields = ["level"]
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
            path("export/", self.admin_site.admin_view(self.export_view), name="taxonomy_category_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        response = HttpResponse(taxonomy.export_taxonomy(), content_type=XLSX)
        filename = export_filename(str(_("Categories")), "", timezone.localdate())
        attach(response, filename)
        audit_record(actor=request.user, action="export", object_type="category_tree", request=request,
                     detail={"file": filename})
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return super().changelist_view(request, {**(extra_context or {}), "export_url": reverse("admin:taxonomy_category_export")})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases and routing rules point at categories: close one to the public instead


class RoutingRuleForm(ServiceModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "division", "lead_unit", "assisting_units"]

    def call_service(self) -> RoutingRule:
        return routing_rule_set(
            actor=self.request_user, rule=self.instance if self.instance.pk else None, category=self.value("category"),
            division=self.value("division"), lead_unit=self.value("lead_unit"),
            assisting=list(self.cleaned_data.get("assisting_units") or []),
        )


@admin.register(RoutingRule)
class RoutingRuleAdmin(ServiceDeletedAdmin):
    form = RoutingRuleForm
    list_display = ["category", "division", "lead_unit"]
    list_filter = ["category__level"]
    search_fields = ["category__name", "division__name", "lead_unit__name"]
    autocomplete_fields = ["category", "division", "lead_unit"]
    filter_horizontal = ["assisting_units"]
    list_select_related = ["category", "division", "lead_unit"]

    def delete_service(self, *, actor: Any, row: RoutingRule) -> None:
        routing_rule_delete(actor=actor, rule=row)


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    """Models are written by training (CLI or the button here); the admin activates, rolls back and retrains."""

    list_display = ["version", "is_active", "level", "macro_f1", "created_at", "activated_at"]
    readonly_fields = ["version", "path", "sha256", "metadata", "level", "is_active", "created_at", "created_by", "activated_at"]
    actions = ["activate"]
    change_list_template = "admin/dispatch/classifiermodel_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # suggestions and corrections name their model; activating an older one is the rollback

    def save_model(self, request: HttpRequest, obj: ClassifierModel, form: Any, change: bool) -> None:
        pass  # every field is read-only: models change by training and activation (registry), never by this form

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


class DispatchSettingsForm(ServiceModelForm):
    class Meta:
        model = DispatchSettings
        fields = ["target_precision", "auto_dispatch"]

    def call_service(self) -> DispatchSettings:
        return registry.settings_update(actor=self.request_user, target_precision=self.value("target_precision"),
                                        auto_dispatch=self.value("auto_dispatch"))


@admin.register(DispatchSettings)
class DispatchSettingsAdmin(ServiceSavedAdmin):
    form = DispatchSettingsForm
    list_display = ["target_precision", "auto_dispatch", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DispatchSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
