"""Every case service re-reads its case through the visibility rule: out of scope is NotFound and writes nothing.

The pages and the API look a case up through `visible_to` before they call a service, but the services must not
rely on it (issue 9): a county supervisor escalated another county's case through `case_escalate` directly. The
table below names, for every public case service, the state its case must be in and how to call it; the test
enumerates the services from the packages themselves, so a new service without a row here fails.
"""

from __future__ import annotations

import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

import jingzhi.cases.services as case_services
from jingzhi.cases import services as s
from jingzhi.cases.models import (
    Case,
    CaseEvent,
    ExtensionRequest,
    FollowUp,
    ReplyDraft,
    Review,
    Status,
    Supervision,
    SuspensionRequest,
)
from jingzhi.cases.services import review, supervision
from jingzhi.cases.services.review_policy import reply_review_policy_set
from jingzhi.core.errors import NotFound, PermissionDenied
from jingzhi.core.models import AuditLog, Notification
from jingzhi.dispatch.models import DispatchCorrection
from tests import factories as f
from tests.cases.helpers import MONDAY, case_in, make_case

pytestmark = pytest.mark.django_db

COUNTY_A = "211223"  # 西丰县: every case of this test lies there
LATER = MONDAY + timedelta(hours=2)


@dataclass(frozen=True)
class Row:
    """The status the case is walked to; what else must exist first (made by insiders); the call itself."""

    status: str
    call: Callable[[Any, Case, Any, Any], object]
    prepare: Callable[[Any, Case], Any] = lambda city, case: None


def _held(city: Any, case: Case) -> None:
    """A public submission held for review (cases/services/review.py)."""
    Case.objects.filter(pk=case.pk).update(review=Review.HELD, dispatch_due=None, review_reasons=["link"])
    case.refresh_from_db()


def _extension_request(city: Any, case: Case) -> ExtensionRequest:
    return s.case_request_extension(case=case, actor=city.handler, working_days=3, reason="需要协调产权单位", at=LATER)


def _suspension_request(city: Any, case: Case) -> SuspensionRequest:
    return s.case_request_suspension(case=case, actor=city.handler, reason="等待材料", resume_by=LATER.date() + timedelta(days=7),
                                     at=LATER)


def _reviewing(city: Any, case: Case) -> None:
    """The lead unit (housing) reviews its handlers' replies."""
    reply_review_policy_set(actor=city.admin, unit=city.housing, review_replies=True)


def _draft(city: Any, case: Case) -> ReplyDraft:
    _reviewing(city, case)
    return s.case_submit_reply(case=case, actor=city.handler, reply="已修复", outcome="resolved", at=LATER)


