"""The reply check's rules and phrase lists in the admin (ADR 025); saves go through reply_services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jingzhi.core.admin import ReadOnlyAdmin, ServiceModelForm, ServiceSavedAdmin
from jingzhi.knowledge.models import ReplyCheck, ReplyPhrase, ReplyRule, UnitReplyPolicy
from jingzhi.knowledge.reply_services import reply_phrase_delete, reply_phrase_save, reply_rule_set


class ReplyRuleForm(ServiceModelForm):
    class Meta:
        model = ReplyRule
        fields = ["code", "description", "weight", "threshold", "blocking", "enabled"]

    def call_service(self) -> ReplyRule:
        return reply_rule_set(actor=self.request_user, rule=self.instance if self.instance.pk else None,
                              **{name: self.value(name) for name in self.Meta.fields})


@admin.register(ReplyRule)
class ReplyRuleAdmin(ServiceSavedAdmin):
    form = ReplyRuleForm
    list_display = ["code", "weight", "threshold", "blocking", "enabled", "description"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a rule is switched off (enabled), not deleted: its default would come back silently


class ReplyPhraseForm(ServiceModelForm):
    class Meta:
        model = ReplyPhrase
        fields = ["kind", "text"]

    def call_service(self) -> ReplyPhrase:
        return reply_phrase_save(actor=self.request_user, phrase=self.instance if self.instance.pk else None,
                                 kind=self.value("kind"), text=self.value("text"))


@admin.register(ReplyPhrase)
class ReplyPhraseAdmin(ServiceSavedAdmin):
    form = ReplyPhraseForm
    list_display = ["text", "kind"]
    list_filter = ["kind"]
    search_fields = ["text"]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        reply_phrase_delete(actor=request.user, phrases=[obj])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        reply_phrase_delete(actor=request.user, phrases=list(queryset))  # type: ignore[arg-type]


@admin.register(UnitReplyPolicy)
class UnitReplyPolicyAdmin(ReadOnlyAdmin):
    list_display = ["unit", "review_returned", "updated_by", "updated_at"]


@admin.register(ReplyCheck)
class ReplyCheckAdmin(ReadOnlyAdmin):
    list_display = ["case", "unit", "level", "score", "head_override", "checked_at"]
    list_filter = ["level"]
