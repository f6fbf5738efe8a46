"""Reads of cases as a user sees them. Everything starts from Case.objects.visible_to(user)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases import sla
from jingzhi.cases.models import (
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    ExtensionRequest,
    Kind,
    ReplyDraft,
    Review,
    Status,
    SuspensionRequest,
)
from jingzhi.cases.querysets import CaseQuerySet
from jingzhi.cases.requesters import may_search_requesters, requester_q
from jingzhi.cases.services.common import may_perform
from jingzhi.cases.services.followup import follow_up_close_allowed
from jingzhi.cases.services.reply_review import open_draft
from jingzhi.cases.services.review_policy import reply_review_required
from jingzhi.cases.services.suspension import pending_suspension
from jingzhi.cases.transitions import TRANSITIONS, Action
from jingzhi.core.dates import parse_query_date, parse_query_datetime
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.org.access import is_admin
from jingzhi.org.models import Division, Unit, User

_ID = re.compile(r"[0-9]{1,18}")

LIST_RELATED = ("division", "lead_unit", "category")


def case_get(*, number: str, user: User) -> Case:
    """One case by its public number, if this user may see it; otherwise NotFound (never 'forbidden')."""
    case = (
        Case.objects.visible_to(user)
        .select_related(*LIST_RELATED, "merged_into", "enterprise", "created_by")
        .filter(number=(number or "").strip())
        .first()
    )
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "actor_unit").order_by("created_at", "id")


def allowed_actions(*, case: Case, user: User) -> list[Action]:
    """The actions the table allows this user on this case now, in table order (and the city's rules allow)."""
    actions = [action for action in TRANSITIONS if may_perform(action, case, user)]
    if Action.FOLLOW_UP_CLOSE in actions and not follow_up_close_allowed():
        actions.remove(Action.FOLLOW_UP_CLOSE)
    if Action.REPLY in actions or Action.APPROVE_REPLY in actions:
        # A handler of a unit that reviews replies submits; everyone else replies directly. The head decides a
        # draft only while one waits, and nobody submits a second one meanwhile.
        review = reply_review_required(case=case, actor=user)
        draft = open_draft(case=case)
        waiting = draft is not None and draft.state == ReplyDraft.State.PENDING
        hidden = {Action.REPLY if review else Action.SUBMIT_REPLY}
        if waiting:
            hidden.add(Action.SUBMIT_REPLY)
        else:
            hidden |= {Action.APPROVE_REPLY, Action.RETURN_REPLY}
        actions = [a for a in actions if a not in hidden]
    if Action.REQUEST_SUSPENSION in actions or Action.APPROVE_SUSPENSION in actions:
        pending = pending_suspension(case=case) is not None
        hidden = {Action.REQUEST_SUSPENSION} if pending else {Action.APPROVE_SUSPENSION, Action.REJECT_SUSPENSION}
        actions = [a for a in actions if a not in hidden]
    return actions


def case_instructions(*, timeline: list[CaseEvent]) -> list[CaseEvent]:
    """Leaders' 批示 and supervisors' manual 督办 among the case's events, newest first (the page shows them on top)."""
    return [e for e in reversed(timeline) if e.action == Action.INSTRUCT or (e.action == Action.SUPERVISE and e.data.get("manual"))]


def case_duplicates(*, case: Case, user: User) -> QuerySet[Case]:
    """The cases merged into this one that the user may see, oldest first."""
    return Case.objects.visible_to(user).filter(merged_into=case).order_by("created_at", "pk")


def attachment_visible(*, attachment: Attachment, user: User) -> bool:
    """Within a case the user may see: every file, except one sent with a reply still under the unit head's
    review (or returned), which only the lead unit and administrators see until it is approved."""
    draft = attachment.draft
    if draft is None or draft.state == ReplyDraft.State.APPROVED:
        return True
    return is_admin(user) or (user.unit_id is not None and user.unit_id == draft.unit_id)


def case_attachments(*, case: Case, user: User) -> list[Attachment]:
    """The case's files this user may see (the case itself is visible to them), in the order they came."""
    rows = case.attachments.select_related("draft").order_by("created_at", "pk")
    return [a for a in rows if attachment_visible(attachment=a, user=user)]


def pending_extension(*, case: Case) -> ExtensionRequest | None:
    return case.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()


@dataclass
class CaseFilters:
    """The filters every case list offers (and the export applies identically)."""

    number: str = ""
    text: str = ""
    status: list[str] = field(default_factory=list)
    kind: str = ""
    unit: str = ""  # unit code
    division: str = ""  # division code; its whole subtree matches
    date_from: date | None = None
    date_to: date | None = None
    overdue: bool = False
    supervision_min: int = 0
    at_from: datetime | None = None  # exact bounds, when date_from / date_to were given as date-times
    at_to: datetime | None = None
    category: str = ""  # category id, or "none" for cases without one
    requester: str = ""  # a requester's exact phone, ID number or name (matched by digest; cases/requesters.py)
    activity: str = ""  # see cases/activity.py: the dates and the unit then apply to that activity

    @classmethod
    def parse(cls, data: Any) -> CaseFilters:
        """Read filters from a query dict; a malformed value is an error the user sees, not a silent drop."""
        errors: dict[str, str] = {}
        f = cls(
            number=(data.get("number") or "").strip()[:30],
            text=(data.get("text") or "").strip()[:100],
            requester=(data.get("requester") or "").strip()[:50],
            kind=(data.get("kind") or "").strip(),
            unit=(data.get("unit") or "").strip(),
            division=(data.get("division") or "").strip(),
            overdue=(data.get("overdue") or "") in {"1", "true", "on"},
            category=(data.get("category") or "").strip(),
            activity=(data.get("activity") or "").strip(),
        )
        from jingzhi.cases.activity import ACTIVITIES

        # Ids are 1–18 ASCII digits (a BigAutoField): a longer number overflows the database's integer.
        if f.category and f.category != "none" and not _ID.fullmatch(f.category):
            errors["category"] = _("Unknown category.")
        if f.activity and f.activity not in ACTIVITIES:
            errors["activity"] = _("Unknown activity.")
        getlist = getattr(data, "getlist", None)
        statuses = getlist("status") if getlist else ([data["status"]] if data.get("status") else [])
        f.status = [s for s in statuses if s]
        if any(s not in Status.values and s != "open" for s in f.status):
            errors["status"] = _("Unknown status.")
        if f.kind and f.kind not in Kind.values:
            errors["kind"] = _("Unknown kind.")
        for name in ("date_from", "date_to"):
            raw = (data.get(name) or "").strip()
            if raw:
                try:
                    if "T" in raw:
                        # A date-time (the daily brief's 12:00 → 12:00 window): an exact bound, the end exclusive.
                        moment = parse_query_datetime(raw)
                        setattr(f, "at_from" if name == "date_from" else "at_to", moment)
                        setattr(f, name, timezone.localtime(moment).date())
                    else:
                        setattr(f, name, parse_query_date(raw))
                except (ValueError, OverflowError) as e:
                    errors[name] = str(e) if isinstance(e, ValueError) else _("Enter a date as YYYY-MM-DD.")
        if f.date_from and f.date_to and f.date_from > f.date_to:
            errors["date_to"] = _("The end date is before the start date.")
        raw_level = (data.get("supervision_min") or "0").strip()
        if re.fullmatch(r"[0-9]{1,2}", raw_level):
            f.supervision_min = int(raw_level)
        else:
            errors["supervision_min"] = _("Unknown supervision level.")
        if errors:
            raise ValidationFailed(_("Please correct the filters."), fields=errors)
        return f


def case_list(*, user: User, filters: CaseFilters | None = None, now: datetime | None = None) -> CaseQuerySet:
    """The cases this user may see, narrowed by the filters, with what list pages show already joined."""
    f = filters or CaseFilters()
    qs: CaseQuerySet = Case.objects.visible_to(user).select_related(*LIST_RELATED)
    if f.number:
        qs = qs.filter(number__icontains=f.number)
    if f.text:
        qs = qs.filter(Q(title__icontains=f.text) | Q(content__icontains=f.text) | Q(address__icontains=f.text))
    if f.requester:
        # Only for the roles that may see personal data; for others the search finds nothing (web says why).
        qs = qs.filter(requester_q(f.requester)) if may_search_requesters(user) else qs.none()
    if f.status:
        wanted = set(f.status)
        if "open" in wanted:
            wanted = (wanted - {"open"}) | set(OPEN_STATUSES)
        qs = qs.filter(status__in=sorted(wanted))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.unit and not f.activity:
        # "none": cases without a lead unit (not dispatched yet), the metrics' "(not dispatched)" row.
        qs = qs.filter(lead_unit__isnull=True) if f.unit == "none" else qs.filter(lead_unit__code=f.unit)
    if f.category:
        qs = qs.filter(category__isnull=True) if f.category == "none" else qs.filter(category_id=int(f.category))
    if f.division:
        div = Division.objects.filter(code=f.division).first()
        qs = qs.filter(division__path__startswith=div.path) if div else qs.none()
    tz = timezone.get_current_timezone()
    start = f.at_from or (datetime.combine(f.date_from, time.min, tzinfo=tz) if f.date_from else None)
    end = f.at_to or (datetime.combine(f.date_to + timedelta(days=1), time.min, tzinfo=tz) if f.date_to else None)
    if f.activity:
        from jingzhi.cases.activity import activity_filter

        qs = activity_filter(qs, f.activity, start=start, end=end, unit_code=f.unit)
    else:
        if start:
            qs = qs.filter(created_at__gte=start)
        if end:
            qs = qs.filter(created_at__lt=end)
    if f.overdue:
        qs = qs.filter(overdue_q(now or timezone.now()))
    if f.supervision_min:
        qs = qs.filter(supervision__gte=f.supervision_min, status__in=sorted(OPEN_STATUSES))
    return qs


@dataclass(frozen=True)
class HistoryRow:
    """One earlier case of a caller, as the intake form shows it: nothing personal but the masked name."""

    number: str
    created_at: datetime
    title: str
    status: str
    status_label: str
    requester: str  # masked


HISTORY_LIMIT = 10


def requester_history(*, user: User, phone: str = "", id_number: str = "", limit: int = HISTORY_LIMIT) -> tuple[list[HistoryRow], int]:
    """The earlier cases of the requester with this exact phone or ID number that `user` may see, newest first,
    and how many there are. PermissionDenied for roles that may not look requesters up."""
    from jingzhi.core.errors import PermissionDenied
    from jingzhi.core.lookup import digest
    from jingzhi.core.masking import mask_name

    if not may_search_requesters(user):
        raise PermissionDenied(_("Your role may not look up requesters."))
    q = Q(pk__in=[])
    if digest("phone", phone):
        q |= Q(requester_phone_digest=digest("phone", phone))
    if digest("id", id_number):
        q |= Q(requester_id_digest=digest("id", id_number))
    qs = Case.objects.visible_to(user).filter(q)
    rows = list(qs.order_by("-created_at", "-pk").values("number", "created_at", "title", "status", "requester_name")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    labels = dict(Status.choices)
    return [HistoryRow(r["number"], r["created_at"], r["title"], r["status"], str(labels.get(r["status"], r["status"])),
                       mask_name(r["requester_name"])) for r in rows], total


def overdue_q(now: datetime) -> Q:
    """Open cases whose running clock has run out (the clock that applies depends on the status)."""
    return (
        Q(status=Status.ACCEPTED, dispatch_due__lt=now)
        | Q(status=Status.RETURNED, dispatch_due__lt=now)
        | Q(status__in=[Status.DISPATCHED, Status.HANDLING], reply_due__lt=now)
        | Q(status=Status.DISPATCHED, acknowledge_due__lt=now)
        | Q(status=Status.REPLIED, follow_up_due__lt=now)
    )


def running_clock(case: Case) -> tuple[str, datetime | None, datetime | None]:
    """(clock name, started at, due at) for the clock that matters in the case's current status."""
    if case.status in (Status.ACCEPTED, Status.RETURNED):
        return "dispatch", case.created_at, case.dispatch_due
    if case.status == Status.DISPATCHED:
        return "acknowledge", case.dispatched_at, case.acknowledge_due
    if case.status == Status.HANDLING:
        return "reply", case.dispatched_at, case.reply_due
    if case.status == Status.REPLIED:
        return "follow_up", case.replied_at, case.follow_up_due
    return "", None, None


def sla_badge(case: Case, *, now: datetime | None = None, warn_ratio: float = 0.8) -> sla.SlaState:
    """On time / at risk / overdue for the clock that is running now (a paused case shows none)."""
    _clock, started, due_at = running_clock(case)
    return sla.state_of(due_at=due_at, started_at=started, now=now or timezone.now(), warn_ratio=warn_ratio)


def dispatcher_queue(*, user: User) -> CaseQuerySet:
    """Cases waiting for the dispatcher: new ones and returned ones, most urgent first."""
    return (
        case_list(user=user).filter(status__in=[Status.ACCEPTED, Status.RETURNED]).exclude(review=Review.HELD)
        .order_by("dispatch_due", "created_at")
    )


def held_queue(*, user: User) -> CaseQuerySet:
    """Public submissions held as possible spam, oldest first: the dispatcher releases or rejects them."""
    return case_list(user=user).filter(review=Review.HELD, status=Status.ACCEPTED).order_by("created_at", "pk")


def unit_queue(*, user: User) -> CaseQuerySet:
    """The handler's open cases, the nearest deadline first."""
    statuses = [Status.DISPATCHED, Status.HANDLING, Status.SUSPENDED]
    return case_list(user=user).filter(status__in=statuses).with_next_due().order_by(
        F("next_due").asc(nulls_last=True), "created_at")


def review_queue(*, user: User) -> QuerySet[ReplyDraft]:
    """Replies waiting for this unit head's review (the unit's own cases), the oldest submission first."""
    if user.unit_id is None:
        return ReplyDraft.objects.none()
    return (
        ReplyDraft.objects.filter(state=ReplyDraft.State.PENDING, unit_id=user.unit_id,
                                  case__in=case_list(user=user).values("pk"))
        .select_related("case", "author", "case__lead_unit")
        .order_by("submitted_at", "pk")
    )


def follow_up_queue(*, user: User) -> CaseQuerySet:
    """Replied cases to call back, and followed-up ones waiting to be closed or reopened."""
    return case_list(user=user).filter(status__in=[Status.REPLIED, Status.FOLLOWED_UP]).order_by("follow_up_due", "replied_at")


def supervision_board(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """The supervisor's board: at risk, overdue, flagged, and extension and suspension (中止) requests awaiting a decision."""
    now = now or timezone.now()
    visible = case_list(user=user)
    open_cases = visible.filter(status__in=sorted(OPEN_STATUSES))
    pending = (
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING, case__in=visible.values("pk"))
        .select_related("case", "unit", "requested_by", "case__lead_unit")
        .order_by("created_at")
    )
    suspensions = (
        SuspensionRequest.objects.filter(state=SuspensionRequest.State.PENDING, case__in=visible.values("pk"))
        .select_related("case", "unit", "requested_by", "case__lead_unit")
        .order_by("created_at")
    )
    at_risk = open_cases.filter(supervision=1).exclude(overdue_q(now))
    # Each tab by the deadline the unit owes next: on the overdue tab the longest overdue comes first.
    by_due = (F("next_due").asc(nulls_last=True), "created_at")
    return {
        "overdue": open_cases.filter(overdue_q(now)).exclude(supervision=3).with_next_due().order_by(*by_due),
        "flagged": open_cases.filter(supervision=3).with_next_due().order_by(*by_due),
        "at_risk": at_risk.with_next_due().order_by(*by_due),
        "extensions": pending,
        "suspensions": suspensions,
    }


def units_for_choice() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).select_related("division").order_by("code")


def case_with_related(case: Case) -> Case:
    """Prefetch what the case page needs in a fixed number of queries."""
    return (
        Case.objects.filter(pk=case.pk)
        .select_related(*LIST_RELATED, "merged_into", "enterprise", "assignee")
        .prefetch_related("assisting_units", "attachments", Prefetch("follow_ups"))
        .get()
    )
