"""After the reply: follow-up (回访), reopen (重办) on an unsatisfied answer, and close."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases import sla
from jingzhi.cases.models import Case, FollowUp, Resolution, Satisfaction, Status, Supervision
from jingzhi.cases.services.common import commit, lock, notify, unit_staff
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import InvalidTransition, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import User


def case_follow_up(
    *,
    case: Case,
    actor: User,
    contacted: bool,
    resolution: str = "",
    satisfaction: str = "",
    note: str = "",
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Case:
    """Record the call-back: was the requester reached, is it resolved, are they satisfied."""
    errors: dict[str, str] = {}
    if contacted:
        if resolution not in Resolution.values:
            errors["resolution"] = _("Choose whether the problem was resolved.")
        if satisfaction not in Satisfaction.values:
            errors["satisfaction"] = _("Choose how satisfied the requester is.")
    else:
        resolution = satisfaction = ""
        if not clean_text(note, multiline=True):
            errors["note"] = _("Say how you tried to reach the requester.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.FOLLOW_UP, actor=actor, expected_version=expected_version)
        before = case.status
        FollowUp.objects.create(
            case=case, actor=actor, contacted=contacted, resolution=resolution, satisfaction=satisfaction,
            note=clean_text(note, multiline=True), unit_id=case.lead_unit_id, created_at=at,
        )
        case.status = Status.FOLLOWED_UP
        case.contacted, case.resolution, case.satisfaction = contacted, resolution, satisfaction
        case.followed_up_at = at
        commit(
            case, action=Action.FOLLOW_UP, actor=actor, from_status=before, note=note, at=at,
            data={"contacted": contacted, "resolution": resolution, "satisfaction": satisfaction},
            update_fields=["contacted", "resolution", "satisfaction", "followed_up_at"],
        )
    return case


def case_reopen(*, case: Case, actor: User, reason: str = "", expected_version: int | None = None, at: datetime | None = None) -> Case:
    """重办: the requester is not satisfied or the problem is not solved; the same unit handles it again."""
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.REOPEN, actor=actor, expected_version=expected_version)
        if case.satisfaction != Satisfaction.UNSATISFIED and case.resolution != Resolution.UNRESOLVED:
            raise InvalidTransition(_("Only a case whose follow-up was unsatisfied or unresolved can be reopened."))
        before = case.status
        case.status = Status.HANDLING
        case.reopen_count += 1
        case.reply_due = sla.due("reply", kind=case.kind, priority=case.priority, start=at)
        case.follow_up_due = None
        case.supervision = Supervision.NONE
        commit(
            case, action=Action.REOPEN, actor=actor, from_status=before, note=reason, at=at,
            update_fields=["reopen_count", "reply_due", "follow_up_due", "supervision"],
        )
        notify(
            lambda: unit_staff(case.lead_unit_id), kind="reopened", case=case,
            message=_("Case %(number)s reopened: the requester is not satisfied") % {"number": case.number},
        )
    return case


def follow_up_close_allowed() -> bool:
    """The city's rule: may a satisfied follow-up close the case in the same step (回访并办结)?"""
    return bool(sla.policy().close_with_follow_up)


def case_follow_up_and_close(
    *, case: Case, actor: User, resolution: str, satisfaction: str, note: str = "",
    expected_version: int | None = None, at: datetime | None = None,
) -> Case:
    """回访并办结: the requester was reached, the problem is resolved and they are satisfied: record the
    follow-up and close, in one transaction (two events, as the two steps would write)."""
    if not follow_up_close_allowed():
        raise InvalidTransition(_("The city's rules close a case in a separate step after the follow-up."))
    errors: dict[str, str] = {}
    if resolution != Resolution.RESOLVED:
        errors["resolution"] = _("Only a resolved case is closed with its follow-up; otherwise record the follow-up alone.")
    if satisfaction not in (Satisfaction.SATISFIED, Satisfaction.BASICALLY):
        errors["satisfaction"] = _("Only a satisfied requester's case is closed with its follow-up; otherwise record the follow-up alone.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    at = at or timezone.now()
    with transaction.atomic():
        # The follow-up checks the table for FOLLOW_UP; the table's FOLLOW_UP_CLOSE entry is checked here first.
        lock(case, action=Action.FOLLOW_UP_CLOSE, actor=actor, expected_version=expected_version)
        followed = case_follow_up(case=case, actor=actor, contacted=True, resolution=resolution, satisfaction=satisfaction,
                                  note=note, expected_version=expected_version, at=at)
        return case_close(case=followed, actor=actor, at=at)


def case_close(*, case: Case, actor: User, note: str = "", expected_version: int | None = None, at: datetime | None = None) -> Case:
    """办结: the case is finished after its follow-up."""
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.CLOSE, actor=actor, expected_version=expected_version)
        before = case.status
        case.status = Status.CLOSED
        case.closed_at = at
        commit(case, action=Action.CLOSE, actor=actor, from_status=before, note=note, at=at, update_fields=["closed_at"])
    return case
