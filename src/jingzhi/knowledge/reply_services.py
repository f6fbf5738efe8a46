"""The reply check against the database (ADR 025): rules from their rows, a case's request and its unit's earlier
replies, the gate before sending, the unit's review setting, and the check of replies already sent.

cases never imports this module (ADR 011): the case page's reply form calls `reply_send` (web), which checks,
applies the unit's gate and calls cases' own `case_reply` in one transaction, then records the check. Replies
sent another way (the REST API, a client of its own) are checked by the periodic sweep for the board.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases import selectors as case_selectors
from jingzhi.cases.models import Case
from jingzhi.cases.models import Status as CaseStatus
from jingzhi.cases.services import case_reply
from jingzhi.cases.transitions import Action
from jingzhi.core.access import is_admin
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import PermissionDenied
from jingzhi.knowledge.models import ReplyCheck, ReplyPhrase, ReplyRule, UnitReplyPolicy
from jingzhi.knowledge.reply_check import RETURN, Request, Result, Rule, Rules, check, default_rules
from jingzhi.org.models import Role, Unit, User

PEERS = 200  # the unit's latest replies a draft is compared with (a template answer repeats within months)
SENT = (CaseStatus.REPLIED, CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED)


def load_rules() -> Rules:
    """The rules and phrase lists as the administrators left them; a rule without a row keeps its default."""
    base = default_rules()
    rows = {r.code: Rule(r.weight, r.threshold, r.blocking, r.enabled) for r in ReplyRule.objects.all()}
    phrases: dict[str, list[str]] = {}
    for kind, text in ReplyPhrase.objects.values_list("kind", "text"):
        phrases.setdefault(kind, []).append(text)
    return Rules({**base.rules, **rows}, {kind: tuple(texts) for kind, texts in phrases.items()} or base.phrases)


def request_of(case: Case) -> Request:
    return Request(title=case.title, content=case.content, division=case.division.name if case.division_id else "",
                   category=str(case.category) if case.category_id else "", received_at=case.created_at,
                   deadline=case.reply_due, names=(case.requester_name,) if case.requester_name else ())


def unit_peers(case: Case, limit: int = PEERS) -> list[tuple[str, str]]:
    """The lead unit's latest replies to other requests, (case number, reply)."""
    if case.lead_unit_id is None:
        return []
    rows = (Case.objects.filter(lead_unit_id=case.lead_unit_id, status__in=SENT).exclude(pk=case.pk).exclude(reply="")
            .exclude(title=case.title).order_by("-replied_at").values_list("number", "reply")[:limit])
    return list(rows)


def check_case_reply(*, case: Case, actor: User, reply: str, at: datetime | None = None) -> Result:
    """Check a draft reply to a case the actor can see (nothing is written)."""
    case = case_selectors.case_get(number=case.number, user=actor)
    return check(request_of(case), reply or "", load_rules(), peers=unit_peers(case), at=at or timezone.now())


def review_required(unit: Unit | None) -> bool:
    if unit is None:
        return False
    return UnitReplyPolicy.objects.filter(unit=unit, review_returned=True).exists()


def _is_unit_head(actor: User, unit: Unit | None) -> bool:
    if is_admin(actor):
        return True
    if actor.role != Role.UNIT_HEAD or unit is None or actor.unit_id is None:
        return False
    return actor.unit_id in (unit.pk, unit.parent_id)


def _digest(reply: str) -> str:
    return hashlib.sha256((reply or "").strip().encode()).hexdigest()


def reply_send(
    *, case: Case, actor: User, reply: str, outcome: str = "", expected_version: int | None = None,
    at: datetime | None = None, attachments: Sequence[UploadedFile] = (),
) -> tuple[Case, Result]:
    """Check the reply and send it through cases' `case_reply`. When the lead unit requires it, a reply at 退回修改
    is refused to a handler (the unit head may send it; that is recorded)."""
    at = at or timezone.now()
    case = case_selectors.case_get(number=case.number, user=actor)
    if not (reply or "").strip() or Action.REPLY not in case_selectors.allowed_actions(case=case, user=actor):
        # cases' own refusal ("write the reply", "you cannot do this now"), not a check of something not sendable
        case_reply(case=case, actor=actor, reply=reply, outcome=outcome, expected_version=expected_version, at=at,
                   attachments=attachments)
    result = check(request_of(case), reply or "", load_rules(), peers=unit_peers(case), at=at)
    held = result.level == RETURN and review_required(case.lead_unit)
    if held and not _is_unit_head(actor, case.lead_unit):
        raise PermissionDenied(_("This reply is at 退回修改 and your unit requires such replies to be reviewed: revise it "
                                 "as the findings say, or ask the unit head to review and send it."))
    with transaction.atomic():
        case = case_reply(case=case, actor=actor, reply=reply, outcome=outcome, expected_version=expected_version, at=at,
                          attachments=attachments)
        ReplyCheck.objects.create(case=case, unit=case.lead_unit, score=result.score, level=result.level,
                                  findings=result.as_json(), reply_digest=_digest(case.reply), sent_by=actor,
                                  head_override=held, checked_at=at)
        if held:
            audit_record(actor=actor, action="reply_sent_at_return_level", object_type="case", object_id=case.number,
                         detail={"score": result.score, "findings": [f.code for f in result.findings]})
    return case, result


