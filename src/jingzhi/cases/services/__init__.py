"""Every change to a case goes through one of these functions (see docs/architecture.md, rules of the house)."""

from jingzhi.cases.services.casework import case_assign, case_instruct, case_supervise
from jingzhi.cases.services.extension import case_request_extension, extension_approve, extension_reject
from jingzhi.cases.services.followup import case_close, case_follow_up, case_follow_up_and_close, case_reopen
from jingzhi.cases.services.intake import case_create
from jingzhi.cases.services.lifecycle import (
    case_acknowledge,
    case_add_note,
    case_answer_directly,
    case_dispatch,
    case_merge,
    case_overrule_return,
    case_redispatch,
    case_reply,
    case_resume,
    case_return,
    case_transfer,
)
from jingzhi.cases.services.privacy import case_reveal
from jingzhi.cases.services.reply_review import case_submit_reply, reply_approve, reply_return
from jingzhi.cases.services.suspension import case_request_suspension, suspension_approve, suspension_reject

__all__ = [
    "case_acknowledge",
    "case_assign",
    "case_add_note",
    "case_answer_directly",
    "case_close",
    "case_create",
    "case_dispatch",
    "case_instruct",
    "case_follow_up",
    "case_follow_up_and_close",
    "case_merge",
    "case_overrule_return",
    "case_redispatch",
    "case_reopen",
    "case_reply",
    "case_request_extension",
    "case_resume",
    "case_return",
    "case_reveal",
    "case_supervise",
    "case_request_suspension",
    "case_submit_reply",
    "reply_approve",
    "reply_return",
    "suspension_approve",
    "suspension_reject",
    "case_transfer",
    "extension_approve",
    "extension_reject",
]
