"""走访: record a visit in a few taps; a promise with a date becomes a need with that deadline."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.enterprises.access import enterprises_visible_to, serves
from jingzhi.enterprises.models import NeedChannel, Visit
from jingzhi.enterprises.services.needs import need_submit
from jingzhi.org.models import Enterprise, User

TEXT_MAX = 2000


def visit_record(
    *, actor: User, enterprise: Enterprise, visited_on: date, met: str = "", asked: str = "", promised: str = "",
    promise_due: date | None = None, idempotency_key: str | None = None,
) -> Visit:
    """A 包保 official or 专班 member (or the office) visited the enterprise. A retry with the same key returns the
    first visit. A promise with a date opens a need (channel: visit) whose close clock ends that day."""
    if not serves(actor, enterprise):
        if enterprises_visible_to(actor).filter(pk=enterprise.pk).exists():
            raise PermissionDenied(_("Only the enterprise's 包保 officials and 专班 members record visits."))
        raise NotFound(_("This enterprise does not exist."))
    key = clean_text(idempotency_key)[:100] or None if idempotency_key else None
    if key is not None:
        found = Visit.objects.filter(idempotency_key=key).first()
        if found is not None:
            return found
    met, asked, promised = clean_text(met)[:100], clean_text(asked, multiline=True), clean_text(promised, multiline=True)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if visited_on is None or visited_on > today:
        errors["visited_on"] = _("A visit's date is today or earlier.")
    if not asked and not promised:
        errors["asked"] = _("Write down what was asked or what was promised.")
    for name, text in (("asked", asked), ("promised", promised)):
        if len(text) > TEXT_MAX:
            errors[name] = _("At most %(max)d characters (this has %(n)d).") % {"max": TEXT_MAX, "n": len(text)}
    if promise_due is not None and not promised:
        errors["promised"] = _("A deadline needs a promise: write down what was promised.")
    elif promise_due is not None and visited_on is not None and promise_due < visited_on:
        errors["promise_due"] = _("The promise is due on or after the visit.")
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    try:
        with transaction.atomic():
            row = enterprises_visible_to(actor).select_for_update().get(pk=enterprise.pk)
            visit = Visit.objects.create(enterprise=row, visited_on=visited_on, visitor=actor, met=met, asked=asked,
                                         promised=promised, promise_due=promise_due, idempotency_key=key)
    except IntegrityError:
        found = Visit.objects.filter(idempotency_key=key).first() if key else None
        if found is None:
            raise
        return found
    if promise_due is not None:
        end = timezone.make_aware(datetime.combine(promise_due, time(23, 59, 59)))
        need_submit(actor=actor, enterprise=row, channel=NeedChannel.VISIT, visit=visit, close_due=end,
                    title=_("Promise made on a visit: %(text)s") % {"text": promised[:60]},
                    content=promised, contact_name=met, idempotency_key=f"visit:{visit.pk}")
    return visit
