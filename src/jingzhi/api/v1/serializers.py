"""What the REST API reads and writes. Inputs are parsed here; every rule lives in the services."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from rest_framework import serializers

from jingzhi.cases.models import (
    Case,
    CaseEvent,
    Channel,
    ContactPreference,
    Kind,
    Outcome,
    Priority,
    Resolution,
    Satisfaction,
)
from jingzhi.cases.transitions import EVENT_LABELS
from jingzhi.core.masking import mask_name, mask_phone
from jingzhi.org.models import Division, Unit
from jingzhi.taxonomy.models import Category

# Channels an API client may name; import and proactive cases are made by the system itself.
INTAKE_CHANNELS = [c for c in Channel.choices if c[0] not in ("import", "proactive")]


class Expected(serializers.Serializer):
    expected_version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        help_text="The case version the client acted on; a different current version answers 409.",
    )


class FieldsBuiltOnce:
    """A serializer whose fields are worked out once per class (from the model, or its declared fields), then
    copied per instance.

    DRF builds a ModelSerializer's fields from the model's meta every time one is made: for a create's 201 body
    (a case and its timeline) that was a fifth of the request's CPU (issue 12). The result depends only on the
    class (its Meta and declared fields), never on the instance or the request, so it is built once and each
    serializer gets a deep copy, as DRF itself does for declared fields.
    """

    _built: ClassVar[dict[type, dict[str, Any]]] = {}

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        fields = FieldsBuiltOnce._built.get(cls)
        if fields is None:
            fields = FieldsBuiltOnce._built[cls] = super().get_fields()  # type: ignore[misc]
        return {name: copy.deepcopy(f) if isinstance(f, serializers.BaseSerializer) else copy.copy(f)
                for name, f in fields.items()}


class UnitRef(FieldsBuiltOnce, serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DivisionRef(FieldsBuiltOnce, serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CategoryRef(FieldsBuiltOnce, serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CaseSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A case as a list shows it. Personal data is masked; nothing here reveals it."""

    status_display = serializers.CharField(source="get_status_display")
    division = DivisionRef()
    lead_unit = UnitRef(allow_null=True)
    category = CategoryRef(allow_null=True)
    requester_name = serializers.SerializerMethodField()
    requester_phone = serializers.SerializerMethodField()
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)

    class Meta:
        model = Case
        fields = [
            "number", "status", "status_display", "channel", "kind", "priority", "title", "content", "category",
            "division", "address", "lat", "lng", "requester_name", "requester_phone", "lead_unit",
            "created_at", "dispatched_at", "acknowledged_at", "replied_at", "followed_up_at", "closed_at", "updated_at",
            "dispatch_due", "acknowledge_due", "reply_due", "follow_up_due", "supervision", "reply",
            "resolution", "satisfaction", "merged_into", "version",
        ]

    def get_requester_name(self, case: Case) -> str:
        return mask_name(case.requester_name)

    def get_requester_phone(self, case: Case) -> str:
        return mask_phone(case.requester_phone)


