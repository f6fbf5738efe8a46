"""Background tasks of the campaigns app."""

from __future__ import annotations

from django_tasks import task

from jingzhi.campaigns.reminders import report_sweep


@task()
def run_report_sweep() -> dict[str, int]:
    """Weekly report reminders and escalation (registered with core.scheduler in the app's AppConfig.ready())."""
    return report_sweep().as_dict()
