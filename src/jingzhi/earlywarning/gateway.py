"""Early warning's SMS and voice calls: they leave through the one outbound gateway (jingzhi.core.gateway, ADR 026).

Each message is recorded (core.OutboundMessage) in the warning's own transaction and sent by the task queue after
the commit; a provider's failure is recorded and retried once, and never undoes a committed warning (the duty board
shows who is not reached). `logging_adapter` is the earlier default adapter, kept so that a setting naming it
still resolves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)
DEFAULT = "jingzhi.earlywarning.gateway.logging_adapter"


def logging_adapter(*, phone: str, text: str, kind: str) -> str:
    """The earlier stub adapter (JINGZHI_WARNING_GATEWAY's default): logs what would be sent, phone masked."""
    from jingzhi.core.masking import mask_phone

    log.info("warning gateway (%s) to %s: %s", kind, mask_phone(phone), text[:70])
    return "logged"


def send_all(messages: Iterable[tuple[int | None, str, str, str]], *, kind: str = "sms",
             message_kind: str = "warning") -> int:
    """Queue (user id, phone, text, warning identifier) as SMS (`kind` "sms") or voice calls ("voice").
    Returns how many will be sent (those without a phone are recorded as skipped)."""
    from jingzhi.core.gateway import Message, queue

    rows = queue(Message(channel=kind, recipient=phone, body=text, kind=message_kind, user_id=user_id,
                         related_type="warning", related_ref=about[:64]) for user_id, phone, text, about in messages)
    return sum(1 for row in rows if row.status == row.Status.QUEUED)
