"""The outbound gateway: every SMS, e-mail and voice call the system sends leaves through here (issue 11, ADR 026).

Three parts:

- the interface a city's provider implements (`Gateway`: send_sms, send_email, call), chosen by the setting
  JINGZHI["OUTBOUND_GATEWAY"] (a dotted path to the class; env JINGZHI_OUTBOUND_GATEWAY). The default,
  `LoggingGateway`, sends nothing: it writes each message to the log with the recipient masked, so nothing leaves
  the machine until a city configures its provider;
- `queue()`: record the messages (core.OutboundMessage, in the caller's transaction, so a rolled-back change
  records nothing) and hand them to the task queue after the commit. A message the recipient asked not to get
  (a requester's 不联系) or that has no address is recorded as skipped and never sent;
- `deliver()`, run by the task `core.tasks.deliver_outbound`: send each queued message, record the outcome, and
  retry a failure once; a second failure is recorded as failed. Messages stranded by a crash between the commit
  and the enqueue are picked up by the periodic job `outbound-resend`.

Sending never happens on the request path: a provider that is slow or down costs the worker, not the user.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from jingzhi.core.models import OutboundMessage
    from jingzhi.core.notify import Outgoing

log = logging.getLogger(__name__)

DEFAULT = "jingzhi.core.gateway.LoggingGateway"
MAX_ATTEMPTS = 2  # the first try and one retry
RETRY_AFTER = timedelta(minutes=1)
STRANDED_AFTER = timedelta(minutes=10)


class Gateway:
    """What a provider adapter implements. Each method returns the provider's message id and raises on failure
    (the failure is recorded and the message retried once). A city subclasses LoggingGateway and overrides the
    channels it has, so the others keep logging."""

    def send_sms(self, *, phone: str, text: str) -> str:
        raise NotImplementedError

    def send_email(self, *, address: str, subject: str, text: str) -> str:
        raise NotImplementedError

    def call(self, *, phone: str, text: str) -> str:
        raise NotImplementedError


class LoggingGateway(Gateway):
    """The default: nothing is sent; each message is logged with its recipient masked."""

    def _log(self, channel: str, recipient: str, text: str) -> str:
        from jingzhi.core.masking import mask_personal_data

        log.info("outbound %s to %s: %s", channel, mask_personal_data(recipient), text[:70])
        return "logged"

    def send_sms(self, *, phone: str, text: str) -> str:
        return self._log("sms", phone, text)

    def send_email(self, *, address: str, subject: str, text: str) -> str:
        return self._log("email", address, text)

    def call(self, *, phone: str, text: str) -> str:
        return self._log("voice", phone, text)


class DjangoEmailGateway(LoggingGateway):
    """E-mail through Django's own mail settings (EMAIL_HOST …); SMS and calls keep logging."""

    def send_email(self, *, address: str, subject: str, text: str) -> str:
        from django.core.mail import send_mail

        send_mail(subject, text, None, [address], fail_silently=False)
        return "smtp"


class PhoneFunctionGateway(LoggingGateway):
    """Early warning's earlier adapter (JINGZHI_WARNING_GATEWAY: a callable send(*, phone, text, kind) -> str) for
    SMS and calls, so a city that configured it keeps its provider; e-mail logs."""

    def __init__(self, path: str) -> None:
        self.send = import_string(path)

    def send_sms(self, *, phone: str, text: str) -> str:
        return str(self.send(phone=phone, text=text, kind="sms"))

    def call(self, *, phone: str, text: str) -> str:
        return str(self.send(phone=phone, text=text, kind="voice"))


LEGACY_WARNING_DEFAULT = "jingzhi.earlywarning.gateway.logging_adapter"


def get_gateway() -> Gateway:
    path = str(settings.JINGZHI.get("OUTBOUND_GATEWAY") or DEFAULT)
    legacy = str(settings.JINGZHI.get("WARNING_GATEWAY") or "")
    if path == DEFAULT and legacy and legacy != LEGACY_WARNING_DEFAULT:
        return PhoneFunctionGateway(legacy)
    gateway = import_string(path)()
    if not isinstance(gateway, Gateway):
        raise TypeError(f"{path} is not a jingzhi.core.gateway.Gateway")
    return gateway


@dataclass(frozen=True)
class Message:
    """One message to queue. `skip`: why it must not be sent (recorded, never sent)."""

    channel: str
    recipient: str
    body: str
    kind: str
    subject: str = ""
    user_id: int | None = None
    related_type: str = ""
    related_ref: str = ""
    skip: str = ""