class CasePageSerializer(serializers.Serializer):
    """One page of a case list; follow `next` for the next page (cursor pagination: stable while cases arrive)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CaseSerializer(many=True)


class EventSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["action", "label", "actor", "unit", "from_status", "to_status", "note", "created_at"]

    def get_label(self, event: CaseEvent) -> str:
        return str(EVENT_LABELS.get(event.action, event.action))

    def get_actor(self, event: CaseEvent) -> str | None:
        return str(event.actor) if event.actor_id else None

    def get_unit(self, event: CaseEvent) -> str | None:
        return event.actor_unit.name if event.actor_unit else None


class CaseDetailSerializer(CaseSerializer):
    """One case with its timeline and the actions the caller may take now."""

    assisting_units = UnitRef(many=True)
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "assisting_units", "timeline", "allowed_actions"]

    def get_timeline(self, case: Case) -> list[dict[str, Any]]:
        return EventSerializer(self.context["timeline"], many=True).data  # type: ignore[return-value]

    def get_allowed_actions(self, case: Case) -> list[str]:
        return [str(a) for a in self.context["allowed_actions"]]


class CaseCreateSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A new case. Choices are checked here; the intake service checks everything else and says which field is wrong.

    Its fields are built once (FieldsBuiltOnce): DRF would otherwise rebuild all fifteen from their arguments on
    every create, a third of the validation's work (issue 12)."""

    channel = serializers.ChoiceField(choices=INTAKE_CHANNELS, default=Channel.APP)
    kind = serializers.ChoiceField(choices=Kind.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    title = serializers.CharField(max_length=400, allow_blank=True, trim_whitespace=False)
    content = serializers.CharField(max_length=10000, allow_blank=True, trim_whitespace=False)
    division = serializers.CharField(max_length=12, allow_blank=True, help_text="Division code (GB/T 2260), e.g. 211202.")
    category = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    requester_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    requester_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    requester_id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    contact_preference = serializers.ChoiceField(
        choices=ContactPreference.choices, default=ContactPreference.SMS, required=False,
        help_text="How the requester wants to hear from us: sms (the case number and the reply by SMS), phone (a call "
                  "back only, no texts) or none (nothing is sent).",
    )
    address = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")
    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)


class UnitSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "division", "parent", "is_active"]


class DivisionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent"]


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "name", "level", "parent", "is_public"]


class RouteSerializer(serializers.Serializer):
    lead_unit = UnitRef(allow_null=True)
    assisting_units = UnitRef(many=True)
    reason = serializers.CharField()


# --- inputs of the lifecycle actions -------------------------------------------------------------


class DispatchInput(Expected):
    unit = serializers.CharField(max_length=30, help_text="Lead unit code.")
    assisting = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list, max_length=20)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    category = serializers.IntegerField(required=False, min_value=1, help_text="Category id (the case's category is set).")


class TransferInput(Expected):
    unit = serializers.CharField(max_length=30)
    reason = serializers.CharField(max_length=5000, allow_blank=True)
    assisting = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list, max_length=20)


class ReasonInput(Expected):
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class OptionalReasonInput(Expected):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class NoteInput(Expected):
    note = serializers.CharField(max_length=5000, allow_blank=True)


class OptionalNoteInput(Expected):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ReplyInput(Expected):
    reply = serializers.CharField(max_length=5000, allow_blank=True)


class UnitReplyInput(ReplyInput):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True, default="",
                                      help_text="What the reply amounts to: resolved, explained, unfounded, referred.")


class FollowUpCloseInput(Expected):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class AssignInput(Expected):
    assignee = serializers.CharField(max_length=150, help_text="Username of a handler of the lead unit.")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class SuperviseInput(Expected):
    instruction = serializers.CharField(max_length=5000, allow_blank=True)
    deadline = serializers.DateField(help_text="YYYY-MM-DD, from today to a year ahead.")


class SuspensionInput(Expected):
    reason = serializers.CharField(max_length=5000, allow_blank=True)
    resume_by = serializers.DateField(help_text="YYYY-MM-DD: when the unit expects to resume, from today to 180 days ahead.")


class DecisionReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class InstructInput(Expected):
    instruction = serializers.CharField(max_length=5000, allow_blank=True)


class ExtensionInput(Expected):
    working_days = serializers.IntegerField(min_value=-1000, max_value=1000)
    reason = serializers.CharField(max_length=5000, allow_blank=True)


class ExtensionDecisionInput(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class FollowUpInput(Expected):
    contacted = serializers.BooleanField()
    resolution = serializers.ChoiceField(choices=Resolution.choices, required=False, allow_blank=True, default="")
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class MergeInput(Expected):
    into = serializers.CharField(max_length=30, help_text="Number of the case this one duplicates.")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
