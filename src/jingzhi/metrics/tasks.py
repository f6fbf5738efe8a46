"""Background tasks of the metrics app (registered with core.scheduler in the app's AppConfig.ready())."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from jingzhi.metrics import rollup


@task()
def refresh_rollups() -> dict[str, Any]:
    """Rebuild the days that received new case events and retake the open-case snapshot."""
    return rollup.as_dict(rollup.refresh())
