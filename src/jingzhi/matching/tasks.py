"""Background work of matching: re-match after a policy or an enterprise changed (queued after the commit)."""

from __future__ import annotations

from django_tasks import task


@task()
def rematch_policy_task(policy_id: int) -> int:
    from jingzhi.matching.services.matching import rematch

    return rematch(policy_ids=[policy_id]).written


@task()
def rematch_enterprises_task(enterprise_ids: list[int]) -> int:
    from jingzhi.matching.services.matching import rematch

    return rematch(enterprise_ids=enterprise_ids).written


def enqueue_enterprise_rematch(enterprise_ids: list[int]) -> None:
    """The enterprises registry hook (enterprises/hooks.py): runs after the registry write committed."""
    rematch_enterprises_task.enqueue(enterprise_ids=list(enterprise_ids))
