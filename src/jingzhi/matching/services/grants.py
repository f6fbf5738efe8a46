"""免申即享 grants: the issuing unit approves or rejects; the enterprise may object before the decision."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.matching.access import grants_visible_to, keeps
from jingzhi.matching.models import Grant, MatchingEvent
from jingzhi.org.access import role_of
from jingzhi.org.models import Role, User

# The transition table of a grant: from which status which action leads where.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Grant.Status.PENDING, "approve"): Grant.Status.APPROVED,
    (Grant.Status.PENDING, "reject"): Grant.Status.REJECTED,
    (Grant.Status.PENDING, "object"): Grant.Status.OBJECTED,
    (Grant.Status.OBJECTED, "reject"): Grant.Status.REJECTED,
}


def _locked(actor: User, grant: Grant) -> Grant:
    row = grants_visible_to(actor).select_for_update().filter(pk=grant.pk).select_related("policy").first()
    if row is None:
        raise NotFound(_("This grant does not exist."))
    return row


def grant_decide(*, actor: User, grant: Grant, action: str, reason: str = "") -> Grant:
    """The issuing unit's decision: approve or reject (a rejection needs its reason)."""
    reason = clean_text(reason)[:300]
    if action not in ("approve", "reject"):
        raise ValidationFailed(_("Unknown decision."))
    if action == "reject" and not reason:
        raise ValidationFailed(_("Give the reason for the rejection."), fields={"reason": _("Give the reason for the rejection.")})
    with transaction.atomic():
        row = _locked(actor, grant)
        if not keeps(actor, row.policy):
            raise PermissionDenied(_("Only the issuing unit reviews this grant."))
        new = TRANSITIONS.get((row.status, action))
        if new is None:
            raise InvalidTransition(_("This grant has already been decided."))
        row.status, row.decided_by, row.decided_at, row.reason = new, actor, timezone.now(), reason
        row.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        MatchingEvent.objects.create(policy=row.policy, grant=row, action=action, actor=actor, detail={"reason": reason})
        audit_record(actor=actor, action=f"grant_{action}", object_type="grant", object_id=row.pk,
                     detail={"enterprise": row.enterprise_id, "policy": row.policy_id, "period": row.period,
                             "amount": str(row.amount) if row.amount is not None else None})
        eid = row.enterprise_id
        notify_after_commit(
            recipients=lambda: User.objects.filter(role=Role.ENTERPRISE, enterprise_id=eid, is_active=True)
            .values_list("pk", flat=True),
            kind="policy_grant", subject_type="grant", subject_ref=str(row.pk),
            message=(_("Your 免申即享 benefit was approved.") if new == Grant.Status.APPROVED
                     else _("Your 免申即享 benefit was rejected: %(reason)s") % {"reason": reason}))
    return row


def grant_object(*, actor: User, grant: Grant, reason: str) -> Grant:
    """The enterprise objects (the data used is wrong, or it declines the benefit) before the unit decides."""
    reason = clean_text(reason)[:300]
    if role_of(actor) != Role.ENTERPRISE:
        raise PermissionDenied(_("Only the enterprise itself may object."))
    if not reason:
        raise ValidationFailed(_("Say why you object."), fields={"reason": _("Say why you object.")})
    with transaction.atomic():
        row = _locked(actor, grant)
        new = TRANSITIONS.get((row.status, "object"))
        if new is None:
            raise InvalidTransition(_("This grant has already been decided."))
        row.status, row.reason = new, reason
        row.save(update_fields=["status", "reason"])
        MatchingEvent.objects.create(policy=row.policy, grant=row, action="object", actor=actor, detail={"reason": reason})
        audit_record(actor=actor, action="grant_object", object_type="grant", object_id=row.pk, detail={"reason": reason})
        unit = row.unit_id
        notify_after_commit(
            recipients=lambda: User.objects.filter(unit_id=unit, role__in=(Role.HANDLER, Role.UNIT_HEAD), is_active=True)
            .values_list("pk", flat=True),
            kind="policy_grant_review", subject_type="grant", subject_ref=str(row.pk),
            message=_("The enterprise objected to a 免申即享 grant: %(reason)s") % {"reason": reason})
    return row
