"""The SMS / voice gateway: one function the services call, and the adapter a city plugs in.

settings.JINGZHI["WARNING_GATEWAY"] names a callable `send(*, phone, text, kind) -> str` (kind "sms" or "voice";
it returns the provider's message id). The default adapter only logs, so nothing leaves the machine until a
city configures its provider; in-app notifications (core.notify) are delivered either way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)
DEFAULT = "jingzhi.earlywarning.gateway.logging_adapter"


def logging_adapter(*, phone: str, text: str, kind: str) -> str:
    """The stub: writes what would be sent to the log (phone masked) and returns a local id."""
    from jingzhi.core.masking import mask_phone

    log.info("warning gateway (%s) to %s: %s", kind, mask_phone(phone), text[:70])
    return "logged"


def send_all(messages: Iterable[tuple[str, str]], *, kind: str = "sms") -> int:
    """Send (phone, text) pairs through the configured adapter; one failure does not stop the rest. Returns sent count."""
    adapter = import_string(str(settings.JINGZHI.get("WARNING_GATEWAY", DEFAULT)))
    sent = 0
    for phone, text in messages:
        if not phone:
            continue
        try:
            adapter(phone=phone, text=text, kind=kind)
            sent += 1
        except Exception:  # a provider outage must not undo a committed warning; the duty board shows who is not reached
            log.exception("warning gateway failed for one message")
    return sent
