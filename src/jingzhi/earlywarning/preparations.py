"""Seasonal preparation tasks (季节性准备): the unit they were raised to sees them and marks them done.

`taskflow.raise_seasonal` raises one task per rule and year ahead of the season; this module is the rest of the
task's life: who sees it (access.preparation_filter) and the one move it has, done, with what was done.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.earlywarning.access import may_finish_preparation, preparation_filter
from jingzhi.earlywarning.models import PreparationTask
from jingzhi.org.models import User

NOTE_MAX = 500


def preparations_for(user: User) -> QuerySet[PreparationTask]:
    """The tasks the user may see: open ones first (the season nearest first), then the done ones, newest first."""
    return (PreparationTask.objects.filter(preparation_filter(user)).select_related("rule", "unit", "done_by")
            .annotate(is_done=Case(When(done_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()))
            .order_by("is_done", "season_starts", "-done_at", "pk"))


def preparation_done(*, actor: User, task_id: int, note: str, now: datetime | None = None) -> PreparationTask:
    """The unit marks its preparation done, saying what it did. Done once; a second time is refused."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say what was prepared."), fields={"note": _("Say what was prepared.")})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("At most %(n)d characters.") % {"n": NOTE_MAX}, fields={"note": _("Too long.")})
    now = now or timezone.now()
    with transaction.atomic():
        task = PreparationTask.objects.select_for_update().filter(preparation_filter(actor), pk=task_id).first()
        if task is None:
            raise NotFound(_("No such preparation task."))
        if not may_finish_preparation(actor, task):
            raise PermissionDenied(_("Only the unit the task was raised to marks it done."))
        if task.done_at is not None:
            raise InvalidTransition(_("This preparation task is already done."))
        task.done_at, task.done_by, task.done_note = now, actor, note
        task.save(update_fields=["done_at", "done_by", "done_note"])
        audit_record(actor=actor, action="preparation_done", object_type="preparation_task", object_id=str(task.pk),
                     detail={"rule": task.rule_id, "year": task.year, "unit": task.unit_id})
    return task
