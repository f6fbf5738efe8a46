"""Background tasks of the cases app: they take plain values and call one function."""

from __future__ import annotations

from django_tasks import task

from jingzhi.cases.sweep import sla_sweep


@task()
def run_sla_sweep() -> dict[str, int | float]:
    """The periodic SLA sweep (registered with core.scheduler in the app's AppConfig.ready()); returns what it did."""
    return sla_sweep().as_dict()


@task()
def run_case_created_hooks(case_id: int) -> bool:
    """The case-created hooks (the classifier's suggestion, automatic dispatch, hotspots) for a case a request
    created: queued in the create's own transaction, so a crash cannot lose them (issue 12). True if a hook changed
    the case."""
    from jingzhi.cases import hooks, notices
    from jingzhi.cases.models import Case, Review

    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.review == Review.HELD:
        return False
    changed = hooks.case_created(case)
    # The requester's SMS with the case number: here, in the worker, so the create's request path gains nothing.
    notices.case_registered(case)
    return changed
