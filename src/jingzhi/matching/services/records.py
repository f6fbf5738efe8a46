"""Dishonesty records (失信): kept by administrators; a change re-matches the enterprise after the commit."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.matching.models import DishonestyRecord
from jingzhi.org.access import is_admin
from jingzhi.org.models import Enterprise, User


def dishonesty_record_save(*, actor: User | None, row: DishonestyRecord | None, enterprise: Enterprise | None,
                           authority: str, listed_on: date | None, removed_on: date | None = None,
                           note: str = "") -> DishonestyRecord:
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only an administrator keeps dishonesty records."))
    errors: dict[str, str] = {}
    authority = clean_text(authority)[:100]
    if enterprise is None:
        errors["enterprise"] = _("Choose the enterprise.")
    if not authority:
        errors["authority"] = _("Name the authority that listed it.")
    if listed_on is None:
        errors["listed_on"] = _("Enter the day it was listed.")
    elif removed_on is not None and removed_on < listed_on:
        errors["removed_on"] = _("It cannot be removed before it was listed.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert enterprise is not None and listed_on is not None
    with transaction.atomic():
        if row is not None and row.pk:
            row = DishonestyRecord.objects.select_for_update().get(pk=row.pk)
        else:
            row = DishonestyRecord()
        row.enterprise, row.authority, row.listed_on, row.removed_on = enterprise, authority, listed_on, removed_on
        row.note = clean_text(note)[:200]
        row.save()
        audit_record(actor=actor, action="dishonesty_record_save", object_type="enterprise", object_id=enterprise.pk,
                     detail={"listed_on": listed_on, "removed_on": removed_on, "authority": authority})
        from jingzhi.matching.tasks import rematch_enterprises_task

        eid = enterprise.pk
        transaction.on_commit(lambda: rematch_enterprises_task.enqueue(enterprise_ids=[eid]))
    return row