def unit_reply_policy_set(*, actor: User, unit: Unit, review_returned: bool) -> UnitReplyPolicy:
    """The unit head (or an administrator) decides whether replies at 退回修改 need the head to send them."""
    if not _is_unit_head(actor, unit) or (not is_admin(actor) and actor.unit_id != unit.pk):
        raise PermissionDenied(_("Only the head of this unit can change its reply review setting."))
    with transaction.atomic():
        policy, _created = UnitReplyPolicy.objects.select_for_update().get_or_create(
            unit=unit, defaults={"updated_at": timezone.now(), "updated_by": actor})
        before = policy.review_returned
        policy.review_returned = bool(review_returned)
        policy.updated_by, policy.updated_at = actor, timezone.now()
        policy.save(update_fields=["review_returned", "updated_by", "updated_at"])
        if before != policy.review_returned:
            audit_record(actor=actor, action="unit_reply_review_set", object_type="unit", object_id=unit.code,
                         detail={"review_returned": policy.review_returned})
    return policy


def sweep_sent_replies(*, limit: int = 500) -> int:
    """Check replies that were sent without the page (the API, older replies) so the board shows every one."""
    rules = load_rules()
    done = 0
    checked = ReplyCheck.objects.values("case_id")
    todo = (Case.objects.filter(status__in=SENT).exclude(reply="").exclude(pk__in=checked)
            .select_related("division", "category", "lead_unit").order_by("-replied_at")[:limit])
    for case in todo:
        result = check(request_of(case), case.reply, rules, peers=unit_peers(case), at=case.replied_at)
        ReplyCheck.objects.create(case=case, unit=case.lead_unit, score=result.score, level=result.level,
                                  findings=result.as_json(), reply_digest=_digest(case.reply), sent_by=None,
                                  checked_at=case.replied_at or timezone.now())
        done += 1
    return done


def board_rows(*, actor: User, level: str = "", unit: Unit | None = None) -> Any:
    """Checked replies of the cases the actor can see, newest first, optionally of one level and one unit."""
    if not (is_admin(actor) or actor.role in (Role.SUPERVISOR, Role.LEADER, Role.UNIT_HEAD)):
        raise PermissionDenied(_("The reply board is for supervisors, leaders and unit heads."))
    qs = ReplyCheck.objects.filter(case__in=Case.objects.visible_to(actor)).select_related("case", "unit", "sent_by")
    if level:
        qs = qs.filter(level=level)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


# ------------------------------------------------------------------------------ the rules and lists (admin)


def _admin(actor: User | None) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators change the reply check's rules and phrase lists."))


def reply_rule_set(*, actor: User | None, rule: ReplyRule | None, code: str, weight: int, threshold: float,
                   blocking: bool, enabled: bool, description: str = "") -> ReplyRule:
    """Change (or add) one rule of the reply check; audited, since it decides which replies a handler may send."""
    _admin(actor)
    code = (code or "").strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = _("Enter the rule's code.")
    if weight is None or not 0 <= int(weight) <= 100:
        errors["weight"] = _("Enter a whole number from 0 to 100.")
    if threshold is None or threshold < 0:
        errors["threshold"] = _("Enter a number, 0 or more.")
    if errors:
        from jingzhi.core.errors import ValidationFailed

        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    with transaction.atomic():
        row = ReplyRule.objects.select_for_update().filter(pk=rule.pk).first() if rule is not None and rule.pk else None
        row = row or ReplyRule(code=code)
        row.code, row.weight, row.threshold, row.blocking, row.enabled = code, int(weight), float(threshold), bool(blocking), bool(enabled)
        row.description = (description or "")[:300]
        row.save()
        audit_record(actor=actor, action="reply_rule_set", object_type="reply_rule", object_id=row.pk,
                     detail={"code": code, "weight": row.weight, "threshold": row.threshold, "blocking": row.blocking,
                             "enabled": row.enabled})
    return row


def reply_phrase_save(*, actor: User | None, phrase: ReplyPhrase | None, kind: str, text: str) -> ReplyPhrase:
    """Add or change one phrase of a list (forbidden words, refusal words …)."""
    from jingzhi.core.errors import ValidationFailed
    from jingzhi.knowledge.models import PhraseKind

    _admin(actor)
    text = (text or "").strip()
    if kind not in PhraseKind.values:
        raise ValidationFailed(_("Choose the list."), fields={"kind": _("Choose the list.")})
    if not text or len(text) > 60:
        raise ValidationFailed(_("Enter the phrase (at most 60 characters)."), fields={"text": _("Enter the phrase (at most 60 characters).")})
    with transaction.atomic():
        clash = ReplyPhrase.objects.filter(kind=kind, text=text)
        if phrase is not None and phrase.pk:
            clash = clash.exclude(pk=phrase.pk)
        if clash.exists():
            raise ValidationFailed(_("This phrase is already in the list."), fields={"text": _("This phrase is already in the list.")})
        row = ReplyPhrase.objects.select_for_update().filter(pk=phrase.pk).first() if phrase is not None and phrase.pk else None
        row = row or ReplyPhrase()
        row.kind, row.text = kind, text
        row.save()
        audit_record(actor=actor, action="reply_phrase_save", object_type="reply_phrase", object_id=row.pk,
                     detail={"kind": kind, "text": text})
    return row


def reply_phrase_delete(*, actor: User | None, phrases: list[ReplyPhrase]) -> int:
    _admin(actor)
    with transaction.atomic():
        rows = list(ReplyPhrase.objects.select_for_update().filter(pk__in=[p.pk for p in phrases]))
        for row in rows:
            audit_record(actor=actor, action="reply_phrase_delete", object_type="reply_phrase", object_id=row.pk,
                         detail={"kind": row.kind, "text": row.text})
        ReplyPhrase.objects.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)
