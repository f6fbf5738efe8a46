"""The case actions a person can take, as one table: the case page and the REST API are both derived from it.

Each entry names the action (its label is the transition table's), its one service, its input fields
(name, type, whether required, label, and whether the page and the API offer it), the REST URL segment and
summary, and the message shown after success. `perform` turns parsed input into the service call, so the page
and the API cannot disagree about what an action does. Adding an action is one entry here (plus a form or an
input serializer only when its fields make a combination neither adapter has yet).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jingzhi.cases import selectors, services
from jingzhi.cases.models import Case, ExtensionRequest, ReplyDraft, SuspensionRequest
from jingzhi.cases.services.reply_review import open_draft
from jingzhi.cases.services.suspension import pending_suspension
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.core.errors import ApplicationError, InvalidTransition, NotFound, ValidationFailed
from jingzhi.org.models import User


class FieldType(StrEnum):
    TEXT = "text"
    UNIT = "unit"  # one unit (the page: a choice; the API: its code)
    UNITS = "units"  # several units
    INTEGER = "integer"
    BOOLEAN = "boolean"
    RESOLUTION = "resolution"  # FollowUp resolution choice
    SATISFACTION = "satisfaction"  # FollowUp satisfaction choice
    CASE_NUMBER = "case_number"  # another case, by its public number (resolved through the actor's visibility)
    EXTENSION_REQUEST = "extension_request"  # the id of the extension request the page showed
    CATEGORY = "category"  # a category of the tree (the page: a choice; the API: its id)
    USER = "user"  # a person (the page: a choice among the unit's staff; the API: the username)
    DATE = "date"
    OUTCOME = "outcome"  # Outcome choice (what the reply amounts to)
    FILES = "files"  # uploaded files (the page only: the API takes JSON bodies)
    SUSPENSION_REQUEST = "suspension_request"  # the id of the suspension request the page showed
    REPLY_DRAFT = "reply_draft"  # the id of the reply draft the page showed


class Target(StrEnum):
    """What the service acts on: the case (with the version the client saw), or one of its pending requests."""

    CASE = "case"
    EXTENSION = "extension"
    SUSPENSION = "suspension"
    DRAFT = "draft"


@dataclass(frozen=True)
class InputField:
    name: str  # the service's keyword, the form field's and the API body's name
    type: FieldType
    required: bool  # the input must carry it (the API rejects a body without it; the page's form likewise)
    label: str | Promise = ""
    web: bool = True  # the case page's form offers it
    api: bool = True  # the REST endpoint accepts it


@dataclass(frozen=True)
class CaseAction:
    action: Action
    slug: str  # REST: POST /api/v1/cases/{number}/{slug}/
    service: Callable[..., Any]
    fields: tuple[InputField, ...]
    summary: str  # REST operation summary (中文 English)
    done: Callable[[Case], str]  # the message after success, in the user's language
    target: Target = Target.CASE

    @property
    def label(self) -> str | Promise:
        return TRANSITIONS[self.action].label

    def web_fields(self) -> tuple[InputField, ...]:
        return tuple(f for f in self.fields if f.web)

    def api_fields(self) -> tuple[InputField, ...]:
        return tuple(f for f in self.fields if f.api)


def _text(name: str, label: str | Promise, *, required: bool = True, web: bool = True, api: bool = True) -> InputField:
    return InputField(name, FieldType.TEXT, required, label, web=web, api=api)


_REASON = _text("reason", gettext_lazy("Reason"))
_NOTE = _text("note", gettext_lazy("Note"))
_OPTIONAL_NOTE = _text("note", gettext_lazy("Note"), required=False)
_REPLY = _text("reply", gettext_lazy("Reply to the requester"))
_DISPATCH = (
    InputField("unit", FieldType.UNIT, True, gettext_lazy("Lead unit")),
    InputField("assisting", FieldType.UNITS, False, gettext_lazy("Assisting units")),
    _text("note", gettext_lazy("Note to the unit"), required=False),
    # The page requires it (a dispatched case says what it is about, issue 11); the API keeps it optional.
    InputField("category", FieldType.CATEGORY, False, gettext_lazy("Category")),
)
_DECISION = (
    InputField("request", FieldType.EXTENSION_REQUEST, True, api=False),
    _text("note", gettext_lazy("Decision note"), required=False),
)
_SUSPENSION_DECISION = (
    InputField("request", FieldType.SUSPENSION_REQUEST, True, api=False),
    _text("note", gettext_lazy("Decision note"), required=False),
)
_REPLY_FILES = InputField("attachments", FieldType.FILES, False, gettext_lazy("Attachments"), api=False)
_UNIT_REPLY = (
    # The page requires the outcome (issue 11); the API keeps it optional for the clients it already has.
    InputField("outcome", FieldType.OUTCOME, False, gettext_lazy("Outcome")),
    _REPLY,
    _REPLY_FILES,
)
_DRAFT = InputField("draft", FieldType.REPLY_DRAFT, True, api=False)


_ASSIGNED = gettext_noop("Case %(number)s assigned to %(person)s.")


def _assign_done(case: Case) -> str:
    return _(_ASSIGNED) % {"number": case.number, "person": case.assignee}


# The done messages are marked with gettext_noop for the catalogue and translated when shown.
def _unit_done(message: str) -> Callable[[Case], str]:
    return lambda c: _(message) % {"number": c.number, "unit": c.lead_unit}


def _number_done(message: str) -> Callable[[Case], str]:
    return lambda c: _(message) % {"number": c.number}


def _fixed_done(message: str) -> Callable[[Case], str]:
    return lambda c: _(message)


CASE_ACTIONS: tuple[CaseAction, ...] = (
    CaseAction(Action.DISPATCH, "dispatch", services.case_dispatch, _DISPATCH,
               "派单 Dispatch an accepted case to its lead unit (and assisting units).",
               _unit_done(gettext_noop("Case %(number)s dispatched to %(unit)s."))),
    CaseAction(Action.ACKNOWLEDGE, "acknowledge", services.case_acknowledge, (),
               "签收 The lead unit takes the case.",
               _number_done(gettext_noop("Case %(number)s acknowledged; it is now your unit's to handle."))),
    CaseAction(Action.RETURN, "return", services.case_return, (_REASON,),
               "回退 The unit returns the case as not theirs.",
               _number_done(gettext_noop("Case %(number)s returned to the dispatcher."))),
    CaseAction(Action.REDISPATCH, "redispatch", services.case_redispatch, _DISPATCH,
               "The dispatcher accepts a return and re-routes the case.",
               _unit_done(gettext_noop("Case %(number)s dispatched to %(unit)s."))),
    CaseAction(Action.OVERRULE_RETURN, "overrule-return", services.case_overrule_return, (_REASON,),
               "The dispatcher sends a returned case back to the same unit.",
               _unit_done(gettext_noop("Return overruled: case %(number)s is back with %(unit)s."))),
    CaseAction(Action.TRANSFER, "transfer", services.case_transfer, (
        InputField("unit", FieldType.UNIT, True, gettext_lazy("New lead unit")),
        _REASON,
        InputField("assisting", FieldType.UNITS, False, gettext_lazy("Assisting units"), web=False),
    ), "转办 Re-route a case that is with a unit.",
        _unit_done(gettext_noop("Case %(number)s transferred to %(unit)s."))),
    CaseAction(Action.NOTE, "note", services.case_add_note, (_NOTE,),
               "办理 A handling note.", _fixed_done(gettext_noop("Note added."))),
    CaseAction(Action.REQUEST_SUSPENSION, "suspension", services.case_request_suspension, (
        _text("reason", gettext_lazy("What are you waiting for?")),
        InputField("resume_by", FieldType.DATE, True, gettext_lazy("Expected to resume by")),
    ), "中止申请 Ask a supervisor to suspend the case while waiting for the requester (the clock runs until approved).",
        _fixed_done(gettext_noop("Suspension requested; a supervisor will decide."))),
    CaseAction(Action.APPROVE_SUSPENSION, "suspension/approve", services.suspension_approve, _SUSPENSION_DECISION,
               "Approve the pending suspension request: the reply clock stops.",
               _number_done(gettext_noop("Suspension of case %(number)s approved; the reply clock is stopped.")),
               Target.SUSPENSION),
    CaseAction(Action.REJECT_SUSPENSION, "suspension/reject", services.suspension_reject, _SUSPENSION_DECISION,
               "Reject the pending suspension request (a note is required).",
               _number_done(gettext_noop("Suspension of case %(number)s rejected.")), Target.SUSPENSION),
    CaseAction(Action.RESUME, "resume", services.case_resume, (_OPTIONAL_NOTE,),
               "The requester answered; the reply clock runs again.",
               _fixed_done(gettext_noop("Handling resumed; the reply clock runs again."))),
    CaseAction(Action.REQUEST_EXTENSION, "extension", services.case_request_extension, (
        InputField("working_days", FieldType.INTEGER, True, gettext_lazy("Extra working days")),
        _REASON,
    ), "延期申请 Ask for more working days before the reply deadline.",
        _fixed_done(gettext_noop("Extension requested; a supervisor will decide."))),
    CaseAction(Action.APPROVE_EXTENSION, "extension/approve", services.extension_approve, _DECISION,
               "Approve the pending extension request.",
               _number_done(gettext_noop("Extension approved for case %(number)s.")), Target.EXTENSION),
    CaseAction(Action.REJECT_EXTENSION, "extension/reject", services.extension_reject, _DECISION,
               "Reject the pending extension request (a note is required).",
               _number_done(gettext_noop("Extension rejected for case %(number)s.")), Target.EXTENSION),
    CaseAction(Action.REPLY, "reply", services.case_reply, _UNIT_REPLY,
               "答复 The unit's answer to the requester.",
               _fixed_done(gettext_noop("Reply recorded; the case now waits for follow-up."))),
    CaseAction(Action.SUBMIT_REPLY, "reply/submit", services.case_submit_reply, _UNIT_REPLY,
               "提交审核 Submit the reply to the unit head for review (units whose replies are reviewed).",
               _fixed_done(gettext_noop("Reply submitted; the unit head will review it."))),
    CaseAction(Action.APPROVE_REPLY, "reply/approve", services.reply_approve, (
        _DRAFT, _text("note", gettext_lazy("Review note"), required=False),
    ), "审核通过 The unit head approves the reply waiting for review; it goes out to the requester.",
        _fixed_done(gettext_noop("Reply approved and sent; the case now waits for follow-up.")), Target.DRAFT),
    CaseAction(Action.RETURN_REPLY, "reply/return", services.reply_return, (
        _DRAFT, _text("reason", gettext_lazy("What to change")),
    ), "退回修改 The unit head returns the reply waiting for review, with what to change.",
        _fixed_done(gettext_noop("Reply returned to the handler.")), Target.DRAFT),
    CaseAction(Action.FOLLOW_UP, "follow-up", services.case_follow_up, (
        InputField("contacted", FieldType.BOOLEAN, True, gettext_lazy("Requester reached?")),
        InputField("resolution", FieldType.RESOLUTION, False, gettext_lazy("Resolved?")),
        InputField("satisfaction", FieldType.SATISFACTION, False, gettext_lazy("Satisfied?")),
        _OPTIONAL_NOTE,
    ), "回访 Record the call-back.", _fixed_done(gettext_noop("Follow-up recorded."))),
    CaseAction(Action.FOLLOW_UP_CLOSE, "follow-up-close", services.case_follow_up_and_close, (
        InputField("resolution", FieldType.RESOLUTION, True, gettext_lazy("Resolved?")),
        InputField("satisfaction", FieldType.SATISFACTION, True, gettext_lazy("Satisfied?")),
        _OPTIONAL_NOTE,
    ), "回访并办结 The requester is satisfied and the problem resolved: follow up and close at once (when the city's rule allows).",
        _number_done(gettext_noop("Follow-up recorded and case %(number)s closed."))),
    CaseAction(Action.REOPEN, "reopen", services.case_reopen, (_text("reason", gettext_lazy("Reason"), required=False),),
               "重办 Back to the unit after an unsatisfied follow-up.",
               _unit_done(gettext_noop("Case %(number)s reopened and sent back to %(unit)s."))),
    CaseAction(Action.CLOSE, "close", services.case_close, (_text("note", gettext_lazy("Note"), required=False, web=False),),
               "办结 Close a followed-up case.", _number_done(gettext_noop("Case %(number)s closed."))),
    CaseAction(Action.ANSWER_DIRECTLY, "answer", services.case_answer_directly, (_REPLY,),
               "直接办结 Answer on the spot and close.", _fixed_done(gettext_noop("Answered and closed."))),
    CaseAction(Action.MERGE, "merge", services.case_merge, (
        InputField("into", FieldType.CASE_NUMBER, True, gettext_lazy("Merge into case number")),
        _OPTIONAL_NOTE,
    ), "合并 Merge this case into the case it duplicates.", _number_done(gettext_noop("Case %(number)s merged."))),
    CaseAction(Action.ASSIGN, "assign", services.case_assign, (
        InputField("assignee", FieldType.USER, True, gettext_lazy("Handler")),
        _OPTIONAL_NOTE,
    ), "指派 The unit head gives the case to a handler of the unit.",
        _assign_done),
    CaseAction(Action.SUPERVISE, "supervise", services.case_supervise, (
        _text("instruction", gettext_lazy("Instruction to the unit")),
        InputField("deadline", FieldType.DATE, True, gettext_lazy("To be done by")),
    ), "督办 A supervisor's instruction to the lead unit, with a deadline.",
        _number_done(gettext_noop("Supervision (督办) of case %(number)s recorded; the unit is told."))),
    CaseAction(Action.INSTRUCT, "instruct", services.case_instruct, (_text("instruction", gettext_lazy("Instruction")),),
               "批示 A leader's instruction on the case; the lead unit is told.",
               _number_done(gettext_noop("Instruction on case %(number)s recorded; the unit is told."))),
)

BY_ACTION: dict[str, CaseAction] = {entry.action.value: entry for entry in CASE_ACTIONS}


def _extension(case: Case, request_id: Any) -> ExtensionRequest:
    """The request the page showed (by id), or, without one (the API), the one waiting for a decision."""
    if request_id is not None:
        request = case.extension_requests.filter(pk=int(request_id or 0)).first()
        if request is None:
            raise NotFound(_("This extension request does not exist."))
        return request
    pending = selectors.pending_extension(case=case)
    if pending is None:
        raise InvalidTransition(_("This case has no extension request waiting for a decision."))
    return pending


def _suspension(case: Case, request_id: Any) -> SuspensionRequest:
    """The suspension request the page showed (by id), or, without one (the API), the one waiting."""
    if request_id is not None:
        request = case.suspension_requests.filter(pk=int(request_id or 0)).first()
        if request is None:
            raise NotFound(_("This suspension request does not exist."))
        return request
    pending = pending_suspension(case=case)
    if pending is None:
        raise InvalidTransition(_("This case has no suspension request waiting for a decision."))
    return pending


def _draft(case: Case, draft_id: Any) -> ReplyDraft:
    """The reply draft the page showed (by id), or, without one (the API), the one waiting for review."""
    if draft_id is not None:
        draft = case.reply_drafts.filter(pk=int(draft_id or 0)).first()
        if draft is None:
            raise NotFound(_("This reply draft does not exist."))
        return draft
    draft = open_draft(case=case)
    if draft is None or draft.state != ReplyDraft.State.PENDING:
        raise InvalidTransition(_("This case has no reply waiting for review."))
    return draft


def _case_by_number(number: str, actor: User) -> Case:
    try:
        return selectors.case_get(number=number, user=actor)
    except NotFound:
        msg = _("There is no case %(number)s that you can see.") % {"number": number[:30]}
        raise ValidationFailed(msg, fields={"into": msg}) from None


_TARGET_FIELDS = frozenset({FieldType.EXTENSION_REQUEST, FieldType.SUSPENSION_REQUEST, FieldType.REPLY_DRAFT})


def perform(
    entry: CaseAction, *, case: Case, actor: User, values: Mapping[str, Any], expected_version: int | None
) -> Any:
    """Call the entry's service with the parsed input. `values` holds rows, not codes: the adapters resolve them.
    A field the adapter does not offer is left to the service's default."""
    kwargs: dict[str, Any] = {}
    for field in entry.fields:
        if field.name not in values or field.type in _TARGET_FIELDS:
            continue
        value = values[field.name]
        if field.type in (FieldType.UNITS, FieldType.FILES):
            value = list(value or ())
        elif field.type == FieldType.CASE_NUMBER:
            value = _case_by_number(value, actor)
        kwargs[field.name] = value
    if entry.target == Target.EXTENSION:
        return entry.service(request=_extension(case, values.get("request")), actor=actor, **kwargs)
    if entry.target == Target.SUSPENSION:
        return entry.service(request=_suspension(case, values.get("request")), actor=actor, **kwargs)
    if entry.target == Target.DRAFT:
        return entry.service(draft=_draft(case, values.get("draft")), actor=actor, expected_version=expected_version,
                             **kwargs)
    return entry.service(case=case, actor=actor, expected_version=expected_version, **kwargs)


