"""Re-matching of programmes as tasks, queued after the commit of the write that needs it."""

from __future__ import annotations

from django_tasks import task


@task()
def rematch_programme_task(programme_id: int) -> int:
    from jingzhi.matching.programmes.matching import rematch

    return rematch(programme_ids=[programme_id]).written


@task()
def rematch_division_task(division_id: int) -> int:
    from jingzhi.matching.programmes.matching import rematch

    return rematch(division_ids=[division_id]).written
