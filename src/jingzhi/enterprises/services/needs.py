"""Enterprise needs: submit (any channel, the enterprise's own door included), rate the answer, escalate."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import OPEN_STATUSES, Case, CaseEvent, Channel, Kind, Satisfaction, Status
from jingzhi.cases.services.intake import case_create
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from jingzhi.core.models import Notification
from jingzhi.core.notify import notify_after_commit
from jingzhi.enterprises import clocks
from jingzhi.enterprises.access import enterprises_visible_to, is_enterprise_user, is_office, serves
from jingzhi.enterprises.models import Escalation, Need, NeedChannel, Visit
from jingzhi.org.models import Enterprise, Responsibility, Role, User

# The case's channel for each way a need arrives (the need keeps its own, finer channel).
CASE_CHANNEL = {
    NeedChannel.DESK: Channel.HOTLINE,
    NeedChannel.DIRECT: Channel.APP,
    NeedChannel.VISIT: Channel.PROACTIVE,
    NeedChannel.PORTAL: Channel.WEB,
}
RATABLE = frozenset({Status.REPLIED, Status.FOLLOWED_UP, Status.CLOSED})


def need_submit(
    *, actor: User, enterprise: Enterprise, title: str, content: str, channel: str, contact_name: str = "",
    contact_phone: str = "", idempotency_key: str | None = None, visit: Visit | None = None,
    close_due: datetime | None = None, received_at: datetime | None = None,
) -> tuple[Need, bool]:
    """Register an enterprise need as a case of kind "enterprise" with its own clocks. (need, created).

    The enterprise's own users submit through their portal for their enterprise only; 包保 officials and 专班
    members record what they were asked on a visit; the office takes needs on every channel. A retry with the
    same idempotency key returns the first need.
    """
    if is_enterprise_user(actor):
        channel = NeedChannel.PORTAL
    elif is_office(actor):
        pass
    elif serves(actor, enterprise):
        channel = NeedChannel.VISIT
    else:
        raise PermissionDenied(_("You may not register needs for this enterprise."))
    row = enterprises_visible_to(actor).filter(pk=enterprise.pk).first()
    if row is None:
        raise NotFound(_("This enterprise does not exist."))
    if channel not in NeedChannel.values:
        raise ValidationFailed(_("Please correct the marked fields."), fields={"channel": _("Unknown channel.")})
    key = f"need:{idempotency_key}"[:100] if idempotency_key else None
    case, _created = case_create(
        actor=actor if is_office(actor) else None, channel=CASE_CHANNEL[NeedChannel(channel)], kind=Kind.ENTERPRISE,
        title=title, content=content, division_code=row.division.code, requester_name=contact_name,
        requester_phone=contact_phone, address=row.address, enterprise=row, idempotency_key=key,
        received_at=received_at,
    )
    # The case is committed (its hooks have run); the need row follows. A retry after a crash in between
    # finds the case by its key and adds the missing row here.
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        existing = Need.objects.filter(case=case).first()
        if existing is not None:
            return existing, False
        due = clocks.deadlines(case.created_at)
        need = Need.objects.create(
            case=case, enterprise=row, channel=channel, submitted_by=actor, created_at=case.created_at,
            contact_due=due["contact"], progress_due=due["progress"],
            close_due=close_due if close_due is not None else due["close"], visit=visit,
        )
    return need, True


def need_for(actor: User, number: str) -> Need:
    """The need behind a case number, through the case visibility rule (not visible → NotFound)."""
    need = (Need.objects.select_related("case", "enterprise")
            .filter(case__in=Case.objects.visible_to(actor), case__number=number).first())
    if need is None:
        raise NotFound(_("This need does not exist."))
    return need


def need_rate(*, actor: User, number: str, rating: str, note: str = "") -> Need:
    """The enterprise rates the answer it got (once, after the reply): satisfied, basically, not satisfied."""
    if not is_enterprise_user(actor):
        raise PermissionDenied(_("Only the enterprise itself rates the answer."))
    if rating not in Satisfaction.values:
        raise ValidationFailed(_("Please correct the marked fields."), fields={"rating": _("Choose a rating.")})
    with transaction.atomic():
        need = need_for(actor, number)
        need = Need.objects.select_for_update().select_related("case").get(pk=need.pk)
        if need.case.status not in RATABLE:
            raise InvalidTransition(_("The answer can be rated once it has been given."))
        if need.rating:
            raise InvalidTransition(_("This answer has been rated already."))
        need.rating, need.rating_note, need.rated_at = rating, note.strip()[:500], timezone.now()
        need.save(update_fields=["rating", "rating_note", "rated_at"])
    return need


def _progress_made() -> Exists:
    return Exists(CaseEvent.objects.filter(case_id=OuterRef("case_id"), action__in=clocks.PROGRESS_ACTIONS))


def _late(now: datetime) -> Q:
    """A clock has run out unmet."""
    return (Q(contact_due__lt=now, case__acknowledged_at__isnull=True)
            | Q(progress_due__lt=now, progress_made=False)
            | Q(close_due__lt=now, case__replied_at__isnull=True))


def officials_of(enterprise: Enterprise) -> list[int]:
    """The enterprise's 包保 officials (active responsibilities)."""
    return list(Responsibility.objects.filter(enterprise=enterprise, is_active=True,
                                              target_type=Responsibility.TargetType.ENTERPRISE)
                .values_list("official_id", flat=True))


