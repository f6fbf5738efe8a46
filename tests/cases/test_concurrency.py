"""Two people acting on one case at once cannot corrupt it (PostgreSQL, real transactions, real threads).

Each race starts the competing calls together (a barrier) and slows the first writer down inside its transaction, so
the loser is certainly waiting on the row lock while the winner writes: without `select_for_update` both would read
the old status and both would "succeed", and these tests would fail.

SQLite serialises whole-database writes and its in-memory test database cannot be shared between threads, so these
tests need PostgreSQL (`DATABASE_URL=postgres://...`); the single-threaded halves of each rule (stale versions,
second attempts) are tested on both databases in test_lifecycle.py and test_extension.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connections, transaction

from jingzhi.cases import services as s
from jingzhi.cases.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    ExtensionRequest,
    ReplyDraft,
    Status,
    SuspensionRequest,
)
from jingzhi.cases.numbers import running_part
from jingzhi.cases.services import extension, intake, lifecycle, reply_review, suspension
from jingzhi.core.errors import ApplicationError, InvalidTransition, ValidationFailed
from jingzhi.core.models import Notification
from tests.cases.helpers import MONDAY, case_in, events, fresh, sh

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ON_POSTGRES, reason="real row locks and concurrent connections need PostgreSQL"),
]

LATER = MONDAY + timedelta(hours=2)
HOLD = 0.3  # seconds the first writer keeps its row lock


def race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run the calls in threads that start together; each result is ("ok", value) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("none", None)] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", call())
        except Exception as e:  # noqa: BLE001 — the outcome is what the test inspects
            results[i] = ("error", e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung: a lock was never released"
    return results


@contextmanager
def slow(module: Any, name: str, seconds: float = HOLD) -> Iterator[None]:
    """Make `module.name` wait before doing its work, so a competing transaction has to queue behind it."""
    original = getattr(module, name)

    def slowed(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(*args, **kwargs)

    setattr(module, name, slowed)
    try:
        yield
    finally:
        setattr(module, name, original)


def _outcomes(results: list[tuple[str, Any]]) -> list[str]:
    return sorted(kind if kind == "ok" else type(value).__name__ for kind, value in results)


def test_two_acknowledgements_at_once_one_wins(city: Any) -> None:
    case = case_in(city, Status.DISPATCHED)
    version = fresh(case).version
    with slow(lifecycle, "commit"):
        results = race(
            lambda: s.case_acknowledge(case=case, actor=city.handler, at=LATER),
            lambda: s.case_acknowledge(case=case, actor=city.unit_head, at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    row = fresh(case)
    assert (row.status, row.version, row.acknowledged_at) == (Status.HANDLING, version + 1, LATER)
    assert [e for e in events(case) if e[0] == "acknowledge"] == [("acknowledge", "dispatched", "handling")]
    winner = next(v for k, v in results if k == "ok")
    assert CaseEvent.objects.get(case=case, action="acknowledge").actor_id in {city.handler.pk, city.unit_head.pk}
    assert winner.version == row.version


def test_a_return_and_an_acknowledgement_from_the_same_page_one_wins(city: Any) -> None:
    # Both people saw the case as "dispatched" (the page sends the version it showed): whoever is second is refused.
    case = case_in(city, Status.DISPATCHED)
    shown = fresh(case).version
    events_before = CaseEvent.objects.filter(case=case).count()
    with slow(lifecycle, "commit"):
        results = race(
            lambda: s.case_return(case=case, actor=city.handler, reason="不属于我局职责", expected_version=shown, at=LATER),
            lambda: s.case_acknowledge(case=case, actor=city.unit_head, expected_version=shown, at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    row = fresh(case)
    assert row.version == shown + 1
    if results[0][0] == "ok":
        assert (row.status, row.return_count, row.acknowledged_at) == (Status.RETURNED, 1, None)
        assert events(case)[-1] == ("return", "dispatched", "returned")
    else:
        assert (row.status, row.return_count, row.acknowledged_at) == (Status.HANDLING, 0, LATER)
        assert events(case)[-1] == ("acknowledge", "dispatched", "handling")


def test_a_return_racing_an_acknowledgement_without_versions_stays_consistent(city: Any) -> None:
    # Without a version the table decides: a return after the acknowledgement is still allowed (a unit may return a
    # case it is handling), an acknowledgement after the return is not. Either way every change has exactly one event.
    case = case_in(city, Status.DISPATCHED)
    with slow(lifecycle, "commit"):
        results = race(
            lambda: s.case_return(case=case, actor=city.handler, reason="不属于我局职责", at=LATER),
            lambda: s.case_acknowledge(case=case, actor=city.unit_head, at=LATER),
        )
    row = fresh(case)
    tail = events(case)[2:]  # after create and dispatch
    if all(kind == "ok" for kind, _value in results):
        assert tail == [("acknowledge", "dispatched", "handling"), ("return", "handling", "returned")]
        assert (row.status, row.version) == (Status.RETURNED, 4)
    else:
        assert _outcomes(results) == ["InvalidTransition", "ok"]
        assert results[1][0] == "error"  # only the acknowledgement can lose
        assert tail == [("return", "dispatched", "returned")]
        assert (row.status, row.version) == (Status.RETURNED, 3)


def test_two_dispatchers_at_once_one_unit_gets_the_case_and_only_it_is_told(city: Any) -> None:
    case = case_in(city, Status.ACCEPTED)
    with slow(lifecycle, "commit"):
        results = race(
            lambda: s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=LATER),
            lambda: s.case_dispatch(case=case, unit=city.env, actor=city.admin, at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    row = fresh(case)
    winner_unit = city.housing if results[0][0] == "ok" else city.env
    assert (row.status, row.lead_unit) == (Status.DISPATCHED, winner_unit)
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    told = set(Notification.objects.filter(kind="assigned").values_list("recipient__unit", flat=True))
    assert told == {winner_unit.pk}


def test_a_stale_version_loses_to_a_concurrent_change(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    shown = fresh(case).version
    with slow(lifecycle, "commit"):
        results = race(
            lambda: s.case_reply(case=case, actor=city.handler, reply="已处理", expected_version=shown, at=LATER),
            lambda: s.case_add_note(case=case, actor=city.unit_head, note="已上门", expected_version=shown),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    assert fresh(case).version == shown + 1


def test_the_same_idempotency_key_from_two_threads_creates_one_case(city: Any) -> None:
    def submit() -> tuple[Case, bool]:
        return s.case_create(actor=city.operator, channel="web", kind="complaint", title="路灯不亮", content="小区门口路灯坏了一周。",
                             division_code="211223", requester_phone="13812345678", idempotency_key="h5-7f3a",
                             received_at=MONDAY)

    # Both threads pass the "already there?" lookup before either has written: the unique key must decide.
    with slow(intake, "next_case_number"):
        results = race(submit, submit)
    assert [k for k, _v in results] == ["ok", "ok"]
    (case_a, created_a), (case_b, created_b) = (v for _k, v in results)
    assert sorted([created_a, created_b]) == [False, True]
    assert case_a.pk == case_b.pk
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="create").count() == 1
    # Each racer took its number before its transaction (one short lock on the counter, docs/performance.md), so
    # the loser's number is spent: a gap, never a second case and never a repeated number.
    assert CaseNumberSequence.objects.get(day=MONDAY.date()).last == 2
    assert running_part(case_a.number) in {"TL20241104-000001", "TL20241104-000002"}


def test_numbers_stay_unique_and_gapless_under_concurrent_intake(city: Any) -> None:
    def submit(i: int) -> Callable[[], tuple[Case, bool]]:
        return lambda: s.case_create(actor=city.operator, channel="hotline", kind="inquiry", title=f"咨询 {i}", content="公积金怎么提取？",
                                     division_code="211200", requester_phone="13812345678", received_at=sh(2024, 11, 4, 10, i))

    results = race(*(submit(i) for i in range(8)))
    assert [k for k, _v in results] == ["ok"] * 8
    numbers = sorted(running_part(n) for n in Case.objects.values_list("number", flat=True))
    assert numbers == [f"TL20241104-{n:06d}" for n in range(1, 9)]


def test_two_supervisors_deciding_one_extension_at_once(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    request = s.case_request_extension(case=case, actor=city.handler, working_days=2, reason="需协调", at=LATER)
    with slow(extension, "commit"):
        results = race(
            lambda: s.extension_approve(request=request, actor=city.supervisor, at=LATER),
            lambda: s.extension_approve(request=request, actor=city.admin, at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    row = fresh(case)
    assert (row.extensions_granted, row.reply_due) == (1, sh(2024, 11, 15, 17, 30))  # 13 Nov + 2 working days, once
    assert CaseEvent.objects.filter(case=case, action="approve_extension").count() == 1


def test_two_extension_requests_at_once_one_is_pending(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    with slow(extension, "commit"):
        results = race(
            lambda: s.case_request_extension(case=case, actor=city.handler, working_days=2, reason="需协调", at=LATER),
            lambda: s.case_request_extension(case=case, actor=city.unit_head, working_days=5, reason="需审批", at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    assert ExtensionRequest.objects.filter(case=case, state="pending").count() == 1
    assert CaseEvent.objects.filter(case=case, action="request_extension").count() == 1


def test_merging_two_cases_into_each_other_at_once_leaves_no_cycle(city: Any) -> None:
    a, b = case_in(city, Status.ACCEPTED), case_in(city, Status.ACCEPTED)
    with slow(lifecycle, "commit"):
        results = race(
            lambda: s.case_merge(case=a, into=b, actor=city.operator, at=LATER),
            lambda: s.case_merge(case=b, into=a, actor=city.dispatcher, at=LATER),
        )
    assert _outcomes(results) == ["ValidationFailed", "ok"]
    loser = next(v for k, v in results if k == "error")
    assert isinstance(loser, ValidationFailed) and set(loser.fields) == {"into"}
    statuses = sorted([fresh(a).status, fresh(b).status])
    assert statuses == [Status.ACCEPTED, Status.MERGED]
    merged = fresh(a) if fresh(a).status == Status.MERGED else fresh(b)
    assert merged.merged_into is not None and merged.merged_into.status == Status.ACCEPTED


def test_errors_in_a_race_are_application_errors_not_database_errors(city: Any) -> None:
    # A deadlock or serialisation failure would surface as an OperationalError here, never as a clean refusal.
    case = case_in(city, Status.DISPATCHED)
    with slow(lifecycle, "commit"):
        results = race(*(lambda u=u: s.case_acknowledge(case=case, actor=u, at=LATER)
                         for u in (city.handler, city.unit_head, city.admin, city.handler)))
    errors = [v for k, v in results if k == "error"]
    assert len(errors) == 3 and all(isinstance(e, InvalidTransition) and isinstance(e, ApplicationError) for e in errors)


# ---- notifications with real commits -------------------------------------------------------------------------------------


def test_a_committed_transition_notifies(city: Any) -> None:
    case = case_in(city, Status.ACCEPTED)
    s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=LATER)
    assert sorted(Notification.objects.filter(kind="assigned").values_list("recipient__username", flat=True)) == ["handler", "unithead"]


def test_a_rolled_back_transition_notifies_nobody_and_leaves_no_trace(city: Any) -> None:
    case = case_in(city, Status.ACCEPTED)
    with pytest.raises(RuntimeError), transaction.atomic():
        s.case_dispatch(case=case, unit=city.housing, actor=city.dispatcher, at=LATER)
        raise RuntimeError("the caller fails after the service")
    assert Notification.objects.count() == 0
    row = fresh(case)
    assert (row.status, row.lead_unit, row.version) == (Status.ACCEPTED, None, 1)
    assert events(case) == [("create", "", "accepted")]


# ---- issue 11: the unit head's review of a reply, and 中止 under a supervisor's approval -----------------------------------


def _reviewed_draft(city: Any) -> tuple[Case, Any]:
    from jingzhi.cases.services.review_policy import reply_review_policy_set

    reply_review_policy_set(actor=city.admin, unit=city.housing, review_replies=True)
    case = case_in(city, Status.HANDLING)
    draft = s.case_submit_reply(case=case, actor=city.handler, reply="已检修，室温恢复。", outcome="resolved", at=LATER)
    return case, draft


def test_a_double_click_approving_a_reply_sends_it_once(city: Any) -> None:
    case, draft = _reviewed_draft(city)
    with slow(lifecycle, "commit"):  # approval goes out through lifecycle.send_reply
        results = race(
            lambda: s.reply_approve(draft=draft, actor=city.unit_head, at=LATER),
            lambda: s.reply_approve(draft=draft, actor=city.unit_head, at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    assert fresh(case).status == Status.REPLIED
    assert CaseEvent.objects.filter(case=case, action="reply").count() == 1
    assert ReplyDraft.objects.get(pk=draft.pk).state == ReplyDraft.State.APPROVED


def test_approving_and_returning_one_reply_at_once_one_decision_stands(city: Any) -> None:
    case, draft = _reviewed_draft(city)
    with slow(lifecycle, "commit"), slow(reply_review, "commit"):
        results = race(
            lambda: s.reply_approve(draft=draft, actor=city.unit_head, at=LATER),
            lambda: s.reply_return(draft=draft, actor=city.admin, reason="请补充照片", at=LATER),
        )
    assert sorted(k for k, _v in results) == ["error", "ok"]
    decided = ReplyDraft.objects.get(pk=draft.pk).state
    replied = CaseEvent.objects.filter(case=case, action="reply").count()
    returned = CaseEvent.objects.filter(case=case, action="return_reply").count()
    assert (decided, replied, returned) in {(ReplyDraft.State.APPROVED, 1, 0), (ReplyDraft.State.RETURNED, 0, 1)}


def test_two_submissions_at_once_leave_one_draft(city: Any) -> None:
    from jingzhi.cases.services.review_policy import reply_review_policy_set

    reply_review_policy_set(actor=city.admin, unit=city.housing, review_replies=True)
    case = case_in(city, Status.HANDLING)
    with slow(reply_review, "commit"):
        results = race(
            lambda: s.case_submit_reply(case=case, actor=city.handler, reply="第一稿", outcome="resolved", at=LATER),
            lambda: s.case_submit_reply(case=case, actor=city.handler, reply="第二稿", outcome="resolved", at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    assert ReplyDraft.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, action="submit_reply").count() == 1


def test_two_supervisors_approving_one_suspension_at_once_suspend_once(city: Any) -> None:
    case = case_in(city, Status.HANDLING)
    request = s.case_request_suspension(case=case, actor=city.handler, reason="等待材料",
                                        resume_by=LATER.date() + timedelta(days=5), at=LATER)
    with slow(suspension, "commit"):
        results = race(
            lambda: s.suspension_approve(request=request, actor=city.supervisor, at=LATER),
            lambda: s.suspension_approve(request=request, actor=city.admin, at=LATER),
        )
    assert _outcomes(results) == ["InvalidTransition", "ok"]
    assert fresh(case).status == Status.SUSPENDED
    assert CaseEvent.objects.filter(case=case, action="suspend").count() == 1
    assert SuspensionRequest.objects.get(pk=request.pk).state == SuspensionRequest.State.APPROVED


def test_two_sweeps_at_once_write_exactly_what_one_sweep_writes(city: Any) -> None:
    """Two workers sweeping the same backlog at the same moment (SKIP LOCKED): nothing twice, nothing left out.

    The reference is one sweep over the same backlog, rolled back; then two sweeps race in small batches, so
    their batches overlap and each must skip the rows the other holds or finds already raised.
    """
    from jingzhi.cases.sweep import sla_sweep
    from tests.cases.test_sweep_bulk import MOMENTS, _backlog, _written

    _backlog(city)
    moment = MOMENTS[2]
    with transaction.atomic():
        alone = sla_sweep(now=moment, batch_size=3)
        reference = _written()
        transaction.set_rollback(True)
    assert alone.reminded + alone.supervised + alone.flagged >= 10  # enough work for the race to mean something
    assert _written()[0] == []

    results = race(lambda: sla_sweep(now=moment, batch_size=3), lambda: sla_sweep(now=moment, batch_size=3))
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    together = [value for _kind, value in results]
    assert _written() == reference
    assert sum(r.reminded + r.supervised + r.flagged for r in together) == (
        alone.reminded + alone.supervised + alone.flagged)
    assert sum(r.errors for r in together) == 0
    # And a third sweep at the same moment finds nothing left to do.
    again = sla_sweep(now=moment, batch_size=3)
    assert again.reminded + again.supervised + again.flagged == 0
