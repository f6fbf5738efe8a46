"""The case page's actions as one table: action → (form that parses the post, the one service it calls).

Every service receives the version the page showed as `expected_version`, so a form from a stale page
fails with a conflict instead of overwriting what someone else did in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from jingzhi.cases import selectors, services
from jingzhi.cases.models import Case
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.org.models import User
from jingzhi.web.forms import actions as f

Run = Callable[[Case, User, dict[str, Any]], Any]


@dataclass(frozen=True)
class ActionSpec:
    form: type[f.ActionForm]
    run: Run
    done: Callable[[Case], str]  # the message shown after success


def _v(data: dict[str, Any]) -> int:
    return int(data["version"])


def _extension(case: Case, data: dict[str, Any]) -> Any:
    request = case.extension_requests.filter(pk=int(data.get("request") or 0)).first()
    if request is None:
        raise NotFound(_("This extension request does not exist."))
    return request


def _merge(case: Case, user: User, data: dict[str, Any]) -> Any:
    try:
        into = selectors.case_get(number=data["into"], user=user)
    except NotFound:
        msg = _("There is no case %(number)s that you can see.") % {"number": data["into"]}
        raise ValidationFailed(msg, fields={"into": msg}) from None
    return services.case_merge(case=case, into=into, actor=user, note=data.get("note", ""), expected_version=_v(data))


ACTIONS: dict[str, ActionSpec] = {
    Action.DISPATCH: ActionSpec(
        f.DispatchForm,
        lambda c, u, d: services.case_dispatch(
            case=c, actor=u, unit=d["unit"], assisting=list(d["assisting"]), note=d["note"], expected_version=_v(d)
        ),
        lambda c: _("Case %(number)s dispatched to %(unit)s.") % {"number": c.number, "unit": c.lead_unit},
    ),
    Action.ACKNOWLEDGE: ActionSpec(
        f.PlainForm,
        lambda c, u, d: services.case_acknowledge(case=c, actor=u, expected_version=_v(d)),
        lambda c: _("Case %(number)s acknowledged; it is now your unit's to handle.") % {"number": c.number},
    ),
    Action.RETURN: ActionSpec(
        f.ReasonForm,
        lambda c, u, d: services.case_return(case=c, actor=u, reason=d["reason"], expected_version=_v(d)),
        lambda c: _("Case %(number)s returned to the dispatcher.") % {"number": c.number},
    ),
    Action.REDISPATCH: ActionSpec(
        f.DispatchForm,
        lambda c, u, d: services.case_redispatch(
            case=c, actor=u, unit=d["unit"], assisting=list(d["assisting"]), note=d["note"], expected_version=_v(d)
        ),
        lambda c: _("Case %(number)s dispatched to %(unit)s.") % {"number": c.number, "unit": c.lead_unit},
    ),
    Action.OVERRULE_RETURN: ActionSpec(
        f.ReasonForm,
        lambda c, u, d: services.case_overrule_return(case=c, actor=u, reason=d["reason"], expected_version=_v(d)),
        lambda c: _("Return overruled: case %(number)s is back with %(unit)s.") % {"number": c.number, "unit": c.lead_unit},
    ),
    Action.TRANSFER: ActionSpec(
        f.UnitReasonForm,
        lambda c, u, d: services.case_transfer(case=c, actor=u, unit=d["unit"], reason=d["reason"], expected_version=_v(d)),
        lambda c: _("Case %(number)s transferred to %(unit)s.") % {"number": c.number, "unit": c.lead_unit},
    ),
    Action.NOTE: ActionSpec(
        f.NoteForm,
        lambda c, u, d: services.case_add_note(case=c, actor=u, note=d["note"], expected_version=_v(d)),
        lambda c: _("Note added."),
    ),
    Action.SUSPEND: ActionSpec(
        f.ReasonForm,
        lambda c, u, d: services.case_suspend(case=c, actor=u, reason=d["reason"], expected_version=_v(d)),
        lambda c: _("The reply clock is stopped until the requester answers."),
    ),
    Action.RESUME: ActionSpec(
        f.NoteForm,
        lambda c, u, d: services.case_resume(case=c, actor=u, note=d["note"], expected_version=_v(d)),
        lambda c: _("Handling resumed; the reply clock runs again."),
    ),
    Action.REQUEST_EXTENSION: ActionSpec(
        f.ExtensionRequestForm,
        lambda c, u, d: services.case_request_extension(
            case=c, actor=u, working_days=d["working_days"], reason=d["reason"], expected_version=_v(d)
        ),
        lambda c: _("Extension requested; a supervisor will decide."),
    ),
    Action.APPROVE_EXTENSION: ActionSpec(
        f.ExtensionDecisionForm,
        lambda c, u, d: services.extension_approve(request=_extension(c, d), actor=u, note=d["note"]),
        lambda c: _("Extension approved for case %(number)s.") % {"number": c.number},
    ),
    Action.REJECT_EXTENSION: ActionSpec(
        f.ExtensionDecisionForm,
        lambda c, u, d: services.extension_reject(request=_extension(c, d), actor=u, note=d["note"]),
        lambda c: _("Extension rejected for case %(number)s.") % {"number": c.number},
    ),
    Action.REPLY: ActionSpec(
        f.ReplyForm,
        lambda c, u, d: services.case_reply(case=c, actor=u, reply=d["reply"], expected_version=_v(d)),
        lambda c: _("Reply recorded; the case now waits for follow-up."),
    ),
    Action.FOLLOW_UP: ActionSpec(
        f.FollowUpForm,
        lambda c, u, d: services.case_follow_up(
            case=c, actor=u, contacted=d["contacted"], resolution=d["resolution"], satisfaction=d["satisfaction"],
            note=d["note"], expected_version=_v(d),
        ),
        lambda c: _("Follow-up recorded."),
    ),
    Action.REOPEN: ActionSpec(
        f.ReasonForm,
        lambda c, u, d: services.case_reopen(case=c, actor=u, reason=d["reason"], expected_version=_v(d)),
        lambda c: _("Case %(number)s reopened and sent back to %(unit)s.") % {"number": c.number, "unit": c.lead_unit},
    ),
    Action.CLOSE: ActionSpec(
        f.PlainForm,
        lambda c, u, d: services.case_close(case=c, actor=u, expected_version=_v(d)),
        lambda c: _("Case %(number)s closed.") % {"number": c.number},
    ),
    Action.ANSWER_DIRECTLY: ActionSpec(
        f.ReplyForm,
        lambda c, u, d: services.case_answer_directly(case=c, actor=u, reply=d["reply"], expected_version=_v(d)),
        lambda c: _("Answered and closed."),
    ),
    Action.MERGE: ActionSpec(
        f.MergeForm,
        _merge,
        lambda c: _("Case %(number)s merged.") % {"number": c.number},
    ),
}
