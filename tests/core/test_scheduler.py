"""The scheduler enqueues periodic jobs when due, once across several schedulers; embedded workers run the queue."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from jingzhi.core.scheduler import (
    PERIODIC_JOBS,
    PeriodicJob,
    Scheduler,
    enqueue_if_idle,
    run_scheduler,
    start_embedded_worker,
)

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SWEEP = PeriodicJob("sla_sweep", "jingzhi.cases.tasks.run_sla_sweep", 300)
calls: list[str] = []


@task()
def noop(tag: str = "tick") -> str:
    calls.append(tag)
    return tag


NOOP = PeriodicJob("noop", noop.module_path, 0.05)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def queued(path: str = SWEEP.task_path) -> list[str]:
    return list(DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at").values_list("status", flat=True))


def test_the_periodic_jobs_are_tasks() -> None:
    assert ("sla_sweep", "jingzhi.cases.tasks.run_sla_sweep", 300) in PERIODIC_JOBS
    for job in PERIODIC_JOBS:
        assert isinstance(import_string(job.task_path), Task)
        assert import_string(job.task_path).module_path == job.task_path
        assert job.every_seconds > 0


@override_settings(TASKS=DB_QUEUE)
def test_a_job_is_enqueued_at_start_and_then_every_interval(db: None) -> None:
    clock = FakeClock()
    scheduler = Scheduler([SWEEP], clock=clock)
    assert scheduler.tick() == 300
    assert queued() == ["READY"]
    clock.now += 299
    assert scheduler.tick() == pytest.approx(1)
    assert queued() == ["READY"]
    # Due again, but the first run is still waiting in the queue: no second copy.
    clock.now += 1
    scheduler.tick()
    assert queued() == ["READY"]
    # The run finished a while ago: the next interval enqueues again.
    DBTaskResult.objects.update(status="SUCCESSFUL", enqueued_at=timezone.now() - timedelta(minutes=5))
    clock.now += 300
    scheduler.tick()
    assert queued() == ["SUCCESSFUL", "READY"]


@override_settings(TASKS=DB_QUEUE)
def test_several_schedulers_enqueue_once(db: None) -> None:
    schedulers = [Scheduler([SWEEP], clock=FakeClock()) for _ in range(3)]
    for s in schedulers:
        s.tick()
    assert queued() == ["READY"]
    # Even when the first run has already finished, one enqueued within half an interval holds the others back.
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert enqueue_if_idle(SWEEP) is False
    assert queued() == ["SUCCESSFUL"]


@override_settings(TASKS=DB_QUEUE)
def test_a_running_job_blocks_the_next_unless_its_worker_died_long_ago(db: None) -> None:
    long_ago = timezone.now() - timedelta(hours=3)
    assert enqueue_if_idle(SWEEP)
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now(), enqueued_at=long_ago)
    assert enqueue_if_idle(SWEEP) is False
    DBTaskResult.objects.update(started_at=long_ago)  # stale: a worker that died mid-task
    assert enqueue_if_idle(SWEEP) is True
    assert sorted(queued()) == ["READY", "RUNNING"]


@override_settings(TASKS=DB_QUEUE)
def test_a_run_whose_local_worker_was_killed_holds_nothing_back(db: None) -> None:
    """A worker killed mid-task (SIGKILL) leaves its run RUNNING; if that worker was a process of this host that
    has ended, the job resumes at once instead of after an hour (tests/test_fault_tolerance.py does it for real)."""
    host = socket.gethostname()[:30]
    ended = subprocess.Popen(["true"])  # noqa: S603, S607 — a process that has ended, to name a dead pid
    ended.wait()
    alive = subprocess.Popen(["sleep", "30"])  # noqa: S603, S607
    a_while_ago = timezone.now() - timedelta(minutes=10)
    try:
        for worker, blocks in ((f"otherhost-{ended.pid}-worker-abcdef", True), (f"{host}-{alive.pid}-worker-abcdef", True),
                               (f"{host}-{ended.pid}-worker-abcdef", False)):
            DBTaskResult.objects.all().delete()
            assert enqueue_if_idle(SWEEP)
            DBTaskResult.objects.update(status="RUNNING", started_at=a_while_ago, enqueued_at=a_while_ago, worker_ids=[worker])
            assert enqueue_if_idle(SWEEP) is not blocks, worker
    finally:
        alive.kill()
        alive.wait()


@override_settings(TASKS=DB_QUEUE)
def test_jobs_only_look_at_their_own_task(db: None) -> None:
    assert enqueue_if_idle(SWEEP)
    assert enqueue_if_idle(NOOP)
    assert queued() == ["READY"] and queued(NOOP.task_path) == ["READY"]


def test_without_a_database_queue_the_job_just_runs(db: None) -> None:
    """The test settings run tasks immediately: the scheduler enqueues and the sweep runs at once."""
    calls.clear()
    assert enqueue_if_idle(NOOP) is True
    assert calls == ["tick"]
    assert enqueue_if_idle(SWEEP) is True  # the real sweep, on an empty database
    assert DBTaskResult.objects.count() == 0


def test_a_broken_job_does_not_stop_the_others(db: None, caplog: pytest.LogCaptureFixture) -> None:
    calls.clear()
    scheduler = Scheduler([PeriodicJob("broken", "jingzhi.no_such_module.task", 60), NOOP], clock=FakeClock())
    scheduler.tick()
    assert calls == ["tick"]
    assert "Could not enqueue periodic job broken" in caplog.text


def test_run_scheduler_ticks_until_stopped() -> None:
    calls.clear()
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, args=(stop,), kwargs={"jobs": [NOOP]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(calls) >= 3


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_QUEUE)
def test_the_embedded_worker_runs_queued_tasks_until_stopped() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory (shared-cache) test database fails at once with 'table is locked' instead of waiting; CI runs this on PostgreSQL")
    result = noop.enqueue(tag="embedded")
    stop = threading.Event()
    threads = start_embedded_worker(stop, scheduler=False, interval=0.05)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            row = DBTaskResult.objects.get(pk=result.id)
            if row.status == "SUCCESSFUL":
                break
            time.sleep(0.05)
        assert row.status == "SUCCESSFUL" and row.return_value == "embedded"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)


def test_the_embedded_scheduler_thread_is_started(monkeypatch: Any) -> None:
    started: list[str] = []
    monkeypatch.setattr("jingzhi.core.scheduler.run_scheduler", lambda stop: (started.append("scheduler"), stop.wait()))
    stop = threading.Event()
    threads = start_embedded_worker(stop, workers=0)
    stop.set()
    for t in threads:
        t.join(timeout=5)
    assert started == ["scheduler"]
    assert {t.name for t in threads} == {"jingzhi-scheduler", "jingzhi-worker-stopper"}