TABLE: dict[str, Row] = {
    "case_review_release": Row(Status.ACCEPTED, lambda c, case, a, p: review.case_review_release(case=case, actor=a),
                               prepare=_held),
    "case_review_reject": Row(Status.ACCEPTED, lambda c, case, a, p: review.case_review_reject(
        case=case, actor=a, reason="广告"), prepare=_held),
    "case_acknowledge": Row(Status.DISPATCHED, lambda c, case, a, p: s.case_acknowledge(case=case, actor=a, at=LATER)),
    "case_add_note": Row(Status.HANDLING, lambda c, case, a, p: s.case_add_note(case=case, actor=a, note="已电话联系物业")),
    "case_answer_directly": Row(Status.ACCEPTED, lambda c, case, a, p: s.case_answer_directly(
        case=case, actor=a, reply="按政策解答", at=LATER)),
    "case_close": Row(Status.FOLLOWED_UP, lambda c, case, a, p: s.case_close(case=case, actor=a, at=LATER)),
    "case_dispatch": Row(Status.ACCEPTED, lambda c, case, a, p: s.case_dispatch(case=case, unit=c.env, actor=a, at=LATER)),
    "case_follow_up": Row(Status.REPLIED, lambda c, case, a, p: s.case_follow_up(
        case=case, actor=a, contacted=True, resolution="resolved", satisfaction="satisfied", at=LATER)),
    "case_merge": Row(Status.ACCEPTED, lambda c, case, a, p: s.case_merge(case=case, into=p, actor=a, at=LATER),
                      prepare=lambda c, case: make_case(c, division_code=COUNTY_A)),
    "case_overrule_return": Row(Status.RETURNED, lambda c, case, a, p: s.case_overrule_return(
        case=case, actor=a, reason="属于本单位职责", at=LATER)),
    "case_redispatch": Row(Status.RETURNED, lambda c, case, a, p: s.case_redispatch(case=case, unit=c.env, actor=a, at=LATER)),
    "case_reopen": Row(Status.FOLLOWED_UP, lambda c, case, a, p: s.case_reopen(case=case, actor=a, reason="群众不满意", at=LATER)),
    "case_reply": Row(Status.HANDLING, lambda c, case, a, p: s.case_reply(case=case, actor=a, reply="已修复", at=LATER)),
    "case_request_extension": Row(Status.HANDLING, lambda c, case, a, p: s.case_request_extension(
        case=case, actor=a, working_days=3, reason="需要协调产权单位", at=LATER)),
    "case_resume": Row(Status.SUSPENDED, lambda c, case, a, p: s.case_resume(case=case, actor=a, at=LATER)),
    "case_return": Row(Status.DISPATCHED, lambda c, case, a, p: s.case_return(case=case, actor=a, reason="不属于本单位", at=LATER)),
    "case_reveal": Row(Status.ACCEPTED, lambda c, case, a, p: s.case_reveal(case=case, actor=a, field="requester_phone")),
    "case_request_suspension": Row(Status.HANDLING, lambda c, case, a, p: s.case_request_suspension(
        case=case, actor=a, reason="等待材料", resume_by=LATER.date() + timedelta(days=7), at=LATER)),
    "suspension_approve": Row(Status.HANDLING, lambda c, case, a, p: s.suspension_approve(request=p, actor=a, at=LATER),
                              prepare=_suspension_request),
    "suspension_reject": Row(Status.HANDLING, lambda c, case, a, p: s.suspension_reject(
        request=p, actor=a, note="理由不充分", at=LATER), prepare=_suspension_request),
    "case_submit_reply": Row(Status.HANDLING, lambda c, case, a, p: s.case_submit_reply(
        case=case, actor=a, reply="已修复", outcome="resolved", at=LATER), prepare=_reviewing),
    "reply_approve": Row(Status.HANDLING, lambda c, case, a, p: s.reply_approve(draft=p, actor=a, at=LATER),
                         prepare=_draft),
    "reply_return": Row(Status.HANDLING, lambda c, case, a, p: s.reply_return(draft=p, actor=a, reason="请补充照片", at=LATER),
                        prepare=_draft),
    "case_transfer": Row(Status.DISPATCHED, lambda c, case, a, p: s.case_transfer(
        case=case, unit=c.env, actor=a, reason="职责调整", at=LATER)),
    "extension_approve": Row(Status.HANDLING, lambda c, case, a, p: s.extension_approve(request=p, actor=a, at=LATER),
                             prepare=_extension_request),
    "extension_reject": Row(Status.HANDLING, lambda c, case, a, p: s.extension_reject(
        request=p, actor=a, note="理由不充分", at=LATER), prepare=_extension_request),
    "case_assign": Row(Status.HANDLING, lambda c, case, a, p: s.case_assign(case=case, actor=a, assignee=c.handler)),
    "case_supervise": Row(Status.HANDLING, lambda c, case, a, p: s.case_supervise(
        case=case, actor=a, instruction="请两日内答复", deadline=timezone.localdate())),
    "case_instruct": Row(Status.HANDLING, lambda c, case, a, p: s.case_instruct(case=case, actor=a, instruction="请抓紧")),
    "case_follow_up_and_close": Row(Status.REPLIED, lambda c, case, a, p: s.case_follow_up_and_close(
        case=case, actor=a, resolution="resolved", satisfaction="satisfied", at=LATER)),
    "case_escalate": Row(Status.DISPATCHED, lambda c, case, a, p: supervision.case_escalate(
        case=case, level=Supervision.SUPERVISED, actor=a, note="人工督办", at=LATER)),
}

# Functions with an `actor` that act on no existing case, and why they need no row above.
NO_CASE_TO_SEE = {
    "case_create": "registers a new case; only the hotline centre may (role check, tested below)",
    "sla_policy_set": "the city's time-limit policy, no case: administrators only (tests/org/test_admin_writes.py)",
    "sla_rule_set": "a time-limit rule, no case: administrators only (tests/org/test_admin_writes.py)",
    "sla_rule_delete": "a time-limit rule, no case: administrators only (tests/org/test_admin_writes.py)",
    "import_cases": "registers new cases through case_create",
    "may_reveal": "a predicate: writes nothing",
    "reply_review_required": "a predicate: writes nothing",
    "may_set_policy": "a predicate: writes nothing",
    "reply_review_policy_set": "a unit's setting, no case: its head or administrators (tests/cases/test_reply_review.py)",
    "send_reply": "the inner step of case_reply and reply_approve, on the case they have locked through lock()",
    "store_reply_files": "the inner step of case_reply and case_submit_reply, on the case they have locked",
}


def _services() -> set[str]:
    """Every public function of the case service modules that takes an actor (and everything in __all__)."""
    names = set(case_services.__all__)
    for info in pkgutil.iter_modules(case_services.__path__):
        if info.name == "common":  # the shared helpers (lock, commit) every service goes through
            continue
        module = __import__(f"{case_services.__name__}.{info.name}", fromlist=["_"])
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") and "actor" in inspect.signature(fn).parameters:
                names.add(name)
    return names


