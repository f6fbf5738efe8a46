"""Reads of enterprise service, each through the visibility rules (access.enterprises_visible_to for the registry,
Case.objects.visible_to for needs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from jingzhi.cases.models import OPEN_STATUSES, Case, CaseEvent
from jingzhi.core.masking import mask_name, mask_phone
from jingzhi.enterprises.access import OFFICE_ROLES, OVERSIGHT_ROLES, enterprises_visible_to
from jingzhi.enterprises.clocks import PROGRESS_ACTIONS, ClockState, states
from jingzhi.enterprises.models import Need, TaskForce, Visit
from jingzhi.org.access import case_reach, is_signed_in, role_of
from jingzhi.org.models import Enterprise, Responsibility

# The steps of a case an enterprise follows (一跟到底); internal moves (returns, merges, reveals) stay inside.
PUBLIC_ACTIONS = ("create", "dispatch", "transfer", "redispatch", "overrule_return", "acknowledge", "note", "suspend",
                  "resume", "reply", "follow_up", "reopen", "close")
PAGE_SIZE = 50


def enterprise_rows(user: Any, *, q: str = "", tag: str = "", offset: int = 0) -> list[Enterprise]:
    """The registry list: name search, a tag filter; each row with its open needs and last visit."""
    qs = enterprises_visible_to(user).select_related("division")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
    if tag:
        qs = qs.filter(tags__tag=tag)
    rows = list(qs.order_by("name")[offset:offset + PAGE_SIZE])
    ids = [e.pk for e in rows]
    open_needs = dict(Need.objects.filter(enterprise_id__in=ids, case__status__in=OPEN_STATUSES)
                      .values("enterprise_id").annotate(n=Count("pk")).values_list("enterprise_id", "n"))
    last_visit = dict(Visit.objects.filter(enterprise_id__in=ids).values("enterprise_id")
                      .annotate(d=Max("visited_on")).values_list("enterprise_id", "d"))
    for e in rows:
        e.open_needs = open_needs.get(e.pk, 0)  # type: ignore[attr-defined]
        e.last_visit = last_visit.get(e.pk)  # type: ignore[attr-defined]
    return rows


def enterprise_for(user: Any, pk: int) -> Enterprise | None:
    return enterprises_visible_to(user).select_related("division").filter(pk=pk).first()


@dataclass
class Entry:
    """One line of an enterprise's timeline: a visit, a need (with its answer) or a year's figures."""

    at: date
    kind: str
    title: str
    detail: str = ""
    need: Need | None = None
    visit: Visit | None = None


@dataclass
class EnterprisePage:
    enterprise: Enterprise
    tags: list[str]
    figures: list[Any]
    contacts: list[dict[str, str]]
    officials: list[Any]
    task_forces: list[TaskForce]
    timeline: list[Entry] = field(default_factory=list)
    open_needs: int = 0


def enterprise_page(user: Any, enterprise: Enterprise, *, limit: int = 30) -> EnterprisePage:
    """一企一档: profile, figures, people (masked), 包保 officials, 专班, and the timeline of visits, needs, answers."""
    tags = [t.get_tag_display() for t in enterprise.tags.all()]
    figures = list(enterprise.figures.all()[:5])
    contacts = [{"name": mask_name(c.name), "phone": mask_phone(c.phone), "position": c.position}
                for c in enterprise.contacts.all()]
    officials = [r.official for r in Responsibility.objects.filter(enterprise=enterprise, is_active=True)
                 .select_related("official", "official__unit")]
    task_forces = list(enterprise.task_forces.select_related("leader"))
    needs = list(_visible_needs(user).filter(enterprise=enterprise)
                 .select_related("case", "case__lead_unit").order_by("-created_at")[:limit])
    visits = list(Visit.objects.filter(enterprise=enterprise).select_related("visitor").order_by("-visited_on", "-pk")[:limit])
    timeline = [Entry(timezone.localtime(n.created_at).date(), "need", n.case.title, n.case.reply, need=n) for n in needs]
    timeline += [Entry(v.visited_on, "visit", v.asked or v.promised, v.promised, visit=v) for v in visits]
    timeline += [Entry(date(f.year, 12, 31), "figures", str(f.year)) for f in figures]
    timeline.sort(key=lambda e: e.at, reverse=True)
    open_needs = Case.objects.filter(enterprise=enterprise, kind="enterprise", status__in=OPEN_STATUSES).count()
    return EnterprisePage(enterprise, tags, figures, contacts, officials, task_forces, timeline, open_needs)


def _visible_needs(user: Any) -> QuerySet[Need]:
    """Needs whose case the user may see (Case.objects.visible_to); no semi-join when the user sees every case."""
    if case_reach(user).everything:
        return Need.objects.all()
    return Need.objects.filter(case__in=Case.objects.visible_to(user))


def door_needs(user: Any) -> list[Need]:
    """The enterprise user's own needs, newest first (Case.objects.visible_to keeps them to their enterprise)."""
    return list(Need.objects.filter(case__in=Case.objects.visible_to(user)).select_related("case")
                .order_by("-created_at")[:200])


