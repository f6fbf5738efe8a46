"""What every case transition shares: lock the row, check the table and the actor, write the event."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.cases.models import (
    Case,
    CaseEvent,
    ExtensionRequest,
    ReplyDraft,
    Review,
    Status,
    SuspensionRequest,
)
from jingzhi.cases.transitions import HELD_ALLOWED, TRANSITIONS, Action, Transition, UnitScope
from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied
from jingzhi.core.notify import notify_after_commit
from jingzhi.core.validators import clean_text
from jingzhi.org.access import is_admin, role_of
from jingzhi.org.models import Division, Role, User


def may_perform(action: Action, case: Case, actor: User | None) -> bool:
    """True if the table allows `action` from the case's status, for this actor's role and unit."""
    transition = TRANSITIONS[action]
    if case.status not in transition.sources or (case.review == Review.HELD and action not in HELD_ALLOWED):
        return False
    return _actor_allowed(transition, case, actor)


def _actor_allowed(transition: Transition, case: Case, actor: User | None) -> bool:
    if actor is None:  # the system (SLA sweep) acts on its own authority
        return True
    if role_of(actor) not in transition.roles:
        return False
    if is_admin(actor) or transition.unit_scope == UnitScope.ANY:
        return True
    if actor.unit_id is None:
        return False
    if actor.unit_id == case.lead_unit_id:
        return True
    if transition.unit_scope == UnitScope.LEAD_OR_ASSISTING:
        return case.assisting_units.filter(pk=actor.unit_id).exists()
    return False


def visible_cases(actor: User | None) -> QuerySet[Case]:
    """The cases `actor` may act on: the visibility rule, or every case for the system itself (None)."""
    return Case.objects.all() if actor is None else Case.objects.visible_to(actor)


def lock_visible(pk: int, *, actor: User | None) -> Case:
    """Re-read a case through the visibility rule under a row lock (inside transaction.atomic()).

    A case the actor may not see raises the same NotFound as a missing one, so a service can never act
    on a case its caller could not have opened in a page. Only the case's own row is locked (`of`): the
    visibility rule joins the division, which must not be locked along with it.
    """
    try:
        return visible_cases(actor).select_for_update(of=("self",)).get(pk=pk)
    except Case.DoesNotExist:
        raise NotFound(_("Case not found.")) from None


def lock(case: Case, *, action: Action, actor: User | None, expected_version: int | None = None) -> Case:
    """Re-read the case through the visibility rule under a row lock and check that `actor` may do `action` now.

    Call inside transaction.atomic(). Raises NotFound when the actor may not see the case, PermissionDenied,
    or InvalidTransition when the case has moved on (someone else acted first, or the client showed an old
    version).
    """
    locked = lock_visible(case.pk, actor=actor)
    transition = TRANSITIONS[action]
    if not _actor_allowed(transition, locked, actor):
        raise PermissionDenied(_("Your role or unit may not do this to this case."))
    if expected_version is not None and locked.version != expected_version:
        raise InvalidTransition(_("This case was changed by someone else a moment ago. Reload the page and try again."))
    if locked.review == Review.HELD and action not in HELD_ALLOWED:
        raise InvalidTransition(_("This case is held for review: release it from the review tab of the dispatch queue first."))
    if locked.status not in transition.sources:
        raise InvalidTransition(
            _("This cannot be done while the case is “%(status)s”.") % {"status": locked.get_status_display()}
        )
    return locked


# While a case sits in one of these, a pending extension request still has a deadline to extend.
EXTENSION_STATES = frozenset({Status.HANDLING, Status.SUSPENDED})


def commit(
    case: Case,
    *,
    action: Action,
    actor: User | None,
    from_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
    update_fields: Iterable[str] = (),
) -> CaseEvent:
    """Save the changed fields, bump the version and append the event that explains the change."""
    # The row is locked (see lock()), so a plain increment cannot lose an update.
    case.version += 1
    case.save(update_fields=sorted(set(update_fields) | {"status", "updated_at", "version"}))
    if from_status in EXTENSION_STATES and case.status not in EXTENSION_STATES:
        # Once the unit has replied, handed the case on or it was closed, a pending request for more time
        # has nothing left to extend: it lapses rather than waiting on the supervisor's board for ever
        # (and blocking a fresh request after a reopen). A request is only ever pending while the case is in
        # one of EXTENSION_STATES (this lapses it on the way out), so other moves need not look.
        ExtensionRequest.objects.filter(case=case, state=ExtensionRequest.State.PENDING).update(
            state=ExtensionRequest.State.LAPSED, decided_at=at or timezone.now()
        )
        # Likewise a suspension request, and a reply still with the unit head or back with the handler (a head's
        # direct reply, a return or a transfer leave nothing for the draft to become).
        SuspensionRequest.objects.filter(case=case, state=SuspensionRequest.State.PENDING).update(
            state=SuspensionRequest.State.LAPSED, decided_at=at or timezone.now()
        )
        ReplyDraft.objects.filter(case=case, state__in=[ReplyDraft.State.PENDING, ReplyDraft.State.RETURNED]).update(
            state=ReplyDraft.State.LAPSED, decided_at=at or timezone.now()
        )
    return CaseEvent.objects.create(
        case=case,
        action=action.value,
        actor=actor,
        actor_unit_id=actor.unit_id if actor is not None else None,
        from_status=from_status,
        to_status=case.status,
        # Every note of the case's history (replies, reasons, handling notes) is published somewhere: cleaned here once.
        note=clean_text(note, multiline=True),
        data=data or {},
        created_at=at or timezone.now(),
    )


def unit_staff(unit_id: int | None, *, heads_only: bool = False) -> list[int]:
    if unit_id is None:
        return []
    roles = [Role.UNIT_HEAD] if heads_only else [Role.HANDLER, Role.UNIT_HEAD]
    return list(User.objects.filter(unit_id=unit_id, role__in=roles, is_active=True).values_list("pk", flat=True))


def users_with_role(role: str) -> list[int]:
    return list(User.objects.filter(role=role, is_active=True).values_list("pk", flat=True))


class _InDivision(Protocol):
    @property
    def division(self) -> Division: ...


def supervisors_for(case: _InDivision) -> list[int]:
    """Supervisors whose division subtree contains the case."""
    path = case.division.path
    return [
        pk
        for pk, div_path in User.objects.filter(role=Role.SUPERVISOR, is_active=True, division__isnull=False).values_list(
            "pk", "division__path"
        )
        if path.startswith(div_path)
    ]


def notify(recipients: Callable[[], Iterable[int]], *, kind: str, case: Case, message: str) -> None:
    """Notify after commit; `recipients` is evaluated then, so a rolled-back or silent run costs no queries."""
    notify_after_commit(recipients=recipients, kind=kind, message=message, subject_type="case", subject_ref=case.number)

