"""Background work of enterprise service: the needs' escalation sweep (a periodic job, see apps.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def need_sweep_task() -> int:
    from jingzhi.enterprises.services.needs import need_sweep

    return need_sweep()
