"""Admin for the organisation. Saves of divisions, units, users and enterprises go through the org services,
so the division paths, the role rules and the validations are the same as for the Excel imports.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jingzhi.core.admin import ImportAdminMixin, ServiceModelForm, ServiceSavedAdmin, import_page
from jingzhi.org import audit_admin, imports  # noqa: F401 — audit_admin registers the audit log's admin
from jingzhi.org.models import Division, Enterprise, Responsibility, Unit, User
from jingzhi.org.services import division_save, enterprise_upsert, unit_save, user_save


class DivisionForm(ServiceModelForm):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]

    def call_service(self) -> Division:
        return division_save(code=self.value("code"), name=self.value("name"), level=self.value("level"),
                             parent=self.value("parent"))


@admin.register(Division)
class DivisionAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = DivisionForm
    list_display = ["code", "indented_name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]
    import_columns = imports.DIVISION_COLUMNS
    import_title = _("Import divisions")
    import_template_filename = "jingzhi-divisions-template.xlsx"
    run_import = import_page(imports.import_divisions)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Division) -> str:
        depth = max(obj.path.count("/") - 2, 0)
        return "\u3000" * depth + obj.name

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the key the services and the imports update by: it does not change.
        return ["code", "path"] if obj is not None else ["path"]


class UnitForm(ServiceModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "division", "parent", "is_active"]

    def call_service(self) -> Unit:
        return unit_save(
            code=self.value("code"), name=self.value("name"), short_name=self.value("short_name") or "",
            kind=self.value("kind"), division=self.value("division"), parent=self.value("parent"),
            is_active=self.value("is_active"),
        )


@admin.register(Unit)
class UnitAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = UnitForm
    list_display = ["code", "name", "short_name", "kind", "division", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["division", "parent"]
    list_select_related = ["division", "parent"]
    import_columns = imports.UNIT_COLUMNS
    import_title = _("Import units")
    import_template_filename = "jingzhi-units-template.xlsx"
    run_import = import_page(imports.import_units)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases and people point at units: deactivate instead


class UserForm(ServiceModelForm):
    new_password = forms.CharField(
        label=_("new password"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password. At least 8 characters."),
    )
    service_field_map = {"password": "new_password"}

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "unit", "division", "phone", "is_active"]

    def call_service(self) -> User:
        return user_save(
            username=self.value("username"), role=self.value("role"), display_name=self.value("display_name") or "",
            unit=self.value("unit"), division=self.value("division"), phone=self.value("phone") or "",
            password=self.cleaned_data.get("new_password") or None, is_active=self.value("is_active"),
        )


@admin.register(User)
class UserAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = UserForm
    list_display = ["username", "display_name", "role", "unit", "division", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "unit__name"]
    autocomplete_fields = ["unit", "division"]
    list_select_related = ["unit", "division"]
    fieldsets = [
        (None, {"fields": ["username", "display_name", "role", "unit", "division", "phone", "is_active", "new_password"]}),
        (_("Set by the role"), {"fields": ["is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    import_columns = imports.USER_COLUMNS
    import_title = _("Import users")
    import_template_filename = "jingzhi-users-template.xlsx"
    run_import = import_page(imports.import_users)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["is_staff", "is_superuser", "last_login", "date_joined"]
        return ["username", *fixed] if obj is not None else fixed

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases and events name their actors: deactivate instead


class EnterpriseForm(ServiceModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "division", "description"]

    def call_service(self) -> Enterprise:
        return enterprise_upsert(name=self.value("name"), credit_code=self.value("credit_code"),
                                 division=self.value("division"), description=self.value("description") or "")


@admin.register(Enterprise)
class EnterpriseAdmin(ServiceSavedAdmin):
    form = EnterpriseForm
    list_display = ["name", "credit_code", "division"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["division"]
    list_select_related = ["division"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["credit_code"] if obj is not None else []


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    list_display = ["official", "target_type", "division", "enterprise", "site_name", "is_active"]
    list_filter = ["target_type", "is_active"]
    search_fields = ["official__username", "official__display_name", "division__name", "enterprise__name", "site_name"]
    autocomplete_fields = ["official", "division", "enterprise"]
    list_select_related = ["official", "division", "enterprise"]
