"""Background tasks of the cases app: they take plain values and call one function."""

from __future__ import annotations

from django_tasks import task

from jingzhi.cases.sweep import sla_sweep


@task()
def run_sla_sweep() -> dict[str, int | float]:
    """The periodic SLA sweep (registered with core.scheduler in the app's AppConfig.ready()); returns what it did."""
    return sla_sweep().as_dict()
