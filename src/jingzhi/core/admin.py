"""Admin for the shared records (calendar, audit log, notifications), and the admin
machinery every app uses: forms whose saves go through a service, read-only admins, Excel import pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.core import services
from jingzhi.core.access import is_admin
from jingzhi.core.calendar_admin import install_index_warnings
from jingzhi.core.errors import ApplicationError, ValidationFailed
from jingzhi.core.models import CalendarDay, Notification, NotificationPreference, OutboundMessage
from jingzhi.core.spreadsheets import Column, ImportResult, template_workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The import page lists this many row errors; the rest are counted ("… and 120 more").
ERRORS_SHOWN = 500


# --------------------------------------------------------------------------------- saves through services


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose save is a service call. clean() runs the service in a savepoint that is rolled
    back, so the service's own ValidationFailed.fields show on the form's fields; save_model runs it for real.
    """

    # The service's field names → this form's field names, where they differ.
    service_field_map: ClassVar[dict[str, str]] = {}
    # The signed-in administrator, set by ServiceSavedAdmin.get_form, for services that take an actor.
    request_user: Any = None

    def call_service(self) -> models.Model:
        raise NotImplementedError

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                self.call_service()
                transaction.set_rollback(True)
        except ValidationFailed as e:
            for name, message in (e.fields or {"": str(e.message)}).items():
                field = self.service_field_map.get(name, name)
                self.add_error(field if field in self.fields else None, str(message))
        except ApplicationError as e:
            self.add_error(None, str(e.message))
        return cleaned

    def value(self, name: str) -> Any:
        """A field's cleaned value, or the instance's value for a field shown read-only."""
        if name in self.cleaned_data:
            return self.cleaned_data[name]
        return getattr(self.instance, name)


class ServiceSavedAdmin(admin.ModelAdmin):
    """Saves go through the form's service; the admin's object becomes the row the service wrote."""

    form = ServiceModelForm

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # A subclass per request: the form's service call needs the actor.
        return type(form.__name__, (form,), {"request_user": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = form.call_service()
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service wrote the many-to-many fields too; the form's own save_m2m would write around it.
        if formsets:
            raise NotImplementedError("ServiceSavedAdmin has no inlines: their rows would bypass the services")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, don't touch: the rows are written by services (or are logs)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# -------------------------------------------------------------------------------------------- import pages


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK), at most 50,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ImportAdminMixin(admin.ModelAdmin):
    """Adds two admin pages to a ModelAdmin: <changelist>/import/ (upload, see the result) and
    <changelist>/import/template/ (download an .xlsx with the headers and an example row).

    URL names: admin:<app>_<model>_import and admin:<app>_<model>_import_template.
    """

    import_columns: Sequence[Column] = ()
    import_title: str | Promise = ""
    import_template_filename = "import-template.xlsx"
    change_list_template = "admin/jingzhi/change_list_import.html"

    def run_import(self, *, rows_file: IO[bytes], actor: Any) -> ImportResult:
        raise NotImplementedError

    def has_import_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active) and is_admin(user)

    def _url_name(self, suffix: str) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_{suffix}"

    def get_urls(self) -> list[URLPattern]:
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name=self._url_name("import")),
            path("import/template/", self.admin_site.admin_view(self.import_template_view),
                 name=self._url_name("import_template")),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        context = {**(extra_context or {})}
        if self.has_import_permission(request):
            context["import_url"] = reverse(f"admin:{self._url_name('import')}")
            context["import_template_url"] = reverse(f"admin:{self._url_name('import_template')}")
        return super().changelist_view(request, extra_context=context)

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise DjangoPermissionDenied
        content = template_workbook(self.import_columns, title=str(self.import_title or self.model._meta.verbose_name_plural))
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, self.import_template_filename)
        return response

    def import_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_import_permission(request):
            raise DjangoPermissionDenied
        opts = self.model._meta
        result: ImportResult | None = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = self.run_import(rows_file=form.cleaned_data["file"], actor=request.user)
            except ApplicationError as e:
                form.add_error("file", str(e.message))
            else:
                if result.ok:
                    messages.success(request, _(
                        "Imported %(rows)d rows from “%(file)s”: %(created)d new, %(updated)d changed, %(unchanged)d unchanged."
                    ) % {"rows": result.rows, "file": form.cleaned_data["file"].name, "created": result.created,
                         "updated": result.updated, "unchanged": result.unchanged})
                    # Redirect, so that reloading the page cannot import the file a second time.
                    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": self.import_title or _("Import %(things)s") % {"things": opts.verbose_name_plural},
            "form": form,
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "errors_hidden": max(0, len(result.errors) - ERRORS_SHOWN) if result else 0,
            "columns": [
                {"zh": c.zh, "en": c.en, "required": c.required, "help": c.help, "example": c.example}
                for c in self.import_columns
            ],
            "template_url": reverse(f"admin:{self._url_name('import_template')}"),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        }
        status = 400 if result is not None and not result.ok else 200
        return TemplateResponse(request, "admin/jingzhi/import.html", context, status=status)


def import_page(function: Callable[..., ImportResult]) -> Callable[..., ImportResult]:
    """Adapt an import service (`import_x(*, rows_file, actor)`) to ImportAdminMixin.run_import."""

    def run_import(self: Any, *, rows_file: IO[bytes], actor: Any) -> ImportResult:
        return function(rows_file=rows_file, actor=actor)

    return run_import


# ------------------------------------------------------------------------------------------------- calendar


class CalendarDayForm(ServiceModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]

    def call_service(self) -> CalendarDay:
        return services.calendar_day_set(
            date=self.value("date"), is_workday=self.value("is_workday"), note=self.value("note"), actor=self.request_user
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(ImportAdminMixin, ServiceSavedAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["note"]
    import_columns = services.CALENDAR_COLUMNS
    import_title = gettext_lazy("Import holidays and make-up working days")
    import_template_filename = "jingzhi-calendar-template.xlsx"
    run_import = import_page(services.calendar_import)

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        names = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
        return names[obj.date.weekday()]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj is not None else []

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_clear(date=obj.date, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in list(queryset.values_list("date", flat=True)):
            services.calendar_day_clear(date=day, actor=request.user)  # type: ignore[arg-type]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        for warning in services.calendar_warnings(today=timezone.localdate()):
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context=extra_context)


# ----------------------------------------------------------------------------------------- policy and logs




@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "message", "subject_ref", "read_at"]
    list_filter = ["kind"]
    search_fields = ["message", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    """Every SMS, e-mail and call the gateway was given (core/gateway.py): read-only, recipients masked."""

    list_display = ["created_at", "channel", "recipient_masked", "kind", "status", "attempts", "sent_at", "related_ref"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["related_ref", "kind"]
    date_hierarchy = "created_at"
    fields = ("created_at", "channel", "recipient_masked", "user", "kind", "subject", "body_masked", "status", "detail",
              "attempts", "provider_id", "sent_at", "related_type", "related_ref")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("recipient"))
    def recipient_masked(self, obj: OutboundMessage) -> str:
        return obj.masked_recipient

    @admin.display(description=gettext_lazy("text"))
    def body_masked(self, obj: OutboundMessage) -> str:
        from jingzhi.core.masking import mask_personal_data

        return mask_personal_data(obj.body)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Each user sets their own on the notifications page; administrators look."""

    list_display = ["user", "channel", "updated_at"]
    list_filter = ["channel"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


install_index_warnings(admin.site)
