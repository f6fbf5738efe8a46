"""What the requester is told outside the app (issue 11): the case number at intake and the unit's reply.

Both go through the outbound gateway (core/gateway.py): recorded now, sent by the task queue after the commit.
The requester's contact preference is respected: 电话 (a call back, no texts) and 不联系 record the message as
skipped, so the record shows it was decided and why nothing left. Requesters are known by phone only: SMS.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, Channel, ContactPreference
from jingzhi.core.gateway import Message, queue

REGISTERED = "case_registered"
REPLIED = "case_replied"
REPLY_SMS_MAX = 300  # a long reply is cut; the requester reads it whole on the public page with the case number


def _skip_reason(case: Case) -> str:
    if case.contact_preference == ContactPreference.NONE:
        return "requester asked not to be contacted"
    if case.contact_preference == ContactPreference.PHONE:
        return "requester asked for a phone call"
    return ""


def _tell(case: Case, kind: str, text: str) -> None:
    if case.channel == Channel.PROACTIVE:
        return  # 未诉先办: the city found the problem itself; there is no requester to tell
    queue([Message(channel="sms", recipient=case.requester_phone, body=text, kind=kind, related_type="case",
                   related_ref=case.number, skip=_skip_reason(case))])


def case_registered(case: Case) -> None:
    """The case number, once per case (the hooks task may run twice)."""
    from jingzhi.core.models import OutboundMessage

    if OutboundMessage.objects.filter(kind=REGISTERED, related_type="case", related_ref=case.number).exists():
        return
    # The requester's language is the city's, whatever language the staff member who triggered it reads.
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your request is registered as case %(number)s. Keep this number to look it up; we will reply to you.") % {
            "number": case.number}
    _tell(case, REGISTERED, text)


def case_replied(case: Case) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        reply = case.reply if len(case.reply) <= REPLY_SMS_MAX else case.reply[: REPLY_SMS_MAX - 1] + "…"
        text = _("Reply to your request %(number)s: %(reply)s") % {"number": case.number, "reply": reply}
    _tell(case, REPLIED, text)
