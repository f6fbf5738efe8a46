"""Whether a unit's replies go to its head before they reach the requester: one row per unit, off by default,
changed by the unit's head or an administrator (audited: it changes who may answer citizens)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, ReplyReviewPolicy
from jingzhi.core.changes import audit_change
from jingzhi.core.errors import PermissionDenied
from jingzhi.org.access import is_admin, role_of
from jingzhi.org.models import Role, Unit, User


def unit_reviews_replies(unit_id: int | None) -> bool:
    if unit_id is None:
        return False
    return ReplyReviewPolicy.objects.filter(unit_id=unit_id, review_replies=True).exists()


def reply_review_required(*, case: Case, actor: User | None) -> bool:
    """True when `actor`'s reply on `case` must first go to the unit head: a handler of a unit that reviews.

    The unit head (the reviewer) and administrators reply directly; so does the system.
    """
    return actor is not None and role_of(actor) == Role.HANDLER and unit_reviews_replies(case.lead_unit_id)


def may_set_policy(*, actor: User | None, unit: Unit) -> bool:
    return actor is not None and (is_admin(actor) or (role_of(actor) == Role.UNIT_HEAD and actor.unit_id == unit.pk))


def reply_review_policy_set(*, actor: User, unit: Unit, review_replies: bool) -> ReplyReviewPolicy:
    """Turn the review of the unit's replies on or off; only the unit's head or an administrator may."""
    if not may_set_policy(actor=actor, unit=unit):
        raise PermissionDenied(_("Only the head of this unit or an administrator may change how its replies are reviewed."))
    with transaction.atomic():
        # get_or_create under the row lock: two heads saving at once change one row, one after the other.
        row, _created = ReplyReviewPolicy.objects.select_for_update().get_or_create(unit=unit)
        before = row.review_replies
        row.review_replies, row.updated_by = bool(review_replies), actor
        row.save(update_fields=["review_replies", "updated_by", "updated_at"])
        if before != row.review_replies:
            audit_change(actor=actor, action="reply_review_policy_update", object_type="unit", object_id=unit.pk,
                         detail={"changes": {"review_replies": {"before": before, "after": row.review_replies}}})
    return row
