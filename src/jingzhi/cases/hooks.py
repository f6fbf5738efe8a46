"""Where apps above cases take part in a case's life, without cases importing them (ADR 011).

cases sits below dispatch, metrics, campaigns and the other domain apps: it must not import them.
An app that needs to act when something happens to a case registers a function here from its
AppConfig.ready(); the cases services call every registered function at that point. There are two
points today, both used by dispatch:

- `case_created`: the classifier's suggestion, automatic dispatch and hotspot detection run here. A create made
  in its own transaction (a request) queues them as one task (`cases.tasks.run_case_created_hooks`) inside that
  transaction, so they leave the request path and a crash cannot lose them; a create inside a caller's
  transaction (an import, the demo) runs them inline. A hook returns True when it changed the case, so intake
  re-reads it before answering when they ran at once. Hooks must be idempotent: a retried submission that finds
  its case runs them again, and a task may run twice.
- `dispatch_corrected`: inside the transaction of a return, transfer or re-dispatch (a wrong first
  dispatch is evidence for the classifier).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from jingzhi.cases.models import Case
    from jingzhi.org.models import Unit


class CorrectionHook(Protocol):
    def __call__(self, *, case: Case, kind: str, from_unit: Unit | None, to_unit: Unit | None = None,
                 reason: str = "") -> Any: ...


CaseCreatedHook = Callable[["Case"], bool]

_case_created: list[CaseCreatedHook] = []
_dispatch_corrected: list[CorrectionHook] = []


def on_case_created(hook: CaseCreatedHook) -> None:
    if hook not in _case_created:
        _case_created.append(hook)


def on_dispatch_corrected(hook: CorrectionHook) -> None:
    if hook not in _dispatch_corrected:
        _dispatch_corrected.append(hook)


def case_created(case: Case) -> bool:
    """Run the case-created hooks; True if any of them changed the case."""
    changed = False
    for hook in _case_created:
        changed = hook(case) or changed
    return changed


def dispatch_corrected(*, case: Case, kind: str, from_unit: Unit | None, to_unit: Unit | None = None,
                       reason: str = "") -> None:
    for hook in _dispatch_corrected:
        hook(case=case, kind=kind, from_unit=from_unit, to_unit=to_unit, reason=reason)