def leaders_of(enterprise: Enterprise) -> list[int]:
    """The city leader answering for the enterprise: its 专班's leader; else the leader who answers (包保) for its
    division or the nearest division above it."""
    ids = [i for i in enterprise.task_forces.values_list("leader_id", flat=True) if i]
    if ids:
        return ids
    codes = [c for c in enterprise.division.path.split("/") if c]
    rows = (Responsibility.objects.filter(is_active=True, target_type=Responsibility.TargetType.DIVISION,
                                          division__code__in=codes, official__role=Role.LEADER)
            .values_list("official_id", "division__path"))
    if not rows:
        return []
    deepest = max(len(path) for _, path in rows)
    return [official for official, path in rows if len(path) == deepest]


def need_escalate(*, actor: User | None, need: Need, now: datetime | None = None) -> int:
    """One step up when a clock ran out: first the 包保 official(s), then (close clock missed) the city leader.

    The sweep's only write (actor None: the system). Returns the new level (unchanged when nothing is due)."""
    if actor is not None:
        raise PermissionDenied(_("Escalation is done by the system's sweep."))
    now = now or timezone.now()
    with transaction.atomic():
        row = (Need.objects.select_for_update().annotate(progress_made=_progress_made())
               .filter(pk=need.pk, case__status__in=OPEN_STATUSES).filter(_late(now)).first())
        if row is None or row.escalation >= Escalation.LEADER:
            return need.escalation
        case = Case.objects.get(pk=row.case_id)
        enterprise = Enterprise.objects.select_related("division").get(pk=row.enterprise_id)
        close_missed = case.replied_at is None and row.close_due < now
        level = Escalation.LEADER if row.escalation == Escalation.OFFICIAL and close_missed else Escalation.OFFICIAL
        if level == row.escalation:
            return level
        row.escalation, row.escalated_at = level, now
        row.save(update_fields=["escalation", "escalated_at"])
        recipients = officials_of(enterprise) if level == Escalation.OFFICIAL else leaders_of(enterprise)
        message = (_("Enterprise need %(number)s of %(enterprise)s is late: please see to it.")
                   if level == Escalation.OFFICIAL else
                   _("Enterprise need %(number)s of %(enterprise)s was not answered in time: escalated to you."))
        notify_after_commit(recipients=lambda: recipients, kind=Notification.Kind.SUPERVISION,
                            message=message % {"number": case.number, "enterprise": enterprise.name},
                            subject_type="case", subject_ref=case.number)
    return level


def need_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Escalate every need whose clock ran out (idempotent: a need climbs one level per missed stage)."""
    now = now or timezone.now()
    due = (Need.objects.annotate(progress_made=_progress_made())
           .filter(case__status__in=OPEN_STATUSES, escalation__lt=Escalation.LEADER).filter(_late(now))
           .order_by("close_due"))
    moved = 0
    for need in due[:limit]:
        before = need.escalation
        if need_escalate(actor=None, need=need, now=now) != before:
            moved += 1
    return moved