def test_every_case_service_has_a_visibility_row() -> None:
    services = _services()
    assert "case_escalate" in services and "case_acknowledge" in services  # the enumeration finds both packages
    missing = services - TABLE.keys() - NO_CASE_TO_SEE.keys()
    assert not missing, f"add a row to TABLE (or NO_CASE_TO_SEE, with a reason) for: {sorted(missing)}"
    assert not (TABLE.keys() - services), "TABLE names a service that no longer exists"


OUTSIDERS: dict[str, Callable[[Any], Any]] = {
    "other county supervisor": lambda c: f.user("supervisor", c.hotline, c.county_b, username="supervisor_ky"),
    "other county leader": lambda c: c.county_leader,
    "other unit handler": lambda c: c.env_handler,
    "other unit head": lambda c: f.user("unit_head", c.env, username="env_head"),
}


def _written(case_pk: int) -> dict[str, object]:
    """Everything a case service may write: the case row and every table of events, notes and side effects."""
    return {
        "case": Case.objects.filter(pk=case_pk).values().get(),
        "assisting": sorted(Case.objects.get(pk=case_pk).assisting_units.values_list("pk", flat=True)),
        **{model.__name__: list(model.objects.order_by("pk").values())
           for model in (CaseEvent, ExtensionRequest, FollowUp, Notification, AuditLog, DispatchCorrection,
                         SuspensionRequest, ReplyDraft)},
        "cases": Case.objects.count(),
    }


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("service", sorted(TABLE))
def test_outsider_gets_not_found_and_nothing_is_written(
    city: Any, service: str, outsider: str, django_capture_on_commit_callbacks: Any
) -> None:
    row = TABLE[service]
    case = case_in(city, row.status, division_code=COUNTY_A)
    prepared = row.prepare(city, case)
    actor = OUTSIDERS[outsider](city)
    assert not Case.objects.visible_to(actor).filter(pk=case.pk).exists()  # the premise: the actor cannot see it
    before = _written(case.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(NotFound, match="not found"):
        row.call(city, case, actor, prepared)
    assert callbacks == []
    assert _written(case.pk) == before


@pytest.mark.parametrize("service", sorted(TABLE))
def test_the_same_call_succeeds_for_an_administrator(city: Any, service: str) -> None:
    """The control: the rows above fail for the outsider's scope, not because the call itself is wrong."""
    row = TABLE[service]
    case = case_in(city, row.status, division_code=COUNTY_A)
    prepared = row.prepare(city, case)
    events = CaseEvent.objects.filter(case=case).count()
    row.call(city, case, city.admin, prepared)
    if service == "case_reveal":
        assert AuditLog.objects.filter(action="reveal", object_id=case.number).exists()
    else:
        assert CaseEvent.objects.filter(case=case).count() > events


def test_a_county_supervisor_cannot_escalate_another_countys_case(city: Any) -> None:
    """The reported bug: case_escalate returned True for a supervisor who cannot see the case."""
    ky_supervisor = f.user("supervisor", city.hotline, city.county_b, username="supervisor_ky")
    case = case_in(city, Status.DISPATCHED, division_code=COUNTY_A)
    with pytest.raises(NotFound, match="not found"):
        supervision.case_escalate(case=case, level=Supervision.SUPERVISED, actor=ky_supervisor, at=LATER)
    assert Case.objects.get(pk=case.pk).supervision == Supervision.NONE
    # Their own county's case they may escalate; the system (the sweep, actor None) may escalate any.
    own = case_in(city, Status.DISPATCHED, division_code="211282")
    assert supervision.case_escalate(case=own, level=Supervision.SUPERVISED, actor=ky_supervisor, at=LATER) is True
    assert supervision.case_escalate(case=case, level=Supervision.SUPERVISED, actor=None, at=LATER) is True


def test_merging_into_a_case_the_actor_cannot_see_is_not_found(city: Any) -> None:
    ky_supervisor = f.user("supervisor", city.hotline, city.county_b, username="supervisor_ky")
    mine = make_case(city, division_code="211282")
    theirs = make_case(city, division_code=COUNTY_A)
    before = _written(mine.pk)
    with pytest.raises(NotFound):
        s.case_merge(case=mine, into=theirs, actor=ky_supervisor, at=LATER)
    assert _written(mine.pk) == before


def test_registering_a_case_is_the_hotline_centres_alone(city: Any) -> None:
    count = Case.objects.count()
    with pytest.raises(PermissionDenied):
        make_case(city, actor=city.env_handler, division_code=COUNTY_A)
    assert Case.objects.count() == count
