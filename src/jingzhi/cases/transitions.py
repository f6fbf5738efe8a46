"""The lifecycle as one table: for every action, the states it may start from, where it leads, and who may do it.

Services consult this table before every change; pages consult it to show only the buttons a user may press.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.models import OPEN_STATUSES, Status


class Action(StrEnum):
    CREATE = "create"
    ANSWER_DIRECTLY = "answer_directly"
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    RETURN = "return"
    REDISPATCH = "redispatch"
    OVERRULE_RETURN = "overrule_return"
    TRANSFER = "transfer"
    NOTE = "note"
    SUSPEND = "suspend"
    RESUME = "resume"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    REPLY = "reply"
    FOLLOW_UP = "follow_up"
    REOPEN = "reopen"
    CLOSE = "close"
    MERGE = "merge"
    REMIND = "remind"
    SUPERVISE = "supervise"
    FLAG = "flag"
    REVEAL = "reveal"
    REVIEW_RELEASE = "review_release"
    REVIEW_REJECT = "review_reject"
    ASSIGN = "assign"
    INSTRUCT = "instruct"
    FOLLOW_UP_CLOSE = "follow_up_close"
    SUBMIT_REPLY = "submit_reply"
    APPROVE_REPLY = "approve_reply"
    RETURN_REPLY = "return_reply"
    REQUEST_SUSPENSION = "request_suspension"
    APPROVE_SUSPENSION = "approve_suspension"
    REJECT_SUSPENSION = "reject_suspension"


class UnitScope(StrEnum):
    """Whether the actor must belong to the case's lead unit (or an assisting unit) to act."""

    ANY = "any"
    LEAD = "lead"
    LEAD_OR_ASSISTING = "lead_or_assisting"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    roles: frozenset[str]
    label: str | Promise
    unit_scope: UnitScope = UnitScope.ANY


HOTLINE = frozenset({"operator", "admin"})
DISPATCHERS = frozenset({"dispatcher", "admin"})
UNIT = frozenset({"handler", "unit_head", "admin"})
SUPERVISORS = frozenset({"supervisor", "admin"})
FOLLOWERS = frozenset({"operator", "supervisor", "admin"})
UNIT_HEADS = frozenset({"unit_head", "admin"})
LEADERS = frozenset({"leader", "admin"})
SYSTEM: frozenset[str] = frozenset()  # only the sweep (actor None) performs these

_open = frozenset(OPEN_STATUSES)
_unit_working = frozenset({Status.HANDLING, Status.SUSPENDED})