@dataclass
class NeedView:
    need: Need
    steps: list[CaseEvent]
    clocks: list[ClockState]


def need_view(user: Any, number: str) -> NeedView | None:
    """One need as the enterprise follows it: every public step of its case, and its three clocks."""
    need = (Need.objects.select_related("case", "case__lead_unit", "enterprise")
            .filter(case__in=Case.objects.visible_to(user), case__number=number).first())
    if need is None:
        return None
    steps = list(need.case.events.filter(action__in=PUBLIC_ACTIONS).select_related("actor_unit").order_by("created_at", "pk"))
    progress = next((s.created_at for s in steps if s.action in PROGRESS_ACTIONS), None)
    return NeedView(need, steps, states(need=need, case=need.case, progress_at=progress, now=timezone.now()))


# ------------------------------------------------------------------------------------------------ task forces


def task_forces_visible_to(user: Any) -> QuerySet[TaskForce]:
    """The office and city oversight see every 专班; a member or leader sees theirs."""
    if not is_signed_in(user):
        return TaskForce.objects.none()
    if role_of(user) in {*OFFICE_ROLES, *OVERSIGHT_ROLES}:
        return TaskForce.objects.all()
    return TaskForce.objects.filter(Q(members=user.pk) | Q(leader=user.pk)).distinct()


AGE_BUCKETS = ((1, "≤ 1"), (3, "2–3"), (5, "4–5"), (None, "> 5"))


@dataclass
class Board:
    task_force: TaskForce
    enterprises: int
    by_age: list[tuple[str, int]]
    open_needs: list[Need]
    overdue_promises: list[Need]
    not_visited: list[Enterprise]
    load: list[dict[str, Any]]


def board(user: Any, pk: int, *, now: datetime | None = None) -> Board | None:
    """The 专班's board: open needs by age (days), overdue promises, enterprises not visited in N days, members' load."""
    tf = task_forces_visible_to(user).select_related("leader").filter(pk=pk).first()
    if tf is None:
        return None
    now = now or timezone.now()
    firms = tf.enterprises.values("pk")
    # From the case side: the partial index case_open_enterprise holds open enterprise cases only.
    open_cases = Case.objects.filter(enterprise_id__in=firms, status__in=OPEN_STATUSES)
    # One aggregate: the count of each age band (a need received within the last n days is at most n days old).
    bands, lower = {}, None
    for i, (limit, _label) in enumerate(AGE_BUCKETS):
        older = Q() if limit is None else Q(created_at__gte=now - timedelta(days=limit))
        bands[f"b{i}"] = Count("pk", filter=older & (Q(created_at__lt=lower) if lower is not None else Q()))
        lower = now - timedelta(days=limit) if limit is not None else None
    counts = open_cases.aggregate(**bands)
    ages = {label: counts[f"b{i}"] for i, (_limit, label) in enumerate(AGE_BUCKETS)}
    first = list(open_cases.order_by("created_at").values_list("pk", flat=True)[:20])
    oldest = list(Need.objects.filter(pk__in=first).select_related("case", "enterprise", "case__lead_unit").order_by("created_at"))
    promised_needs = Need.objects.filter(visit__enterprise_id__in=firms, case__status__in=OPEN_STATUSES)
    promises = list(promised_needs.filter(close_due__lt=now)
                    .select_related("case", "enterprise", "visit__visitor").order_by("close_due")[:20])
    since = timezone.localdate(now) - timedelta(days=tf.visit_every_days)
    visited = Visit.objects.filter(enterprise_id__in=firms, visited_on__gte=since).values("enterprise_id")
    not_visited = list(tf.enterprises.exclude(pk__in=visited).order_by("name")[:50])
    members = list(tf.members.select_related("unit").order_by("pk"))
    visits = dict(Visit.objects.filter(visitor__in=members, enterprise_id__in=firms, visited_on__gte=since)
                  .values("visitor_id").annotate(n=Count("pk")).values_list("visitor_id", "n"))
    promised = dict(promised_needs.filter(visit__visitor__in=members).values("visit__visitor_id").annotate(n=Count("pk"))
                    .values_list("visit__visitor_id", "n"))
    load = [{"member": m, "visits": visits.get(m.pk, 0), "open_promises": promised.get(m.pk, 0)} for m in members]
    return Board(tf, tf.enterprises.count(), list(ages.items()), oldest, promises, not_visited, load)
