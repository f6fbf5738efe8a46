"""Periodic jobs of early warning (registered with core.scheduler in the app's AppConfig.ready())."""

from __future__ import annotations

from django_tasks import task

from jingzhi.earlywarning import taskflow


@task()
def escalate_overdue() -> int:
    """Escalate tasks whose 叫应 window has passed (every minute)."""
    return taskflow.escalate_overdue()


@task()
def raise_seasonal() -> int:
    """Raise seasonal preparation tasks (hourly; once per rule and year)."""
    return taskflow.raise_seasonal()
