"""Every lifecycle action as its own POST endpoint: parse the body, call the one service, return the case.

The table mirrors the case page's (web/views/case_actions.py): same services, same expected-version
check, so the API and the page cannot disagree. A stale `expected_version` answers 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.v1 import serializers as s
from jingzhi.api.v1.base import ApiView
from jingzhi.api.v1.cases import case_detail_data
from jingzhi.api.v1.lookups import unit_by_code, units_by_code
from jingzhi.cases import selectors, services
from jingzhi.cases.models import Case, ExtensionRequest
from jingzhi.core.errors import InvalidTransition, NotFound, ValidationFailed
from jingzhi.org.models import Unit, User

Run = Callable[[Case, User, dict[str, Any]], Any]


@dataclass(frozen=True)
class ActionEndpoint:
    slug: str  # the URL segment
    body: type[serializers.Serializer]
    run: Run
    summary: str


def _unit(code: str) -> Unit:
    return unit_by_code(code, "unit")


def _units(codes: list[str]) -> list[Unit]:
    return units_by_code(codes, "assisting")


def _pending(case: Case) -> ExtensionRequest:
    request = selectors.pending_extension(case=case)
    if request is None:
        raise InvalidTransition(_("This case has no extension request waiting for a decision."))
    return request


def _merge(case: Case, user: User, d: dict[str, Any]) -> Any:
    try:
        into = selectors.case_get(number=d["into"], user=user)
    except NotFound:
        msg = _("There is no case %(number)s that you can see.") % {"number": d["into"][:30]}
        raise ValidationFailed(msg, fields={"into": msg}) from None
    return services.case_merge(case=case, into=into, actor=user, note=d["note"], expected_version=d.get("expected_version"))


def _v(d: dict[str, Any]) -> int | None:
    return d.get("expected_version")


ENDPOINTS = [
    ActionEndpoint("dispatch", s.DispatchInput, lambda c, u, d: services.case_dispatch(
        case=c, actor=u, unit=_unit(d["unit"]), assisting=_units(d["assisting"]), note=d["note"], expected_version=_v(d)),
        "派单 Dispatch an accepted case to its lead unit (and assisting units)."),
    ActionEndpoint("acknowledge", s.Expected, lambda c, u, d: services.case_acknowledge(case=c, actor=u, expected_version=_v(d)),
                   "签收 The lead unit takes the case."),
    ActionEndpoint("return", s.ReasonInput, lambda c, u, d: services.case_return(
        case=c, actor=u, reason=d["reason"], expected_version=_v(d)), "回退 The unit returns the case as not theirs."),
    ActionEndpoint("redispatch", s.DispatchInput, lambda c, u, d: services.case_redispatch(
        case=c, actor=u, unit=_unit(d["unit"]), assisting=_units(d["assisting"]), note=d["note"], expected_version=_v(d)),
        "The dispatcher accepts a return and re-routes the case."),
    ActionEndpoint("overrule-return", s.ReasonInput, lambda c, u, d: services.case_overrule_return(
        case=c, actor=u, reason=d["reason"], expected_version=_v(d)), "The dispatcher sends a returned case back to the same unit."),
    ActionEndpoint("transfer", s.TransferInput, lambda c, u, d: services.case_transfer(
        case=c, actor=u, unit=_unit(d["unit"]), reason=d["reason"], assisting=_units(d["assisting"]), expected_version=_v(d)),
        "转办 Re-route a case that is with a unit."),
    ActionEndpoint("note", s.NoteInput, lambda c, u, d: services.case_add_note(
        case=c, actor=u, note=d["note"], expected_version=_v(d)), "办理 A handling note."),
    ActionEndpoint("suspend", s.ReasonInput, lambda c, u, d: services.case_suspend(
        case=c, actor=u, reason=d["reason"], expected_version=_v(d)), "Wait for the requester; the reply clock stops."),
    ActionEndpoint("resume", s.OptionalNoteInput, lambda c, u, d: services.case_resume(
        case=c, actor=u, note=d["note"], expected_version=_v(d)), "The requester answered; the reply clock runs again."),
    ActionEndpoint("extension", s.ExtensionInput, lambda c, u, d: services.case_request_extension(
        case=c, actor=u, working_days=d["working_days"], reason=d["reason"], expected_version=_v(d)),
        "延期申请 Ask for more working days before the reply deadline."),
    ActionEndpoint("extension/approve", s.ExtensionDecisionInput, lambda c, u, d: services.extension_approve(
        request=_pending(c), actor=u, note=d["note"]), "Approve the pending extension request."),
    ActionEndpoint("extension/reject", s.ExtensionDecisionInput, lambda c, u, d: services.extension_reject(
        request=_pending(c), actor=u, note=d["note"]), "Reject the pending extension request (a note is required)."),
    ActionEndpoint("reply", s.ReplyInput, lambda c, u, d: services.case_reply(
        case=c, actor=u, reply=d["reply"], expected_version=_v(d)), "答复 The unit's answer to the requester."),
    ActionEndpoint("follow-up", s.FollowUpInput, lambda c, u, d: services.case_follow_up(
        case=c, actor=u, contacted=d["contacted"], resolution=d["resolution"], satisfaction=d["satisfaction"], note=d["note"],
        expected_version=_v(d)), "回访 Record the call-back."),
    ActionEndpoint("reopen", s.OptionalReasonInput, lambda c, u, d: services.case_reopen(
        case=c, actor=u, reason=d["reason"], expected_version=_v(d)), "重办 Back to the unit after an unsatisfied follow-up."),
    ActionEndpoint("close", s.OptionalNoteInput, lambda c, u, d: services.case_close(
        case=c, actor=u, note=d["note"], expected_version=_v(d)), "办结 Close a followed-up case."),
    ActionEndpoint("answer", s.ReplyInput, lambda c, u, d: services.case_answer_directly(
        case=c, actor=u, reply=d["reply"], expected_version=_v(d)), "直接办结 Answer on the spot and close."),
    ActionEndpoint("merge", s.MergeInput, _merge, "合并 Merge this case into the case it duplicates."),
]


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
