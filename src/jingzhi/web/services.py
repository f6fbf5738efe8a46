"""Writes the pages need that the domain apps do not offer yet. → move to jingzhi.core.services."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.errors import ValidationFailed
from jingzhi.core.models import Notification, NotificationPreference
from jingzhi.org.models import User


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None); returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notification_preference_set(*, actor: User, channel: str) -> NotificationPreference:
    """The actor's own choice for deadline reminders besides the bell: in-app only, also SMS, or also e-mail.

    Only for oneself (there is no user argument); SMS needs a phone number and e-mail an address on the account,
    or the reminders would be recorded as skipped for ever without anyone noticing.
    """
    choices = NotificationPreference.Channel
    if channel not in choices.values:
        msg = _("Choose how to receive deadline reminders.")
        raise ValidationFailed(msg, fields={"channel": msg})
    if channel == choices.SMS and not actor.phone:
        msg = _("Your account has no phone number: ask an administrator to add it, then choose SMS.")
        raise ValidationFailed(msg, fields={"channel": msg})
    if channel == choices.EMAIL and not actor.email:
        msg = _("Your account has no e-mail address: ask an administrator to add it, then choose e-mail.")
        raise ValidationFailed(msg, fields={"channel": msg})
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
        if pref.channel != channel:
            pref.channel = channel
            pref.save(update_fields=["channel", "updated_at"])
    return pref