# The actions a queue offers on several selected rows at once (issue 11).
BULK_ACTIONS = frozenset({Action.DISPATCH, Action.ACKNOWLEDGE, Action.ASSIGN})
BULK_MAX = 100


@dataclass(frozen=True)
class BulkOutcome:
    done: list[str]  # case numbers
    failed: list[tuple[str, str]]  # (case number, the reason in the user's language)


def perform_bulk(entry: CaseAction, *, numbers: list[str], actor: User, values: Mapping[str, Any]) -> BulkOutcome:
    """The same action with the same input on each selected case, each in its own transaction through the
    entry's service (visibility, table, row lock, event, notifications as one by one). A case that cannot take
    it is reported with the reason and does not stop the others."""
    if entry.action not in BULK_ACTIONS:
        raise InvalidTransition(_("This action cannot be done on several cases at once."))
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not numbers:
        raise ValidationFailed(_("Select at least one case."))
    if len(numbers) > BULK_MAX:
        raise ValidationFailed(_("At most %(max)d cases at once.") % {"max": BULK_MAX})
    done: list[str] = []
    failed: list[tuple[str, str]] = []
    for number in numbers:
        try:
            case = selectors.case_get(number=number, user=actor)
            perform(entry, case=case, actor=actor, values=values, expected_version=None)
        except ApplicationError as e:
            failed.append((number[:30], "；".join(str(m) for m in e.fields.values()) if e.fields else str(e.message)))
        else:
            done.append(number)
    return BulkOutcome(done, failed)
