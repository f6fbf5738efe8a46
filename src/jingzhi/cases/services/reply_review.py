"""审核: in a unit whose policy says so, a handler's reply goes to the unit head before it reaches the requester.

The handler submits a draft (text, outcome, files); the head approves it, and it goes out exactly as a direct
reply does (lifecycle.send_reply: the same "reply" event, deadlines and supervision reset), or returns it with a
reason, and the handler edits and submits the same draft again. The case stays “in progress” throughout: the
review is the unit's own business and the reply clock keeps running.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import Case, ReplyDraft
from jingzhi.cases.services.common import commit, lock, notify, unit_staff
from jingzhi.cases.services.files import check_reply_files, store_reply_files
from jingzhi.cases.services.lifecycle import reply_input, send_reply
from jingzhi.cases.services.review_policy import unit_reviews_replies
from jingzhi.cases.transitions import Action
from jingzhi.core.errors import InvalidTransition, NotFound, ValidationFailed
from jingzhi.core.validators import clean_text
from jingzhi.org.models import User

OPEN_DRAFT = (ReplyDraft.State.PENDING, ReplyDraft.State.RETURNED)
NOTE_MAX = 5000


def open_draft(*, case: Case) -> ReplyDraft | None:
    """The reply in the making: waiting for the head, or back with the handler."""
    return case.reply_drafts.filter(state__in=OPEN_DRAFT).select_related("author", "decided_by").first()


def case_submit_reply(
    *, case: Case, actor: User, reply: str, outcome: str = "", attachments: Sequence[UploadedFile] = (),
    expected_version: int | None = None, at: datetime | None = None,
) -> ReplyDraft:
    """Submit the reply for the unit head's review (or submit it again after it was returned)."""
    reply, outcome = reply_input(reply, outcome)
    files = check_reply_files(attachments)
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(case, action=Action.SUBMIT_REPLY, actor=actor, expected_version=expected_version)
        if not unit_reviews_replies(case.lead_unit_id):
            raise InvalidTransition(_("Your unit's replies go out directly: reply to the requester instead."))
        assert case.lead_unit is not None  # a handling case always has one
        draft = ReplyDraft.objects.select_for_update().filter(case=case, state__in=OPEN_DRAFT).first()
        if draft is not None and draft.state == ReplyDraft.State.PENDING:
            raise InvalidTransition(_("A reply to this case is already waiting for the unit head's review."))
        if draft is None:
            try:
                with transaction.atomic():
                    draft = ReplyDraft.objects.create(case=case, unit=case.lead_unit, author=actor, reply=reply,
                                                      outcome=outcome, submitted_at=at)
            except IntegrityError:
                raise InvalidTransition(_("A reply to this case is already waiting for the unit head's review.")) from None
        else:  # returned: the same draft, edited, one more round
            draft.reply, draft.outcome, draft.author, draft.submitted_at = reply, outcome, actor, at
            draft.state, draft.rounds = ReplyDraft.State.PENDING, draft.rounds + 1
            draft.save(update_fields=["reply", "outcome", "author", "submitted_at", "state", "rounds"])
        names = store_reply_files(case=case, files=files, actor=actor, draft=draft)
        # The text stays in the draft, not in the history everyone who sees the case reads: until the head
        # approves it, it is the unit's working paper (the approved text is the reply event's note).
        commit(case, action=Action.SUBMIT_REPLY, actor=actor, from_status=case.status, at=at,
               data={"draft": draft.pk, "round": draft.rounds, **({"outcome": outcome} if outcome else {}),
                     **({"files": names} if names else {})})
        notify(lambda: unit_staff(case.lead_unit_id, heads_only=True), kind="info", case=case,
               message=_("The reply to case %(number)s waits for your review: %(title)s") % {
                   "number": case.number, "title": case.title[:60]})
    return draft


def _locked_pending(draft: ReplyDraft, case: Case) -> ReplyDraft:
    row = ReplyDraft.objects.select_for_update().filter(pk=draft.pk, case=case).first()
    if row is None:
        raise NotFound(_("This reply draft does not exist."))
    if row.state != ReplyDraft.State.PENDING:
        raise InvalidTransition(_("This reply has already been decided."))
    return row


def reply_approve(*, draft: ReplyDraft, actor: User, note: str = "", expected_version: int | None = None,
                  at: datetime | None = None) -> ReplyDraft:
    """The unit head approves: the reply goes out to the requester as the case's reply."""
    note = clean_text(note or "", multiline=True)[:NOTE_MAX]
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(draft.case, action=Action.APPROVE_REPLY, actor=actor, expected_version=expected_version)
        draft = _locked_pending(draft, case)
        draft.state, draft.decided_by, draft.decided_at, draft.decision_note = ReplyDraft.State.APPROVED, actor, at, note
        draft.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        files = list(draft.attachments.values_list("name", flat=True))
        send_reply(case, actor=actor, reply=draft.reply, outcome=draft.outcome, at=at,
                   data={"draft": draft.pk, "written_by": draft.author.username, "written_by_name": str(draft.author),
                         "reviewed": True, "rounds": draft.rounds, **({"review_note": note} if note else {}),
                         **({"files": files} if files else {})})
        author_id = draft.author_id
        notify(lambda: [author_id], kind="info", case=case,
               message=_("Your reply to case %(number)s was approved and sent.") % {"number": case.number})
    return draft


def reply_return(*, draft: ReplyDraft, actor: User, reason: str, expected_version: int | None = None,
                 at: datetime | None = None) -> ReplyDraft:
    """The unit head returns the reply with what to change; the handler edits it and submits it again."""
    reason = clean_text(reason or "", multiline=True)
    if not reason:
        msg = _("Say what the handler should change.")
        raise ValidationFailed(msg, fields={"reason": msg})
    if len(reason) > NOTE_MAX:
        msg = _("At most %(max)d characters.") % {"max": NOTE_MAX}
        raise ValidationFailed(msg, fields={"reason": msg})
    at = at or timezone.now()
    with transaction.atomic():
        case = lock(draft.case, action=Action.RETURN_REPLY, actor=actor, expected_version=expected_version)
        draft = _locked_pending(draft, case)
        draft.state, draft.decided_by, draft.decided_at, draft.decision_note = ReplyDraft.State.RETURNED, actor, at, reason
        draft.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        commit(case, action=Action.RETURN_REPLY, actor=actor, from_status=case.status, note=reason, at=at,
               data={"draft": draft.pk, "round": draft.rounds})
        author_id = draft.author_id
        notify(lambda: [author_id], kind="info", case=case,
               message=_("Your reply to case %(number)s was returned: %(reason)s") % {
                   "number": case.number, "reason": reason[:80]})
    return draft
