"""Every lifecycle action as its own POST endpoint, derived from the one table (cases/actions.py): parse the
body, call the one service, return the case.

The page and the API share the table, so they cannot disagree. A stale `expected_version` answers 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1 import serializers as s
from jingzhi.api.v1.base import ApiView
from jingzhi.api.v1.cases import case_detail_data
from jingzhi.api.v1.lookups import category_by_id, unit_by_code, units_by_code, user_by_username
from jingzhi.cases import selectors
from jingzhi.cases.actions import CASE_ACTIONS, CaseAction, FieldType, Target, perform
from jingzhi.cases.models import Case
from jingzhi.org.models import User

Run = Callable[[Case, User, dict[str, Any]], Any]

# The input serializers by what the body carries: (takes expected_version, {(field, required)}). Their names
# are the OpenAPI components; a new action whose body matches one of these needs no new serializer.
BODIES: dict[tuple[bool, frozenset[tuple[str, bool]]], type[serializers.Serializer]] = {
    (True, frozenset()): s.Expected,
    (True, frozenset({("unit", True), ("assisting", False), ("note", False), ("category", False)})): s.DispatchInput,
    (True, frozenset({("unit", True), ("reason", True), ("assisting", False)})): s.TransferInput,
    (True, frozenset({("reason", True)})): s.ReasonInput,
    (True, frozenset({("reason", False)})): s.OptionalReasonInput,
    (True, frozenset({("note", True)})): s.NoteInput,
    (True, frozenset({("note", False)})): s.OptionalNoteInput,
    (True, frozenset({("reply", True)})): s.ReplyInput,
    (True, frozenset({("outcome", False), ("reply", True)})): s.UnitReplyInput,
    (True, frozenset({("resolution", True), ("satisfaction", True), ("note", False)})): s.FollowUpCloseInput,
    (True, frozenset({("assignee", True), ("note", False)})): s.AssignInput,
    (True, frozenset({("instruction", True), ("deadline", True)})): s.SuperviseInput,
    (True, frozenset({("instruction", True)})): s.InstructInput,
    (True, frozenset({("working_days", True), ("reason", True)})): s.ExtensionInput,
    (False, frozenset({("note", False)})): s.ExtensionDecisionInput,
    (False, frozenset({("reason", True)})): s.DecisionReasonInput,
    (True, frozenset({("reason", True), ("resume_by", True)})): s.SuspensionInput,
    (True, frozenset({("contacted", True), ("resolution", False), ("satisfaction", False), ("note", False)})): s.FollowUpInput,
    (True, frozenset({("into", True), ("note", False)})): s.MergeInput,
}


@dataclass(frozen=True)
class ActionEndpoint:
    slug: str  # the URL segment
    body: type[serializers.Serializer]
    run: Run
    summary: str


def body_for(entry: CaseAction) -> type[serializers.Serializer]:
    return BODIES[(entry.target == Target.CASE, frozenset((f.name, f.required) for f in entry.api_fields()))]


def _values(entry: CaseAction, data: dict[str, Any]) -> dict[str, Any]:
    """The body with unit codes resolved to units (a field error names the unknown code)."""
    values = dict(data)
    for field in entry.api_fields():
        if field.name not in values:
            continue
        if field.type == FieldType.UNIT:
            values[field.name] = unit_by_code(values[field.name], field.name)
        elif field.type == FieldType.UNITS:
            values[field.name] = units_by_code(values[field.name], field.name)
        elif field.type == FieldType.USER:
            values[field.name] = user_by_username(values[field.name], field.name)
        elif field.type == FieldType.CATEGORY:
            values[field.name] = category_by_id(values[field.name], field.name)
    return values


def _endpoint(entry: CaseAction) -> ActionEndpoint:
    def run(case: Case, user: User, data: dict[str, Any]) -> Any:
        return perform(entry, case=case, actor=user, values=_values(entry, data),
                       expected_version=data.get("expected_version"))

    return ActionEndpoint(entry.slug, body_for(entry), run, entry.summary)


ENDPOINTS = [_endpoint(entry) for entry in CASE_ACTIONS]


def make_view(endpoint: ActionEndpoint) -> type[ApiView]:
    operation = "cases_" + endpoint.slug.replace("/", "_").replace("-", "_")

    class ActionView(ApiView):
        @extend_schema(operation_id=operation, request=endpoint.body, responses=s.CaseDetailSerializer,
                       summary=endpoint.summary, tags=["case actions"])
        def post(self, request: Request, number: str) -> Response:
            user: User = request.user  # type: ignore[assignment]
            case = selectors.case_get(number=number, user=user)  # out of scope: 404, before anything else
            body = endpoint.body(data=request.data)
            body.is_valid(raise_exception=True)
            endpoint.run(case, user, dict(body.validated_data))
            return Response(case_detail_data(Case.objects.get(pk=case.pk), user))

    ActionView.__name__ = ActionView.__qualname__ = "Case" + "".join(p.title() for p in operation.split("_")[1:]) + "Action"
    return ActionView
