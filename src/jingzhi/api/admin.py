"""API keys in the admin: create one (the secret is shown once, in the confirmation message) and revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jingzhi.api.models import ApiKey, Open311Token
from jingzhi.api.services import apikey_create, apikey_revoke, apikey_set_rate
from jingzhi.core.errors import ApplicationError
from jingzhi.org.models import Division, Role, Unit, User


class ApiKeyCreateForm(forms.ModelForm):
    """A personal token (choose the user) or an integration key (choose a role and optionally a scope)."""

    for_user = forms.ModelChoiceField(User.objects.filter(is_active=True), required=False, label=_("personal token for"))
    role = forms.ChoiceField(choices=[("", "—"), *Role.choices], required=False, label=_("role (integration key)"))
    division = forms.ModelChoiceField(Division.objects.all(), required=False, label=_("division scope"),
                                      to_field_name="code")
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), required=False, label=_("unit"), to_field_name="code")

    actor: User | None = None  # set per request by ApiKeyAdmin.get_form
    secret = ""

    class Meta:
        model = ApiKey
        fields = ["name", "rate"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.instance, self.secret = apikey_create(
                name=data.get("name", ""), actor=self.actor, user=data.get("for_user"), role=data.get("role") or "",
                division_code=data["division"].code if data.get("division") else "",
                unit_code=data["unit"].code if data.get("unit") else "", rate=data.get("rate") or "",
            )
        except ApplicationError as e:
            for name, message in e.fields.items():
                self.add_error(name if name in self.fields else None, str(message))
            if not e.fields:  # e.g. not an administrator
                self.add_error(None, str(e.message))
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", "revoked_at"]
    search_fields = ["name", "user__username"]
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            # A subclass per request: the actor must not leak between requests through a class attribute.
            return type("ApiKeyCreateFormFor", (ApiKeyCreateForm,), {"actor": request.user})
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return ["name", "kind", "user", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "for_user", "role", "division", "unit", "rate"]
        return [*self.get_readonly_fields(request, obj), "rate"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and "rate" in form.changed_data:  # the one thing an existing key lets you change, via the service
            apikey_set_rate(name=obj.name, rate=obj.rate, actor=request.user)  # type: ignore[arg-type]
        if not change:  # created by the service in the form's clean(); show the secret exactly once
            messages.warning(request, _("The key “%(name)s”: %(secret)s — copy it now, it is not shown again.")
                             % {"name": obj.name, "secret": form.secret})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the key's history stays

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        try:
            for key in queryset:
                apikey_revoke(actor=request.user, name=key.name)  # type: ignore[arg-type]
        except ApplicationError as e:
            messages.error(request, str(e.message))
            return
        messages.success(request, _("%(n)d key(s) revoked.") % {"n": queryset.count()})


@admin.register(Open311Token)
class Open311TokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued by Open311 POSTs."""

    list_display = ["token", "case", "api_key", "created_at"]
    search_fields = ["token", "case__number"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
