"""Periodic jobs and the threads that run background work.

PERIODIC_JOBS lists the periodic jobs; each app registers its own (register_periodic, from its AppConfig.ready()). A scheduler enqueues each job on the task
queue when it is due; workers run it. Several schedulers may run at once (every `jingzhi worker` runs one):
before enqueueing, a scheduler looks in the queue itself (django_tasks_db's result table) and skips a job
that is already waiting, running, or was enqueued by another scheduler within half its interval. The check
and the enqueue happen in one transaction that is serialised across processes (a PostgreSQL advisory lock;
on SQLite an exclusive transaction). The jobs themselves are idempotent, so a duplicate run is harmless anyway.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from django.db import close_old_connections, connections
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class PeriodicJob(NamedTuple):
    name: str
    task_path: str  # dotted path of a django-tasks Task that takes no arguments
    every_seconds: float


# Filled by each app from its AppConfig.ready() through register_periodic(): core knows no app above it.
PERIODIC_JOBS: list[PeriodicJob] = []


def register_periodic(job: PeriodicJob) -> None:
    """Add a periodic job (once; a second registration under the same name replaces the first)."""
    PERIODIC_JOBS[:] = [j for j in PERIODIC_JOBS if j.name != job.name] + [job]

# A result left RUNNING longer than this (a worker died mid-task) no longer holds the job back.
STALE_AFTER_MIN = timedelta(hours=1)
STALE_AFTER_INTERVALS = 12


def _is_queue(backend: Any) -> bool:
    """True if the backend is django_tasks_db's database queue (which workers poll and we can look into)."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def _abandoned(worker_ids: object) -> bool:
    """True if the last worker that took a task was a process of this host (see `_worker_id`) that has ended."""
    if not isinstance(worker_ids, list) or not worker_ids:
        return False
    prefix = f"{socket.gethostname()[:30]}-"
    last = str(worker_ids[-1])
    if not last.startswith(prefix):
        return False  # another host's worker: we cannot tell, and the `stale` rule decides
    pid = last[len(prefix):].split("-", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # exists under another user, or cannot be asked
        return False
    return False


def _serialise(using: str, job: PeriodicJob) -> None:
    """Inside a transaction: make other schedulers wait at this point until it ends (PostgreSQL)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"jingzhi.scheduler:{job.task_path}".encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def enqueue_if_idle(job: PeriodicJob) -> bool:
    """Enqueue `job` unless the queue already has it waiting, running, or just enqueued. True if enqueued."""
    task = import_string(job.task_path)
    backend = task.get_backend()
    if not _is_queue(backend):  # not a queue we can look into (tests run tasks immediately): just enqueue
        task.enqueue()
        return True
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    using = DBTaskResult.objects.db
    now = timezone.now()
    stale = max(STALE_AFTER_MIN, timedelta(seconds=job.every_seconds * STALE_AFTER_INTERVALS))
    with exclusive_transaction(using):
        _serialise(using, job)
        recent = now - timedelta(seconds=job.every_seconds / 2)
        rows = DBTaskResult.objects.filter(task_path=task.module_path, backend_name=backend.alias).filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=now - stale)
            | Q(enqueued_at__gte=recent)
        ).values_list("status", "enqueued_at", "worker_ids")
        # A run whose worker was killed (SIGKILL, OOM, power) stays RUNNING for good; when that worker was a
        # process of this host that is gone, it holds nothing back, so the job resumes at once, not after `stale`.
        busy = [
            row for row in rows
            if not (row[0] == TaskResultStatus.RUNNING and row[1] < recent and _abandoned(row[2]))
        ]
        if busy:
            logger.debug("Periodic job %s is already queued or running; not enqueued again.", job.name)
            return False
        task.enqueue()
    logger.info("Periodic job %s enqueued.", job.name)
    return True


class Scheduler:
    """Decides when each job is due on a monotonic clock; `tick` enqueues what is due and says how long to wait."""

    def __init__(self, jobs: Sequence[PeriodicJob] | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.jobs = list(PERIODIC_JOBS if jobs is None else jobs)
        self.clock = clock
        start = clock()
        self.next_run: dict[str, float] = {job.name: start for job in self.jobs}  # every job once at start

    def tick(self) -> float:
        """Enqueue every job that is due; return the seconds until the next one is."""
        now = self.clock()
        for job in self.jobs:
            if now < self.next_run[job.name]:
                continue
            self.next_run[job.name] = now + job.every_seconds
            try:
                enqueue_if_idle(job)
            except Exception:  # a database hiccup must not stop the scheduler; the next interval retries
                logger.exception("Could not enqueue periodic job %s", job.name)
        if not self.jobs:
            return 60.0
        return max(0.0, min(self.next_run.values()) - self.clock())


def run_scheduler(
    stop_event: threading.Event, *, clock: Callable[[], float] = time.monotonic, jobs: Sequence[PeriodicJob] | None = None,
    max_wait: float = 60.0,
) -> None:
    """Enqueue periodic jobs when due until `stop_event` is set."""
    scheduler = Scheduler(jobs, clock=clock)
    logger.info("Scheduler started: %s", ", ".join(f"{j.name} every {j.every_seconds:g}s" for j in scheduler.jobs))
    try:
        while not stop_event.is_set():
            wait = scheduler.tick()
            close_old_connections()
            stop_event.wait(min(wait, max_wait))
    finally:
        connections.close_all()


def _worker_id(suffix: str) -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{suffix}-{get_random_string(6)}"[:64]


def _new_worker(worker_id: str, *, interval: float = 1.0, queue_names: Iterable[str] = ("*",)) -> Any:
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=list(queue_names), interval=interval, batch=False, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id=worker_id, excluded_queue_names=[],
    )


def _run_worker_until(worker: Any, stop_event: threading.Event, interval: float) -> None:
    """Run a worker in this thread until told to stop; a database error restarts its loop, not the process."""
    try:
        while not stop_event.is_set():
            try:
                worker.run()
            except Exception:
                logger.exception("Embedded task worker %s failed; restarting", worker.worker_id)
                stop_event.wait(max(interval, 1.0))
            if not worker.running:
                break
    finally:
        connections.close_all()


def start_embedded_worker(
    stop_event: threading.Event, *, workers: int = 1, scheduler: bool = True, interval: float = 1.0,
) -> list[threading.Thread]:
    """Run background work inside this process (`jingzhi demo`): task workers and the scheduler, as daemon threads.

    Setting `stop_event` stops them (a task that is running finishes first). Returns the threads started.
    """
    threads: list[threading.Thread] = []
    task_workers: list[Any] = []
    from django_tasks import task_backends

    if _is_queue(task_backends["default"]):
        for n in range(max(0, workers)):
            worker = _new_worker(_worker_id(f"embedded{n}"), interval=interval)
            task_workers.append(worker)
            threads.append(threading.Thread(
                target=_run_worker_until, args=(worker, stop_event, interval), name=f"jingzhi-worker-{n}", daemon=True,
            ))
    else:
        logger.info("Tasks do not go through the database queue; no embedded worker started.")
    if scheduler:
        threads.append(threading.Thread(target=run_scheduler, args=(stop_event,), name="jingzhi-scheduler", daemon=True))

    def _stop_workers() -> None:
        stop_event.wait()
        for w in task_workers:
            w.running = False

    threads.append(threading.Thread(target=_stop_workers, name="jingzhi-worker-stopper", daemon=True))
    for t in threads:
        t.start()
    return threads


def run_worker(*, with_scheduler: bool = True, worker_id: str | None = None, interval: float = 1.0,
               queue_names: Iterable[str] = ("*",)) -> None:
    """`jingzhi worker`: run the task worker in the foreground (Ctrl+C / SIGTERM stop it gracefully),
    with the scheduler in a thread unless told otherwise."""
    stop = threading.Event()
    if with_scheduler:
        threading.Thread(target=run_scheduler, args=(stop,), name="jingzhi-scheduler", daemon=True).start()
    worker = _new_worker(worker_id or _worker_id("worker"), interval=interval, queue_names=queue_names)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
