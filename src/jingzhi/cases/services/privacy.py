"""Personal data stays masked until someone who needs it reveals it; every reveal goes to the audit log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingzhi.cases.models import Case
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.org.access import role_of
from jingzhi.org.models import Role, User

REVEALABLE = {"requester_name", "requester_phone", "requester_id_number"}
# The hotline calls requesters back; the lead unit needs to reach them; supervisors check the work.
REVEAL_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}
UNIT_REVEAL_ROLES = {Role.HANDLER, Role.UNIT_HEAD}


def may_reveal(*, case: Case, actor: User) -> bool:
    if role_of(actor) in REVEAL_ROLES:
        return True
    return actor.role in UNIT_REVEAL_ROLES and actor.unit_id is not None and actor.unit_id == case.lead_unit_id


def case_reveal(*, case: Case, actor: User, field: str) -> str:
    """Return one personal field in clear and write who saw it, when, on which case."""
    if field not in REVEALABLE:
        raise ValidationFailed(_("This field cannot be revealed."), fields={"field": _("Unknown field.")})
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound(_("Case not found."))
    if not may_reveal(case=case, actor=actor):
        raise PermissionDenied(_("Your role may not see the requester's personal data."))
    audit_record(actor=actor, action="reveal", object_type="case", object_id=case.number, detail={"field": field})
    return str(getattr(case, field))
