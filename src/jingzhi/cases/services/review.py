"""Public submissions that look like spam: held for a dispatcher's review instead of entering the queue.

A held case is an accepted case with `review = held`: no dispatch clock (dispatch_due is empty, so the
sweep leaves it alone), no automatic dispatch, and none of the transition table's actions but a merge
(`transitions.HELD_ALLOWED`). The dispatcher releases it (the dispatch clock starts then and it joins the
normal queue) or rejects it (closed as spam, audited).
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingzhi.cases import hooks, notices, sla
from jingzhi.cases.models import Case, Channel, Review, Status
from jingzhi.cases.services.common import commit
from jingzhi.cases.transitions import Action
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.org.access import role_of
from jingzhi.org.models import Role, User

# Why a submission was held; the dispatcher sees these.
LINKS = "links"
REPEATED_TEXT = "repeated_text"
CAPTCHA = "captcha"
RATE = "rate"
REASON_LABELS = {
    LINKS: gettext_lazy("contains web links"),
    REPEATED_TEXT: gettext_lazy("the same text was submitted before"),
    CAPTCHA: gettext_lazy("sent after several submissions from one address (CAPTCHA asked)"),
    RATE: gettext_lazy("many submissions from one address"),
}
REVIEWERS = frozenset({Role.DISPATCHER, Role.ADMIN})
_LINK = re.compile(r"(?i)\b(?:https?://|ftp://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|cn|top|xyz|info|cc|io|vip)\b(?:/\S*)?")
REPEAT_WINDOW = timedelta(days=7)


def text_signals(*, title: str, content: str) -> list[str]:
    """Signals in the text itself: web links, and a text already submitted through the public page."""
    reasons = []
    if _LINK.search(title) or _LINK.search(content):
        reasons.append(LINKS)
    since = timezone.now() - REPEAT_WINDOW
    if content and Case.objects.filter(channel=Channel.WEB, created_at__gte=since, content=content).exists():
        reasons.append(REPEATED_TEXT)
    return reasons


def _reviewed(case: Case, actor: User) -> Case:
    # Visibility first, as every case service: outside the actor's scope the case is "not found".
    locked = Case.objects.visible_to(actor).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise NotFound(_("Case not found."))
    if role_of(actor) not in REVIEWERS:
        raise PermissionDenied(_("Only dispatchers review held submissions."))
    if locked.review != Review.HELD or locked.status != Status.ACCEPTED:
        raise InvalidTransition(_("This case is not held for review (someone may have decided already)."))
    return locked


def case_review_release(*, case: Case, actor: User) -> Case:
    """Release a held submission: it joins the dispatch queue and its dispatch clock starts now."""
    now = timezone.now()
    with transaction.atomic():
        locked = _reviewed(case, actor)
        locked.review = Review.RELEASED
        locked.dispatch_due = sla.due("dispatch", kind=locked.kind, priority=locked.priority, start=now)
        commit(locked, action=Action.REVIEW_RELEASE, actor=actor, from_status=locked.status, at=now,
               data={"reasons": locked.review_reasons}, update_fields=["review", "dispatch_due"])
        audit_record(actor=actor, action="case.review_release", object_type="case", object_id=locked.number,
                     detail={"reasons": locked.review_reasons})
        # A held submission was not told its number by SMS (it may have been spam); now it is.
        notices.case_registered(locked)
    # Now the case-created hooks run as they do at intake: the classifier may suggest (and, when sure, dispatch).
    if hooks.case_created(locked):
        locked.refresh_from_db()
    return locked


def case_review_reject(*, case: Case, actor: User, reason: str = "") -> Case:
    """Reject a held submission as spam: it is closed and never dispatched."""
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationFailed(_("Please correct the marked fields."), fields={"reason": _("At most 500 characters.")})
    now = timezone.now()
    with transaction.atomic():
        locked = _reviewed(case, actor)
        from_status = locked.status
        locked.review = Review.REJECTED
        locked.status = Status.CLOSED
        locked.closed_at = now
        commit(locked, action=Action.REVIEW_REJECT, actor=actor, from_status=from_status, at=now, note=reason,
               data={"reasons": locked.review_reasons}, update_fields=["review", "closed_at"])
        audit_record(actor=actor, action="case.review_reject", object_type="case", object_id=locked.number,
                     detail={"reasons": locked.review_reasons, "note": reason})
    return locked
