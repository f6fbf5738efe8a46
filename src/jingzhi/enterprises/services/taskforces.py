"""工作专班: set up a task force — its members (from several units), its enterprises, its leader and rhythm."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.enterprises.models import TaskForce
from jingzhi.enterprises.services.registry import office_required
from jingzhi.org.models import Enterprise, Role, User


def task_force_save(
    *, actor: User | None, task_force: TaskForce | None, name: str, park: str = "", leader: User | None = None,
    meets_on: int = 0, visit_every_days: int = 30, members: Sequence[User] = (),
    enterprises: Sequence[Enterprise] = (), is_demo: bool = False,
) -> TaskForce:
    """Create or change a task force (the office); its leader is the city leader its needs escalate to."""
    office_required(actor)
    name = clean_text(name)[:100]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the task force's name.")
    elif TaskForce.objects.filter(name=name).exclude(pk=task_force.pk if task_force else 0).exists():
        errors["name"] = _("There is already a task force named “%(name)s”.") % {"name": name}
    if leader is not None and leader.role != Role.LEADER:
        errors["leader"] = _("The task force's leader is a city leader (role: leader).")
    if meets_on not in TaskForce.Weekday.values:
        errors["meets_on"] = _("Choose a working day for the weekly meeting.")
    if not 1 <= int(visit_every_days) <= 365:
        errors["visit_every_days"] = _("Between 1 and 365 days.")
    if any(m.role == Role.ENTERPRISE for m in members):
        errors["members"] = _("Enterprise users cannot be members of a task force.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = None
        if task_force is not None:
            row = TaskForce.objects.select_for_update().filter(pk=task_force.pk).first()
            if row is None:
                raise NotFound(_("This task force does not exist."))
        row = row or TaskForce(is_demo=is_demo)
        row.name, row.park, row.leader = name, clean_text(park)[:100], leader
        row.meets_on, row.visit_every_days = meets_on, int(visit_every_days)
        row.save()
        row.members.set(members)
        row.enterprises.set(enterprises)
        # Membership decides who sees which enterprises: a security-relevant change.
        audit_record(actor=actor, action="task_force_save", object_type="task_force", object_id=row.pk,
                     detail={"name": name, "members": sorted(m.pk for m in members),
                             "enterprises": len(enterprises)})
    return row
