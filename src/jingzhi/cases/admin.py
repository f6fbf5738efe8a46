"""Admin for cases: look only (cases change through the services and their events); the time-limit policy and
rules, editable through their services (administrators, audited); and the Excel import of cases.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    ExtensionRequest,
    FollowUp,
    ReplyDraft,
    ReplyReviewPolicy,
    SlaRule,
    Status,
    SuspensionRequest,
)
from jingzhi.cases.services.importer import CASE_COLUMNS, import_cases
from jingzhi.cases.services.policy import sla_policy_set, sla_rule_delete, sla_rule_set
from jingzhi.cases.services.review_policy import reply_review_policy_set
from jingzhi.cases.transitions import EVENT_LABELS
from jingzhi.core.admin import (
    ImportAdminMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceModelForm,
    ServiceSavedAdmin,
    import_page,
)
from jingzhi.core.masking import mask_id_number, mask_name, mask_phone
from jingzhi.core.models import SlaPolicy
from jingzhi.org.admin import ServiceDeletedAdmin


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else code


class EventLabels:
    """Events store stable codes; people read the labels the case page uses, in their language."""

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj: CaseEvent) -> str:
        return str(EVENT_LABELS.get(obj.action, obj.action))

    @admin.display(description=_("from"), ordering="from_status")
    def from_label(self, obj: CaseEvent) -> str:
        return _status_label(obj.from_status)

    @admin.display(description=_("to"), ordering="to_status")
    def to_label(self, obj: CaseEvent) -> str:
        return _status_label(obj.to_status)


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in EVENT_LABELS.items()]

    def queryset(self, request: Any, queryset: Any) -> Any:
        return queryset.filter(action=self.value()) if self.value() else queryset


class CaseEventInline(EventLabels, ReadOnlyInline):
    model = CaseEvent
    fields = ("created_at", "action_label", "actor", "actor_unit", "from_label", "to_label", "note")
    readonly_fields = fields
    ordering = ["created_at", "id"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("name", "size", "uploaded_by", "created_at")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ImportAdminMixin, ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "priority", "status", "division", "lead_unit", "created_at", "reply_due",
                    "supervision"]
    list_filter = ["status", "kind", "priority", "channel", "supervision"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    list_select_related = ["division", "lead_unit"]
    # Personal data stays masked here too (docs/architecture.md, rule 9); reveals go through case_reveal and the audit log.
    exclude = ["requester_name", "requester_phone", "requester_id_number"]
    readonly_fields = ["masked_requester_name", "masked_requester_phone", "masked_requester_id_number"]
    inlines = [CaseEventInline, AttachmentInline]
    import_columns = CASE_COLUMNS
    import_title = _("Import cases")
    import_template_filename = "jingzhi-cases-template.xlsx"
    run_import = import_page(import_cases)

    @admin.display(description=_("requester"))
    def masked_requester_name(self, obj: Case) -> str:
        return mask_name(obj.requester_name)

    @admin.display(description=_("phone"))
    def masked_requester_phone(self, obj: Case) -> str:
        return mask_phone(obj.requester_phone)

    @admin.display(description=_("ID number"))
    def masked_requester_id_number(self, obj: Case) -> str:
        return mask_id_number(obj.requester_id_number)


@admin.register(CaseEvent)
class CaseEventAdmin(EventLabels, ReadOnlyAdmin):
    list_display = ["created_at", "case", "action_label", "actor", "actor_unit", "from_label", "to_label"]
    list_filter = [ActionFilter]
    search_fields = ["case__number"]
    date_hierarchy = "created_at"
    list_select_related = ["case", "actor", "actor_unit"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "case", "size", "uploaded_by", "created_at"]
    search_fields = ["name", "case__number"]
    list_select_related = ["case", "uploaded_by"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "working_days", "state", "requested_by", "created_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["case__number"]
    list_select_related = ["case", "unit", "requested_by", "decided_by"]


@admin.register(SuspensionRequest)
class SuspensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "resume_by", "state", "requested_by", "created_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["case__number"]
    list_select_related = ["case", "unit", "requested_by", "decided_by"]


@admin.register(ReplyDraft)
class ReplyDraftAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "author", "state", "rounds", "submitted_at", "decided_by", "decided_at"]
    list_filter = ["state"]
    search_fields = ["case__number"]
    list_select_related = ["case", "unit", "author", "decided_by"]


class ReplyReviewPolicyForm(ServiceModelForm):
    class Meta:
        model = ReplyReviewPolicy
        fields = ["unit", "review_replies"]

    def call_service(self) -> ReplyReviewPolicy:
        return reply_review_policy_set(actor=self.request_user, unit=self.value("unit"), review_replies=self.value("review_replies"))


@admin.register(ReplyReviewPolicy)
class ReplyReviewPolicyAdmin(ServiceSavedAdmin):
    """Per unit: whether handlers' replies go to the unit head first (the head sets it on the unit queue too)."""

    form = ReplyReviewPolicyForm
    list_display = ["unit", "review_replies", "updated_by", "updated_at"]
    list_filter = ["review_replies"]
    list_select_related = ["unit", "updated_by"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # turned off, not deleted: the row keeps who changed it last


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["case", "contacted", "resolution", "satisfaction", "unit", "actor", "created_at"]
    list_filter = ["contacted", "resolution", "satisfaction"]
    search_fields = ["case__number"]
    list_select_related = ["case", "unit", "actor"]


class SlaRuleForm(ServiceModelForm):
    class Meta:
        model = SlaRule
        fields = ["clock", "kind", "priority", "amount", "time_unit"]

    def call_service(self) -> SlaRule:
        return sla_rule_set(
            actor=self.request_user, rule=self.instance if self.instance.pk else None, clock=self.value("clock"),
            kind=self.value("kind") or "", priority=self.value("priority") or "", amount=self.value("amount"),
            time_unit=self.value("time_unit"),
        )


@admin.register(SlaRule)
class SlaRuleAdmin(ServiceDeletedAdmin):
    form = SlaRuleForm
    list_display = ["clock", "kind", "priority", "amount", "time_unit"]
    list_filter = ["clock", "time_unit"]

    def delete_service(self, *, actor: Any, row: SlaRule) -> None:
        sla_rule_delete(actor=actor, rule=row)


class SlaPolicyForm(ServiceModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["workday_start", "workday_end", "warn_ratio", "flag_after_working_days", "extension_max_working_days",
                  "extensions_allowed", "close_with_follow_up"]

    def call_service(self) -> SlaPolicy:
        return sla_policy_set(actor=self.request_user, **{name: self.value(name) for name in self.Meta.fields})


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ServiceSavedAdmin):
    """One row for the whole city: it can be changed, never added twice nor deleted."""

    form = SlaPolicyForm
    list_display = ["__str__", "workday_start", "workday_end", "warn_ratio", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SlaPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        row = SlaPolicy.objects.order_by("pk").first()
        if row is not None and self.has_view_or_change_permission(request, row):
            return HttpResponseRedirect(reverse("admin:core_slapolicy_change", args=[row.pk]))
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["day", "last"]
