"""Reads the pages need that the domain apps do not offer yet.

Each of these belongs in a domain app (noted per function); they live here until their owners move them,
so that the pages never reach into models directly.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jingzhi.cases.models import OPEN_STATUSES, Case, Status
from jingzhi.core.masking import mask_personal_data
from jingzhi.core.models import Notification
from jingzhi.org.models import User

# --- org.selectors ---------------------------------------------------------------------------------


# --- core.selectors -----------------------------------------------------------------------------


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first. → core.selectors"""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user: User) -> int:
    """→ core.selectors"""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- cases.selectors (public side) ---------------------------------------------------------------


@dataclass(frozen=True)
class PublicStage:
    key: str
    label: str
    at: datetime | None
    detail: str = ""
    done: bool = True


def public_case_lookup(*, number: str, phone_last4: str) -> Case | None:
    """The case with this number if the requester's phone ends in these four digits; else None. → cases.selectors

    A wrong number and wrong digits give the same answer, so the page cannot be used to learn which
    numbers exist. The comparison takes the same time whether or not the digits match.
    """
    number = (number or "").strip().upper()
    digits = (phone_last4 or "").strip()
    if not number or len(number) > 30 or len(digits) != 4 or not digits.isdigit():
        return None
    case = (
        Case.objects.select_related("lead_unit", "merged_into")
        .only(
            "number", "status", "kind", "title", "reply", "requester_phone", "created_at", "dispatched_at",
            "acknowledged_at", "replied_at", "closed_at", "lead_unit__name", "merged_into__number",
        )
        .filter(number=number)
        .first()
    )
    phone = case.requester_phone if case is not None else ""
    ok = hmac.compare_digest((phone[-4:] if len(phone) >= 4 else "????").encode(), digits.encode())
    return case if case is not None and ok else None


def public_stages(case: Case) -> list[PublicStage]:
    """What a requester may see of their case: received, dispatched, in progress, replied, closed. → cases.selectors

    No internal notes, no names of officials, no personal data.
    """
    stages = [PublicStage("received", str(_("Received")), case.created_at)]
    if case.status == Status.MERGED:
        stages.append(
            PublicStage("merged", str(_("Handled together with an earlier request about the same matter")), case.closed_at)
        )
        return stages
    if case.dispatched_at and case.lead_unit is not None and case.status != Status.RETURNED:
        stages.append(
            PublicStage("dispatched", str(_("Dispatched to %(unit)s") % {"unit": case.lead_unit.name}), case.dispatched_at)
        )
    elif case.status in (Status.ACCEPTED, Status.RETURNED):
        stages.append(PublicStage("dispatched", str(_("Being dispatched to the responsible unit")), None, done=False))
    if case.acknowledged_at and case.status not in (Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED):
        stages.append(PublicStage("handling", str(_("In progress")), case.acknowledged_at))
    if case.replied_at and case.status in (Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED):
        stages.append(PublicStage("replied", str(_("Replied")), case.replied_at, detail=mask_personal_data(case.reply)))
    if case.status == Status.CLOSED:
        stages.append(PublicStage("closed", str(_("Closed")), case.closed_at))
    if case.status in OPEN_STATUSES:
        # The steps still ahead, greyed out, so the requester sees where the case stands.
        done = {stage.key for stage in stages}
        ahead = [("handling", _("In progress")), ("replied", _("Replied")), ("closed", _("Closed"))]
        stages += [PublicStage(key, str(label), None, done=False) for key, label in ahead if key not in done]
    return stages