TRANSITIONS: dict[Action, Transition] = {
    Action.ANSWER_DIRECTLY: Transition(frozenset({Status.ACCEPTED}), Status.CLOSED, HOTLINE, _("Answer directly and close")),
    Action.DISPATCH: Transition(frozenset({Status.ACCEPTED}), Status.DISPATCHED, DISPATCHERS, _("Dispatch")),
    Action.ACKNOWLEDGE: Transition(frozenset({Status.DISPATCHED}), Status.HANDLING, UNIT, _("Acknowledge"), UnitScope.LEAD),
    Action.RETURN: Transition(
        frozenset({Status.DISPATCHED, Status.HANDLING}), Status.RETURNED, UNIT, _("Return as not ours"), UnitScope.LEAD
    ),
    Action.REDISPATCH: Transition(frozenset({Status.RETURNED}), Status.DISPATCHED, DISPATCHERS, _("Accept return and re-dispatch")),
    Action.OVERRULE_RETURN: Transition(
        frozenset({Status.RETURNED}), Status.DISPATCHED, DISPATCHERS, _("Overrule return (back to the same unit)")
    ),
    Action.TRANSFER: Transition(frozenset({Status.DISPATCHED, Status.HANDLING}), Status.DISPATCHED, DISPATCHERS, _("Transfer")),
    Action.NOTE: Transition(_unit_working, None, UNIT, _("Add a handling note"), UnitScope.LEAD_OR_ASSISTING),
    # 中止 is the unit's request and the supervisor's decision (issue 11); the approval writes a "suspend" event,
    # the name the unit's own suspension had before, so the history and the enterprise view read the same.
    Action.REQUEST_SUSPENSION: Transition(
        frozenset({Status.HANDLING}), None, UNIT, _("Request suspension (中止)"), UnitScope.LEAD
    ),
    Action.APPROVE_SUSPENSION: Transition(
        frozenset({Status.HANDLING}), Status.SUSPENDED, SUPERVISORS, _("Approve suspension (中止)")
    ),
    Action.REJECT_SUSPENSION: Transition(frozenset({Status.HANDLING}), None, SUPERVISORS, _("Reject suspension (中止)")),
    Action.RESUME: Transition(frozenset({Status.SUSPENDED}), Status.HANDLING, UNIT, _("Resume handling"), UnitScope.LEAD),
    Action.REQUEST_EXTENSION: Transition(_unit_working, None, UNIT, _("Request an extension"), UnitScope.LEAD),
    Action.APPROVE_EXTENSION: Transition(_unit_working, None, SUPERVISORS, _("Approve extension")),
    Action.REJECT_EXTENSION: Transition(_unit_working, None, SUPERVISORS, _("Reject extension")),
    Action.REPLY: Transition(frozenset({Status.HANDLING}), Status.REPLIED, UNIT, _("Reply to the requester"), UnitScope.LEAD),
    # A unit whose policy says so reviews its handlers' replies (services/reply_review.py): the handler submits,
    # the head approves (the reply goes out: a "reply" event, exactly as a direct reply) or returns it.
    Action.SUBMIT_REPLY: Transition(
        frozenset({Status.HANDLING}), None, UNIT, _("Submit the reply for review"), UnitScope.LEAD
    ),
    Action.APPROVE_REPLY: Transition(
        frozenset({Status.HANDLING}), Status.REPLIED, UNIT_HEADS, _("Approve the reply and send it"), UnitScope.LEAD
    ),
    Action.RETURN_REPLY: Transition(
        frozenset({Status.HANDLING}), None, UNIT_HEADS, _("Return the reply for changes"), UnitScope.LEAD
    ),
    Action.FOLLOW_UP: Transition(frozenset({Status.REPLIED}), Status.FOLLOWED_UP, FOLLOWERS, _("Record follow-up")),
    Action.REOPEN: Transition(frozenset({Status.FOLLOWED_UP}), Status.HANDLING, FOLLOWERS, _("Reopen (back to the unit)")),
    Action.CLOSE: Transition(frozenset({Status.FOLLOWED_UP}), Status.CLOSED, FOLLOWERS, _("Close")),
    # 回访并办结: only when the city's policy allows it (SlaPolicy.close_with_follow_up; services/followup.py).
    Action.FOLLOW_UP_CLOSE: Transition(frozenset({Status.REPLIED}), Status.CLOSED, FOLLOWERS, _("Follow up and close")),
    Action.ASSIGN: Transition(
        frozenset({Status.DISPATCHED, Status.HANDLING, Status.SUSPENDED}), None, UNIT_HEADS, _("Assign to a handler"), UnitScope.LEAD
    ),
    Action.INSTRUCT: Transition(_open, None, LEADERS, _("Leader's instruction (批示)")),
    Action.MERGE: Transition(_open, Status.MERGED, frozenset({"operator", "dispatcher", "supervisor", "admin"}), _("Merge as duplicate")),
    Action.REMIND: Transition(_open, None, SYSTEM, _("Reminder (催办)")),
    Action.SUPERVISE: Transition(_open - {Status.ACCEPTED}, None, SUPERVISORS, _("Supervision (督办)")),
    Action.FLAG: Transition(_open, None, SUPERVISORS, _("Flagged supervision (挂牌督办)")),
}

# A case held for review (a public submission that looked like spam) takes none of the table's actions but a
# merge until a dispatcher releases it (services/review.py).
HELD_ALLOWED = frozenset({Action.MERGE})

# Labels for the timeline: events that are not transitions of the table.
EVENT_LABELS: dict[str, str | Promise] = {
    Action.CREATE: _("Received"),
    Action.REVEAL: _("Personal data revealed"),
    Action.REVIEW_RELEASE: _("Released after review"),
    Action.REVIEW_REJECT: _("Rejected as spam"),
    Action.SUSPEND: _("Suspended (中止): waiting for the requester"),
    "duplicate_added": _("Same request received again (duplicate)"),
    **{action.value: t.label for action, t in TRANSITIONS.items()},
}
