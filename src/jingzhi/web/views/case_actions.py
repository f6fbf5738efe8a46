"""The case page's actions, derived from the one table (cases/actions.py): action → the form that parses the
post, the service call, the message after success.

Every service receives the version the page showed as `expected_version`, so a form from a stale page
fails with a conflict instead of overwriting what someone else did in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jingzhi.cases.actions import CASE_ACTIONS, CaseAction, perform
from jingzhi.cases.models import Case
from jingzhi.org.models import User
from jingzhi.web.forms import actions as f

Run = Callable[[Case, User, dict[str, Any]], Any]

# The page's forms by the fields they carry (besides the hidden version). A new action whose fields match
# one of these needs no new form.
FORMS: dict[frozenset[str], type[f.ActionForm]] = {
    frozenset(): f.PlainForm,
    frozenset({"unit", "assisting", "note", "category"}): f.DispatchForm,
    frozenset({"unit", "reason"}): f.UnitReasonForm,
    frozenset({"reason"}): f.ReasonForm,
    frozenset({"note"}): f.NoteForm,
    frozenset({"reply"}): f.DirectAnswerForm,
    frozenset({"outcome", "reply", "attachments"}): f.ReplyForm,
    frozenset({"reason", "resume_by"}): f.SuspensionRequestForm,
    frozenset({"draft", "note"}): f.DraftApproveForm,
    frozenset({"draft", "reason"}): f.DraftReturnForm,
    frozenset({"resolution", "satisfaction", "note"}): f.FollowUpCloseForm,
    frozenset({"assignee", "note"}): f.AssignForm,
    frozenset({"instruction", "deadline"}): f.SuperviseForm,
    frozenset({"instruction"}): f.InstructForm,
    frozenset({"working_days", "reason"}): f.ExtensionRequestForm,
    frozenset({"request", "note"}): f.ExtensionDecisionForm,
    frozenset({"contacted", "resolution", "satisfaction", "note"}): f.FollowUpForm,
    frozenset({"into", "note"}): f.MergeForm,
}


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.ActionForm]
    run: Run
    done: Callable[[Case], str]  # the message shown after success


def form_for(entry: CaseAction) -> type[f.ActionForm]:
    return FORMS[frozenset(field.name for field in entry.web_fields())]


def _spec(entry: CaseAction) -> ActionSpec:
    def run(case: Case, user: User, data: dict[str, Any]) -> Any:
        return perform(entry, case=case, actor=user, values=data, expected_version=int(data["version"]))

    return ActionSpec(form_for(entry), run, entry.done)


ACTIONS: dict[str, ActionSpec] = {entry.action: _spec(entry) for entry in CASE_ACTIONS}