def queue(messages: Iterable[Message]) -> list[OutboundMessage]:
    """Record the messages now and send them after the commit, through the task queue. Returns the rows.

    Nothing is recorded while notifications are suppressed (loading history: nobody is texted about last year).
    """
    from jingzhi.core import notify
    from jingzhi.core.models import OutboundMessage

    if notify.is_suppressed():
        return []
    states = OutboundMessage.Status
    rows = []
    for m in messages:
        skip = m.skip or ("" if m.recipient else "no address")
        rows.append(OutboundMessage(
            channel=m.channel, recipient=m.recipient[:254], body=m.body, kind=m.kind[:40], subject=m.subject[:200],
            user_id=m.user_id, related_type=m.related_type[:20], related_ref=m.related_ref[:64],
            status=states.SKIPPED if skip else states.QUEUED, detail=skip[:300],
        ))
    if not rows:
        return []
    rows = OutboundMessage.objects.bulk_create(rows, batch_size=1000)
    ids = [r.pk for r in rows if r.status == states.QUEUED]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids: list[int], *, later: bool = False) -> None:
    from jingzhi.core.tasks import deliver_outbound

    task = deliver_outbound
    if later and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + RETRY_AFTER)
    task.enqueue(message_ids=ids)


def _send(gateway: Gateway, message: OutboundMessage) -> str:
    if message.channel == "sms":
        return gateway.send_sms(phone=message.recipient, text=message.body)
    if message.channel == "email":
        return gateway.send_email(address=message.recipient, subject=message.subject or message.body[:60],
                                  text=message.body)
    if message.channel == "voice":
        return gateway.call(phone=message.recipient, text=message.body)
    raise ValueError(f"unknown channel {message.channel!r}")


def deliver(message_ids: Sequence[int]) -> dict[str, int]:
    """Send the queued messages among `message_ids`; returns counts by outcome. Run by the task queue only.

    Each message is claimed by a conditional UPDATE of its attempt count, so a task that runs twice (or a
    stranded message re-queued while its task was still waiting) sends it once.
    """
    from jingzhi.core.models import OutboundMessage

    states = OutboundMessage.Status
    gateway = get_gateway()
    counts = {"sent": 0, "failed": 0, "retry": 0}
    retry: list[int] = []
    for message in OutboundMessage.objects.filter(pk__in=list(message_ids), status=states.QUEUED).order_by("pk"):
        claimed = OutboundMessage.objects.filter(pk=message.pk, status=states.QUEUED, attempts=message.attempts).update(
            attempts=message.attempts + 1)
        if not claimed:
            continue
        message.attempts += 1
        try:
            provider_id = _send(gateway, message)
        except Exception as exc:  # a provider's failure is recorded on the message; the others still go
            log.warning("outbound %s message %s failed (attempt %d): %s", message.channel, message.pk, message.attempts, exc)
            final = message.attempts >= MAX_ATTEMPTS
            OutboundMessage.objects.filter(pk=message.pk).update(
                status=states.FAILED if final else states.QUEUED, detail=f"{type(exc).__name__}: {exc}"[:300])
            if final:
                counts["failed"] += 1
            else:
                counts["retry"] += 1
                retry.append(message.pk)
            continue
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=states.SENT, sent_at=timezone.now(), provider_id=str(provider_id or "")[:100], detail="")
        counts["sent"] += 1
    if retry:
        _enqueue(retry, later=True)
    return counts


def resend_stranded() -> int:
    """Queue again the messages still waiting long after they were recorded: a crash between the commit and the
    enqueue, or between a failure and its retry's enqueue. The claim in deliver() keeps a message whose task was
    only slow from being sent twice."""
    from jingzhi.core.models import OutboundMessage

    cutoff = timezone.now() - STRANDED_AFTER
    ids = list(OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, attempts__lt=MAX_ATTEMPTS,
                                              created_at__lt=cutoff)
               .order_by("pk").values_list("pk", flat=True)[:1000])
    if ids:
        _enqueue(ids)
    return len(ids)


# ------------------------------------------------------------------------------- staff: deadline reminders


def staff_kinds() -> frozenset[str]:
    """The in-app notification kinds that also go out by SMS or e-mail to those who asked (the deadlines)."""
    return frozenset(settings.JINGZHI.get("OUTBOUND_STAFF_KINDS", ("reminder", "supervision", "flagged")))


def queue_for_staff(items: Sequence[Outgoing]) -> int:
    """Besides the bell: an SMS or e-mail of each deadline notification to the recipients whose preference asks
    for it. One query for the preferences of all recipients; nothing at all when no item is of a deadline kind."""
    from jingzhi.core.models import NotificationPreference

    kinds = staff_kinds()
    items = [item for item in items if item.kind in kinds and item.recipient_ids]
    if not items:
        return 0
    ids = {rid for item in items for rid in item.recipient_ids}
    prefs = {
        user_id: (channel, phone or "", email or "")
        for user_id, channel, phone, email in NotificationPreference.objects.filter(user_id__in=ids, user__is_active=True)
        .exclude(channel=NotificationPreference.Channel.IN_APP).values_list("user_id", "channel", "user__phone", "user__email")
    }
    if not prefs:
        return 0
    messages = []
    for item in items:
        for rid in sorted(set(item.recipient_ids)):
            if rid not in prefs:
                continue
            channel, phone, email = prefs[rid]
            messages.append(Message(
                channel=channel, recipient=phone if channel == "sms" else email, body=item.message, kind=item.kind,
                subject=item.message[:60], user_id=rid, related_type=item.subject_type, related_ref=item.subject_ref,
            ))
    return len(queue(messages))
